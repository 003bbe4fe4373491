"""A simulated ALGE Timy on a pseudo-terminal, for tests and demos without hardware.

The host opens the pty's slave path as it would open the Timy's serial port (any baud rate: a
pty ignores it) and reads CR-terminated lines, exactly as the device writes them. Impulses are
stamped with the host's wall clock as local time of day, truncated to the chosen precision, as a
Timy synchronised to the venue clock would stamp them (or, with `clock_offset_us`, a Timy whose
clock is set that far off).

Unplugging closes the pty: the host's reads fail (EIO, or pyserial's "device reports readiness
to read but returned no data") and the path disappears. A pty cannot come back under the same
path, so plugging in again opens a new one, like a USB serial adapter that comes back as
/dev/ttyUSB1. As udev's /dev/serial/by-id links do for real adapters, `link` keeps a symbolic
link that always points at the current pty, is removed on unplugging and made again on
plugging in: configure the host with the link, and it finds the device again by itself.

The host's commands (`TIMYINIT`, `CHK1`, ...) are read and answered with nothing; `CHK1` turns
the checksum on and `CHK0` off. Everything runs on the event loop: the pty master is
non-blocking, watched with `add_reader`/`add_writer`, so a host that stops reading never blocks
the loop (lines beyond `max_pending` bytes are dropped and counted, as a real line loses them).
"""

import asyncio
import os
import random
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from velotime.protocols.timy import Impulse, NextNumber, TimyRecord, encode
from velotime.simulators.serial_link import PtyDevice, termios_speed
from velotime.times import US_PER_DAY, US_PER_SECOND

DEFAULT_BAUDRATE = 38400
DEFAULT_CHANNELS = (0, 4, 1)  # start gate, 200 m line, finish line
NEXT_NUMBER_CHANCE = 0.25  # how often the operator keys the next start number first
INTERVAL_JITTER = 0.2  # each gap differs from the interval by up to 20 %
_NS_PER_S = 1_000_000_000
_NS_PER_US = 1_000
_MAX_COMMAND = 256  # a host "command" longer than this is noise: dropped
_UNIT_US = {1: 100_000, 2: 10_000, 3: 1_000, 4: 100}


class SentLine(NamedTuple):
    """One line the simulator wrote, and when the kernel took its last byte (`time.time_ns()`)."""

    line: bytes
    record: TimyRecord
    sent_ns: int


def local_time_of_day_us(now_ns: int, digits: int = 4) -> int:
    """Local time of day of a wall-clock instant, truncated to `digits` decimals (exact)."""
    seconds, rest_ns = divmod(now_ns, _NS_PER_S)
    offset_s = time.localtime(seconds).tm_gmtoff
    of_day_us = (seconds + offset_s) * US_PER_SECOND % US_PER_DAY + rest_ns // _NS_PER_US
    return of_day_us - of_day_us % _UNIT_US[digits]


def impulse_order(channels: Sequence[int]) -> list[int]:
    """The order a rider triggers the channels: start (C0), the intermediates, finish (C1)."""
    middle = sorted(set(channels) - {0, 1})
    return [0] * (0 in channels) + middle + [1] * (1 in channels)


