"""The simulated ALGE Timy, read as a host reads the real one: its serial port, through
pyserial-asyncio-fast, decoded with the Timy codec."""

import argparse
import asyncio
import calendar
import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import serial_asyncio_fast

from velotime.families.timy.simulate import add_arguments
from velotime.protocols.timy import (
    Impulse,
    LineError,
    NextNumber,
    TimyRecord,
    TimyStream,
)
from velotime.simulators.timy import (
    TimySimulator,
    impulse_order,
    local_time_of_day_us,
)

_READ_SIZE = 4096


class TimyHost:
    """A host's serial connection to a Timy: every line it received, decoded."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stream: TimyStream
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.stream = stream
        self.records: list[TimyRecord] = []
        self.errors: list[LineError] = []

    @classmethod
    async def open(cls, path: str | Path, *, require_checksum: bool = False) -> "TimyHost":
        reader, writer = await serial_asyncio_fast.open_serial_connection(
            url=str(path), baudrate=38400
        )
        return cls(reader, writer, TimyStream(require_checksum=require_checksum))

    @property
    def impulses(self) -> list[Impulse]:
        return [r for r in self.records if isinstance(r, Impulse)]

    def send(self, command: bytes) -> None:
        self.writer.write(command)

    async def receive_until(self, done: Callable[[], bool], timeout_s: float = 5.0) -> None:
        """Read until `done()` holds; fail on timeout or if the line goes away first."""
        async with asyncio.timeout(timeout_s):
            while not done():
                data = await self.reader.read(_READ_SIZE)
                if not data:
                    raise AssertionError(f"the line went away; got {self.records}")
                self._take(data)

    async def until_gone(self, timeout_s: float = 5.0) -> None:
        """Read (and decode) until the device end closes: EOF, or (as pyserial reports a
        vanished pty) an OSError. Fails on timeout."""
        async with asyncio.timeout(timeout_s):
            try:
                while data := await self.reader.read(_READ_SIZE):
                    self._take(data)
            except OSError:  # serial.SerialException is one
                pass

    def _take(self, data: bytes) -> None:
        for item in self.stream.feed(data):
            if isinstance(item, LineError):
                self.errors.append(item)
            else:
                self.records.append(item)

    def close(self) -> None:
        self.writer.close()


@contextlib.asynccontextmanager
async def plugged_in(
    sim: TimySimulator | None = None,
) -> AsyncIterator[tuple[TimySimulator, str]]:
    async with sim or TimySimulator() as started:
        yield started, started.start()


@contextlib.asynccontextmanager
async def host_of(path: str | Path, *, require_checksum: bool = False) -> AsyncIterator[TimyHost]:
    host = await TimyHost.open(path, require_checksum=require_checksum)
    try:
        yield host
    finally:
        host.close()


async def eventually(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.005)


def local_now_us() -> int:
    """Local time of day now, from datetime (not the code under test), in microseconds."""
    now = datetime.now()
    return ((now.hour * 60 + now.minute) * 60 + now.second) * 1_000_000 + now.microsecond


async def test_impulses_arrive_as_lines_the_codec_decodes() -> None:
    async with plugged_in() as (sim, path), host_of(path) as host:
        assert sim.path == path
        start = sim.impulse(0, 12, 36_295_651_300)  # 10:04:55.6513
        before_us = local_now_us()
        finish = sim.impulse(1, 12)
        after_us = local_now_us()
        await host.receive_until(lambda: len(host.records) == 2)
    assert host.records == [start, finish]
    assert host.errors == []
    assert start.text == " 0012 C0  10:04:55.6513 00"
    # Stamped with the local wall clock, truncated to 1/10000 s (unless midnight passed).
    assert finish.time_of_day_us % 100 == 0
    if before_us <= after_us:
        assert before_us - 100 < finish.time_of_day_us <= after_us
    assert [s.line for s in sim.sent] == [
        b" 0012 C0  10:04:55.6513 00\r",
        finish.text.encode() + b"\r",
    ]
    assert [s.record for s in sim.sent] == [start, finish]
    sent_ns = [s.sent_ns for s in sim.sent]
    assert sent_ns == sorted(sent_ns)
    assert sent_ns[-1] <= time.time_ns()


async def test_host_commands_are_read_and_chk1_turns_the_checksum_on() -> None:
    async with plugged_in() as (sim, path), host_of(path, require_checksum=True) as host:
        host.send(b"TIMYINIT\rNSF\r")
        await eventually(lambda: sim.commands == ["TIMYINIT", "NSF"])
        sim.impulse(1, 3)  # no checksum yet: the host that requires one rejects it
        host.send(b"CHK1\r")
        await eventually(lambda: sim.checksum)
        checked = sim.impulse(1, 4)
        await host.receive_until(lambda: bool(host.records))
        assert host.records == [checked]
        assert checked.checksum_ok is True
        assert len(checked.text) == 28
        assert [e.kind.value for e in host.errors] == ["missing_checksum"]
        assert sim.commands == ["TIMYINIT", "NSF", "CHK1"]


async def test_unplug_makes_the_reader_fail_and_replug_brings_a_new_pty(tmp_path: Path) -> None:
    link = tmp_path / "timy"
    async with plugged_in(TimySimulator(link=link)) as (sim, path):
        assert os.path.realpath(link) == os.path.realpath(path)
        async with host_of(path) as host:
            sim.impulse(0, 1, 0)
            await host.receive_until(lambda: len(host.records) == 1)
            assert sim.unplug()
            assert (sim.plugged, sim.path) == (False, None)
            await host.until_gone()
        assert not link.exists()  # removed on unplugging, as udev does
        assert sim.impulse(1, 1, 100).number == 1  # lost: nobody is plugged in
        assert sim.dropped_lines == 1
        assert not sim.unplug()
        new_path = sim.replug()
        assert sim.path == new_path
        assert os.path.realpath(link) == os.path.realpath(new_path)
        async with host_of(link) as host:  # the host finds the device again through the link
            again = sim.impulse(1, 1, 200)
            await host.receive_until(lambda: len(host.records) == 1)
            assert host.records == [again]
    assert not link.exists()


async def test_run_makes_riders_trigger_start_intermediates_and_finish() -> None:
    async with plugged_in() as (sim, path), host_of(path) as host:
        await sim.run(channels=[1, 4, 0], interval_s=0.005, count=7, seed=4)
        await sim.drain()
        await host.receive_until(lambda: len(host.impulses) == 7)
    impulses = host.impulses
    assert [(i.number, i.channel) for i in impulses] == [
        (1, 0), (1, 4), (1, 1), (2, 0), (2, 4), (2, 1), (3, 0),
    ]  # fmt: skip
    times = [i.time_of_day_us for i in impulses]
    assert times == sorted(times) or times[0] > times[-1]  # in order, unless past midnight
    assert all(i.digits == 4 and i.checksum_ok is None for i in impulses)
    # Next-number lines only ever announce the rider about to start.
    for index, record in enumerate(host.records):
        if isinstance(record, NextNumber):
            following = host.records[index + 1]
            assert isinstance(following, Impulse)
            assert (following.number, following.channel) == (record.number, 0)
    assert host.records == [s.record for s in sim.sent]


def test_impulse_order() -> None:
    assert impulse_order([1, 4, 0]) == [0, 4, 1]
    assert impulse_order([5, 2]) == [2, 5]
    assert impulse_order([1]) == [1]


async def test_a_host_that_does_not_read_never_blocks_the_loop() -> None:
    async with plugged_in(TimySimulator(max_pending=4096)) as (sim, _):
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(tick())
        for n in range(20_000):  # 540 kB: far more than the pty holds
            sim.impulse(n % 10, n % 10_000, 0)
            if n % 1000 == 0:
                await asyncio.sleep(0)
        ticker.cancel()
        assert ticks >= 20  # the loop kept running between the bursts
        assert sim.dropped_lines > 0
        assert len(sim._pending) <= 4096  # what waits for the host stays bounded
        sim.unplug()  # what still waited is lost too: every line is now sent or dropped
        assert len(sim.sent) + sim.dropped_lines == 20_000


@pytest.fixture
def vienna() -> Iterator[None]:
    """Central European time, from a POSIX rule (no tz database needed)."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "CET-1CEST,M3.5.0,M10.5.0/3"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.usefixtures("vienna")
