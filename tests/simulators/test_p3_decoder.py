"""The simulated P3 decoder, spoken to as a host speaks to a real one: over TCP on 127.0.0.1."""

import asyncio
import itertools
import socket
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.simulators import P3Host, eventually
from velotime.protocols.p3 import (
    Error,
    ErrorCode,
    GetTime,
    P3Record,
    Passing,
    Resend,
    Status,
    Tor,
    Unknown,
    encode,
)
from velotime.simulators.p3_decoder import (
    P3DecoderSimulator,
)
from velotime.simulators.p3_session import (
    DEFAULT_DECODER_ID,
    LAP_JITTER_PER_MILLE,
    RIDER_SPREAD_PER_MILLE,
)
from velotime.times import US_PER_SECOND

LAP_US = 17_500_000
TRANSPONDERS = (5691251, 1001001, 42, 7)
RTC_START_US = int(datetime(2026, 11, 21, 14, 0, tzinfo=UTC).timestamp()) * US_PER_SECOND


def simulator(**overrides: Any) -> P3DecoderSimulator:
    options: dict[str, Any] = {
        "transponders": TRANSPONDERS,
        "lap_time_us": LAP_US,
        "speedup": 500,  # a 17.5 s lap takes 35 ms
        "status_interval_s": 60.0,  # no STATUS unless a test asks for them
    }
    return P3DecoderSimulator(**(options | overrides))


async def connect(sim: P3DecoderSimulator) -> P3Host:
    """Connect and wait until the simulator has taken the connection (then it streams to us)."""
    before = sim.client_count
    host = await P3Host.connect(sim.port)
    await eventually(lambda: sim.client_count > before)
    return host


def known(value: int | None) -> int:
    assert value is not None
    return value


def numbers(passings: list[Passing]) -> list[int]:
    return [known(p.passing_number) for p in passings]


def times(passings: list[Passing]) -> list[int]:
    return [known(p.rtc_time_us) for p in passings]


async def test_a_host_receives_statuses_and_consecutive_passings() -> None:
    count = 16
    sim = simulator(count=count, status_interval_s=0.02, decoder_id=4242)
    async with sim:
        await sim.start("127.0.0.1", 0)
        port = sim.port
        host = await connect(sim)
        while len(host.passings) < len(sim.sent_at) or not sim.done:
            seen = len(host.passings)
            await host.receive_until(lambda: len(host.passings) > seen)  # noqa: B023 (awaited now)
            clock = sim.decoder_clock_us()
            # Sent at their due time: the decoder clock has reached each passing's time.
            assert max(times(host.passings)) <= clock
        await asyncio.sleep(3 * LAP_US / 500 / US_PER_SECOND)  # three more laps: none produced
    assert numbers(sim.passings) == list(range(1, count + 1))
    assert times(sim.passings) == sorted(times(sim.passings))
    assert {p.transponder for p in sim.passings} == set(TRANSPONDERS)
    assert all(p.decoder_id == 4242 for p in sim.passings)

    # Live from the moment we connected (within the first lap) to the end, none missing.
    received = host.passings
    first = numbers(received)[0]
    assert len(received) >= count // 2
    assert received == sim.passings[first - 1 :]
    assert sorted(sim.sent_at) == numbers(received)

    assert len(host.statuses) >= 2
    for status in host.statuses:
        assert status == Status(
            noise=status.noise, temperature=22, input_voltage=118, gps=0, decoder_id=4242
        )
    assert host.errors == []

    await host.receive_until(lambda: host.eof)  # stopping closed the connection
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)


async def produce(seed: int, speedup: int, count: int = 12) -> list[Passing]:
    sim = simulator(
        seed=seed,
        speedup=speedup,
        count=count,
        rtc_start_us=RTC_START_US,
        first_passing_number=157777,
    )
    async with sim:
        await sim.start("127.0.0.1", 0)
        await asyncio.wait_for(sim.finished(), 5)
    return sim.passings


