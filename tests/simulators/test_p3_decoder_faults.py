"""The simulated P3 decoder's faults: reboots, counter restarts, injected glitches and its serial
port on a pseudo-terminal, checked as a host sees them (over TCP, or through the pty)."""

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.simulators import P3Host, eventually
from velotime.protocols.p3 import FrameError, GetTime, P3Record, P3Stream, Passing, Resend, encode
from velotime.simulators.p3_decoder import P3DecoderSimulator
from velotime.times import US_PER_SECOND

RTC_START_US = 1_800_000_000 * US_PER_SECOND  # 2027-01-15
HOUR_US = 3600 * US_PER_SECOND
FIFTY_YEARS_US = 50 * 365 * 24 * HOUR_US


async def connect(sim: P3DecoderSimulator) -> P3Host:
    before = sim.client_count
    host = await P3Host.connect(sim.port)
    await eventually(lambda: sim.client_count > before)
    return host


def numbers(passings: list[Passing]) -> list[int | None]:
    return [p.passing_number for p in passings]


async def test_a_reboot_sets_the_clock_back_restarts_numbers_and_forgets_stored_passings() -> None:
    sim = P3DecoderSimulator(
        transponders=[11, 12, 13],
        lap_time_us=1_000_000,
        speedup=100,  # three passings every 10 ms
        rtc_start_us=RTC_START_US,
        status_interval_s=60,
    )
    async with sim:
        await sim.start("127.0.0.1", 0)
        host = await connect(sim)
        await host.receive_until(lambda: len(host.passings) >= 5)
        before = list(sim.passings)
        clock_before = sim.decoder_clock_us()
        sim.reboot(clock_back_us=HOUR_US)
        await host.receive_until(lambda: host.eof)  # the reboot closed the connection
        assert sim.reboots == 1
        assert sim.next_passing_number == 1  # nothing made yet in the new count

        after_host = await connect(sim)
        await after_host.receive_until(lambda: len(after_host.passings) >= 3)
        after = sim.passings[len(before) :]
        # Numbered afresh from 1, on a clock an hour behind where it was.
        assert numbers(after)[:3] == [1, 2, 3]
        first_time = after[0].rtc_time_us
        assert first_time is not None
        assert clock_before - HOUR_US < first_time < clock_before
        after_host.send(GetTime.request())
        await after_host.receive_until(
            lambda: any(isinstance(r, GetTime) for r in after_host.records)
        )
        (answer,) = [r for r in after_host.records if isinstance(r, GetTime)]
        assert answer.rtc_time_us is not None
        assert answer.rtc_time_us < clock_before  # still behind: a real clock step

        # RESEND 1..3 now means the new count's 1..3; the old ones are gone.
        seen = len(after_host.passings)
        after_host.send(Resend(from_passing=1, until_passing=3))
        await after_host.receive_until(lambda: len(after_host.passings) >= seen + 3)
        resent = after_host.passings[seen:]
        assert [p for p in resent if p.passing_number in (1, 2, 3)][:3] == after[:3]
        assert all(p not in before for p in resent)
    assert sim.resend_requests == [(1, 3)]


async def test_restart_counter_renumbers_from_one_on_the_same_clock() -> None:
    sim = P3DecoderSimulator(status_interval_s=60, first_passing_number=500)
    async with sim:
        await sim.start("127.0.0.1", 0)
        host = await connect(sim)
        sim.detect(7, RTC_START_US)
        sim.detect(7, RTC_START_US + US_PER_SECOND)
        sim.restart_counter()
        sim.detect(7, RTC_START_US + 2 * US_PER_SECOND)
        await host.receive_until(lambda: len(host.passings) >= 3)
        host.send(Resend(from_passing=500, until_passing=501))  # cleared: nothing comes
        host.send(Resend(from_passing=1, until_passing=1))
        await host.receive_until(lambda: len(host.passings) >= 4)
        assert await host.receive_for(0.05) == b""
    assert numbers(host.passings) == [500, 501, 1, 1]
    assert host.passings[3] == sim.passings[2]
    assert sim.resend_requests == [(500, 501), (1, 1)]


