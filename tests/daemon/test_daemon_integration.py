"""The daemon end to end, with real parts: a simulated decoder on real TCP, the daemon as its
own process, a real Mosquitto that the test starts and stops, and a subscriber that counts.

Each scenario checks that every passing the decoder made arrives, exactly as it was made.
"""

import asyncio
import json
import random
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from tests.cli.helpers import velotime
from tests.daemon.harness import (
    DaemonProcess,
    Subscriber,
    replays_the_same,
    unique_by_id,
    write_config,
)
from velotime.capture import CONTROL_SOURCE, read_capture
from velotime.localvenue import LocalBroker, free_port
from velotime.protocols.p3 import Passing, Status, encode
from velotime.simulators.p3_decoder import P3DecoderSimulator
from velotime.wire.commands import Arm, decode_command

pytestmark = pytest.mark.timeout(120)

TRANSPONDERS = list(range(1001, 1011))
OFFLINE = {"online": False}
LAP_US = 17_000_000
SPEEDUP = 2000  # ten riders, 17 s laps: about 1,200 passings a second
# Where passings must come after an interruption to show the daemon what it missed: about 4 s
# of passings, 2 s more than the interruption takes on a loaded machine.
SPEEDUP_WITH_A_TAIL = 400


@asynccontextmanager
async def running_decoder(
    speedup: int = SPEEDUP, status_interval_s: float = 0.5
) -> AsyncIterator[P3DecoderSimulator]:
    simulator = P3DecoderSimulator(
        transponders=TRANSPONDERS,
        lap_time_us=LAP_US,
        speedup=speedup,
        count=1000,
        seed=7,
        status_interval_s=status_interval_s,
    )
    # Passings start when the daemon first connects: a daemon collects from its first
    # connection on (earlier ones, from before it ever ran, are not its to fetch).
    await simulator.start("127.0.0.1", 0, when_connected=True)
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
async def decoder() -> AsyncIterator[P3DecoderSimulator]:
    async with running_decoder() as simulator:
        yield simulator


def daemon_for(
    tmp_path: Path, broker: LocalBroker, decoder: P3DecoderSimulator, **source: object
) -> DaemonProcess:
    # The simulated decoder clock runs SPEEDUP times faster than the host's, which GET_TIME
    # would (rightly) see as a clock jumping all the time: take the decoder clock as it is.
    config = write_config(
        tmp_path, "test-velodrome", broker.url, decoder.port, clock="decoder", **source
    )
    return DaemonProcess(config, tmp_path / "daemon.log")


def passings_topic() -> str:
    return "velotime/test-velodrome/timing/passing"


def check_every_passing_arrived_exactly(
    decoder: P3DecoderSimulator, received: list[dict[str, Any]], log: str
) -> None:
    events = unique_by_id(received)
    by_number = {e["data"]["passing_number"]: e for e in events.values()}
    made = {p.passing_number: p for p in decoder.passings if p.passing_number is not None}
    missing = sorted(set(made) - set(by_number))
    assert not missing, f"{len(missing)} passings never arrived: {missing[:20]}\n{log[-3000:]}"
    assert len(events) == len(made) == 1000
    for number, passing in made.items():
        data = by_number[number]["data"]
        assert data["transponder"] == passing.transponder
        assert data["rtc_time_us"] == passing.rtc_time_us  # exact to the microsecond
        assert data["t_us"] == passing.rtc_time_us + data["clock_offset_us"]
        assert data["line"] == "finish"
    # One offset for the whole session: lap times on the venue clock equal decoder lap times.
    assert len({e["data"]["clock_offset_us"] for e in events.values()}) == 1