async def test_passings_depend_on_the_seed_and_start_only_not_on_the_speedup() -> None:
    slow, fast, other = await asyncio.gather(produce(7, 500), produce(7, 2000), produce(8, 2000))
    assert fast == slow
    assert [(p.transponder, p.rtc_time_us) for p in other] != [
        (p.transponder, p.rtc_time_us) for p in slow
    ]
    assert numbers(slow) == list(range(157777, 157777 + 12))
    assert times(slow) == sorted(times(slow))

    by_rider: dict[int | None, list[int]] = defaultdict(list)
    for passing in slow:
        by_rider[passing.transponder].append(known(passing.rtc_time_us))
    assert set(by_rider) == set(TRANSPONDERS)
    spread = LAP_US * RIDER_SPREAD_PER_MILLE // 1000
    longest_mean = LAP_US + spread
    jitter = longest_mean * LAP_JITTER_PER_MILLE // 1000
    for crossings in by_rider.values():
        assert RTC_START_US <= crossings[0] < RTC_START_US + US_PER_SECOND  # a rolling start
        laps = [b - a for a, b in itertools.pairwise(crossings)]
        assert all(LAP_US - spread - jitter <= lap <= longest_mean + jitter for lap in laps)


async def test_get_time_answers_the_decoder_clock() -> None:
    speedup = 100
    sim = simulator(speedup=speedup, count=0, rtc_start_us=RTC_START_US, decoder_id=4242)
    async with sim:
        before_start = time.monotonic_ns()
        await sim.start("127.0.0.1", 0)
        after_start = time.monotonic_ns()
        host = await connect(sim)
        await asyncio.sleep(0.05)  # 5 s on the decoder clock
        sent = time.monotonic_ns()
        utc_before = time.time_ns() // 1000
        host.send(GetTime.request())
        await host.receive_until(lambda: bool(host.records))
        answered = time.monotonic_ns()
        utc_after = time.time_ns() // 1000
    (reply,) = host.records
    assert isinstance(reply, GetTime)
    assert (reply.decoder_id, reply.unknown_04) == (4242, 0)
    assert reply.rtc_time_us is not None
    # The decoder clock runs `speedup` times the wall clock from RTC_START_US at start().
    earliest = RTC_START_US + (sent - after_start) * speedup // 1000
    latest = RTC_START_US + (answered - before_start) * speedup // 1000
    assert earliest <= reply.rtc_time_us <= latest
    assert reply.utc_time_us is not None
    assert utc_before <= reply.utc_time_us <= utc_after


async def test_resend_returns_exactly_the_stored_passings_already_produced() -> None:
    sim = simulator(count=10, speedup=5000)
    async with sim:
        await sim.start("127.0.0.1", 0)
        await asyncio.wait_for(sim.finished(), 5)
        host = await connect(sim)
        host.send(Resend(from_passing=7, until_passing=3))  # an empty range: nothing
        host.send(Resend(from_passing=3, until_passing=7))
        await host.receive_until(lambda: len(host.passings) >= 5)
        assert host.passings == sim.passings[2:7]
        host.send(Resend(from_passing=8, until_passing=1000))  # only 8..10 exist
        await host.receive_until(lambda: len(host.passings) >= 8)
        assert await host.receive_for(0.05) == b""
    assert host.passings == sim.passings[2:10]
    assert set(sim.sent_at) == set(range(3, 11))  # resent passings count as first sent then


@pytest.mark.parametrize(
    ("request_record", "code", "description"),
    [
        (Unknown(unknown_tor=Tor.SESSION), ErrorCode.TOR_UNKNOWN, "TOR unknown"),
        (Status(noise=40), ErrorCode.TOR_UNKNOWN, "TOR unknown"),
        (Resend(from_passing=1), ErrorCode.PARAMETERS_MISSING, "parameters missing"),
    ],
)
async def test_requests_it_cannot_serve_are_answered_with_an_error(
    request_record: P3Record, code: ErrorCode, description: str
) -> None:
    async with simulator(count=0) as sim:
        await sim.start("127.0.0.1", 0)
        host = await connect(sim)
        host.send(request_record)
        await host.receive_until(lambda: bool(host.records))
    (reply,) = host.records
    assert isinstance(reply, Error)
    assert (reply.code, reply.decoder_id) == (code, DEFAULT_DECODER_ID)
    assert reply.description == description


