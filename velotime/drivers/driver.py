"""The I/O half of a source: connect, read, record, reconnect. Decisions are its session's."""

import asyncio
import contextlib
import dataclasses
import logging
import re
import time
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, cast

from velotime.backoff import Backoff
from velotime.capture import CaptureWriter
from velotime.drivers.clock import DeviceClock, describe_offset
from velotime.drivers.endpoints import (
    Endpoint,
    SerialEndpoint,
    TcpEndpoint,
    TcpListenEndpoint,
    UdpEndpoint,
)
from velotime.drivers.session import (
    Session,
    SessionCounters,
    SessionOutput,
    SetsClock,
    SkippedInput,
)
from velotime.drivers.transports import open_stream
from velotime.protocols.errors import GARBAGE
from velotime.protocols.p3.errors import ErrorKind as P3ErrorKind
from velotime.protocols.protime.errors import ErrorKind as ProtimeErrorKind
from velotime.protocols.timy.errors import ErrorKind as TimyErrorKind
from velotime.ratelimit import LOG_INTERVAL_S, RateLimitedLog
from velotime.times import now_us
from velotime.wire.events import Event
from velotime.wire.status import SourceStatus

log = logging.getLogger("velotime.source")

READ_SIZE = 1 << 16
# A source's counts are republished at most this often when they change (every record would
# flood the broker); a connection made or lost is published at once.
STATUS_INTERVAL_S = 2.0
# The kinds of skipped input whose checksum failed (line noise, a failing cable).
_CHECKSUM_FAILURES = frozenset(
    {
        P3ErrorKind.BAD_CRC.value,
        TimyErrorKind.BAD_CHECKSUM.value,
        ProtimeErrorKind.BAD_CHECKSUM.value,
    }
)

# A clock set on the second boundary (Protime) is sent at most this late; a later wake-up waits
# for the next second, up to CLOCK_SET_TRIES times.
CLOCK_SET_SLACK_US = 5_000
CLOCK_SET_TRIES = 10

Deliver = Callable[[Session, list[Event]], None]  # queue events and save the session state
StatusChanged = Callable[[str, SourceStatus], None]  # source name, its new status


class _Answer(Protocol):
    """Where commands for the device go: its stream, or the sender of a datagram."""

    def write(self, data: bytes) -> None: ...


class _Link(NamedTuple):
    online: bool
    detail: str
    since_us: int