async def test_1000_passings_arrive_in_order_with_exact_times(
    tmp_path: Path, broker: LocalBroker, decoder: P3DecoderSimulator
) -> None:
    daemon = daemon_for(tmp_path, broker, decoder)
    async with (
        Subscriber(broker.port, passings_topic(), "counter") as subscriber,
        Subscriber(broker.port, "velotime/test-velodrome/#", "watcher") as watcher,
    ):
        daemon.start()
        try:
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 1000, 60, "1000")
        finally:
            assert daemon.stop() == 0, daemon.log_text()
        await watcher.wait_for(lambda: watcher.payloads("/status/daemon")[-1:] == [OFFLINE], 5)
    received = subscriber.payloads()
    # The retained state a scoreboard finds: who is online, which sources and lines exist.
    assert watcher.payloads("/status/daemon")[0]["online"] is True
    source_status = watcher.payloads("/status/sources/p3-finish")
    assert source_status[0]["online"] is True
    assert source_status[0]["endpoint"] == f"tcp://127.0.0.1:{decoder.port}"
    (description,) = watcher.payloads("/config/description")
    assert description["venue"]["id"] == "test-velodrome"
    assert description["lines"] == [
        {"name": "finish", "distance_m": 0},
        {"name": "200m", "distance_m": 200},
    ]
    assert [s["name"] for s in description["sources"]] == ["p3-finish"]
    check_every_passing_arrived_exactly(decoder, received, daemon.log_text())
    # No outage: each arrived once, in order, numbered 1, 2, 3... for the source.
    assert [p["seq"] for p in received] == list(range(1, 1001))
    assert [p["data"]["passing_number"] for p in received] == list(range(1, 1001))
    assert {p["src"] for p in received} == {"p3-finish"}


@pytest.mark.slow
async def test_in_real_time_the_decoder_clock_maps_to_the_host_clock_with_one_offset(
    tmp_path: Path, broker: LocalBroker
) -> None:
    decoder = P3DecoderSimulator(
        transponders=[1001, 1002, 1003, 1004],
        lap_time_us=1_000_000,
        count=12,
        seed=3,
        status_interval_s=0.5,
    )
    await decoder.start("127.0.0.1", 0, when_connected=True)
    config = write_config(tmp_path, "test-velodrome", broker.url, decoder.port)  # get_time
    daemon = DaemonProcess(config, tmp_path / "daemon.log")
    try:
        async with Subscriber(broker.port, passings_topic(), "clock") as subscriber:
            daemon.start()
            try:
                await subscriber.wait_for(lambda: len(subscriber.messages) >= 12, 30, "12")
            finally:
                assert daemon.stop() == 0, daemon.log_text()
    finally:
        await decoder.stop()
    offsets = {p["data"]["clock_offset_us"] for p in subscriber.payloads()}
    assert len(offsets) == 1, offsets
    # The simulator's clock is this host's wall clock: the offset is only the GET_TIME latency.
    assert abs(offsets.pop()) < 50_000
    for payload in subscriber.payloads():
        data = payload["data"]
        assert data["t_us"] == data["rtc_time_us"] + data["clock_offset_us"]
    # The offset came from GET_TIME answers, whose receive times the capture holds.
    assert replays_the_same(tmp_path, unique_by_id(subscriber.payloads()), runs=1)


async def test_a_broker_outage_through_failed_reconnects_loses_nothing(
    tmp_path: Path, broker: LocalBroker, decoder: P3DecoderSimulator
) -> None:
    if not broker.persistent_sessions:
        pytest.skip("amqtt keeps no sessions across its restart; the outage test needs Mosquitto")
    daemon = daemon_for(tmp_path, broker, decoder)
    async with Subscriber(broker.port, passings_topic(), "outage") as subscriber:
        daemon.start()
        try:
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 200, 30, "200")
            broker.stop()
            # Down until the decoder made every passing and the daemon failed to reconnect
            # twice (its backoff: about 1.5 s).
            await subscriber.wait_for(
                lambda: (
                    decoder.done
                    and "broker connection lost" in daemon.log_text()
                    and daemon.log_text().count(f"cannot reach the broker at {broker.url}") >= 2
                ),
                30,
                "two failed reconnects",
            )
            broker.start()
            await subscriber.wait_for(
                lambda: len(unique_by_id(subscriber.payloads())) >= 1000, 60, "all after outage"
            )
        finally:
            assert daemon.stop() == 0, daemon.log_text()
    check_every_passing_arrived_exactly(decoder, subscriber.payloads(), daemon.log_text())