async def test_garbage_and_bad_frames_from_a_host_are_counted_and_ignored() -> None:
    request = encode(GetTime.request())
    fields = request.index(bytes([0x01, 0x00, 0x04, 0x00, 0x05, 0x00]))
    bad_crc = request[:fields] + b"\x03" + request[fields + 1 :]
    async with simulator(count=0) as sim:
        await sim.start("127.0.0.1", 0)
        host = await connect(sim)
        host.writer.write(b"hello" + bad_crc)
        assert await host.receive_for(0.05) == b""  # no answer to either
        host.send(GetTime.request())  # the connection still works
        await host.receive_until(lambda: bool(host.records))
        # One report for the run of garbage, one for the record with the wrong CRC.
        assert sim.client_errors == 2
    assert [type(r) for r in host.records] == [GetTime]


async def test_dropped_hosts_reconnect_and_fetch_what_they_missed_with_resend() -> None:
    async with simulator() as sim:
        await sim.start("127.0.0.1", 0)
        first = await connect(sim)
        await first.receive_until(lambda: len(first.passings) >= 2)
        assert sim.drop_clients() == 1
        assert sim.client_count == 0
        await first.receive_until(lambda: first.eof)
        last_seen = numbers(first.passings)[-1]
        assert last_seen == max(sim.sent_at)  # nothing was sent after the drop

        await eventually(lambda: len(sim.passings) >= last_seen + 3)  # nobody is listening
        produced_before = numbers(sim.passings)[-1]
        second = await connect(sim)
        await second.receive_until(lambda: bool(second.passings))
        live = numbers(second.passings)[0]
        assert live > produced_before  # the missed ones are not sent on reconnect
        missed = range(last_seen + 1, live)
        assert not set(missed) & set(sim.sent_at)

        second.send(Resend(from_passing=missed[0], until_passing=missed[-1]))
        await second.receive_until(lambda: missed[-1] in numbers(second.passings))
        resent = [p for p in second.passings if p.passing_number in missed]
        assert resent == sim.passings[missed[0] - 1 : missed[-1]]


async def test_a_silent_decoder_sends_nothing_but_keeps_counting() -> None:
    async with simulator(status_interval_s=0.01) as sim:
        await sim.start("127.0.0.1", 0)
        host = await connect(sim)
        await host.receive_until(lambda: bool(host.passings and host.statuses))
        sim.set_silent(True)
        last_before = numbers(sim.passings)[-1]
        await host.receive_for(0.05)  # what was written before the silence
        assert max(numbers(host.passings)) == last_before
        heard = len(host.records)

        produced = len(sim.passings)
        host.send(GetTime.request())
        assert await host.receive_for(0.15) == b""  # 75 s of racing, 15 STATUS intervals
        assert len(sim.passings) >= produced + 3
        assert sim.client_count == 1

        sim.set_silent(False)
        last_silent = numbers(sim.passings)[-1]

        def kinds_after() -> set[type]:
            return {type(r) for r in host.records[heard:]}

        await host.receive_until(lambda: {Passing, Status} <= kinds_after())
        after = host.records[heard:]
    resumed = [r for r in after if isinstance(r, Passing)]
    assert known(resumed[0].passing_number) > last_silent  # the silent ones are only for RESEND
    assert not any(isinstance(r, GetTime) for r in after)  # a request made in silence is lost


