"""The live scoring service (`velotime score`, and `velotime run` with [scoring]) against a real
Mosquitto: what it leaves retained is what replay scores offline from the same capture, also
across a kill -9 and with garbage on the timing topics."""

import json
import time
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from tests.cli.helpers import velotime
from tests.daemon.harness import DaemonProcess, Subscriber
from tests.scoring.live import (
    ScoreProcess,
    Watch,
    live_results,
    offline_results,
    retained,
    run_velotime,
    wait_for_events,
    write_venue_config,
)
from tests.scoring.test_engine_flying200 import DNS, TEN_OCLOCK, meet_text, timy_bytes
from tests.scoring.test_replay_results import write_capture
from velotime.localvenue import LocalBroker, source_toml
from velotime.protocols.timy import Impulse, parse_line
from velotime.simulators.timy import TimySimulator

pytestmark = pytest.mark.timeout(120)
LINES = {"finish": 0.0, "100m": 100.0, "200m": 200.0}
ORDER = [101, 103, 102, 104, 105, *range(106, 123), DNS, 124]  # test_engine_flying200, by hand
US_PER_DAY = 86_400_000_000


@pytest.fixture
def meet(tmp_path: Path) -> Path:
    path = tmp_path / "meet.toml"
    path.write_text(meet_text())
    return path


def assert_worked_out_by_hand(result: dict[str, Any]) -> None:
    """The flying 200 m of test_engine_flying200, whose figures are worked out there."""
    assert result["status"] == "final"
    lines = result["lines"]
    assert [line["bib"] for line in lines] == ORDER
    by_bib = {line["bib"]: line for line in lines}
    assert [by_bib[101][key] for key in ("rank", "time", "speed_kmh")] == [1, "10.724", "67.139"]
    assert [by_bib[103][key] for key in ("rank", "time", "gap")] == [2, "10.800", "+0.076"]
    assert [by_bib[102][key] for key in ("rank", "time")] == [3, "10.800"]
    for bib in (104, 105):  # 10.900 and 5.250 over the last 100 m both: a draw
        assert (by_bib[bib]["rank"], by_bib[bib]["time"]) == (4, "10.900")
        assert "draw required" in by_bib[bib]["flags"]
    assert [by_bib[106][key] for key in ("rank", "speed_kmh", "gap")] == [6, "65.454", "+0.276"]
    assert (by_bib[122]["rank"], by_bib[122]["time"]) == (22, "11.800")
    qualified = [line["bib"] for line in lines if "qualified" in line.get("flags", [])]
    assert qualified == [101, 103, 102, 104, 105, *range(106, 113)]
    assert (by_bib[DNS]["rank"], by_bib[DNS]["status"]) == (None, "DNS")
    assert (by_bib[124]["rank"], by_bib[124]["status"]) == (None, "DSQ")


# --- a. the live path: Timy -> daemon -> broker -> scoring -> retained = replay --------------


def impulses_near_now() -> list[tuple[int, int]]:
    """The Timy impulses of the hand-worked flying 200 m as (channel, time of day), moved to
    the last minutes before now (the daemon dates a time of day by when it reads it)."""
    now_us = time.time_ns() // 1000
    now_of_day = now_us % US_PER_DAY // 100 * 100
    first = now_of_day - 200_000_000 if now_of_day > 200_000_000 else now_of_day
    moved = []
    for _, line in timy_bytes():
        record = parse_line(line.rstrip(b"\r"))
        assert isinstance(record, Impulse)
        moved.append((record.channel, record.time_of_day_us - TEN_OCLOCK + first))
    return moved


async def test_the_live_path_scores_what_replay_scores(
    tmp_path: Path, broker: LocalBroker, meet: Path
) -> None:
    port = tmp_path / "timy-port"
    timy = TimySimulator(link=port)
    timy.start()
    channels = {"C4": {"line": "200m"}, "C3": {"line": "100m"}, "C1": {"line": "finish"}}
    source = source_toml(
        "timy", "timy", f"serial://{port}?baudrate=38400", channels=channels,
        reconnect_min_s=0.1, reconnect_max_s=0.3,
    )  # fmt: skip
    config = write_venue_config(tmp_path, "velo", broker.url, LINES, source, meet=meet)
    root = "velotime/velo"
    daemon = DaemonProcess(config, tmp_path / "daemon.log")
    impulses = impulses_near_now()

    async def ctl(*args: str) -> None:
        await run_velotime("ctl", "--config", config, *args)

    async with (
        Subscriber(broker.port, f"{root}/timing/#", "timing") as timing,
        Watch(broker.port, f"{root}/#") as watch,
    ):
        daemon.start()
        try:
            assert daemon.process is not None
            await wait_for_events(watch, f"{root}/status/scoring", daemon.process.pid, 0)
            await timing.wait_for(lambda: "CHK1" in timy.commands, 15, "the daemon's CHK1")
            await ctl("arm", "f200")
            await ctl("status", "f200", str(DNS), "DNS")
            # Commands count where the daemon sequenced them: before the riders.
            await timing.wait_for(lambda: len(timing.messages) >= 2, 15, "2 commands")
            for channel, time_of_day_us in impulses:
                timy.impulse(channel, 0, time_of_day_us)
            await timy.drain()
            await timing.wait_for(lambda: len(timing.messages) >= 71, 15, "69 impulses")
            await ctl("status", "f200", "124", "DSQ", "--reason", "rode off the track")
            await ctl("final", "f200")

            def final() -> bool:
                result = watch.json(f"{root}/results/f200")
                return result is not None and result["status"] == "final"

            await watch.wait_for(final, "the final result")
            on_broker = await retained(broker.port, root)
        finally:
            assert daemon.stop() == 0, daemon.log_text()
            await timy.stop()
        await watch.wait_for(
            lambda: watch.json(f"{root}/status/scoring") == {"online": False}, "scoring offline"
        )

    result = json.loads(on_broker["results/f200"])
    assert_worked_out_by_hand(result)
    assert result["audit"][-1]["reason"] == "rode off the track"
    assert json.loads(on_broker["current"])["event"] is None  # final: nothing on the track
    # The daemon's capture, replayed offline with the meet: the same bytes.
    (capture,) = (tmp_path / "state" / "captures").glob("*.capture.jsonl")
    offline = offline_results([capture], meet, tmp_path / "offline")
    assert offline == {"f200": on_broker["results/f200"] + b"\n"}


