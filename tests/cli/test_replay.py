"""`velotime replay` as a user runs it: captures and foreign dumps, offline and to a broker."""

import asyncio
import json
import os
import pty
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.cli.helpers import velotime_main
from tests.daemon.harness import Subscriber
from tests.scoring.scenarios import kilometre
from tests.scoring.scenarios.kilometre import FIRST_SLOT_US, SLOT_US
from velotime.capture import CaptureHeader, CaptureWriter, read_capture
from velotime.localvenue import LocalBroker
from velotime.protocols.p3 import Passing, encode


def replay(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`velotime replay` through `main` in this process: only what it writes and its status are
    checked (what it publishes goes through a real broker)."""
    return velotime_main("replay", *args)


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
        (("x", "--timezone", "Mars/Base", "--offline"), "unknown time zone 'Mars/Base'"),
        (("x", "--from", "25:00"), "--from: not a time of day like 14:30 or 14:30:15: '25:00'"),
        (("x", "--to", "14:7"), "--to: not a time of day like 14:30 or 14:30:15: '14:7'"),
        (("x", "--from", "noon"), "--from: not a time of day"),
        (("x", "--protocol", "p3", "--from", "10:00"), "a dump has no receive times"),
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


# Replay as a product (issue 7): the summary, time ranges, progress.

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
P3_SOURCE = {"protocol": "p3", "line": "finish", "clock": "decoder"}


def row(stderr: str, first: str) -> list[str]:
    """The cells of the summary line whose first word is `first`."""
    for line in stderr.splitlines():
        cells = line.split()
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no line starting {first!r} in:\n{stderr}")


def data_bytes(capture: Path) -> Counter[str]:
    reader = read_capture(capture)
    totals: Counter[str] = Counter()
    for chunk in reader.chunks():
        totals[chunk.src] += len(chunk.data)
    return totals


def test_the_summary_says_what_was_replayed_source_by_source(tmp_path: Path) -> None:
    capture = kilometre.write_capture(tmp_path)
    meet = kilometre.write_meet(tmp_path)
    result = replay(capture, "--offline", "--meet", meet, "--output", tmp_path / "out.jsonl")
    assert result.returncode == 0, result.stderr
    stderr = result.stderr
    lines = stderr.splitlines()
    assert "\r" not in stderr  # no progress line when stderr is no terminal (a log)
    # By hand, from tests/scoring/scenarios/kilometre.py. The loop reads 41 crossings: 6 for
    # each full ride (the gate, 4 laps, the cool-down lap) of 1, 2, 4, 5, 6 and 7; 2 for the
    # false start (the gate, the roll back); 3 for the DNF (the gate, 2 laps). Every fifth
    # record comes in two reads: 41 + 8 chunks, and the connection and the GET_TIME answer: 51.
    # The Timy: the gate and the beam at each of the 8 starts, plus a beam per lap and the
    # cool-down (6's lap 2 missed; 3: 2 laps, no cool-down; the roll back): 48, and its
    # connection: 49 chunks. 13 commands. 113 chunks, 41 + 48 + 13 = 102 events.
    assert lines[0].startswith("replayed 1 files: 113 chunks, ")
    assert "102 events, 0 frame errors, 0 unreadable capture lines" in lines[0]
    assert lines[0].endswith("13 commands (0 unreadable)")
    started = "started 2026-11-21 14:54:59 Europe/Amsterdam"  # the header: 1 s before the first
    assert f"  file {capture}: venue velodrome-test, {started}" in lines
    assert "  read 2026-11-21 14:55:00 to 15:27:00 (Europe/Amsterdam)" in lines
    sizes = data_bytes(capture)
    # Last chunks: 7's cool-down beam at 15:22:00.0123 + 59.5557 + 20 s = 15:23:19.568 (the
    # Timy prints 4 ms later, the loop sends 151 ms later); the final at 15:24 + 3 min.
    assert row(stderr, "p3-finish") == [
        "p3-finish", "p3", "51", str(sizes["p3-finish"]), "41", "0", "14:55:00", "15:23:19",
    ]  # fmt: skip
    assert row(stderr, "timy") == [
        "timy", "timy", "49", str(sizes["timy"]), "48", "0", "14:55:00", "15:23:19",
    ]  # fmt: skip
    assert row(stderr, "control") == [
        "control", "control", "13", str(sizes["control"]), "13", "0", "14:58:00", "15:27:00",
    ]  # fmt: skip
    assert "  events: 41 passing, 48 impulse, 13 command" in lines
    assert "  commands by type: 1 arm, 8 next_rider, 2 status, 1 provisional, 1 final" in lines
    assert "  results (meet scenario-kilo):" in lines
    # The winner, as worked out in kilometre.EXPECTED.
    assert row(stderr, "kilo") == ["kilo", "final", "8", "lines", "1.", "7", "Rider", "7", "59.555"]


def test_from_and_to_output_exactly_what_was_received_in_between(tmp_path: Path) -> None:
    capture = kilometre.write_capture(tmp_path)
    meet = kilometre.write_meet(tmp_path)
    whole = replay(capture, "--offline")
    ranged = replay(capture, "--offline", "--meet", meet, "--from", "15:09", "--to", "15:12")
    assert ranged.returncode == 0, ranged.stderr
    start, end = FIRST_SLOT_US + 3 * SLOT_US, FIRST_SLOT_US + 4 * SLOT_US  # 15:09, 15:12 local
    got = events(ranged.stdout)
    # The same events as the whole replay in that range: ids, seq and times (the loop's passings
    # are on the venue clock by the GET_TIME answer of 14:55, read before --from).
    assert got == [e for e in events(whole.stdout) if start <= e["data"]["received_us"] < end]
    # By hand: 3 is named at 15:09:00; the gate opens at 15:10:00.0123 (gate, beam, the loop
    # under the gate), 2 laps (beam and loop each), DNF at 15:11:30.0123; 4 is named at 15:12.
    assert Counter(e["kind"] for e in got) == {"command": 2, "impulse": 4, "passing": 3}
    commands = [e for e in got if e["kind"] == "command"]
    assert [(c["seq"], c["data"]["command"]["type"]) for c in commands] == [
        (5, "next_rider"),  # after arm, next_rider 1, 2 and 2 again
        (6, "status"),
    ]
    lines = ranged.stderr.splitlines()
    assert "  range 15:09:00 to 15:12:00 (Europe/Amsterdam): 9 events output" in lines
    # Before 15:09: 14 passings (1's ride, 2's false start and ride), 17 impulses, 4 commands.
    assert "  before 15:09:00: 35 events, to the sessions and the scoring only" in lines
    # The result as it stood at 15:12: 1 (1:00.421) leads 2 (1:00.987); 3 DNF.
    assert "  results (meet scenario-kilo) as they stood at --to:" in lines
    expected = ["kilo", "running", "3", "lines", "1.", "1", "Rider", "1", "1:00.421"]
    assert row(ranged.stderr, "kilo") == expected


def test_results_are_scored_on_everything_before_the_range_too(tmp_path: Path) -> None:
    capture = kilometre.write_capture(tmp_path)
    meet = kilometre.write_meet(tmp_path)
    files = []
    for name, extra in (("whole", ()), ("late", ("--from", "15:20"))):
        out = tmp_path / name
        result = replay(capture, "--offline", "--meet", meet, "--results", out, *extra)
        assert result.returncode == 0, result.stderr
        files.append((out / f"{kilometre.EVENT}.json").read_bytes())
    assert files[0] == files[1]
    assert json.loads(files[1])["lines"] == kilometre.EXPECTED


def night_capture(directory: Path) -> Path:
    """Passings 1..19 every 10 minutes from 22:30 to 01:30, Amsterdam time; the Timy in the
    header gives the venue's time zone (it sent nothing)."""
    start = int(datetime(2026, 11, 21, 22, 30, tzinfo=AMSTERDAM).timestamp()) * 10**6
    sources = {"p3": P3_SOURCE, "timy": {"protocol": "timy", "timezone": "Europe/Amsterdam"}}
    header = CaptureHeader(venue="night", sources=sources, started_us=start - 10**6)
    writer = CaptureWriter(directory / "night.capture.jsonl", header)
    writer.write(start - 1_000, "p3", b"")
    for n in range(19):
        at = start + n * 600 * 10**6
        passing = Passing(passing_number=n + 1, transponder=9, rtc_time_us=at, decoder_id=1)
        writer.write(at, "p3", encode(passing))
    writer.close()
    return writer.path


def test_a_range_past_midnight_in_the_venues_time_zone(tmp_path: Path) -> None:
    capture = night_capture(tmp_path)
    result = replay(capture, "--offline", "--from", "23:45", "--to", "00:15")
    assert result.returncode == 0, result.stderr
    # 23:50, 00:00 and 00:10 (next day): passings 9, 10, 11.
    assert [e["data"]["passing_number"] for e in events(result.stdout)] == [9, 10, 11]
    assert "  range 23:45:00 to 00:15:00+1d (Europe/Amsterdam): 3 events output" in (
        result.stderr.splitlines()
    )
    # --timezone overrides the capture's: 23:45 UTC is 00:45 in Amsterdam (UTC+1 in November).
    utc = replay(capture, "--offline", "--from", "23:45", "--to", "00:15", "--timezone", "UTC")
    assert [e["data"]["passing_number"] for e in events(utc.stdout)] == [15, 16, 17]
    # Past midnight, 00:10 comes after 23:50.
    backwards = replay(capture, "--offline", "--from", "00:10", "--to", "23:50")
    assert backwards.returncode == 2
    assert backwards.stderr == (
        "velotime replay: --from 2026-11-22 00:10:00 is not before --to 2026-11-21 23:50:00: "
        "the capture begins 2026-11-21 22:29:59 Europe/Amsterdam, and a time of day is taken "
        "from 6 hours before that to 18 hours after\n"
    )
    assert backwards.stdout == ""


def test_unreadable_lines_are_listed_with_their_file_and_line(tmp_path: Path) -> None:
    capture = capture_of(tmp_path, count=10, spacing_us=1_000)
    lines = capture.read_bytes().splitlines(keepends=True)  # header, connection, 10 passings
    garbled = [*lines[:5], b'{"t_us": 12, "src"\n', *lines[5:]]  # line 6, in the middle
    capture.write_bytes(b"".join(garbled)[:-20])  # line 13, the last, cut short
    result = replay(capture, "--offline")
    assert result.returncode == 0, result.stderr
    assert [e["data"]["passing_number"] for e in events(result.stdout)] == list(range(1, 10))
    lines_ = result.stderr.splitlines()
    assert "9 events, 0 frame errors, 2 unreadable capture lines" in lines_[0]
    at = lines_.index("  unreadable capture lines:")
    assert lines_[at + 1].startswith(f"    {capture} line 6: ")
    assert lines_[at + 2] == f"    {capture} line 13: truncated last line"


def test_to_inside_a_file_still_takes_back_what_the_next_header_says(tmp_path: Path) -> None:
    """As in test_events_a_killed_daemon_never_published_come_from_the_resend, run 1 read
    passing 3 but died before queueing it. A replay stopped at --to inside run 1 must not
    output it either: run 2's header (seq 2) says it was never published from run 1."""
    first = CaptureWriter(
        tmp_path / "run1.capture.jsonl", CaptureHeader(venue="v", sources={"p3": P3_SOURCE})
    )
    first.write(100, "p3", b"")
    for n in (1, 2, 3):
        passing = Passing(passing_number=n, transponder=7, rtc_time_us=n * 10**6, decoder_id=9)
        first.write(100 + n, "p3", encode(passing))
    first.write(200, "p3", b"")  # reconnected, then the daemon died
    first.close()
    second = CaptureWriter(
        tmp_path / "run2.capture.jsonl",
        CaptureHeader(venue="v", sources={"p3": {**P3_SOURCE, "seq": 2}}),
    )
    second.close()
    result = replay(first.path, second.path, "--offline", "--to", "00:00:00.000150")
    assert result.returncode == 0, result.stderr
    assert [e["data"]["passing_number"] for e in events(result.stdout)] == [1, 2]


def test_quiet_writes_no_summary(tmp_path: Path) -> None:
    result = replay(capture_of(tmp_path, count=3, spacing_us=1_000), "--offline", "--quiet")
    assert result.returncode == 0
    assert result.stderr == ""
    assert len(events(result.stdout)) == 3


def test_fast_is_the_default_pace_and_speed_excludes_it(tmp_path: Path) -> None:
    capture = capture_of(tmp_path, count=3, spacing_us=1_000)
    fast = replay(capture, "--offline", "--fast", "--quiet")
    assert fast.returncode == 0
    assert fast.stdout == replay(capture, "--offline", "--quiet").stdout
    both = replay(capture, "--offline", "--fast", "--speed", "1")
    assert both.returncode == 2
    assert "not allowed with argument" in both.stderr


def on_a_terminal(*args: str | Path) -> bytes:
    """What `velotime ARGS` writes to stderr when stderr is a terminal (a pseudo-terminal)."""
    master, slave = pty.openpty()
    command = [sys.executable, "-m", "velotime", *map(str, args)]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=slave) as process:
        os.close(slave)
        seen = b""
        while True:
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: the process has gone, and its end of the terminal with it
                break
            if not data:
                break
            seen += data
        process.wait(timeout=60)
    os.close(master)
    return seen


