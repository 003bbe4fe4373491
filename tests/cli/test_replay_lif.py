"""`velotime replay` of FinishLynx result files: from a capture (the daemon recorded them as the
`lif` source) and alone (`replay FILE.lif`), scored with a meet. The heat, its files and the
figures worked out by hand are those of tests/daemon/test_lif_import_integration.py."""

import json
import time
from pathlib import Path

from tests.cli.helpers import velotime_main
from tests.daemon.test_lif_import_integration import (
    CORRECTED,
    EVENT,
    FIRST,
    meet_text,
    write_lif,
)
from velotime.capture import CONTROL_SOURCE, LIF_SOURCE, CaptureHeader, CaptureWriter
from velotime.protocols.lif.upload import LifUpload, encode_upload

# By hand (module docstring of the integration test): the corrected heat, the camera alone.
CORRECTED_LINES = [(1, 22, None), (2, 24, "+0.006"), (3, 21, "+0.271"), (4, 25, "+0.575"),
                   (5, 23, "+0.577"), (6, 26, "+0.876")]  # fmt: skip


def lines_of(path: Path) -> list[tuple[int | None, int, str | None]]:
    result = json.loads(path.read_bytes())
    return [(line.get("rank"), line["bib"], line.get("gap")) for line in result["lines"]]


def test_a_result_file_alone_is_scored_as_the_event_its_heat_names(tmp_path: Path) -> None:
    """No capture, no desk: the file's heat (event 1, round 1, heat 1) is the meet's first event,
    keirin-r1-h1, as `velotime meet lynx-export` numbered it for the camera; armed for it."""
    meet = tmp_path / "meet.toml"
    meet.write_text(meet_text())
    lif = tmp_path / "007-1-01.lif"
    write_lif(lif, CORRECTED, time.time())
    results = tmp_path / "results"
    result = velotime_main(
        "replay", lif, "--offline", "--output", tmp_path / "events.jsonl",
        "--meet", meet, "--results", results,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{lif}: heat 1-1-1 'Keirin Men' scored as {EVENT}" in result.stderr
    assert lines_of(results / f"{EVENT}.json") == CORRECTED_LINES
    assert (results / f"{EVENT}.csv").exists()


def test_a_result_file_of_no_heat_of_the_meet_says_so_and_exits_1(tmp_path: Path) -> None:
    """The meet has one event (FinishLynx's event 1): a file of event 2 is none of its heats."""
    meet = tmp_path / "meet.toml"
    meet.write_text(meet_text())
    lif = tmp_path / "002-1-01.lif"
    write_lif(lif, FIRST, time.time(), event=2)
    results = tmp_path / "results"
    result = velotime_main(
        "replay", lif, "--offline", "--output", tmp_path / "events.jsonl",
        "--meet", meet, "--results", results,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"{lif}: heat 2-1-1 'Keirin Men' is no heat of the meet" in result.stderr
    assert result.stderr.endswith(
        f"velotime replay: no event was scored: no result files written to {results}\n"
    )
    assert not list(results.glob("*.json"))


def test_a_replay_that_gives_no_event_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty.lif"
    empty.write_bytes(b"")
    result = velotime_main("replay", empty, "--offline", "--output", tmp_path / "out.jsonl")
    assert result.returncode == 0
    assert "velotime replay: nothing replayed: the files gave no events" in result.stderr


def test_result_files_in_a_capture_replay_to_the_heat_they_give(tmp_path: Path) -> None:
    """A capture as the daemon writes it: the desk arms the heat, import-lif hands over the
    file, then the file written again after the correction, and the desk makes it final. The
    replay scores the corrected file, all of it (the unchanged lines too)."""
    meet = tmp_path / "meet.toml"
    meet.write_text(meet_text())
    start_us = 1_795_276_800_000_000  # 2026-11-21 15:20:00 UTC, 20 minutes after the heat
    header = CaptureHeader(
        venue="velo",
        sources={
            CONTROL_SOURCE: {"protocol": "control"},
            LIF_SOURCE: {"protocol": "lif", "timezone": "UTC"},
        },
        started_us=start_us,
        lines={"finish": 0.0},
    )
    capture_path = tmp_path / "velo.capture.jsonl"
    capture = CaptureWriter(capture_path, header)
    for t_us, src, data in [
        (start_us + 1_000_000, CONTROL_SOURCE, b'{"type": "arm", "event": "keirin-r1-h1"}'),
        (start_us + 2_000_000, LIF_SOURCE, upload(tmp_path, FIRST, start_us)),
        (start_us + 3_000_000, LIF_SOURCE, upload(tmp_path, CORRECTED, start_us + 2_500_000)),
        (start_us + 4_000_000, CONTROL_SOURCE, b'{"type": "final", "event": "keirin-r1-h1"}'),
    ]:
        capture.write(t_us, src, data)
    capture.close()
    results = tmp_path / "results"
    result = velotime_main(
        "replay", capture_path, "--offline", "--output", tmp_path / "events.jsonl",
        "--meet", meet, "--results", results,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert lines_of(results / f"{EVENT}.json") == CORRECTED_LINES
    assert json.loads((results / f"{EVENT}.json").read_bytes())["status"] == "final"
    replayed = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    photo_finish = [e for e in replayed if e["kind"] == "photofinish"]
    assert len(photo_finish) == 2 * 8  # each version: started, 6 results, complete
    assert {e["src"] for e in photo_finish} == {LIF_SOURCE}


def upload(directory: Path, rows: list[tuple[int, int, str]], written_us: int) -> bytes:
    """The message import-lif sends for the file with these rows, written at `written_us`."""
    path = directory / "007-1-01.lif"
    write_lif(path, rows, written_us / 1e6)
    return encode_upload(LifUpload(name=path.name, written_us=written_us, data=path.read_bytes()))