class TimySimulator(PtyDevice):
    """An ALGE Timy on a pty: `start()` returns the path the host opens.

    `sent` holds every line written, in order, with its send time; `commands` every command the
    host sent; `dropped_lines` the lines lost while unplugged or while the host did not read.
    Needs a running event loop; usable as `async with` (the exit stops it).
    """

    def __init__(
        self,
        *,
        checksum: bool = False,
        digits: int = 4,
        baudrate: int = DEFAULT_BAUDRATE,
        link: Path | None = None,
        max_pending: int = 1 << 16,
        clock_offset_us: int = 0,
    ) -> None:
        if digits not in _UNIT_US:
            raise ValueError(f"digits must be 1-4, got {digits}")
        self.checksum = checksum
        self.digits = digits
        # Its clock minus the wall clock: a Timy set an hour wrong (time zone, summer time).
        self.clock_offset_us = clock_offset_us
        super().__init__(speed=termios_speed(baudrate), link=link)
        self._max_pending = max_pending
        self.sent: list[SentLine] = []
        self.commands: list[str] = []
        self.dropped_lines = 0
        self._pending = bytearray()  # bytes the kernel has not taken yet
        self._pending_lines: deque[tuple[bytes, TimyRecord]] = deque()
        self._head_written = 0  # bytes of the first pending line already written
        self._drained = asyncio.Event()
        self._drained.set()
        self._command_buffer = b""

    # -- plugging ------------------------------------------------------------------------------

    def _unplugged(self) -> None:
        # Lines not yet written are lost.
        self.dropped_lines += len(self._pending_lines)
        self._pending.clear()
        self._pending_lines.clear()
        self._head_written = 0
        self._drained.set()
        self._command_buffer = b""

    # -- what the device sends -----------------------------------------------------------------

    def impulse(
        self,
        channel: int,
        number: int,
        time_of_day_us: int | None = None,
        *,
        manual: bool = False,
        flag: str = " ",
    ) -> Impulse:
        """An impulse now on its clock (or at `time_of_day_us`), written at once. Returns its
        record."""
        if time_of_day_us is None:
            now_ns = time.time_ns() + self.clock_offset_us * _NS_PER_US
            time_of_day_us = local_time_of_day_us(now_ns, self.digits)
        record = Impulse(
            flag=flag,
            number=number,
            channel=channel,
            manual=manual,
            time_of_day_us=time_of_day_us,
            digits=self.digits,
            checksum_ok=True if self.checksum else None,
        )
        self.send(record)
        return record

    def next_number(self, number: int) -> NextNumber:
        """The operator set the next start number: an `n0012` line."""
        record = NextNumber(number=number)
        self.send(record)
        return record

    def send(self, record: TimyRecord) -> None:
        """Write one record's line (CR-terminated), or count it lost while unplugged or while
        `max_pending` bytes already wait for the host."""
        line = encode(record)
        if self._master is None or len(self._pending) + len(line) > self._max_pending:
            self.dropped_lines += 1
            return
        self._pending += line
        self._pending_lines.append((line, record))
        self._drained.clear()
        self._flush()

    async def drain(self) -> None:
        """Wait until every line sent so far is written (or lost by unplugging)."""
        await self._drained.wait()

    async def run(
        self,
        *,
        channels: Sequence[int] = DEFAULT_CHANNELS,
        interval_s: float = 2.0,
        count: int | None = None,
        seed: int = 0,
        first_number: int = 1,
    ) -> None:
        """Riders one after another: each triggers `channels` in `impulse_order`, about
        `interval_s` apart, stamped when written. Ends after `count` impulses (never without)."""
        order = impulse_order(channels)
        if not order:
            raise ValueError("at least one channel is needed")
        rng = random.Random(seed)
        number = first_number
        produced = 0
        while count is None or produced < count:
            if rng.random() < NEXT_NUMBER_CHANCE:
                self.next_number(number)
            for channel in order:
                if count is not None and produced >= count:
                    break
                self.impulse(channel, number)
                produced += 1
                await asyncio.sleep(
                    interval_s * rng.uniform(1 - INTERVAL_JITTER, 1 + INTERVAL_JITTER)
                )
            number = number % 9999 + 1

    def _flush(self) -> None:
        master = self._master
        if master is None:
            return
        while self._pending:
            try:
                written = os.write(master, self._pending)
            except BlockingIOError:
                written = 0
            except OSError:
                # Cannot happen while we hold the slave; if it does, the line is gone.
                self.unplug()
                return
            if written == 0:
                break
            del self._pending[:written]
            self._account(written)
        loop = asyncio.get_running_loop()
        if self._pending:
            loop.add_writer(master, self._flush)  # replaces any earlier registration
        else:
            loop.remove_writer(master)
            self._drained.set()

    def _account(self, written: int) -> None:
        """Note the send time of every line whose last byte has now been written."""
        now_ns = time.time_ns()
        self._head_written += written
        while self._pending_lines and self._head_written >= len(self._pending_lines[0][0]):
            line, record = self._pending_lines.popleft()
            self._head_written -= len(line)
            self.sent.append(SentLine(line, record, now_ns))

    # -- what the host sends -------------------------------------------------------------------

    def _received(self, data: bytes) -> None:
        lines = (self._command_buffer + data).replace(b"\n", b"\r").split(b"\r")
        self._command_buffer = lines.pop()[-_MAX_COMMAND:]
        for line in lines:
            command = line.decode("cp437").strip().upper()
            if not command:
                continue
            self.commands.append(command)
            if command == "CHK1":
                self.checksum = True
            elif command == "CHK0":
                self.checksum = False