def test_local_time_of_day_is_exact_and_truncated() -> None:
    # 2020-02-02 07:53:39.49225 UTC is 08:53:39.49225 in Vienna (CET, UTC+1): 8 * 3600 + 53 * 60
    # + 39 = 32019 s. Truncated, never rounded: .4922 to four decimals, .49 to two.
    instant_ns = calendar.timegm((2020, 2, 2, 7, 53, 39)) * 1_000_000_000 + 492_259_999
    assert local_time_of_day_us(instant_ns) == 32_019_492_200
    assert local_time_of_day_us(instant_ns, 2) == 32_019_490_000
    # Summer time: 2020-07-01 22:30:00 UTC is 00:30:00 on the next day in Vienna (UTC+2).
    summer_ns = calendar.timegm((2020, 7, 1, 22, 30, 0)) * 1_000_000_000
    assert local_time_of_day_us(summer_ns) == 30 * 60 * 1_000_000


async def test_a_timy_with_its_clock_an_hour_off_stamps_impulses_an_hour_off() -> None:
    """`clock_offset_us` (`simulate timy --clock-offset 3600`): a Timy left on summer time."""
    async with TimySimulator(clock_offset_us=3_600_000_000) as sim:
        sim.start()
        before_us = local_now_us()
        impulse = sim.impulse(1, 7)
        after_us = local_now_us()
    hour_later = [(t + 3_600_000_000) % 86_400_000_000 for t in (before_us, after_us)]
    if hour_later[0] <= hour_later[1]:  # unless midnight passed on its clock
        assert hour_later[0] - 100 < impulse.time_of_day_us <= hour_later[1]


def test_the_command_line_takes_a_clock_offset_in_seconds_either_way() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert parser.parse_args([]).clock_offset == 0
    assert parser.parse_args(["--clock-offset", "3600"]).clock_offset == 3_600_000_000
    assert parser.parse_args(["--clock-offset=-1.5"]).clock_offset == -1_500_000


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="baud"):
        TimySimulator(baudrate=12345)
    with pytest.raises(ValueError, match="digits"):
        TimySimulator(digits=5)