# --- b. the reusable helper: any capture, live -----------------------------------------------


async def test_a_capture_scored_live_gives_the_offline_result_files(
    tmp_path: Path, broker: LocalBroker, meet: Path
) -> None:
    capture = write_capture(tmp_path)
    live = await live_results([capture], meet, broker, tmp_path / "live")
    offline = offline_results([capture], meet, tmp_path / "offline")
    assert list(live) == ["f200"]
    assert {name: payload + b"\n" for name, payload in live.items()} == offline
    assert_worked_out_by_hand(json.loads(live["f200"]))


# --- c, d. a service killed mid-session; garbage on the timing topics -------------------------


def envelopes_of(capture: Path) -> list[bytes]:
    """The events a daemon published for the capture, in order, as they travel."""
    result = velotime("replay", capture, "--offline")
    assert result.returncode == 0, result.stderr
    return [line.encode() for line in result.stdout.splitlines()]


async def publish(port: int, root: str, envelopes: list[bytes]) -> None:
    """As the daemon does: each on timing/<kind>, QoS 1."""
    async with aiomqtt.Client("127.0.0.1", port) as client:
        for envelope in envelopes:
            kind = json.loads(envelope).get("kind", "impulse") if envelope[:1] == b"{" else "x"
            await client.publish(f"{root}/timing/{kind}", envelope, qos=1)


async def test_a_killed_service_resumes_from_its_journal_and_its_queue(
    tmp_path: Path, broker: LocalBroker, meet: Path
) -> None:
    capture = write_capture(tmp_path)
    envelopes = envelopes_of(capture)
    assert len(envelopes) == 73  # 69 impulses, 4 commands
    config = write_venue_config(tmp_path / "venue", "restart", broker.url, LINES)
    root = "velotime/restart"
    status = f"{root}/status/scoring"
    log = tmp_path / "score.log"
    score = ScoreProcess(config, meet, log)
    async with Watch(broker.port, status) as watch:
        score.start()
        await wait_for_events(watch, status, score.pid, 0)
        await publish(broker.port, root, envelopes[:40])
        await wait_for_events(watch, status, score.pid, 20)
        score.kill()  # mid-session, with events still arriving
        seen_before_kill = watch.json(status)
        assert seen_before_kill is not None
        journal = tmp_path / "venue" / "state" / "scoring" / "restart" / "test.journal.jsonl"
        with journal.open("ab") as torn:  # as if killed in the middle of a write
            torn.write(b'{"v":1,"id":"timy:timy:C1:17952')
        await publish(broker.port, root, envelopes[40:60])  # nobody listening: the broker keeps

        score.start()
        await wait_for_events(watch, status, score.pid, 60)
        restarted = watch.json(status)
        await publish(broker.port, root, envelopes[60:])
        await wait_for_events(watch, status, score.pid, 73)
        on_broker = await retained(broker.port, root)
        assert score.stop() == 0, score.log_text()
        await watch.wait_for(lambda: watch.json(status) == {"online": False}, "offline")

    assert "dropped a truncated last line" in score.log_text()
    assert restarted is not None
    # The journal was used: what was applied before the kill did not come from the broker again.
    assert restarted["restored"] >= seen_before_kill["events"] >= 20
    offline = offline_results([capture], meet, tmp_path / "offline")
    assert offline == {"f200": on_broker["results/f200"] + b"\n"}  # as if never interrupted


