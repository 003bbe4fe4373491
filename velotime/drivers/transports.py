"""Opening a device connection: TCP or serial, both as asyncio streams."""

import asyncio

import serial_asyncio_fast

from velotime.drivers.endpoints import SerialEndpoint, TcpEndpoint

StreamPair = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def open_stream(endpoint: TcpEndpoint | SerialEndpoint, timeout_s: float = 5.0) -> StreamPair:
    """Connect; raises OSError (including TimeoutError) when the device cannot be reached."""
    if isinstance(endpoint, TcpEndpoint):
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(endpoint.host, endpoint.port), timeout_s
            )
        except UnicodeError as exc:
            # A name the resolver refuses (a label over 63 characters) raises this, not OSError:
            # for the driver it is a host that cannot be reached like any other.
            raise OSError(f"cannot resolve {endpoint.host!r}: {exc}") from exc
    pair: StreamPair = await asyncio.wait_for(
        serial_asyncio_fast.open_serial_connection(url=endpoint.path, baudrate=endpoint.baudrate),
        timeout_s,
    )
    return pair
