"""The I/O half of a source: connect, read, record, reconnect. Decisions are its session's."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from velotime.backoff import Backoff
from velotime.capture import CaptureWriter
from velotime.drivers.endpoints import (
    Endpoint,
    SerialEndpoint,
    TcpEndpoint,
    TcpListenEndpoint,
    UdpEndpoint,
)
from velotime.drivers.session import Session, SessionOutput
from velotime.drivers.transports import open_stream
from velotime.times import now_us
from velotime.wire.events import Event
from velotime.wire.status import SourceStatus

log = logging.getLogger("velotime.source")

READ_SIZE = 1 << 16

Deliver = Callable[[Session, list[Event]], None]  # queue events and save the session state
StatusChanged = Callable[[str, SourceStatus], None]  # source name, its new status


class SourceDriver:
    def __init__(
        self,
        session: Session,
        endpoint: Endpoint,
        *,
        capture: CaptureWriter | None,
        deliver: Deliver,
        status_changed: StatusChanged,
        silence_timeout_s: float | None = 15.0,
        poll_interval_s: float = 60.0,
        reconnect_min_s: float = 0.5,
        reconnect_max_s: float = 30.0,
    ) -> None:
        self.session = session
        self.endpoint = endpoint
        self.capture = capture
        self._deliver = deliver
        self._status_changed = status_changed
        self.silence_timeout_s = silence_timeout_s  # None: silence is normal for this device
        self.poll_interval_s = poll_interval_s
        self._backoff = Backoff(reconnect_min_s, reconnect_max_s)
        self.connections = 0
        self.frame_errors = 0

    @property
    def name(self) -> str:
        return self.session.source

    async def run(self) -> None:
        """Until cancelled: connect to the device (or, for a device that connects to us, listen),
        read until the link dies, and start again after a little while."""
        endpoint = self.endpoint
        if isinstance(endpoint, TcpListenEndpoint):
            await self._listen_tcp(endpoint)
        elif isinstance(endpoint, UdpEndpoint):
            await self._listen_udp(endpoint)
        else:
            await self._connect(endpoint)

    async def _connect(self, endpoint: TcpEndpoint | SerialEndpoint) -> None:
        while True:
            try:
                reader, writer = await open_stream(endpoint)
            except OSError as exc:
                self._status(False, f"cannot connect: {exc or type(exc).__name__}")
            else:
                try:
                    await self._connected(reader, writer)
                except Exception:  # a bug must not end the source: log, reconnect
                    log.exception("%s: unexpected error; reconnecting", self.name)
                finally:
                    writer.close()
                    with contextlib.suppress(Exception):
                        await writer.wait_closed()
            await asyncio.sleep(self._backoff.next_delay())

    async def _listen_tcp(self, endpoint: TcpListenEndpoint) -> None:
        latest: list[asyncio.StreamWriter] = []

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # A device that reconnects may leave its old connection half open: the newest wins.
            for previous in latest:
                previous.close()
            latest[:] = [writer]
            try:
                await self._connected(reader, writer)
            except Exception:  # a bug must not end the source: log, keep listening
                log.exception("%s: unexpected error; waiting for the next connection", self.name)
            finally:
                writer.close()

        while True:
            try:
                server = await asyncio.start_server(accept, endpoint.host, endpoint.port)
            except (OSError, UnicodeError) as exc:  # UnicodeError: a name the resolver refuses
                self._status(False, f"cannot listen: {exc}")
                await asyncio.sleep(self._backoff.next_delay())
                continue
            self._status(False, "listening")
            async with server:
                await server.serve_forever()

    async def _listen_udp(self, endpoint: UdpEndpoint) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Datagrams(self), local_addr=(endpoint.host, endpoint.port)
                )
            except (OSError, UnicodeError) as exc:  # UnicodeError: a name the resolver refuses
                self._status(False, f"cannot listen: {exc}")
                await asyncio.sleep(self._backoff.next_delay())
                continue
            try:
                self._start("listening for datagrams", None)
                await asyncio.Event().wait()  # until cancelled
            finally:
                transport.close()

    def received(self, data: bytes, writer: asyncio.StreamWriter | None) -> None:
        """One chunk from the device: recorded first, then parsed."""
        t_us = now_us()
        if self.capture:
            self.capture.write(t_us, self.name, data)  # before parsing: raw bytes first
        self._backoff.reset()
        self._handle(self.session.feed(t_us, data), writer)

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._start("connected", writer)
        poll = asyncio.create_task(self._poll(writer))
        try:
            reason = await self._read(reader, writer)
        finally:
            poll.cancel()
        self._status(False, reason)

    def _start(self, detail: str, writer: asyncio.StreamWriter | None) -> None:
        """A new connection (or datagram socket): recorded, announced, and told to the session."""
        t_us = now_us()
        if self.capture:
            self.capture.write(t_us, self.name, b"")  # marks a new connection for replay
        self._status(True, detail)
        self._handle(self.session.connected(t_us), writer)

    async def _read(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> str:
        while True:
            try:
                data = await asyncio.wait_for(reader.read(READ_SIZE), self.silence_timeout_s)
            except TimeoutError:
                return f"silent for {self.silence_timeout_s} s: link presumed dead"
            except OSError as exc:
                return f"connection lost: {exc}"
            if not data:
                return "connection closed by the device"
            self.received(data, writer)

    def _handle(self, out: SessionOutput, writer: asyncio.StreamWriter | None) -> None:
        for error in out.errors:
            self.frame_errors += 1
            log.warning(
                "%s: skipped %d bytes (%s) %s", self.name, len(error.raw), error.kind, error.detail
            )
        for notice in out.notices:
            log.info("%s: %s", self.name, notice)
        if out.events or out.commands or out.notices:
            self._deliver(self.session, out.events)
        if writer is not None:  # datagrams have no one to answer
            for command in out.commands:
                writer.write(command)

    async def _poll(self, writer: asyncio.StreamWriter) -> None:
        request = self.session.poll_command()
        while request is not None:
            await asyncio.sleep(self.poll_interval_s)
            writer.write(request)

    def _status(self, connected: bool, detail: str) -> None:
        level = logging.INFO if connected else logging.WARNING
        log.log(level, "%s: %s (%s)", self.name, detail, self.endpoint)
        self._status_changed(
            self.name,
            SourceStatus(
                online=connected,
                detail=detail,
                endpoint=str(self.endpoint),
                connections=self.connections,
                since_us=now_us(),
            ),
        )


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, driver: SourceDriver) -> None:
        self.driver = driver

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.driver.received(data, None)
