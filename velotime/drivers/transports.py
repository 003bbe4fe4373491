"""Opening a device connection: TCP or serial, both as asyncio streams."""

import asyncio
from dataclasses import dataclass

import serial_asyncio_fast

StreamPair = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass(frozen=True)
class TcpEndpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"tcp://{_netloc(self.host, self.port)}"


@dataclass(frozen=True)
class SerialEndpoint:
    path: str
    baudrate: int = 9600

    def __str__(self) -> str:
        return f"serial://{self.path}?baudrate={self.baudrate}"


@dataclass(frozen=True)
class TcpListenEndpoint:
    """We listen and the device connects to us (FinishLynx sends to a scoreboard port)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"tcp-listen://{_netloc(self.host, self.port)}"


@dataclass(frozen=True)
class UdpEndpoint:
    """We listen for datagrams on this address."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"udp://{_netloc(self.host, self.port)}"


Endpoint = TcpEndpoint | SerialEndpoint | TcpListenEndpoint | UdpEndpoint


def _netloc(host: str, port: int) -> str:
    """host:port, with an IPv6 address in brackets as URLs write it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def open_stream(endpoint: TcpEndpoint | SerialEndpoint, timeout_s: float = 5.0) -> StreamPair:
    """Connect; raises OSError (including TimeoutError) when the device cannot be reached."""
    if isinstance(endpoint, TcpEndpoint):
        return await asyncio.wait_for(
            asyncio.open_connection(endpoint.host, endpoint.port), timeout_s
        )
    pair: StreamPair = await asyncio.wait_for(
        serial_asyncio_fast.open_serial_connection(url=endpoint.path, baudrate=endpoint.baudrate),
        timeout_s,
    )
    return pair
