"""A simulated Race Result decoder that is a real TCP server, for tests and demos.

Like the real decoder it keeps reading while nobody listens: riders lap its loop on the P3
simulator's deterministic schedule (velotime.simulators.p3_session.lap_schedule), every passing
is numbered and stored, and each one is pushed (`#P;...`) at its due wall time to the hosts
that asked for pushes (`SETPUSHPASSINGS;1;0`). A host fetches stored passings with
`<first>:<count>` (the answer ends with an empty line). GETTIME answers the decoder clock,
SETTIME sets it; GETPROTOCOL, SETPROTOCOL, STARTOPERATION, PASSINGS and GETSTATUS are answered
as the decoder does. A command it does not know is answered `<COMMAND>;ERROR;...`.

The decoder clock is the venue's local time (`timezone`) plus `clock_error_us` until a host
sets it. Passing times come from the schedule (whole ms of the decoder clock), never from when
they happen to be sent, so a seed and a start time reproduce them whatever the speedup.

Faults: `drop_clients` (links dropped), `lose_pushes(n)` (the next n passings are stored but
not pushed: the host sees a gap and fetches them).
"""

import asyncio
import contextlib
import random
import time
from collections.abc import Sequence
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from velotime.protocols import raceresult as rr
from velotime.simulators.clock import sleep_until
from velotime.simulators.p3_session import lap_schedule
from velotime.times import US_PER_DAY, US_PER_MS, local_time_of_day

_NS_PER_US = 1_000
_EPOCH_DATE = date(1970, 1, 1)
DEFAULT_BOX_NAME = "VELOTIME-SIM"
DEFAULT_BOX_ID = "4711"
PROTOCOL_RANGE = ("1.6", "3.2")  # what the simulated firmware speaks


