"""A simulated Tag Heuer / Chronelec Protime decoder on a pseudo-terminal, for tests and demos.

It behaves as the decoder does on its serial port (docs/protocols/protime.md): passings wait in
its memory until the host has started it (ESC 0x07), then go out one telegram at a time, each
sent again until the host acknowledges it (ESC 0x11), at once on a repeat request (ESC 0x12),
and after `resend_after_s` without an answer. A set-time command (ESC 0x48 h m s 0x74) sets its
clock; status and configuration requests are answered.

For tests: `corrupt_next()` spoils one transmission (one character of the data changed, the
checksum left as it was), `lose_next_ack()` ignores the host's next ACK (as a line that lost
it), so the telegram is sent again. Unplugging closes the pty (the host's reads fail); the
decoder keeps what it holds and sends it on the new one after `replug()`, whose path changes
(a `link` keeps a symbolic link to the current one, as udev's /dev/serial/by-id).
"""

import asyncio
import os
import random
import time
from collections import deque
from pathlib import Path
from typing import NamedTuple

from velotime.protocols.protime import (
    Ack,
    CommandStream,
    ConfigDump,
    HostCommand,
    Passing,
    QueryConfig,
    RepeatRequest,
    SetTime,
    Start,
    StatusLine,
    StatusRequest,
    Stop,
    encode,
    format_time_of_day,
)
from velotime.simulators.serial_link import PtyDevice, termios_speed
from velotime.times import US_PER_DAY, US_PER_SECOND

BAUDRATE = 19200
RESEND_AFTER_S = 0.5  # a telegram not acknowledged within this is sent again
_NS_PER_US = 1_000
_CONFIG = bytes.fromhex("000100000000") + bytes(21) + bytes((192, 168, 1, 20)) + bytes(12)


class Transmission(NamedTuple):
    """One telegram as written (`corrupt`: spoilt on purpose), when (`time.time_ns()`)."""

    passing: Passing
    line: bytes
    corrupt: bool
    sent_ns: int


def wall_time_of_day_us(now_ns: int) -> int:
    """The local time of day of a wall-clock instant, to the millisecond (truncated)."""
    seconds, rest_ns = divmod(now_ns, 1_000_000_000)
    offset_s = time.localtime(seconds).tm_gmtoff
    of_day_us = (seconds + offset_s) * US_PER_SECOND % US_PER_DAY + rest_ns // _NS_PER_US
    return of_day_us - of_day_us % 1_000