async def test_a_dropped_decoder_link_is_resent(tmp_path: Path, broker: LocalBroker) -> None:
    # A silence is noticed after 0.6 s (statuses come every 0.2 s).
    async with running_decoder(SPEEDUP_WITH_A_TAIL, status_interval_s=0.2) as decoder:
        daemon = daemon_for(tmp_path, broker, decoder, silence_timeout_s=0.6)
        async with Subscriber(broker.port, passings_topic(), "dropped") as subscriber:
            daemon.start()
            try:
                await subscriber.wait_for(lambda: len(subscriber.messages) >= 100, 30, "100")
                decoder.drop_clients()
                await subscriber.wait_for(lambda: decoder.client_count > 0, 10, "it back")
                decoder.drop_clients()  # and again, as soon as it is back
                await subscriber.wait_for(lambda: len(decoder.passings) >= 300, 30, "300")
                decoder.set_silent(True)  # a link that stays open but says nothing
                await subscriber.wait_for(
                    lambda: "link presumed dead" in daemon.log_text(), 10, "the silence noticed"
                )
                decoder.set_silent(False)
                await subscriber.wait_for(
                    lambda: len(unique_by_id(subscriber.payloads())) >= 1000, 60, "all after"
                )
            finally:
                assert daemon.stop() == 0, daemon.log_text()
    check_every_passing_arrived_exactly(decoder, subscriber.payloads(), daemon.log_text())
    assert "asking the decoder to resend" in daemon.log_text()
    assert "link presumed dead" in daemon.log_text()


async def test_a_killed_daemon_restarts_and_loses_nothing_and_replays_the_same(
    tmp_path: Path, broker: LocalBroker
) -> None:
    async with (
        running_decoder(SPEEDUP_WITH_A_TAIL) as decoder,
        Subscriber(broker.port, passings_topic(), "killed") as subscriber,
        Subscriber(broker.port, "velotime/test-velodrome/status/daemon", "will") as status,
    ):
        daemon = daemon_for(tmp_path, broker, decoder)
        daemon.start()
        try:
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 100, 30, "100")
            daemon.kill()
            # The broker tells everyone: the daemon's last will.
            await status.wait_for(lambda: status.payloads()[-1:] == [OFFLINE], 10, "the will")
            made = len(decoder.passings)
            await status.wait_for(  # passings go on while the daemon is dead
                lambda: len(decoder.passings) >= made + 100, 10, "100 more passings"
            )
            daemon.start()
            await subscriber.wait_for(
                lambda: len(unique_by_id(subscriber.payloads())) >= 1000, 60, "all after kill"
            )
        finally:
            assert daemon.stop() == 0, daemon.log_text()
    live = unique_by_id(subscriber.payloads())
    check_every_passing_arrived_exactly(decoder, subscriber.payloads(), daemon.log_text())

    assert replays_the_same(tmp_path, live, runs=2)


