"""`velotime replay` as a user runs it: captures and foreign dumps, offline and to a broker."""

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.brokers import mosquitto
from tests.cli.helpers import velotime
from tests.daemon.harness import Subscriber
from velotime.capture import CaptureHeader, CaptureWriter
from velotime.localvenue import LocalBroker
from velotime.protocols.p3 import Passing, encode


def replay(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return velotime("replay", *args)


def events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_a_foreign_dump_replays_as_one_source_on_the_decoder_clock(shared_data: Path) -> None:
    result = replay(shared_data / "p3" / "amb.out", "--protocol", "p3", "--offline")
    assert result.returncode == 0, result.stderr
    passings = events(result.stdout)
    assert [e["data"]["passing_number"] for e in passings] == list(range(157777, 157861))
    assert [e["seq"] for e in passings] == list(range(1, 85))
    first = passings[0]["data"]
    assert first["transponder"] == 5691251  # the MANIFEST's first passing
    assert first["t_us"] == first["rtc_time_us"] == 1551542808933000
    assert first["line"] == "finish"


def capture_of(directory: Path, count: int, spacing_us: int) -> Path:
    writer = CaptureWriter.create(
        directory, "velo", {"p3": {"protocol": "p3", "line": "finish", "clock": "decoder"}}
    )
    writer.write(1_000_000, "p3", b"")  # the connection
    for n in range(1, count + 1):
        passing = Passing(passing_number=n, transponder=9, rtc_time_us=n * 10**6, decoder_id=1)
        writer.write(1_000_000 + n * spacing_us, "p3", encode(passing))
    writer.close()
    return writer.path


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    local = mosquitto(tmp_path / "broker")
    local.start()
    yield local
    local.stop()


async def test_replay_publishes_under_its_own_venue_never_the_live_one(
    tmp_path: Path, broker: LocalBroker
) -> None:
    capture = capture_of(tmp_path, count=10, spacing_us=100_000)  # 1 s of recorded time
    async with (
        Subscriber(broker.port, "velotime/velo-replay/timing/passing", "replayed") as replayed,
        Subscriber(broker.port, "velotime/velo/#", "live") as live,
    ):
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "velotime", "replay", str(capture),
            "--broker", broker.url, "--speed", "2",
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await process.communicate()
        elapsed = time.monotonic() - started
        assert process.returncode == 0, stderr.decode()
        await replayed.wait_for(lambda: len(replayed.messages) >= 10, 10, "10 replayed")
    numbers = [p["data"]["passing_number"] for p in replayed.payloads()]
    assert numbers == list(range(1, 11))
    assert live.messages == []  # the live venue's topics were never touched
    assert elapsed >= 0.45  # 1 s of recorded time at twice the speed
    assert "10 events" in stderr.decode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("/nonexistent.capture.jsonl", "--offline"), "No such file"),
        (("README.md", "--offline"), "not a velotime capture"),
        (("x", "--speed", "0"), "--speed must be above 0"),
        (("x", "--output", "y"), "--output goes with --offline"),
        (("x", "--protocol", "nmea", "--offline"), "invalid choice: 'nmea'"),
        (("x", "--protocol", "timy", "--timezone", "Mars/Base"), "unknown time zone"),
    ],
)
def test_bad_invocations_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = replay(*args)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr


def test_a_timy_dump_replays_as_impulses_on_the_day_given(shared_data: Path) -> None:
    dump = shared_data / "alge" / "ALGETdC8001-202002020841.dump"
    result = replay(dump, "--protocol", "timy", "--offline", "--date", "2020-02-02",
                    "--timezone", "Europe/Vienna")  # fmt: skip
    assert result.returncode == 0, result.stderr
    impulses = events(result.stdout)
    # MANIFEST: C0 134 (130 plain, 3 ?, 1 c), C0M 4, C1 167 impulse lines; RT/TT are no events.
    assert len(impulses) == 134 + 4 + 167
    first = impulses[0]["data"]
    # Line 4 of the dump: "?0300 C0  08:53:39.4922 00" -> 08:53:39.4922 CET = 07:53:39.4922 UTC.
    assert (first["channel"], first["line"], first["flag"], first["number"]) == (
        "C0",
        "start",
        "?",
        300,
    )
    midnight_utc = 1_580_601_600_000_000  # 2020-02-02 00:00 UTC
    assert first["t_us"] == midnight_utc + (7 * 3600 + 53 * 60 + 39) * 10**6 + 492_200
    assert "0 frame errors" in result.stderr


def test_a_lif_file_replays_as_photo_finish_events(shared_data: Path) -> None:
    result = replay(shared_data / "finishlynx" / "001-1-1.lif", "--protocol", "lif", "--offline")
    assert result.returncode == 0, result.stderr
    phases = [e["data"]["phase"] for e in events(result.stdout)]
    assert phases[0] == "started"
    assert phases[-1] == "complete"
    assert phases.count("result") >= 2


def test_events_a_killed_daemon_never_published_come_from_the_resend(tmp_path: Path) -> None:
    """Run 1 captured passing 3 but died before queueing it; run 2 resumed at seq 2 and got
    passing 3 again from the decoder. Replay must publish it as run 2 did, not as run 1 read it."""

    def passing(n: int) -> bytes:
        return encode(Passing(passing_number=n, transponder=7, rtc_time_us=n * 10**6, decoder_id=9))

    source = {"protocol": "p3", "line": "finish", "clock": "decoder"}
    first = CaptureWriter(
        tmp_path / "run1.capture.jsonl", CaptureHeader(venue="v", sources={"p3": source})
    )
    first.write(100, "p3", b"")
    for n in (1, 2, 3):
        first.write(100 + n, "p3", passing(n))
    first.close()
    resumed = {"decoders": {"9": {"highest": 2, "gaps": [], "latest_rtc_us": 2 * 10**6,
                                  "clock_offset_us": 0}}}  # fmt: skip
    second = CaptureWriter(
        tmp_path / "run2.capture.jsonl",
        CaptureHeader(venue="v", sources={"p3": {**source, "seq": 2, "resume": resumed}}),
    )
    second.write(900, "p3", b"")
    second.write(903, "p3", passing(3))  # resent after the restart
    second.write(904, "p3", passing(4))
    second.close()
    result = replay(first.path, second.path, "--offline")
    assert result.returncode == 0, result.stderr
    out = events(result.stdout)
    assert [(e["seq"], e["data"]["passing_number"], e["data"]["received_us"]) for e in out] == [
        (1, 1, 101),
        (2, 2, 102),
        (3, 3, 903),  # as the restarted daemon published it
        (4, 4, 904),
    ]
