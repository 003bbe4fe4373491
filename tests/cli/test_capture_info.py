"""`velotime capture info` as an official (or a tool) runs it: what a capture holds, when each
event was armed and made final, and what in the file could not be read."""

import json
import subprocess
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.cli.helpers import velotime, velotime_main
from tests.scoring.scenarios import keirin, kilometre
from tests.scoring.scenarios.keirin import FINAL_1_6, FINAL_7_12, MIDNIGHT_US, R1H1, R1H2
from velotime.capture import CONTROL_SOURCE, CaptureHeader, CaptureWriter, read_capture
from velotime.wire.commands import Arm, Final


def info(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return velotime_main("capture", "info", *args)


def info_json(*args: str | Path) -> dict[str, Any]:
    result = info(*args, "--json")
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def sizes(capture: Path) -> dict[str, int]:
    totals: dict[str, int] = {}
    for chunk in read_capture(capture).chunks():
        totals[chunk.src] = totals.get(chunk.src, 0) + len(chunk.data)
    return totals


def words(lines: list[str], first: str) -> list[str]:
    (line,) = [line for line in lines if line.split()[:1] == [first]]
    return line.split()


# The desk's commands in the kilometre (tests/scoring/scenarios/kilometre.py): armed 2 min
# before the first slot (15:00), a rider named every 3 min (2 twice: the restart), 3 DNF 90 s
# after the gate (60.0123 s after naming), 8 DNS at the end of the slots (15:24), provisional
# a minute later, final 3 min later.
KILOMETRE_TIMELINE = [
    ["14:58:00", "arm", "kilo"],
    ["15:00:00", "next_rider", "kilo", "bib", "1"],
    ["15:03:00", "next_rider", "kilo", "bib", "2"],
    ["15:06:00", "next_rider", "kilo", "bib", "2"],
    ["15:09:00", "next_rider", "kilo", "bib", "3"],
    ["15:11:30", "status", "kilo", "bib", "3", "DNF", '"abandoned"'],
    ["15:12:00", "next_rider", "kilo", "bib", "4"],
    ["15:15:00", "next_rider", "kilo", "bib", "5"],
    ["15:18:00", "next_rider", "kilo", "bib", "6"],
    ["15:21:00", "next_rider", "kilo", "bib", "7"],
    ["15:24:00", "status", "kilo", "bib", "8", "DNS", '"not', "at", "the", 'start"'],
    ["15:25:00", "provisional", "kilo"],
    ["15:27:00", "final", "kilo"],
]


def test_info_shows_the_sources_the_commands_and_the_events(tmp_path: Path) -> None:
    capture = kilometre.write_capture(tmp_path)
    result = info(capture)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    size = sizes(capture)
    assert lines[:4] == [
        str(capture),
        "  venue velodrome-test, started 2026-11-21 14:54:59 (Europe/Amsterdam)",
        f"  113 chunks, {sum(size.values())} bytes, from 2026-11-21 14:55:00 to 15:27:00",
        "  lines finish 0 m; track 250 m",
    ]
    # Counted by hand in tests/cli/test_replay.py (the same capture): 51, 49 and 13 chunks.
    assert words(lines, "p3-finish") == [
        "p3-finish", "p3", "finish", "51", str(size["p3-finish"]), "14:55:00", "15:23:19",
        "tcp://10.0.0.10:5403",
    ]  # fmt: skip
    assert words(lines, "timy") == [
        "timy", "timy", "C0", "start,", "C1", "finish", "49", str(size["timy"]), "14:55:00",
        "15:23:19", "serial:///dev/ttyUSB0",
    ]  # fmt: skip
    at = lines.index("  commands: 13 (0 unreadable)")
    assert [line.split() for line in lines[at + 1 : at + 14]] == KILOMETRE_TIMELINE
    assert lines[at + 14 :] == [
        "  events, as the desk sent them (--meet: as the scoring took them):",
        "    kilo  armed 14:58:00  provisional 15:25:00  final 15:27:00  for 29:00  13 commands",
        "  unreadable lines: 0",
    ]


def at_utc(hours: int, minutes: int, seconds: int = 0) -> int:
    return MIDNIGHT_US + ((hours * 60 + minutes) * 60 + seconds) * 10**6


def test_info_json_finds_when_each_event_was_armed_and_finalised(tmp_path: Path) -> None:
    capture = keirin.write_capture(tmp_path)
    (file,) = info_json(capture)["files"]
    assert list(file) == [
        "path", "venue", "timezone", "started_us", "started", "first_us", "first", "last_us",
        "last", "chunks", "bytes", "lines", "track_length_m", "sources", "commands",
        "unreadable_commands", "events", "unreadable_lines", "checked_with_meet",
    ]  # fmt: skip
    assert (file["venue"], file["timezone"], file["started_us"]) == ("keirin-track", "UTC", None)
    assert file["lines"] == {"finish": 0, "200m": 200}
    # tests/scoring/scenarios/keirin.py: 74 passings (heats of 6 crossing the line at the bell
    # and the finish and the 200 m line on the last lap: 18 each; 10 DNF at the finish of
    # round 1 heat 2, with 6 crossings of the abandoned start: 23; the final 7-12, 5 riders: 15)
    # and the connection; the camera for 2 heats (armed, running time, results) and its
    # connection; 21 commands.
    p3 = file["sources"]["p3"]
    assert (p3["protocol"], p3["lines"], p3["chunks"], p3["connections"]) == (
        "p3", "300101 finish, 300102 200m", 75, 1,
    )  # fmt: skip
    assert file["sources"]["lynx"]["chunks"] == 7
    assert file["sources"]["control"]["chunks"] == 21
    assert file["chunks"] == 75 + 7 + 21
    # Each heat armed 7 min before its start, final 2 min 10 s + 3 min after it.
    starts = {R1H1: (14, 0), R1H2: (14, 15), FINAL_1_6: (14, 30), FINAL_7_12: (14, 40)}
    expected = [
        (event, [at_utc(h, m) - 420 * 10**6], at_utc(h, m) + 310 * 10**6)
        for event, (h, m) in starts.items()
    ]
    assert [(e["event"], e["armed_us"], e["final_us"]) for e in file["events"]] == expected
    final_16 = file["events"][2]
    assert (final_16["armed"], final_16["final"]) == (
        ["2026-11-21T14:23:00+00:00"],
        "2026-11-21T14:35:10+00:00",
    )
    abandon = [c for c in file["commands"] if c["type"] == "abandon"]
    assert abandon == [
        {
            "t_us": at_utc(14, 11),  # a minute after the first start, 5 min before the rerun
            "time": "2026-11-21T14:11:00+00:00",
            "type": "abandon",
            "event": R1H2,
            "bib": None,
            "command": {"type": "abandon", "event": R1H2, "reason": "crash in lap 1"},
            "error": None,
            "refused": None,  # unknown without --meet (checked_with_meet is None)
        }
    ]
    assert file["checked_with_meet"] is None
    assert (file["unreadable_commands"], file["unreadable_lines"]) == (0, [])


def test_the_venues_time_zone_can_be_given(tmp_path: Path) -> None:
    capture = keirin.write_capture(tmp_path)
    (file,) = info_json(capture, "--timezone", "Europe/Amsterdam")["files"]
    assert file["timezone"] == "Europe/Amsterdam"
    assert file["events"][0]["armed"] == ["2026-11-21T14:53:00+01:00"]  # 13:53 UTC


def test_a_garbled_and_cut_short_capture_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    capture = kilometre.write_capture(tmp_path)
    lines = capture.read_bytes().splitlines(keepends=True)  # the header and 113 chunks
    garbled = [*lines[:10], b"\x00\x00\x00 a bad disk\n", *lines[10:]]  # line 11
    capture.write_bytes(b"".join(garbled)[:-10])  # line 115, the final at 15:27, cut short
    result = info(capture)
    assert result.returncode == 0, result.stderr
    text = result.stdout.splitlines()
    assert "  commands: 12 (0 unreadable)" in text
    # Not final: its span runs to its last command, provisional at 15:25 (27 min after 14:58).
    assert words(text, "kilo")[-6:] == ["not", "final", "for", "27:00", "12", "commands"]
    at = text.index("  unreadable lines: 2")
    assert text[at + 1].startswith("    line 11: ")
    assert text[at + 2] == "    line 115: truncated last line"
    (file,) = info_json(capture)["files"]
    assert file["chunks"] == 112
    assert [problem["line"] for problem in file["unreadable_lines"]] == [11, 115]
    assert file["events"][0]["final_us"] is None


def test_unreadable_commands_are_in_the_timeline_and_counted_as_replay_counts_them(
    tmp_path: Path,
) -> None:
    header = CaptureHeader(venue="v", sources={CONTROL_SOURCE: {"protocol": "control"}})
    writer = CaptureWriter(tmp_path / "desk.capture.jsonl", header)
    writer.write(10**6, CONTROL_SOURCE, msgspec.json.encode(Arm(event="f200")))
    writer.write(2 * 10**6, CONTROL_SOURCE, b'{"type": "arm"}')  # no event
    writer.write(3 * 10**6, CONTROL_SOURCE, b"arm f200")  # not JSON
    writer.write(4 * 10**6, CONTROL_SOURCE, msgspec.json.encode(Final(event="f200")))
    writer.close()
    result = info(writer.path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    at = lines.index("  commands: 4 (2 unreadable)")
    timeline = [line.split(maxsplit=2) for line in lines[at + 1 : at + 5]]
    assert timeline == [
        ["00:00:01", "arm", "f200"],
        [
            "00:00:02",
            "unreadable",
            '"{\\"type\\": \\"arm\\"}": Object missing required field `event`',
        ],
        ["00:00:03", "unreadable", '"arm f200": JSON is malformed: invalid character (byte 0)'],
        ["00:00:04", "final", "f200"],
    ]
    (file,) = info_json(writer.path)["files"]
    commands = file["commands"]
    assert [c["command"] for c in commands[1:3]] == [{"type": "arm"}, None]
    assert all(c["error"] for c in commands[1:3])
    assert file["unreadable_commands"] == 2
    replayed = velotime("replay", writer.path, "--offline")
    assert "4 commands (2 unreadable)" in replayed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("README.md",), "velotime capture info: README.md: not a velotime capture header"),
        (("/nonexistent.capture.jsonl",), "No such file"),
        (("README.md", "--timezone", "Mars/Base"), "unknown time zone 'Mars/Base'"),
    ],
)
def test_what_is_no_capture_exits_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = info(*args)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_capture_without_an_action_is_a_usage_error() -> None:
    result = velotime("capture")
    assert result.returncode == 2
    assert "required: ACTION" in result.stderr