class ProtimeSimulator(PtyDevice):
    """A Protime decoder on a pty: `start()` returns the path the host opens.

    `transmissions`: every telegram written (resends included); `acknowledged`: the passings
    the host acknowledged, in order; `commands`: every host command read. Needs a running
    event loop; usable as `async with`."""

    def __init__(
        self,
        *,
        link: Path | None = None,
        resend_after_s: float = RESEND_AFTER_S,
        started: bool = False,
        clock_offset_us: int = 0,
    ) -> None:
        self.resend_after_s = resend_after_s
        self.started = started
        self.clock_offset_us = clock_offset_us  # its clock minus the wall clock
        self.transmissions: list[Transmission] = []
        self.acknowledged: list[Passing] = []
        self.commands: list[HostCommand] = []
        self.clock_sets: list[SetTime] = []
        self._queue: deque[Passing] = deque()  # the head is the one in flight
        self._corrupt_next = False
        self._lose_next_ack = False
        self._commands = CommandStream()
        self._resend: asyncio.TimerHandle | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        super().__init__(speed=termios_speed(BAUDRATE), link=link)

    # -- plugging ------------------------------------------------------------------------------

    def replug(self) -> str:
        path = super().replug()
        self._send_head()  # what it still holds goes out on the new line
        return path

    def _unplugged(self) -> None:
        # The decoder keeps its passings: the one in flight goes again once plugged back in.
        self._cancel_resend()
        self._commands = CommandStream()

    # -- passings ------------------------------------------------------------------------------

    def now_of_day_us(self) -> int:
        return wall_time_of_day_us(time.time_ns() + self.clock_offset_us * _NS_PER_US)

    def passing(
        self,
        transponder: int,
        channel: str = "STA",
        time_of_day_us: int | None = None,
        *,
        level: int = 40,
        index: int = 1,
        battery: int = 1,
    ) -> Passing:
        """A transponder read now on its clock (or at `time_of_day_us`): queued, and sent when
        those before it are acknowledged."""
        record = Passing(
            channel=channel,
            transponder=transponder,
            time_of_day_us=self.now_of_day_us() if time_of_day_us is None else time_of_day_us,
            level=level,
            index=index,
            battery=battery,
        )
        self._queue.append(record)
        self._idle.clear()
        if len(self._queue) == 1:
            self._send_head()
        return record

    def corrupt_next(self) -> None:
        """The next transmission arrives with one character changed (a bad checksum)."""
        self._corrupt_next = True

    def lose_next_ack(self) -> None:
        """The host's next ACK is lost on the line: the telegram is sent again."""
        self._lose_next_ack = True

    @property
    def held(self) -> int:
        """Passings not yet acknowledged."""
        return len(self._queue)

    async def drain(self) -> None:
        """Wait until every passing so far is acknowledged."""
        await self._idle.wait()

    async def run(
        self, *, interval_s: float = 2.0, count: int | None = None, seed: int = 0
    ) -> None:
        """Riders crossing the STA loop about `interval_s` apart (for `velotime simulate`)."""
        rng = random.Random(seed)
        produced = 0
        while count is None or produced < count:
            self.passing(rng.randrange(1, 1_000_000), level=rng.randrange(20, 99))
            produced += 1
            await asyncio.sleep(interval_s * rng.uniform(0.8, 1.2))

    def _send_head(self) -> None:
        self._cancel_resend()
        if not self._queue or not self.started or self._master is None:
            return
        passing = self._queue[0]
        line = encode(passing)
        corrupt = self._corrupt_next
        if corrupt:
            self._corrupt_next = False
            spoilt = bytearray(line)
            spoilt[5] = ord("9") if spoilt[5] != ord("9") else ord("8")  # a transponder digit
            line = bytes(spoilt)
        self._write(line)
        self.transmissions.append(Transmission(passing, line, corrupt, time.time_ns()))
        self._resend = asyncio.get_running_loop().call_later(self.resend_after_s, self._send_head)

    def _cancel_resend(self) -> None:
        if self._resend is not None:
            self._resend.cancel()
            self._resend = None

    def _write(self, line: bytes) -> None:
        if self._master is None:
            return
        try:
            os.write(self._master, line)  # 40 bytes: the pty's buffer takes it whole
        except OSError:
            self.unplug()

    # -- what the host sends -------------------------------------------------------------------

    def _received(self, data: bytes) -> None:
        for item in self._commands.feed(data):
            if isinstance(item, HostCommand):
                self.commands.append(item)
                self._obey(item)

    def _obey(self, command: HostCommand) -> None:
        if isinstance(command, Ack):
            if self._lose_next_ack:
                self._lose_next_ack = False
                return
            if self._queue:
                self.acknowledged.append(self._queue.popleft())
                if not self._queue:
                    self._idle.set()
                self._send_head()
        elif isinstance(command, RepeatRequest):
            self._send_head()
        elif isinstance(command, Start):
            self.started = True
            self._send_head()
        elif isinstance(command, Stop):
            self.started = False
            self._cancel_resend()
        elif isinstance(command, SetTime):
            self.clock_sets.append(command)
            wall = wall_time_of_day_us(time.time_ns())
            told = (command.hours * 3600 + command.minutes * 60 + command.seconds) * US_PER_SECOND
            offset = (told - wall) % US_PER_DAY
            self.clock_offset_us = offset - US_PER_DAY if offset > US_PER_DAY // 2 else offset
        elif isinstance(command, StatusRequest):
            now = format_time_of_day(self.now_of_day_us())[:8]
            self._write(encode(StatusLine(text=f"[{now} 02 03 40 40]")))
        elif isinstance(command, QueryConfig):
            self._write(encode(ConfigDump(data=_CONFIG)))