async def test_injected_glitches_are_sent_stored_and_leave_the_count_alone() -> None:
    sim = P3DecoderSimulator(status_interval_s=60)
    async with sim:
        with pytest.raises(RuntimeError, match="not started"):
            sim.inject(5)
        await sim.start("127.0.0.1", 0)
        host = await connect(sim)
        sim.detect(5, RTC_START_US)
        ahead = sim.inject(6, rtc_time_us=RTC_START_US + FIFTY_YEARS_US)  # takes number 2
        absurd = sim.inject(7, passing_number=2**32 - 1)  # a one-off number
        sim.detect(5, RTC_START_US + 30 * US_PER_SECOND)  # the count goes on: 3
        with pytest.raises(ValueError, match="32 bits"):
            sim.inject(7, passing_number=2**32)
        await host.receive_until(lambda: len(host.passings) >= 4)
        assert numbers(host.passings) == [1, 2, 2**32 - 1, 3]
        assert ahead.rtc_time_us == RTC_START_US + FIFTY_YEARS_US
        # Without a time, an injected passing is stamped with the decoder clock now.
        assert absurd.rtc_time_us is not None
        assert abs(absurd.rtc_time_us - time.time_ns() // 1000) < 5 * US_PER_SECOND
        # A host asking for the whole 32-bit range gets what is stored, in number order.
        host.send(Resend(from_passing=2, until_passing=2**32 - 1))
        await host.receive_until(lambda: len(host.passings) >= 7)
    assert numbers(host.passings[4:]) == [2, 3, 2**32 - 1]
    assert sim.resend_requests == [(2, 2**32 - 1)]


def plugged_into(sim: P3DecoderSimulator) -> str | None:
    return sim.serial_path


class PtyHost:
    """A host on the decoder's serial port: the pty opened as a serial port is (raw, by the
    host), read without blocking the event loop."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        self.stream = P3Stream()
        self.records: list[P3Record] = []
        self.errors: list[FrameError] = []

    @property
    def passings(self) -> list[Passing]:
        return [r for r in self.records if isinstance(r, Passing)]

    def send(self, record: P3Record) -> None:
        os.write(self.fd, encode(record))

    async def receive_until(self, done: Callable[[], bool], timeout_s: float = 3.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; got {len(self.records)} records")
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                await asyncio.sleep(0.005)
                continue
            for item in self.stream.feed(data):
                if isinstance(item, FrameError):
                    self.errors.append(item)
                else:
                    self.records.append(item)

    def close(self) -> None:
        os.close(self.fd)


async def test_on_a_serial_port_a_host_reads_passings_and_gets_answers(tmp_path: Path) -> None:
    link = tmp_path / "ttyP3"
    sim = P3DecoderSimulator(
        transponders=[21, 22], lap_time_us=1_000_000, speedup=50, status_interval_s=60
    )
    async with sim:
        path = sim.start_serial(link=link)
        assert sim.serial_path == path
        assert os.path.realpath(link) == path
        host = PtyHost(str(link))
        try:
            await host.receive_until(lambda: len(host.passings) >= 3)
            host.send(GetTime.request())
            await host.receive_until(lambda: any(isinstance(r, GetTime) for r in host.records))
            host.send(Resend(from_passing=1, until_passing=2))
            seen = len(host.passings)
            await host.receive_until(lambda: len(host.passings) >= seen + 2)
        finally:
            host.close()
        assert host.errors == []  # raw: not one byte translated
        assert numbers(host.passings)[:3] == [1, 2, 3]

        assert sim.unplug()
        assert not link.exists()
        assert plugged_into(sim) is None
        made = len(sim.passings)
        await eventually(lambda: len(sim.passings) >= made + 2)  # still detecting, unplugged

        new_path = sim.replug()
        assert os.path.realpath(link) == new_path
        host = PtyHost(str(link))
        try:
            first = len(sim.passings)
            await host.receive_until(lambda: bool(host.passings))
            # Only what is made from now on; the unplugged ones are there for RESEND.
            assert host.passings[0].passing_number == sim.passings[first].passing_number
        finally:
            host.close()
    assert sim.dropped_bytes == 0
    assert not link.exists()  # stopping unplugs


async def test_a_reboot_on_a_serial_port_keeps_the_cable_in() -> None:
    sim = P3DecoderSimulator(status_interval_s=60)
    async with sim:
        path = sim.start_serial()
        host = PtyHost(path)
        try:
            sim.detect(1, RTC_START_US)
            sim.reboot(clock_back_us=HOUR_US)
            sim.detect(1, RTC_START_US - HOUR_US + US_PER_SECOND)
            await host.receive_until(lambda: len(host.passings) >= 2)
        finally:
            host.close()
        assert sim.serial_path == path
    assert numbers(host.passings) == [1, 1]
    assert [p.rtc_time_us for p in host.passings] == [
        RTC_START_US,
        RTC_START_US - HOUR_US + US_PER_SECOND,
    ]


def test_a_reboot_cannot_set_the_clock_forward() -> None:
    with pytest.raises(ValueError, match="back"):
        P3DecoderSimulator().reboot(clock_back_us=-1)


async def test_an_unreachable_decoder_drops_its_links_and_keeps_counting() -> None:
    sim = P3DecoderSimulator(status_interval_s=60)
    async with sim:
        await sim.start("127.0.0.1", 0)
        port = sim.port
        host = await connect(sim)
        await sim.set_reachable(False)
        await host.receive_until(lambda: host.eof)
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)
        sim.detect(3, RTC_START_US)  # made and stored while nobody can listen
        await sim.set_reachable(True)
        assert sim.port == port
        back = await connect(sim)
        back.send(Resend(from_passing=1, until_passing=1))
        await back.receive_until(lambda: len(back.passings) == 1)
    assert back.passings == sim.passings
    assert host.passings == []


async def test_a_decoder_can_start_unreachable() -> None:
    sim = P3DecoderSimulator(transponders=[5], lap_time_us=1_000_000, speedup=100, count=3)
    async with sim:
        await sim.set_reachable(False)
        await sim.start("127.0.0.1", 0)
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", sim.port)
        await asyncio.wait_for(sim.finished(), 5)  # it makes passings all the same
        await sim.set_reachable(True)
        host = await connect(sim)
        host.send(Resend(from_passing=1, until_passing=3))
        await host.receive_until(lambda: len(host.passings) == 3)
    assert host.passings == sim.passings


async def test_a_serial_decoder_started_when_connected_waits_for_its_host_to_speak() -> None:
    sim = P3DecoderSimulator(
        transponders=[31], lap_time_us=1_000_000, speedup=100, count=3, status_interval_s=60
    )
    async with sim:
        path = sim.start_serial(when_connected=True)
        await asyncio.sleep(0.1)  # ten laps' worth: nothing yet
        assert sim.passings == []
        host = PtyHost(path)
        try:
            host.send(GetTime.request())
            await host.receive_until(lambda: len(host.passings) == 3)
        finally:
            host.close()
    assert numbers(host.passings) == [1, 2, 3]
