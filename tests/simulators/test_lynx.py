"""The simulated FinishLynx camera, received as velotime receives it: over TCP and UDP on
127.0.0.1, decoded with the codec. Also `velotime simulate lynx`, run as a user runs it."""

import asyncio
import itertools
import math
import os
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.cli.helpers import assert_one_line_error, velotime, velotime_main
from tests.simulators import eventually
from velotime.localvenue import free_port
from velotime.protocols.lynx import (
    Armed,
    ErrorKind,
    LynxError,
    LynxRecord,
    LynxStream,
    Result,
    ResultsComplete,
    ResultsHeader,
    RunningTime,
    Stopped,
    encode,
)
from velotime.simulators.lynx import (
    ARMED_LEAD_US,
    RESULTS_DELAY_US,
    RUNNING_INTERVAL_US,
    LynxCameraSimulator,
)

START_TOD_US = (14 * 3600 + 3 * 60 + 7) * 1_000_000  # 14:03:07
SPEEDUP = 50  # a heat of about 14 s race time plays in under 0.3 s


class Scoreboard:
    """velotime's end: a TCP server keeping the bytes of each connection."""

    def __init__(self) -> None:
        self.connections: list[bytearray] = []
        self.ended = 0
        self.server: asyncio.Server | None = None

    async def start(self, port: int = 0) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        bound: int = self.server.sockets[0].getsockname()[1]
        return bound

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received = bytearray()
        self.connections.append(received)
        while data := await reader.read(1 << 16):
            received += data
        self.ended += 1
        writer.close()

    def decoded(self) -> list[list[LynxRecord | LynxError]]:
        out = []
        for received in self.connections:
            stream = LynxStream()
            out.append(stream.feed(bytes(received)) + stream.close())
        return out


