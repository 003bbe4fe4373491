"""A simulated AMB P3 decoder that is a real TCP server, for tests, demos and benchmarks.

Like the real decoder it keeps detecting while nobody listens: riders lap its loop on a
deterministic schedule, every passing is numbered and stored, and each one is streamed at its
due wall time to the hosts connected at that moment. A host that missed passings asks for them
with RESEND; GET_TIME is answered with the decoder clock. Passing times come from the schedule
(integer microseconds on the decoder clock), never from when they happen to be sent, so a seed
and a start time reproduce them exactly, whatever the speedup.

Scripted (no transponders): the decoder generates nothing itself; `detect(transponder,
rtc_time_us)` makes each passing when a director says so (`velotime demo`). Numbering, storage
for RESEND, GET_TIME and the STATUS records work as in the generated mode.

Faults, for the fault suite (tests/faults): `reboot` (the clock steps back, passing numbers
restart at 1 and the stored passings are gone: after a reboot, RESEND n means the new count's
passing n), `restart_counter` (a host's CLEAR_PASSING: numbers restart, the clock does not move),
`inject` (one passing with a given time or number, e.g. 50 years ahead or 2^32-1), links dropped
(`drop_clients`), out of reach (`set_reachable`: connections refused) or silent. Every RESEND a
host asks is kept in `resend_requests`.

Serial: `start_serial` puts the decoder on a pseudo-terminal instead of TCP (raw bytes both ways,
as a decoder's RS-232 port); `unplug` and `replug` pull and put back its cable, `link` following
the current pty as udev's by-id links do (velotime.simulators.serial_link). A serial line has no
flow control: bytes the host does not read beyond 1 MB are lost, and counted (`dropped_bytes`).
"""

import asyncio
import bisect
import contextlib
import math
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import msgspec

from velotime.protocols.p3 import (
    Error,
    ErrorCode,
    FrameError,
    GetTime,
    P3Record,
    P3Stream,
    Passing,
    Resend,
    Status,
    encode,
)
from velotime.protocols.p3.constants import U32_MAX
from velotime.simulators.clock import NS_PER_S, sleep_until
from velotime.simulators.p3_session import DEFAULT_DECODER_ID, lap_schedule
from velotime.simulators.serial_link import open_raw_pty, point_link, remove_link, termios_speed

_NS_PER_US = 1_000
_READ_SIZE = 1 << 16

SERIAL_BAUDRATE = 19200  # the P3 decoders' RS-232 default