def test_progress_shows_on_a_terminal(tmp_path: Path) -> None:
    capture = kilometre.write_capture(tmp_path)
    seen = on_a_terminal("replay", capture, "--offline", "--output", tmp_path / "out.jsonl",
                         "--from", "15:00")  # fmt: skip
    # The first chunk: the loop's connection at 14:55:00, before --from.
    progress = rb"\rreplay +\d+%  14:55:00  1 chunks  0 events  \(before --from: not output\)"
    assert re.search(progress, seen), seen
    assert b"\r\x1b[Kreplayed 1 files: 113 chunks" in seen  # the line is cleared for the summary
    quiet = on_a_terminal("replay", capture, "--offline", "--output", tmp_path / "q.jsonl",
                          "--quiet")  # fmt: skip
    assert quiet == b""


async def test_what_comes_before_from_is_not_waited_for(
    tmp_path: Path, broker: LocalBroker
) -> None:
    ten = int(datetime(2026, 11, 21, 10, 0, tzinfo=UTC).timestamp()) * 10**6
    writer = CaptureWriter(
        tmp_path / "paced.capture.jsonl", CaptureHeader(venue="velo", sources={"p3": P3_SOURCE})
    )
    writer.write(ten, "p3", b"")
    for n in range(1, 11):  # one passing a second, 10:00:01 to 10:00:10 UTC
        passing = Passing(passing_number=n, transponder=9, rtc_time_us=ten + n * 10**6)
        writer.write(ten + n * 10**6, "p3", encode(passing))
    writer.close()
    topic = "velotime/velo-replay/timing/passing"
    async with Subscriber(broker.port, topic, "ranged") as replayed:
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "velotime", "replay", str(writer.path),
            "--broker", broker.url, "--speed", "1", "--from", "10:00:09",
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await process.communicate()
        elapsed = time.monotonic() - started
        assert process.returncode == 0, stderr.decode()
        await replayed.wait_for(lambda: len(replayed.messages) >= 2, 10, "2 replayed")
    numbered = [(p["seq"], p["data"]["passing_number"]) for p in replayed.payloads()]
    assert numbered == [(9, 9), (10, 10)]  # numbered as in the whole session
    assert 1.0 <= elapsed < 6  # 9 to 10 paced at 1x; the 9 s before --from not waited for
    assert "range 10:00:09 to the end (UTC): 2 events output" in stderr.decode()