class Datagrams(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received: list[tuple[bytes, Any]] = []

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.received.append((data, addr))


def camera(port: int, **options: Any) -> LynxCameraSimulator:
    settings: dict[str, Any] = {
        "riders": 5,
        "speedup": SPEEDUP,
        "seed": 7,
        "event": "12",
        "round": 2,
        "heat": 3,
        "event_name": "Keirin Women",
        "start_time_of_day_us": START_TOD_US,
    }
    return LynxCameraSimulator("127.0.0.1", port, **(settings | options))


async def test_a_whole_heat_over_tcp_decodes_to_what_was_sent() -> None:
    board = Scoreboard()
    port = await board.start()
    sim = camera(port)
    await sim.run()
    await eventually(lambda: board.ended == 1)
    await board.stop()
    [received] = board.decoded()
    assert received == [message.record for message in sim.sent]
    assert all(m.complete and m.connection == 1 for m in sim.sent)

    winner = sim.winner_time_us
    assert 10_500_000 <= winner < 11_500_000
    ticks = math.ceil(winner / RUNNING_INTERVAL_US)
    assert received[0] == Armed(event="12", round=2, heat=3, event_name="Keirin Women")
    assert received[1 : 1 + ticks] == [
        RunningTime(time_us=k * 100_000, time_digits=4, start_time_of_day_us=START_TOD_US)
        for k in range(ticks)
    ]
    assert received[1 + ticks] == Stopped(time_us=winner, time_digits=4)
    header, *lines, trailer = received[2 + ticks :]
    assert header == ResultsHeader(
        official=False,
        event_name="Keirin Women",
        event="12",
        round=2,
        heat=3,
        count=5,
        start_time_of_day_us=START_TOD_US,
    )
    assert trailer == ResultsComplete()
    assert lines == sim.results
    results = [line for line in lines if isinstance(line, Result)]
    assert [r.place for r in results] == [1, 2, 3, 4, None]
    assert results[-1].status == "DNF"
    assert results[-1].time_us is None
    times = [r.time_us for r in results[:4] if r.time_us is not None]
    assert times[0] == winner
    assert [r.delta_us for r in results[1:4]] == [b - a for a, b in itertools.pairwise(times)]
    assert all(t % 100 == 0 for t in times)  # to 1/10000 s
    assert {r.lane for r in results} == {1, 2, 3, 4, 5}

    # Sent in order, at the pace of the race: no faster than the schedule allows.
    sent_ns = [m.sent_ns for m in sim.sent]
    assert sent_ns == sorted(sent_ns)
    race_us = ARMED_LEAD_US + winner + RESULTS_DELAY_US
    assert sent_ns[-1] - sent_ns[0] >= race_us * 1000 // SPEEDUP - 1_000_000  # 1 ms of slack


async def test_a_drop_in_the_middle_of_the_results_then_everything_again() -> None:
    board = Scoreboard()
    port = await board.start()
    sim = camera(port, drop_after_results=2)
    await sim.run()
    await eventually(lambda: board.ended == 2)
    await board.stop()
    first, second = board.decoded()
    header, *lines, trailer = sim.results_block(START_TOD_US)

    # The first connection ends with two result lines and half of the third.
    cut = encode(lines[2])
    assert first[-4:] == [
        header,
        *lines[:2],
        LynxError(ErrorKind.TRUNCATED, cut[: len(cut) // 2], "end of stream"),
    ]
    assert isinstance(first[0], Armed)
    # The reconnection sends the whole block again.
    assert second == [header, *lines, trailer]

    cut_messages = [m for m in sim.sent if not m.complete]
    assert [(m.record, m.wire, m.connection) for m in cut_messages] == [
        (lines[2], cut[: len(cut) // 2], 1)
    ]
    assert [m.record for m in sim.sent if m.connection == 2] == second
    assert sim.connections == 2


async def test_a_drop_after_the_last_result_cuts_the_trailer() -> None:
    board = Scoreboard()
    port = await board.start()
    sim = camera(port, riders=2, drop_after_results=2)
    await sim.run()
    await eventually(lambda: board.ended == 2)
    await board.stop()
    first, second = board.decoded()
    header, *lines, trailer = sim.results_block(START_TOD_US)
    assert first[-4:] == [
        header,
        *lines,
        LynxError(ErrorKind.TRUNCATED, encode(trailer)[:2], "end of stream"),
    ]
    assert second == [header, *lines, trailer]


async def test_a_whole_heat_over_udp_one_message_per_datagram() -> None:
    loop = asyncio.get_running_loop()
    transport, receiver = await loop.create_datagram_endpoint(
        Datagrams, local_addr=("127.0.0.1", 0)
    )
    try:
        port = transport.get_extra_info("sockname")[1]
        sim = camera(port, udp=True, drop_after_results=1)
        await sim.run()
        await eventually(lambda: len(receiver.received) == len(sim.sent))
    finally:
        transport.close()
    assert [data for data, _ in receiver.received] == [m.wire for m in sim.sent]
    # A reconnection is a new socket: the datagrams come from a second address.
    senders = [addr for _, addr in receiver.received]
    firsts = sum(1 for m in sim.sent if m.connection == 1)
    assert len(set(senders[:firsts])) == len(set(senders[firsts:])) == 1
    assert senders[0] != senders[-1]
    # Fed in order to one stream, the datagrams give every complete message.
    stream = LynxStream()
    decoded = [item for data, _ in receiver.received for item in stream.feed(data)]
    cut = next(m for m in sim.sent if not m.complete)
    assert decoded == [
        LynxError(ErrorKind.TRUNCATED, cut.wire, "cut off by SOH") if m is cut else m.record
        for m in sim.sent
    ]


async def test_it_waits_for_the_scoreboard_port_to_open_as_finishlynx_does() -> None:
    port = free_port()
    sim = camera(port, riders=1)
    play = asyncio.create_task(sim.run())
    await asyncio.sleep(0.2)  # refused meanwhile: still trying
    assert not play.done()
    board = Scoreboard()
    await board.start(port)
    await asyncio.wait_for(play, 10)
    await eventually(lambda: board.ended == 1)
    await board.stop()
    assert board.decoded() == [[m.record for m in sim.sent]]


async def test_it_gives_up_after_the_connect_timeout() -> None:
    sim = camera(free_port(), connect_timeout_s=0.2)
    with pytest.raises(ConnectionRefusedError):
        await sim.run()
    assert sim.sent == []


def test_the_heat_depends_on_the_seed_and_options_only() -> None:
    one = camera(1, seed=3)
    assert camera(1, seed=3, speedup=1).schedule(START_TOD_US) == one.schedule(START_TOD_US)
    assert camera(1, seed=4).results != one.results
    assert [r.id for r in camera(1, seed=3, riders=5).results] == [r.id for r in one.results]
    schedule = one.schedule(START_TOD_US)
    # Armed at 0, the running time every 0.1 s from the start, results after the stop.
    assert schedule[0].at_us == 0
    running = [m.at_us for m in schedule if isinstance(m.record, RunningTime)]
    assert running == [ARMED_LEAD_US + k * RUNNING_INTERVAL_US for k in range(len(running))]
    assert [m.at_us for m in schedule[-7:]] == [ARMED_LEAD_US + one.winner_time_us + 2_000_000] * 7


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"riders": 0}, "riders must be 1-999"),
        ({"speedup": 0}, "speedup must be positive"),
        ({"speedup": float("inf")}, "speedup must be finite"),
        ({"drop_after_results": 6}, "drop_after_results must be 0-5"),
        ({"start_time_of_day_us": 86_400_000_000}, "within a day"),
        ({"event_name": "a\x04b"}, "inside a field"),
        ({"event": " 1"}, "without spaces around"),
        ({"bibs": [3, 3]}, "different positive numbers"),
        ({"bibs": [0, 3]}, "different positive numbers"),
        ({"bibs": []}, "riders must be 1-999"),
    ],
)
def test_options_it_cannot_play_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        camera(1, **options)


def test_the_bibs_given_are_the_riders_of_the_heat() -> None:
    """The camera shows the bibs of the start list it was given, each once, in an order of
    finish drawn from the seed (another seed, another order)."""
    sim = camera(1, bibs=[12, 5, 7, 30, 41], seed=3)
    assert sorted(int(r.id or 0) for r in sim.results) == [5, 7, 12, 30, 41]
    other = camera(1, bibs=[12, 5, 7, 30, 41], seed=4)
    assert [r.id for r in other.results] != [r.id for r in sim.results]


# -- velotime simulate lynx --------------------------------------------------------------------

COMMAND = (sys.executable, "-m", "velotime", "simulate", "lynx")


async def test_the_command_plays_a_heat_to_a_tcp_scoreboard() -> None:
    board = Scoreboard()
    port = await board.start()
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        *("--connect", f"127.0.0.1:{port}", "--riders", "3", "--speedup", "40", "--seed", "5"),
        *("--event", "7", "--round", "1", "--heat", "2", "--drop-after-results", "1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    await eventually(lambda: board.ended == 2)
    await board.stop()
    assert process.returncode == 0, stderr
    first, second = board.decoded()
    assert first[0] == Armed(event="7", round=1, heat=2, event_name="Keirin")
    assert [type(r) for r in second] == [ResultsHeader, Result, Result, Result, ResultsComplete]
    assert isinstance(first[-1], LynxError)
    assert first[-1].kind is ErrorKind.TRUNCATED
    messages = len(first) + len(second)  # the cut message is one of them
    assert stdout.decode().splitlines() == [
        f"velotime simulate lynx: sending to 127.0.0.1:{port} over tcp (connection 1)",
        f"velotime simulate lynx: sending to 127.0.0.1:{port} over tcp (connection 2)",
        f"velotime simulate lynx: sent {messages} messages over 2 connection(s)",
    ]
    assert stderr == b""


async def test_the_command_sends_udp_datagrams() -> None:
    loop = asyncio.get_running_loop()
    transport, receiver = await loop.create_datagram_endpoint(
        Datagrams, local_addr=("127.0.0.1", 0)
    )
    try:
        port = transport.get_extra_info("sockname")[1]
        process = await asyncio.create_subprocess_exec(
            *COMMAND,
            *("--connect", f"127.0.0.1:{port}", "--udp", "--riders", "2", "--speedup", "40"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr
        await eventually(lambda: bool(receiver.received) and receiver.received[-1][0][1:3] == b"LE")
    finally:
        transport.close()
    stream = LynxStream()
    records = [item for data, _ in receiver.received for item in stream.feed(data)]
    assert isinstance(records[0], Armed)
    assert [type(r) for r in records[-4:]] == [ResultsHeader, Result, Result, ResultsComplete]
    assert stream.stats.bad_messages == stream.stats.garbage_bytes == 0


async def test_the_command_plays_the_bibs_given_stamped_in_the_venue_time_zone() -> None:
    """`--bibs 12,5,7`: a heat of those three riders. `--timezone Asia/Kathmandu`: the start
    time of day is Kathmandu's clock (UTC+5:45 all year, no summer time), as the daemon of a
    venue there reads it, not the machine's (Lima's here, UTC-5): worked out from the UTC clock
    by that rule."""
    loop = asyncio.get_running_loop()
    transport, receiver = await loop.create_datagram_endpoint(
        Datagrams, local_addr=("127.0.0.1", 0)
    )
    before_us = time.time_ns() // 1000
    try:
        port = transport.get_extra_info("sockname")[1]
        process = await asyncio.create_subprocess_exec(
            *COMMAND,
            *("--connect", f"127.0.0.1:{port}", "--udp", "--bibs", "12,5,7", "--speedup", "40"),
            *("--timezone", "Asia/Kathmandu"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "TZ": "America/Lima"},
        )
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr
        await eventually(lambda: bool(receiver.received) and receiver.received[-1][0][1:3] == b"LE")
    finally:
        transport.close()
    after_us = time.time_ns() // 1000
    stream = LynxStream()
    records = [item for data, _ in receiver.received for item in stream.feed(data)]
    header = next(r for r in records if isinstance(r, ResultsHeader))
    assert header.count == 3
    assert sorted(str(r.id) for r in records if isinstance(r, Result)) == ["12", "5", "7"]
    day_us, kathmandu_us = 86_400_000_000, (5 * 3600 + 45 * 60) * 1_000_000
    earliest = (before_us + kathmandu_us) % day_us
    assert header.start_time_of_day_us is not None
    # The start is 1 s of race time after the camera connects: 25 ms at 40 times real time.
    assert (header.start_time_of_day_us - earliest) % day_us <= after_us - before_us


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--connect", "localhost"), "expected HOST:PORT"),
        (("--connect", "127.0.0.1:9", "--bibs", "12,x"), "--bibs: a bib is a positive number"),
        (("--connect", "127.0.0.1:9", "--bibs", "12,5,12"), "--bibs: bib 12 twice"),
        (
            ("--connect", "127.0.0.1:9", "--bibs", "12,5", "--riders", "3"),
            "--riders 3 but 2 --bibs",
        ),
        (("--connect", "127.0.0.1:9", "--timezone", "Mars/Base"), "unknown IANA time zone"),
        (("--connect", "127.0.0.1:0"), "port 0 cannot be connected to"),
        (("--connect", "127.0.0.1:65536"), "out of range"),
        (("--connect", "127.0.0.1:9", "--riders", "0"), "--riders: must be 1-999"),
        (("--connect", "127.0.0.1:9", "--speedup", "-2"), "--speedup: must be positive"),
        (("--connect", "127.0.0.1:9", "--heat", "x"), "--heat: expected a number"),
        (("--connect", "127.0.0.1:9", "--event", ""), "--event: an event is a non-empty"),
        (("--connect", "127.0.0.1:9", "--connect-timeout", "0"), "--connect-timeout: must be"),
        (
            ("--connect", "127.0.0.1:9", "--riders", "2", "--drop-after-results", "3"),
            "--drop-after-results must be at most --riders (2), got 3",
        ),
        ((), "required: --connect"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    assert_one_line_error(velotime_main("simulate", "lynx", *args), message)


def test_a_scoreboard_port_nobody_listens_on_exits_2_with_one_line() -> None:
    port = free_port()
    result = velotime(
        "simulate", "lynx", "--connect", f"127.0.0.1:{port}", "--connect-timeout", "0.3"
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"velotime simulate lynx: cannot connect to 127.0.0.1:{port}: Connection refused"
    ]


async def test_a_scripted_camera_sends_each_message_it_is_told() -> None:
    board = Scoreboard()
    port = await board.start()
    sim = camera(port)
    told: list[LynxRecord] = [
        Armed(event="3", round=1, heat=1, event_name="Keirin final"),
        RunningTime(time_us=100_000, time_digits=1, start_time_of_day_us=START_TOD_US),
        Stopped(time_us=98_532_300, time_digits=4),
        ResultsHeader(official=False, event="3", round=1, heat=1, count=1),
        Result(place=1, id="2", name="Ben BAKER", time_us=98_532_300, time_digits=4),
        ResultsComplete(),
    ]
    await sim.connect()
    for record in told:
        await sim.send(record)
    await sim.disconnect()
    await eventually(lambda: board.ended == 1)
    await board.stop()
    assert board.decoded() == [told]
    assert [message.record for message in sim.sent] == told