class _Counts(NamedTuple):
    """What `status/sources/<name>` counts: the driver's own, then its session's."""

    events: int
    last_event_us: int | None
    frame_errors: int
    crc_errors: int
    garbage_bytes: int
    session: SessionCounters
    clock_offset_us: int | None
    reasons: tuple[str, ...]


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
        status_interval_s: float = STATUS_INTERVAL_S,
        log_interval_s: float = LOG_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,  # for the rate-limited log lines
        device_clock: DeviceClock | None = None,  # None: the device's clock is not checked
    ) -> None:
        self.session = session
        self.endpoint = endpoint
        self.capture = capture
        self._deliver = deliver
        self._status_changed = status_changed
        self.silence_timeout_s = silence_timeout_s  # None: silence is normal for this device
        self.poll_interval_s = poll_interval_s
        self._backoff = Backoff(reconnect_min_s, reconnect_max_s)
        self.status_interval_s = status_interval_s
        self.connections = 0
        # Health, published with the status: see SourceStatus.
        self.events = 0
        self.last_event_us: int | None = None
        self.frame_errors = 0
        self.crc_errors = 0
        self.garbage_bytes = 0
        self._log = RateLimitedLog(log, log_interval_s, clock)
        self.device_clock = device_clock
        self._link: _Link | None = None  # None until the first attempt to connect or listen
        self._published: _Counts | None = None

    @property
    def name(self) -> str:
        return self.session.source

    async def run(self) -> None:
        """Until cancelled: connect to the device (or, for a device that connects to us, listen),
        read until the link dies, and start again after a little while; and report the counts
        every `status_interval_s` while they change."""
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._report())
                await self._serve()
        finally:
            self.report()  # the last counts, before the daemon stops

    async def _report(self) -> None:
        while True:
            await asyncio.sleep(self.status_interval_s)
            self.report()

    def report(self) -> None:
        """Publish the status again if the counts changed since it was last published, and log
        the summaries of the rate-limited log lines that are due."""
        self._log.flush()
        if self._link is not None and self._counts() != self._published:
            self._publish()

    async def _serve(self) -> None:
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
            # Not connected, but nothing is wrong: the device connects when it is ready.
            self._status(False, "listening", level=logging.INFO)
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

    def received(self, data: bytes, writer: _Answer | None) -> None:
        """One chunk from the device: recorded first, then parsed."""
        t_us = now_us()
        if self.capture:
            self.capture.write(t_us, self.name, data)  # before parsing: raw bytes first
        self._backoff.reset()
        self._handle(t_us, self.session.feed(t_us, data), writer)

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._start("connected", writer)
        poll = asyncio.create_task(self._poll(writer))
        clock = asyncio.create_task(self._set_clock(writer))
        try:
            reason = await self._read(reader, writer)
        finally:
            poll.cancel()
            clock.cancel()
        self._status(False, reason)

    def _start(self, detail: str, writer: _Answer | None) -> None:
        """A new connection (or datagram socket): recorded, announced, and told to the session."""
        t_us = now_us()
        if self.capture:
            self.capture.write(t_us, self.name, b"")  # marks a new connection for replay
        self._status(True, detail)
        self._handle(t_us, self.session.connected(t_us), writer)

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

    def _handle(self, t_us: int, out: SessionOutput, writer: _Answer | None) -> None:
        for error in out.errors:
            self._skipped(error)
        for notice in out.notices:
            self._notice(notice)
        for offset_us in out.clock_offsets:
            self._clock_measured(offset_us)
        if out.events:
            self.events += len(out.events)
            self.last_event_us = t_us
        if out.events or out.commands or out.notices:
            self._deliver(self.session, out.events)
        if writer is not None:  # no one to answer before the first datagram
            for command in out.commands:
                writer.write(command)

    def _skipped(self, error: SkippedInput) -> None:
        """Bad input: counted, and logged at most once per kind and interval with a count."""
        kind = str(error.kind)
        size = len(error.raw)
        if kind == GARBAGE:
            self.garbage_bytes += size
        else:
            self.frame_errors += 1
            if kind in _CHECKSUM_FAILURES:
                self.crc_errors += 1
        name = self.name

        def summary(pieces: int, skipped: int, seconds: str) -> str:
            pieces_text = f"{pieces} piece{'s' if pieces != 1 else ''} in the last {seconds} s"
            return f"{name}: skipped {skipped} bytes ({kind}) in {pieces_text}"

        message = f"{name}: skipped {size} bytes ({kind}) {error.detail}".rstrip()
        self._log.log(logging.WARNING, ("error", kind), message, amount=size, summary=summary)

    def _notice(self, notice: str) -> None:
        """Notices of the same shape (the same words, other numbers) are rate-limited together:
        "passings 7..9 missing" and "passings 12..15 missing" repeat one situation."""
        name = self.name

        def summary(count: int, _: int, seconds: str) -> str:
            return f"{name}: {count} more notices like this in the last {seconds} s"

        shape = _DIGITS.sub("#", notice)
        self._log.log(logging.INFO, ("notice", shape), f"{name}: {notice}", summary=summary)

    def problems(self) -> list[str]:
        """What is wrong with the source now, one line each (for status/daemon too): its
        device's clock too far from the venue clock."""
        problem = self.device_clock.problem(self.name) if self.device_clock else None
        return [problem] if problem else []

    def _clock_measured(self, offset_us: int) -> None:
        """A record's clock offset: beyond the tolerance, a WARNING (rate-limited: one a record
        would flood the log during a race) and the status degraded at once; back within it, a
        line and the status ok at once. The records go on as they are (velotime.drivers.clock)."""
        device_clock = self.device_clock
        if device_clock is None:
            return
        changed = device_clock.measured(offset_us)
        problem = device_clock.problem(self.name)
        if problem is not None:
            name = self.name

            def summary(count: int, _: int, seconds: str) -> str:
                return f"{name}: clock still off in {count} more records in the last {seconds} s"

            self._log.log(logging.WARNING, ("clock",), problem, summary=summary)
        elif changed is False:
            side = "ahead" if offset_us > 0 else "behind"
            log.info(
                "%s: clock agrees with the venue clock again: %s %s",
                self.name,
                describe_offset(offset_us),
                side,
            )
        if changed is not None and self._link is not None:
            self._publish()

    async def _poll(self, writer: asyncio.StreamWriter) -> None:
        request = self.session.poll_command()
        while request is not None:
            await asyncio.sleep(self.poll_interval_s)
            writer.write(request)

    async def _set_clock(self, writer: asyncio.StreamWriter) -> None:
        """Send the session's clock-set command at the moment of the venue clock it names. A
        wake-up later than CLOCK_SET_SLACK_US (a busy loop) would set the device's clock that
        much late: then the next second is taken instead, up to CLOCK_SET_TRIES times."""
        session = self.session
        if not isinstance(session, SetsClock):
            return
        for _ in range(CLOCK_SET_TRIES):
            due = session.clock_set(now_us())
            if due is None:
                return
            at_us, command = due
            await asyncio.sleep(max(0, at_us - now_us()) / 1_000_000)
            late_us = now_us() - at_us
            if late_us <= CLOCK_SET_SLACK_US:
                writer.write(command)
                return
        writer.write(command)
        log.warning("%s: clock set %d us after its second (a busy event loop)", self.name, late_us)

    def _status(self, connected: bool, detail: str, *, level: int | None = None) -> None:
        """The link came up, went down or cannot be had: logged (a link down at WARNING unless
        `level` says otherwise) and published at once."""
        if level is None:
            level = logging.INFO if connected else logging.WARNING
        log.log(level, "%s: %s (%s)", self.name, detail, self.endpoint)
        self._link = _Link(connected, detail, now_us())
        self._publish()

    def _counts(self) -> _Counts:
        return _Counts(
            events=self.events,
            last_event_us=self.last_event_us,
            frame_errors=self.frame_errors,
            crc_errors=self.crc_errors,
            garbage_bytes=self.garbage_bytes,
            session=self.session.counters(),
            clock_offset_us=self.device_clock.offset_us if self.device_clock else None,
            reasons=tuple(self.problems()),
        )

    def _publish(self) -> None:
        assert self._link is not None
        counts = self._published = self._counts()
        self._status_changed(
            self.name,
            SourceStatus(
                online=self._link.online,
                detail=self._link.detail,
                endpoint=str(self.endpoint),
                connections=self.connections,
                since_us=self._link.since_us,
                updated_us=now_us(),
                events=counts.events,
                last_event_us=counts.last_event_us,
                frame_errors=counts.frame_errors,
                crc_errors=counts.crc_errors,
                garbage_bytes=counts.garbage_bytes,
                **dataclasses.asdict(counts.session),
                state="degraded" if counts.reasons else "ok",
                reasons=list(counts.reasons),
                clock_offset_us=counts.clock_offset_us,
            ),
        )


_DIGITS = re.compile(r"\d+")


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, driver: SourceDriver) -> None:
        self.driver = driver
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A datagram endpoint's transport (asyncio's own class does not derive from
        # DatagramTransport in every Python version).
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        # A device that wants answers (a Protime box's ACKs) gets them at the datagram's sender.
        answer = _Reply(self.transport, addr) if self.transport is not None else None
        self.driver.received(data, answer)


class _Reply:
    def __init__(self, transport: asyncio.DatagramTransport, addr: tuple[str | Any, int]) -> None:
        self.transport = transport
        self.addr = addr

    def write(self, data: bytes) -> None:
        self.transport.sendto(data, self.addr)
