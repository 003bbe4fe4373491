"""Results from a capture: device bytes and the operator's recorded commands, replayed with the
meet file, give the results worked out by hand, and the same bytes every time."""

import json
from pathlib import Path

import msgspec

from tests.cli.helpers import velotime
from tests.scoring.test_engine_flying200 import DNS, meet_text, timy_bytes
from velotime.capture import CONTROL_SOURCE, CaptureHeader, CaptureWriter
from velotime.wire.commands import Arm, Final, SetStatus


def write_capture(directory: Path) -> Path:
    """What the daemon would record: a Timy on C4/C3/C1 and the commands the desk sent."""
    timy = {
        "protocol": "timy",
        "channels": {"C4": {"line": "200m"}, "C3": {"line": "100m"}, "C1": {"line": "finish"}},
        "timezone": "UTC",
    }
    header = CaptureHeader(
        venue="test",
        sources={"timy": timy},
        lines={"finish": 0, "100m": 100, "200m": 200},
        track_length_m=250,
    )
    capture = CaptureWriter(directory / "session.capture.jsonl", header)
    chunks = timy_bytes()
    start = chunks[0][0]

    def command(t_us: int, value: object) -> None:
        capture.write(t_us, CONTROL_SOURCE, msgspec.json.encode(value))

    command(start - 2_000, Arm(event="f200"))
    command(start - 1_000, SetStatus(event="f200", bib=DNS, status="DNS"))
    capture.write(start - 500, "timy", b"")  # the timer's line opened
    for received_us, line in chunks:
        capture.write(received_us, "timy", line)
    command(chunks[-1][0] + 1_000, SetStatus(event="f200", bib=124, status="DSQ"))
    command(chunks[-1][0] + 2_000, Final(event="f200"))
    capture.close()
    return capture.path


def test_a_capture_replays_to_the_results_worked_out_by_hand(tmp_path: Path) -> None:
    capture = write_capture(tmp_path)
    meet = tmp_path / "meet.toml"
    meet.write_text(meet_text())
    files = []
    for run in ("a", "b"):
        result = velotime(
            "replay", capture, "--offline", "--meet", meet, "--results", tmp_path / run
        )
        assert result.returncode == 0, result.stderr
        assert "4 commands (0 unreadable)" in result.stderr
        files.append((tmp_path / run / "f200.json").read_bytes())
    assert files[0] == files[1]  # byte-identical
    results = json.loads(files[0])
    assert results["status"] == "final"
    # The order worked out in test_engine_flying200: 101, then 103 before 102 on the last
    # 100 m, the 104/105 draw, 106..122, then DNS and DSQ.
    assert [line["bib"] for line in results["lines"]] == [
        101, 103, 102, 104, 105, *range(106, 123), DNS, 124,
    ]  # fmt: skip
    assert results["lines"][0]["time"] == "10.724"


def test_replay_without_lines_in_the_capture_says_so(tmp_path: Path) -> None:
    capture = CaptureWriter(tmp_path / "old.capture.jsonl", CaptureHeader(venue="v", sources={}))
    capture.close()
    meet = tmp_path / "meet.toml"
    meet.write_text(meet_text())
    result = velotime("replay", capture.path, "--offline", "--meet", meet)
    assert result.returncode == 2
    assert "does not name the venue's lines" in result.stderr