def decoder_clock_us(venue_us: int, zone: ZoneInfo) -> int:
    """The decoder clock (its local date and time read as if UTC) when set to the venue's."""
    local = datetime.fromtimestamp(venue_us // 1_000_000, zone)
    days = (local.date() - _EPOCH_DATE).days
    return days * US_PER_DAY + local_time_of_day(venue_us, zone)


def passing_line_fields(rtc_us: int) -> tuple[str, int]:
    """A decoder clock value as the passing's Date and Time (whole ms)."""
    days, time_of_day_us = divmod(rtc_us, US_PER_DAY)
    day = date.fromordinal(_EPOCH_DATE.toordinal() + days)
    return day.isoformat(), time_of_day_us - time_of_day_us % US_PER_MS


class _Host:
    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.push = False


class RaceResultSimulator:
    """`await start(host, port)`, then hosts connect. `passings` holds every passing made."""

    def __init__(
        self,
        *,
        transponders: Sequence[int],
        lap_time_us: int,
        speedup: float | Fraction = 1,
        count: int | None = None,
        seed: int = 0,
        timezone: str = "UTC",
        clock_error_us: int = 0,
        box_name: str = DEFAULT_BOX_NAME,
        box_id: str = DEFAULT_BOX_ID,
        file_number: int = 1,
    ) -> None:
        if not transponders or lap_time_us <= 0:
            raise ValueError("at least one transponder and a positive lap time are needed")
        self._speedup = Fraction(repr(speedup)) if isinstance(speedup, float) else Fraction(speedup)
        if self._speedup <= 0:
            raise ValueError("the speedup must be positive")
        self._transponders = tuple(transponders)
        self._lap_time_us = lap_time_us
        self._count = count
        self._seed = seed
        self._zone = ZoneInfo(timezone)
        self._clock_error_us = clock_error_us
        self._box_name = box_name
        self._box_id = box_id
        self._file = file_number
        self.passings: list[rr.Passing] = []
        self.fetches: list[tuple[int, int]] = []  # every fetch asked: (first, count)
        self.commands: list[str] = []  # every command line received
        self._hosts: set[_Host] = set()
        self._server: asyncio.Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._t0_ns = 0  # the monotonic clock when the decoder clock read `_rtc0_us`
        self._rtc0_us = 0
        self._lost_pushes = 0
        self._shift_us = 0  # how far SETTIME moved the clock: the schedule keeps its own
        self._done = asyncio.Event()
        self.port = 0

    # -- life cycle ------------------------------------------------------------------------------

    async def start(self, host: str, port: int, *, when_connected: bool = False) -> None:
        """Listen (port 0: any free one) and start reading passings, at once or, with
        `when_connected`, when the first host connects (a decoder switched on by its host)."""
        self._server = await asyncio.start_server(self._serve, host, port)
        self.port = self._server.sockets[0].getsockname()[1]
        if not when_connected:
            self._begin()

    def _begin(self) -> None:
        self._t0_ns = time.monotonic_ns()
        self._rtc0_us = decoder_clock_us(time.time_ns() // _NS_PER_US, self._zone) + (
            self._clock_error_us
        )
        self._tasks.append(asyncio.create_task(self._generate()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.drop_clients()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def finished(self) -> None:
        """Until `count` passings were made."""
        await self._done.wait()

    def drop_clients(self) -> int:
        dropped = len(self._hosts)
        for host in list(self._hosts):
            host.writer.transport.abort()
        self._hosts.clear()
        return dropped

    def lose_pushes(self, n: int) -> None:
        """The next `n` passings are stored, not pushed (as if lost on the way)."""
        self._lost_pushes += n

    def now_us(self) -> int:
        """The decoder clock now (it runs `speedup` times as fast as the wall clock)."""
        elapsed_us = (time.monotonic_ns() - self._t0_ns) // _NS_PER_US
        return self._rtc0_us + int(elapsed_us * self._speedup) + self._shift_us

    # -- passings --------------------------------------------------------------------------------

    async def _generate(self) -> None:
        schedule = lap_schedule(
            self._transponders, self._lap_time_us, rtc_start_us=self._rtc0_us, seed=self._seed
        )
        rng = random.Random(f"rr-{self._seed}")
        made = 0
        while self._count is None or made < self._count:
            scheduled = next(schedule)
            assert scheduled.rtc_time_us is not None
            assert scheduled.transponder is not None
            due_ns = self._t0_ns + int(
                (scheduled.rtc_time_us - self._rtc0_us) * _NS_PER_US / self._speedup
            )
            await sleep_until(due_ns)
            date_text, time_of_day_us = passing_line_fields(scheduled.rtc_time_us + self._shift_us)
            passing = rr.Passing(
                passing_number=len(self.passings) + 1,
                code=str(scheduled.transponder),
                date=date_text,
                time_of_day_us=time_of_day_us,
                hits=rng.randint(4, 60),
                max_rssi=rng.randint(0x40, 0x7F),
                is_active=True,
                channel=1,
                loop_id=1,
                wakeup_counter=rng.randint(1, 60000),
                battery_v=rng.randint(270, 300) / 100,
                temperature_c=rng.randint(15, 30),
                internal_active_data=0,
                box_name=self._box_name,
                file_number=self._file,
                max_rssi_antenna=1,
                box_id=self._box_id,
            )
            self.passings.append(passing)
            made += 1
            if self._lost_pushes:
                self._lost_pushes -= 1
                continue
            pushed = b"#P;" + rr.encode(passing)
            for host in list(self._hosts):
                if host.push:
                    host.writer.write(pushed)
        self._done.set()

    # -- hosts -----------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = _Host(writer)
        self._hosts.add(host)
        if not self._tasks:
            self._begin()
        try:
            while line := await reader.readline():
                text = line.rstrip(b"\r\n")
                if text:
                    writer.write(self._answer(host, text))
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._hosts.discard(host)
            writer.transport.abort()

    def _answer(self, host: _Host, raw: bytes) -> bytes:
        text = raw.decode(rr.ENCODING)
        self.commands.append(text)
        asked = rr.parse_fetch(raw)
        if asked is not None:
            first, count = asked
            self.fetches.append(asked)
            held = self.passings[max(first - 1, 0) : max(first - 1, 0) + count]
            return b"".join(rr.encode(p) for p in held) + rr.LINE_END
        name, *fields = text.split(";")
        if name == "GETPROTOCOL":
            return rr.command(name, PROTOCOL_RANGE[1], *PROTOCOL_RANGE)
        if name in ("SETPROTOCOL", "SETTIME") and fields:
            if name == "SETTIME":
                return self._set_time(fields)
            return rr.command(name, fields[0])
        if name == "SETPUSHPASSINGS":
            host.push = bool(fields) and fields[0] == "1"
            return rr.command(name, "OK")
        if name in ("STARTOPERATION", "STOPOPERATION", "PING"):
            return rr.command(name, "OK")
        if name == "GETTIME":
            date_text, time_of_day_us = passing_line_fields(self.now_us())
            return rr.command(name, date_text, rr.format_time(time_of_day_us))
        if name == "PASSINGS":
            return rr.command(name, len(self.passings), self._file)
        if name == "GETSTATUS":
            return rr.command(name, *(["0"] * 25))
        return rr.command(name, "ERROR", "unknown command")

    def _set_time(self, fields: list[str]) -> bytes:
        time_of_day_us = rr.parse_time(fields[1]) if len(fields) > 1 else None
        if time_of_day_us is None:
            return rr.command("SETTIME", "ERROR", "expected SETTIME;yyyy-mm-dd;hh:mm:ss.kkk")
        try:
            day = date.fromisoformat(fields[0])
        except ValueError:
            return rr.command("SETTIME", "ERROR", "expected SETTIME;yyyy-mm-dd;hh:mm:ss.kkk")
        wanted = (day - _EPOCH_DATE).days * US_PER_DAY + time_of_day_us
        self._shift_us += wanted - self.now_us()
        return rr.command("SETTIME", fields[0], fields[1])