class P3DecoderSimulator:
    """An AMB P3 decoder on TCP: `await start(host, port)`, then hosts connect to `port`.

    `passings` holds every passing produced so far, in order, across reboots and counter
    restarts (injected ones too); `sent_at` maps a passing number of the current count to the
    host wall clock (`time.time_ns()`) at which it was first written to a host. `count` is how
    many passings the schedule makes (injected ones are extra).
    Usable as `async with` (the exit stops it); `start` is still called explicitly.
    """

    def __init__(
        self,
        *,
        transponders: Sequence[int] = (),
        lap_time_us: int | None = None,
        speedup: float | Fraction = 1.0,
        count: int | None = None,
        decoder_id: int = DEFAULT_DECODER_ID,
        status_interval_s: float = 4.0,
        seed: int = 0,
        first_passing_number: int = 1,
        rtc_start_us: int | None = None,
        drain_timeout_s: float = 5.0,
    ) -> None:
        # No transponders and no lap time: a scripted decoder (`detect`).
        if not transponders and lap_time_us is not None:
            raise ValueError("at least one transponder is needed")
        if any(not 0 <= t <= U32_MAX for t in transponders):
            raise ValueError("transponder ids must fit in 32 bits")
        if transponders and (lap_time_us is None or lap_time_us <= 0):
            raise ValueError("the lap time must be positive")
        if isinstance(speedup, float) and not math.isfinite(speedup):
            raise ValueError("the speedup must be finite")
        # repr() of a float is its shortest decimal form: 0.1 becomes exactly 1/10.
        self._speedup = Fraction(repr(speedup)) if isinstance(speedup, float) else Fraction(speedup)
        if self._speedup <= 0:
            raise ValueError("the speedup must be positive")
        if count is not None and count < 0:
            raise ValueError("the count must not be negative")
        if not 0 <= decoder_id <= U32_MAX:
            raise ValueError("the decoder id must fit in 32 bits")
        if not status_interval_s > 0 or not drain_timeout_s > 0:
            raise ValueError("the status interval and the drain timeout must be positive")
        if not 0 <= first_passing_number <= U32_MAX:
            raise ValueError("the first passing number must fit in 32 bits")
        self._transponders = tuple(transponders)
        self._lap_time_us = lap_time_us or 0
        self._count = count
        self._decoder_id = decoder_id
        self._status_interval_ns = round(status_interval_s * NS_PER_S)
        self._seed = seed
        self._first_number = first_passing_number
        self._rtc_start_us = rtc_start_us
        self._drain_timeout_s = drain_timeout_s

        self.passings: list[Passing] = []
        self.sent_at: dict[int, int] = {}
        self.client_errors = 0  # garbage and bad frames received from clients
        self.resend_requests: list[tuple[int, int]] = []  # every RESEND asked: (from, until)
        self.reboots = 0
        self._generated = 0  # passings made by the schedule (`count` counts these)
        self._next_number = first_passing_number
        self._clock_shift_us = 0  # how far the clock was set back by reboots
        self._stored: dict[int, bytes] = {}  # what RESEND can serve: number -> encoded passing
        self._stored_numbers: list[int] = []  # the keys of `_stored`, ascending
        self._pty: _PtyClient | None = None
        self._unplugged_dropped_bytes = 0  # dropped_bytes of the ptys already unplugged
        self._link: Path | None = None
        self._on_serial = False
        self._serial_speed = termios_speed(SERIAL_BAUDRATE)
        self._clients: set[_Host] = set()
        self._silent = False
        self._reachable = True
        self._closing = False
        self._server: asyncio.Server | None = None
        self._host = ""
        self._port = 0  # the bound port, kept while unreachable
        self._tasks: list[asyncio.Task[None]] = []
        self._start_when_connected = False
        self._t0_ns = 0  # monotonic clock at the start of generation
        self._done = asyncio.Event()
        # Its own generator, so that STATUS timing (wall clock) never shifts the passings.
        self._status_rng = random.Random(f"status-{seed}")

    async def __aenter__(self) -> "P3DecoderSimulator":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- life cycle ----------------------------------------------------------------------------

    async def start(self, host: str, port: int, *, when_connected: bool = False) -> None:
        """Listen on host:port (0: any free port) and start producing passings, at once or, with
        `when_connected`, when the first host connects (a decoder switched on by its host).

        Raises OSError when the address cannot be bound.
        """
        if self._started or self._closing:
            raise RuntimeError("the simulator was already started")
        # Unreachable from the start: bound, so that its port is known, but not listening.
        self._server = await asyncio.start_server(
            self._serve_client, host, port, start_serving=self._reachable
        )
        self._host = host
        self._port = self._server.sockets[0].getsockname()[1]
        self._start_when_connected = when_connected
        if not when_connected:
            self._begin()

    def start_serial(self, *, link: Path | None = None, when_connected: bool = False) -> str:
        """Plug the decoder into a serial port instead (a new pty, raw, 19200 baud) and start
        producing passings, at once or, with `when_connected`, when the host first sends
        something (a serial port does not tell when it is opened). Returns the path the host
        opens; `link`, when given, always points at the current pty. Needs an event loop."""
        if self._started or self._closing:
            raise RuntimeError("the simulator was already started")
        self._link = link
        self._on_serial = True
        path = self._plug()
        self._start_when_connected = when_connected
        if not when_connected:
            self._begin()
        return path

    @property
    def _started(self) -> bool:
        return self._server is not None or self._on_serial

    @property
    def serial_path(self) -> str | None:
        """The pty the host opens now; None while unplugged (or on TCP)."""
        return self._pty.path if self._pty is not None else None

    def unplug(self) -> bool:
        """Pull the serial cable: the pty closes (the host's reads fail) and its link goes;
        passings are still made and stored. False if it was not plugged in."""
        pty = self._pty
        if pty is None:
            return False
        self._pty = None
        self._unplugged_dropped_bytes += pty.dropped_bytes
        self._drop(pty)
        if self._link is not None:
            remove_link(self._link)
        return True

    def replug(self) -> str:
        """Put the serial cable back: a new pty, whose path is returned (the link follows)."""
        if self._closing:
            raise RuntimeError("the simulator was stopped")
        self.unplug()
        return self._plug()

    def _plug(self) -> str:
        master, slave, path = open_raw_pty(self._serial_speed)
        pty = _PtyClient(master, slave, path, self._host_data)
        self._pty = pty
        self._clients.add(pty)
        if self._link is not None:
            point_link(self._link, path)
        return path

    def _begin(self) -> None:
        self._t0_ns = time.monotonic_ns()
        if self._rtc_start_us is None:
            self._rtc_start_us = time.time_ns() // _NS_PER_US
        self._tasks = [asyncio.create_task(self._send_statuses(), name="p3-sim-status")]
        if self._transponders:
            self._tasks.append(asyncio.create_task(self._generate(), name="p3-sim-passings"))

    async def stop(self) -> None:
        """Stop producing, close the server and every client connection."""
        self._closing = True
        self.unplug()
        if self._server is not None:
            self._server.close()
        client_tasks = [c.task for c in self._clients if c.task is not None]
        for client in list(self._clients):
            self._drop(client)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        # Not cancelled: asyncio's stream protocol logs a cancelled connection handler as an
        # error. Closing the connection ends each handler's read with EOF instead.
        if client_tasks:
            await asyncio.wait(client_tasks)
        if self._server is not None:
            await self._server.wait_closed()

    @property
    def port(self) -> int:
        """The bound TCP port (the one picked when 0 was asked for)."""
        if self._server is None:
            raise RuntimeError("the simulator is not listening")
        return self._port

    @property
    def rtc_start_us(self) -> int:
        """The decoder clock when generation started."""
        if self._rtc_start_us is None:
            raise RuntimeError("the simulator was not started")
        return self._rtc_start_us

    def decoder_clock_us(self) -> int:
        """The decoder clock now: its start plus the wall time since, times the speedup, less
        what reboots set it back."""
        return self._schedule_clock_us() - self._clock_shift_us

    def _schedule_clock_us(self) -> int:
        """The schedule's clock now (the decoder clock as it would be without reboots)."""
        elapsed_ns = time.monotonic_ns() - self._t0_ns
        speedup = self._speedup
        return self.rtc_start_us + elapsed_ns * speedup.numerator // (
            speedup.denominator * _NS_PER_US
        )

    @property
    def dropped_bytes(self) -> int:
        """Bytes lost on the serial line because the host did not read them in time."""
        current = self._pty.dropped_bytes if self._pty is not None else 0
        return self._unplugged_dropped_bytes + current

    @property
    def client_count(self) -> int:
        return len(self._clients)

    @property
    def scripted(self) -> bool:
        """Whether passings come from `detect` only (no transponders were given)."""
        return not self._transponders

    @property
    def next_passing_number(self) -> int:
        """The number the decoder gives its next passing."""
        return self._next_number

    @property
    def done(self) -> bool:
        """Whether `count` passings have been produced."""
        return self._done.is_set()

    async def finished(self) -> None:
        """Return once `count` passings have been produced (never, without a count)."""
        await self._done.wait()

    # -- fault injection -----------------------------------------------------------------------

    def drop_clients(self) -> int:
        """Close every client connection (the server keeps accepting; a serial port has no
        connection to close: `unplug` it). Returns how many."""
        clients = [c for c in self._clients if c is not self._pty]
        for client in clients:
            self._drop(client)
        return len(clients)

    @property
    def silent(self) -> bool:
        return self._silent

    def set_silent(self, silent: bool) -> None:
        """While silent nothing is sent (connections stay open); passings are still produced."""
        self._silent = silent

    @property
    def reachable(self) -> bool:
        return self._reachable

    async def set_reachable(self, reachable: bool) -> None:
        """Unreachable (a decoder off the network, a cable cut): every TCP link drops and
        connections are refused (nothing listens on its port) until it is reachable again, on
        the same port; passings are still produced and stored. Set before `start`, the decoder
        starts unreachable."""
        if reachable == self._reachable:
            return
        self._reachable = reachable
        if self._server is None or self._closing:
            return
        if not reachable:
            self.drop_clients()
            self._server.close()
            await self._server.wait_closed()
        elif self._server.sockets:  # started unreachable: bound, not yet listening
            await self._server.start_serving()
        else:
            self._server = await asyncio.start_server(self._serve_client, self._host, self.port)

    def reboot(self, *, clock_back_us: int, first_passing_number: int = 1) -> None:
        """The decoder restarts: its links drop (a serial cable stays plugged in), its clock
        steps back by `clock_back_us`, its passing numbers restart and the passings it stored
        are gone (RESEND now serves the new count only). Riders keep lapping: the next
        passings come on the new clock, numbered from `first_passing_number`."""
        if clock_back_us < 0:
            raise ValueError("a reboot sets the clock back, not forward")
        if not 0 <= first_passing_number <= U32_MAX:
            raise ValueError("the first passing number must fit in 32 bits")
        self.reboots += 1
        self._clock_shift_us += clock_back_us
        self.drop_clients()
        if self._pty is not None:
            self._pty.restart()
        self.restart_counter(first_passing_number)

    def restart_counter(self, first_passing_number: int = 1) -> None:
        """The passing memory is cleared (a host's CLEAR_PASSING): numbers restart at
        `first_passing_number`, nothing stored is left to RESEND; the clock runs on."""
        if not 0 <= first_passing_number <= U32_MAX:
            raise ValueError("the first passing number must fit in 32 bits")
        self._next_number = first_passing_number
        self._stored.clear()
        self._stored_numbers.clear()
        self.sent_at.clear()

    def inject(
        self,
        transponder: int,
        *,
        rtc_time_us: int | None = None,
        passing_number: int | None = None,
    ) -> Passing:
        """One passing made now, stored and sent, with the time or the number given (a glitch):
        by default the decoder clock now and the next number. A given number is a one-off:
        the count goes on from where it was."""
        if not self._tasks:
            raise RuntimeError("the simulator was not started")
        if not 0 <= transponder <= U32_MAX:
            raise ValueError("transponder ids must fit in 32 bits")
        if passing_number is not None and not 0 <= passing_number <= U32_MAX:
            raise ValueError("a passing number must fit in 32 bits")
        number = self._take_number() if passing_number is None else passing_number
        time_us = self.decoder_clock_us() if rtc_time_us is None else rtc_time_us
        return self._produce(
            Passing(
                passing_number=number,
                transponder=transponder,
                rtc_time_us=time_us,
                strength=150,
                hits=30,
                flags=0,
                decoder_id=self._decoder_id,
            )
        )

    # -- generation ----------------------------------------------------------------------------

    def detect(self, transponder: int, rtc_time_us: int) -> Passing:
        """A scripted decoder reads `transponder` at `rtc_time_us` (decoder clock): the passing
        gets the next number, is stored for RESEND and sent now to the hosts connected.

        Times are the script's, never the wall clock's; give them in increasing order, as a
        decoder numbers its passings in the order it reads them.
        """
        if not self.scripted:
            raise RuntimeError("this decoder generates its own passings (it has transponders)")
        if not self._tasks:
            raise RuntimeError("the simulator was not started")
        if not 0 <= transponder <= U32_MAX:
            raise ValueError("transponder ids must fit in 32 bits")
        number = self._take_number()
        return self._produce(
            Passing(
                passing_number=number,
                transponder=transponder,
                rtc_time_us=rtc_time_us,
                strength=120 + number % 80,
                hits=20 + number % 40,
                flags=0,
                decoder_id=self._decoder_id,
            )
        )

    def _take_number(self) -> int:
        number = self._next_number
        self._next_number = (number + 1) & U32_MAX  # a u32 counter wraps
        return number

    def _produce(self, passing: Passing) -> Passing:
        """Keep a passing (for RESEND under its number) and send it to the hosts now."""
        number = passing.passing_number
        assert number is not None
        wire = encode(passing)
        self.passings.append(passing)
        if number not in self._stored:
            bisect.insort(self._stored_numbers, number)
        self._stored[number] = wire
        self._broadcast(wire, number)
        return passing

    def _schedule(self) -> Iterator[Passing]:
        return lap_schedule(
            self._transponders,
            self._lap_time_us,
            rtc_start_us=self.rtc_start_us,
            seed=self._seed,
            first_passing_number=self._first_number,
            decoder_id=self._decoder_id,
        )

    def _due_ns(self, rtc_time_us: int) -> int:
        """The monotonic wall time at which the decoder clock reaches rtc_time_us (rounded up)."""
        speedup = self._speedup
        simulated_ns = (rtc_time_us - self.rtc_start_us) * _NS_PER_US
        return self._t0_ns - (-simulated_ns * speedup.denominator // speedup.numerator)

    async def _generate(self) -> None:
        schedule = self._schedule()
        while self._count is None or self._generated < self._count:
            passing = next(schedule)
            assert passing.rtc_time_us is not None
            await sleep_until(self._due_ns(passing.rtc_time_us))
            self._generated += 1
            # The schedule's riders keep lapping through reboots: number and time are the
            # decoder's own at this moment.
            self._produce(
                msgspec.structs.replace(
                    passing,
                    passing_number=self._take_number(),
                    rtc_time_us=passing.rtc_time_us - self._clock_shift_us,
                )
            )
        self._done.set()

    async def _send_statuses(self) -> None:
        tick = 1
        while True:
            await sleep_until(self._t0_ns + tick * self._status_interval_ns)
            # After a stall (a suspended host), carry on from now rather than send a burst.
            tick = max(tick, (time.monotonic_ns() - self._t0_ns) // self._status_interval_ns) + 1
            status = Status(
                noise=self._status_rng.randint(33, 58),
                temperature=22,
                input_voltage=118,
                gps=0,
                decoder_id=self._decoder_id,
            )
            self._broadcast(encode(status))

    def _broadcast(self, wire: bytes, passing_number: int | None = None) -> None:
        if self._silent:
            return
        for client in list(self._clients):
            self._send(client, wire, passing_number)

    def _send(self, client: "_Host", wire: bytes, *passing_numbers: int | None) -> None:
        if not client.send(wire):
            return
        now_ns = time.time_ns()
        for number in passing_numbers:
            if number is not None:
                self.sent_at.setdefault(number, now_ns)

    # -- clients -------------------------------------------------------------------------------

    async def _serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        client = _Client(writer, self._drain_timeout_s, asyncio.current_task())
        if self._closing or not self._reachable:
            client.close()
            return
        self._clients.add(client)
        if self._start_when_connected and not self._tasks:
            self._begin()
        try:
            while not client.closed:
                try:
                    data = await reader.read(_READ_SIZE)
                except ConnectionError:
                    break
                if not data:
                    break
                self._host_data(client, data)
                # Stop reading from a host that does not read our answers (TCP back-pressure).
                await client.writable()
        finally:
            self._drop(client)

    def _answer(self, client: "_Host", request: P3Record) -> None:
        if self._silent:
            return
        if isinstance(request, GetTime):
            reply: P3Record = GetTime(
                rtc_time_us=self.decoder_clock_us(),
                unknown_04=0,
                utc_time_us=time.time_ns() // _NS_PER_US,
                decoder_id=self._decoder_id,
            )
        elif isinstance(request, Resend):
            if request.from_passing is None or request.until_passing is None:
                reply = Error(
                    code=ErrorCode.PARAMETERS_MISSING,
                    description="parameters missing",
                    decoder_id=self._decoder_id,
                )
            else:
                self.resend_requests.append((request.from_passing, request.until_passing))
                self._resend(client, request.from_passing, request.until_passing)
                return
        else:
            reply = Error(
                code=ErrorCode.TOR_UNKNOWN, description="TOR unknown", decoder_id=self._decoder_id
            )
        client.send(encode(reply))

    def _resend(self, client: "_Host", first: int, last: int) -> None:
        """The stored passings numbered first..last, in number order."""
        start = bisect.bisect_left(self._stored_numbers, first)
        stop = bisect.bisect_right(self._stored_numbers, last)
        if start < stop:
            numbers = self._stored_numbers[start:stop]
            self._send(client, b"".join(self._stored[n] for n in numbers), *numbers)

    def _drop(self, client: "_Host") -> None:
        self._clients.discard(client)
        client.close()

    def _host_data(self, client: "_Host", data: bytes) -> None:
        """Bytes from a host: answer each request in them."""
        if client not in self._clients:
            return
        if self._start_when_connected and not self._tasks:
            self._begin()
        for item in client.stream.feed(data):
            if isinstance(item, FrameError):
                self.client_errors += 1
            else:
                self._answer(client, item)


class _Client:
    """One host connection: its decoder of incoming bytes and a bounded writer."""

    def __init__(
        self,
        writer: asyncio.StreamWriter,
        drain_timeout_s: float,
        task: "asyncio.Task[None] | None",
    ) -> None:
        self.writer = writer
        self.stream = P3Stream()
        self.task = task
        self.closed = False
        self._drain_timeout_s = drain_timeout_s
        self._drainer: asyncio.Task[None] | None = None

    def send(self, data: bytes) -> bool:
        """Queue bytes without waiting; False if the connection is gone."""
        if self.closed or self.writer.transport.is_closing():
            return False
        self.writer.write(data)
        # The kernel did not take everything: watch that the host keeps reading.
        if self._drainer is None and self.writer.transport.get_write_buffer_size():
            self._drainer = asyncio.create_task(self._drain())
        return True

    async def writable(self) -> None:
        """Wait until our queued bytes are on their way (or the client has been dropped)."""
        if self._drainer is not None:
            await asyncio.wait([self._drainer])  # never raises, even if the drainer was cancelled

    async def _drain(self) -> None:
        try:
            await asyncio.wait_for(self.writer.drain(), self._drain_timeout_s)
        except (TimeoutError, ConnectionError):
            # A host that stops reading must not make the others wait, nor grow our memory.
            self.close(abort=True)
        finally:
            self._drainer = None

    def close(self, *, abort: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        if self._drainer is not None and self._drainer is not asyncio.current_task():
            self._drainer.cancel()
        transport = self.writer.transport
        # Bytes still queued mean the host is not reading them: do not wait for it.
        if abort or transport.get_write_buffer_size():
            transport.abort()
        else:
            with contextlib.suppress(RuntimeError):  # the event loop is already closed
                self.writer.close()


class _PtyClient:
    """The host at the other end of the decoder's serial port (a pty master of ours).

    No flow control, as on a real serial line: what the host has not read is buffered up to
    `MAX_PENDING` bytes, and whole records beyond that are lost (`dropped_bytes`)."""

    MAX_PENDING = 1 << 20

    def __init__(
        self, master: int, slave: int, path: str, on_data: "Callable[[_PtyClient, bytes], None]"
    ) -> None:
        self.master = master
        self.slave = slave  # held open so that the master never reads EIO between hosts
        self.path = path
        self.stream = P3Stream()
        self.task: asyncio.Task[None] | None = None
        self.closed = False
        self.dropped_bytes = 0
        self._on_data = on_data
        self._pending = bytearray()
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(master, self._read)

    def send(self, data: bytes) -> bool:
        if self.closed:
            return False
        if len(self._pending) + len(data) > self.MAX_PENDING:
            self.dropped_bytes += len(data)
            return False
        self._pending += data
        self._flush()
        return True

    async def writable(self) -> None:
        return None

    def restart(self) -> None:
        """The decoder restarted: what it had not written yet is gone, framing starts afresh."""
        self._pending.clear()
        self.stream = P3Stream()

    def close(self, *, abort: bool = False) -> None:
        """Unplugged: the pty closes, the host's reads fail."""
        if self.closed:
            return
        self.closed = True
        self._loop.remove_reader(self.master)
        self._loop.remove_writer(self.master)
        os.close(self.master)
        os.close(self.slave)
        self._pending.clear()

    def _flush(self) -> None:
        while self._pending:
            try:
                written = os.write(self.master, self._pending)
            except BlockingIOError:
                break
            except OSError:  # cannot happen while we hold the slave; if it does, it is lost
                self._pending.clear()
                break
            del self._pending[:written]
        if self._pending:
            self._loop.add_writer(self.master, self._flush)
        else:
            self._loop.remove_writer(self.master)

    def _read(self) -> None:
        try:
            data = os.read(self.master, _READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # cannot happen while we hold the slave; stop watching, not spin
            self._loop.remove_reader(self.master)
            return
        if data:
            self._on_data(self, data)


_Host = _Client | _PtyClient