async def test_garbage_on_the_timing_topics_is_counted_and_skipped(
    tmp_path: Path, broker: LocalBroker, meet: Path
) -> None:
    capture = write_capture(tmp_path)
    envelopes = envelopes_of(capture)
    garbage = [
        b"not json",
        b"\xff\xfe\x00",
        b'{"hello": "world"}',
        b"[1, 2, 3]",
        b'{"v": 1, "id": "x", "seq": 1, "src": "timy", "kind": "impulse"}',  # no data
        b'{"v": 2, "id": "y", "seq": 1, "src": "timy", "kind": "impulse", "data": {}}',
    ]
    mixed = envelopes[:3] + garbage[:3] + envelopes[3:50] + garbage[3:] + envelopes[50:]
    config = write_venue_config(tmp_path / "venue", "garbage", broker.url, LINES)
    root = "velotime/garbage"
    status = f"{root}/status/scoring"
    score = ScoreProcess(config, meet, tmp_path / "score.log")
    async with Watch(broker.port, status) as watch:
        score.start()
        await wait_for_events(watch, status, score.pid, 0)
        await publish(broker.port, root, mixed)
        await publish(broker.port, root, envelopes[10:20])  # repeats, as after a reconnect
        await wait_for_events(watch, status, score.pid, len(envelopes))
        await watch.wait_for(lambda: (watch.json(status) or {})["duplicates"] == 10, "repeats")
        counts = watch.json(status)
        on_broker = await retained(broker.port, root)
        assert score.stop() == 0, score.log_text()

    assert counts is not None
    assert (counts["events"], counts["malformed"], counts["errors"]) == (73, 6, 0)
    text = score.log_text()
    assert "not JSON" in text
    assert "not an event envelope (Object missing required field `data`)" in text
    assert "not an event envelope of version 1 (v is 2)" in text
    offline = offline_results([capture], meet, tmp_path / "offline")
    assert offline == {"f200": on_broker["results/f200"] + b"\n"}


# --- starting: the meet, the journal ----------------------------------------------------------


async def test_a_changed_meet_file_rescores_the_journal_and_says_so(
    tmp_path: Path, broker: LocalBroker, meet: Path
) -> None:
    capture = write_capture(tmp_path)
    config = write_venue_config(tmp_path / "venue", "edit", broker.url, LINES)
    root = "velotime/edit"
    status = f"{root}/status/scoring"
    score = ScoreProcess(config, meet, tmp_path / "score.log")
    async with Watch(broker.port, f"{root}/#") as watch:
        score.start()
        await wait_for_events(watch, status, score.pid, 0)
        await publish(broker.port, root, envelopes_of(capture))
        await wait_for_events(watch, status, score.pid, 73)
        assert score.stop() == 0
        # The desk corrects a name in the meet file and restarts the service.
        meet.write_text(meet_text().replace('name = "Rider 101"', 'name = "Ana Ruiz"'))
        score.start()
        await wait_for_events(watch, status, score.pid, 73)

        def renamed() -> bool:
            result = watch.json(f"{root}/results/f200")
            return result is not None and result["lines"][0]["name"] == "Ana Ruiz"

        await watch.wait_for(renamed, "the corrected name in the result")
        assert score.stop() == 0
    text = score.log_text()
    assert "the meet file changed since the journal" in text
    assert "its 73 events are scored again with the new meet file" in text
    assert "the new meet file changes results/f200" in text


def test_a_bad_meet_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    meet = tmp_path / "meet.toml"
    meet.write_text(meet_text().replace("start_order = [101,", "start_order = [999, 101,"))
    config = write_venue_config(tmp_path, "v", "mqtt://127.0.0.1:1", LINES, meet=meet)
    result = velotime("score", "--config", config, "--meet", meet)
    assert result.returncode == 2
    assert result.stderr == (
        f"velotime score: {meet}: events[0].start_order[0]: no rider with bib 999 in [[riders]]\n"
    )
    # `velotime run` with [scoring] checks the meet before anything runs: no capture is begun.
    result = velotime("run", "--config", config)
    assert result.returncode == 2
    assert "velotime run: [scoring]: " in result.stderr
    assert "no rider with bib 999" in result.stderr
    assert not (tmp_path / "state" / "captures").exists()
    result = velotime("score", "--config", config, "--meet", tmp_path / "missing.toml")
    assert result.returncode == 2
    assert "missing.toml: cannot read" in result.stderr


def test_one_service_per_venue_and_meet(tmp_path: Path, meet: Path) -> None:
    """A second service would fight the first over the broker session and the journal."""
    config = write_venue_config(tmp_path, "v", "mqtt://127.0.0.1:1", LINES)
    first = ScoreProcess(config, meet, tmp_path / "first.log")
    first.start()
    try:
        journal = tmp_path / "state" / "scoring" / "v" / "test.journal.jsonl"
        deadline = time.monotonic() + 15
        while "scoring meet test" not in first.log_text():  # it holds the journal from here
            assert time.monotonic() < deadline, first.log_text()
            time.sleep(0.05)
        result = velotime("score", "--config", config, "--meet", meet)
        assert result.returncode == 2
        assert result.stderr == (
            f"velotime score: {journal}: another scoring service is running for this venue "
            "and meet\n"
        )
    finally:
        assert first.stop() == 0