@pytest.mark.slow
async def test_a_host_that_does_not_read_is_dropped_without_holding_up_the_others() -> None:
    sim = simulator(transponders=range(1, 11), speedup=2000, drain_timeout_s=1.0)
    async with sim:
        await sim.start("127.0.0.1", 0)
        await eventually(lambda: len(sim.passings) >= 100)
        reader = await connect(sim)
        loop = asyncio.get_running_loop()
        with socket.socket() as stalled:
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stalled.setblocking(False)
            await loop.sock_connect(stalled, ("127.0.0.1", sim.port))
            await eventually(lambda: sim.client_count == 2)
            # About 15 MB of answers: more than the kernel buffers of both ends can hold.
            requests = encode(Resend(from_passing=1, until_passing=100)) * 3000
            await loop.sock_sendall(stalled, requests)
            heard = len(reader.passings)
            await reader.receive_until(lambda: len(reader.passings) >= heard + 50)
            assert sim.client_count == 2  # still stalled, not yet dropped, and we were served
            await eventually(lambda: sim.client_count == 1)
        heard = len(reader.passings)
        await reader.receive_until(lambda: len(reader.passings) >= heard + 10)
    got = numbers(reader.passings)
    assert got == list(range(got[0], got[0] + len(got)))


@pytest.mark.parametrize(
    "overrides",
    [
        {"transponders": ()},
        {"transponders": (2**32,)},
        {"lap_time_us": 0},
        {"speedup": 0},
        {"speedup": float("inf")},
        {"count": -1},
        {"status_interval_s": 0},
    ],
)
def test_impossible_settings_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"must|needed"):
        simulator(**overrides)


async def test_a_simulator_started_when_connected_waits_for_its_first_host() -> None:
    simulator = P3DecoderSimulator(
        transponders=[1], lap_time_us=1_000_000, speedup=100, count=5, status_interval_s=60
    )
    await simulator.start("127.0.0.1", 0, when_connected=True)
    try:
        await asyncio.sleep(0.2)  # 20 laps' worth of time: nothing may be produced yet
        assert simulator.passings == []
        _reader, writer = await asyncio.open_connection("127.0.0.1", simulator.port)
        await asyncio.wait_for(simulator.finished(), 5)
        assert [p.passing_number for p in simulator.passings] == [1, 2, 3, 4, 5]
        assert set(simulator.sent_at) == {1, 2, 3, 4, 5}  # the first host saw them all
        writer.close()
    finally:
        await simulator.stop()


async def test_a_scripted_decoder_sends_each_passing_it_is_told_and_resends_it() -> None:
    sim = P3DecoderSimulator(status_interval_s=60.0, first_passing_number=41)
    async with sim:
        with pytest.raises(RuntimeError, match="not started"):
            sim.detect(42, RTC_START_US)
        await sim.start("127.0.0.1", 0)
        assert sim.scripted
        host = await connect(sim)
        told = [
            (5691251, RTC_START_US),
            (42, RTC_START_US + 1_234_567),
            (5691251, RTC_START_US + 17_000_001),
        ]
        sent = [sim.detect(transponder, rtc_time_us) for transponder, rtc_time_us in told]
        await host.receive_until(lambda: len(host.passings) >= 3)
        assert host.passings == sent == sim.passings
        assert [(p.passing_number, p.transponder, p.rtc_time_us) for p in sent] == [
            (41 + n, transponder, rtc_time_us) for n, (transponder, rtc_time_us) in enumerate(told)
        ]
        assert {p.decoder_id for p in sent} == {DEFAULT_DECODER_ID}
        assert await host.receive_for(0.1) == b""  # nothing of its own
        host.send(Resend(from_passing=42, until_passing=43))
        await host.receive_until(lambda: len(host.passings) >= 5)
        assert host.passings[3:] == sent[1:]


async def test_a_decoder_that_generates_its_passings_takes_no_script() -> None:
    async with simulator() as sim:
        await sim.start("127.0.0.1", 0)
        assert not sim.scripted
        with pytest.raises(RuntimeError, match="generates its own"):
            sim.detect(42, RTC_START_US)