async def test_a_garbage_spewing_decoder_gives_counted_errors_not_a_crash(
    tmp_path: Path, broker: LocalBroker
) -> None:
    rng = random.Random(5)
    good = [
        Passing(passing_number=n, transponder=1001, rtc_time_us=1_000_000 * n, decoder_id=9)
        for n in range(1, 21)
    ]

    async def spew(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for passing in good:
            writer.write(rng.randbytes(rng.randint(0, 300)))
            writer.write(encode(passing)[: rng.randint(0, 30)])  # a cut-off record
            writer.write(encode(passing) + encode(Status(noise=3, decoder_id=9)))
            await writer.drain()
            await asyncio.sleep(0.01)
        await asyncio.sleep(30)

    server = await asyncio.start_server(spew, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = write_config(tmp_path, "test-velodrome", broker.url, port, clock="decoder")
    daemon = DaemonProcess(config, tmp_path / "daemon.log")
    async with server, Subscriber(broker.port, passings_topic(), "garbage") as subscriber:
        daemon.start()
        try:
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 20, 30, "20 passings")
        finally:
            assert daemon.stop() == 0, daemon.log_text()
    numbers = sorted(p["data"]["passing_number"] for p in subscriber.payloads())
    assert numbers == list(range(1, 21))
    log = daemon.log_text()
    assert "skipped" in log
    assert "Traceback" not in log


def test_a_truncated_capture_replays_what_it_holds(tmp_path: Path) -> None:
    from velotime.capture import CaptureWriter

    passings = [
        Passing(passing_number=n, transponder=7, rtc_time_us=5_000_000 * n, decoder_id=3)
        for n in range(1, 11)
    ]
    writer = CaptureWriter.create(
        tmp_path, "cut", {"p3": {"protocol": "p3", "line": "finish", "clock": "decoder"}}
    )
    for n, passing in enumerate(passings):
        writer.write(1_000 + n, "p3", encode(passing))
    writer.close()
    data = writer.path.read_bytes()
    writer.path.write_bytes(data[:-25])  # the power went mid-line
    result = subprocess.run(
        [sys.executable, "-m", "velotime", "replay", "--offline", str(writer.path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["data"]["passing_number"] for e in events] == list(range(1, 10))
    assert "1 unreadable capture lines" in result.stderr
    assert "truncated last line" in result.stderr


async def test_operator_commands_are_recorded_and_sequenced_into_the_event_stream(
    tmp_path: Path, broker: LocalBroker
) -> None:
    config = write_config(tmp_path, "test-velodrome", broker.url, free_port())  # no decoder
    daemon = DaemonProcess(config, tmp_path / "daemon.log")
    status = "velotime/test-velodrome/status/daemon"
    stream = "velotime/test-velodrome/timing/#"
    async with (
        Subscriber(broker.port, status, "online") as online,
        Subscriber(broker.port, stream, "stream") as timing,
    ):
        daemon.start()
        try:
            await online.wait_for(
                lambda: any(p.get("online") for p in online.payloads()), 15, "the daemon online"
            )
            # No scoring service here: sent, and no answer (exit 3).
            sent = velotime("ctl", "--config", config, "--timeout", "0.2", "arm", "sprint-q")
            assert sent.returncode == 3, sent.stderr
            # A malformed command (a script's typo) is recorded, logged and not published.
            async with aiomqtt.Client("127.0.0.1", broker.port) as client:
                topic = "velotime/test-velodrome/control/scoring"
                await client.publish(topic, b'{"type": "arm"}', qos=1)
            sent = velotime("ctl", "--config", config, "--timeout", "0.2", "final", "sprint-q")
            assert sent.returncode == 3, sent.stderr
            await timing.wait_for(lambda: len(timing.messages) >= 2, 10, "two commands")
        finally:
            assert daemon.stop() == 0, daemon.log_text()
    assert [topic for topic, _ in timing.messages] == ["velotime/test-velodrome/timing/command"] * 2
    published = [payload for _, payload in timing.messages]
    forwarded = [dict(p["data"]["command"]) for p in published]
    assert all(command.pop("id").startswith("ctl-") for command in forwarded)
    assert forwarded == [
        {"type": "arm", "event": "sprint-q"},
        {"type": "final", "event": "sprint-q"},
    ]
    assert [(p["src"], p["seq"]) for p in published] == [("control", 1), ("control", 2)]
    assert "bad command" in daemon.log_text()
    (capture,) = (tmp_path / "state" / "captures").glob("*.capture.jsonl")
    reader = read_capture(capture)
    commands = [c.data for c in reader.chunks() if c.src == CONTROL_SOURCE]
    assert len(commands) == 3  # the malformed one too: replay counts it as unreadable
    arm = decode_command(commands[0])
    assert arm == Arm(id=arm.id, event="sprint-q")
    assert reader.header.sources["control"] == {"protocol": "control"}
    assert reader.header.lines == {"finish": 0, "200m": 200}
    assert reader.header.track_length_m == 250
