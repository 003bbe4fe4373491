"""The demo's session, without a broker or a process: its timeline recorded as the daemon would
record what the devices send (a capture), replayed offline with the meet, gives the results
worked out by hand from the designed times (tests/demo/expected.py). The live demo
(tests/cli/test_demo.py) gives the same through the real daemon."""

import json
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest

from tests.demo import expected
from velotime.capture import CONTROL_SOURCE, CaptureHeader, CaptureWriter
from velotime.cli import main as velotime
from velotime.daemon.sources import ControlDescription
from velotime.demo.script import (
    FLYING200,
    KEIRIN,
    KEIRIN_RIDERS,
    KILOMETRE,
    KILOMETRE_RIDERS,
    PHOTO_CAMERA_US,
    PHOTO_LOOP_US,
    POINTS,
    POINTS_LAPS,
    SPRINT_EVERY,
    TRACK_M,
    build_session,
)
from velotime.demo.timeline import Camera, Desk, Impulse, Read, build_timeline
from velotime.demo.venue import DECODER_IDS, LINES, ROLES, TIMY_CHANNELS
from velotime.drivers.timy.session import Channel
from velotime.families.lynx.source import LynxDescription
from velotime.families.p3.source import P3Description
from velotime.families.timy.source import TimyDescription
from velotime.protocols import lynx, p3, timy

T0_US = int(datetime(2026, 11, 21, 23, 50, tzinfo=UTC).timestamp()) * 1_000_000  # past midnight
UTC_ZONE = ZoneInfo("UTC")


def write_capture(seed: int, path: Path, until_us: int | None = None) -> Path:
    """What the daemon records of the demo's session: each message when it is sent (`until_us`:
    those sent before this session offset only)."""
    session = build_session(seed)
    numbers = dict.fromkeys(DECODER_IDS, 0)
    chunks: list[tuple[int, str, bytes]] = []
    for action in build_timeline(session, T0_US, UTC_ZONE):
        if until_us is not None and action.at_us >= T0_US + until_us:
            break
        if isinstance(action, Read):
            numbers[action.line] += 1
            passing = p3.Passing(
                passing_number=numbers[action.line],
                transponder=action.transponder,
                rtc_time_us=action.t_us,
                decoder_id=DECODER_IDS[action.line],
            )
            chunks.append((action.at_us, f"p3-{action.line}", p3.encode(passing)))
        elif isinstance(action, Impulse):
            line = timy.Impulse(
                number=action.number, channel=action.channel, time_of_day_us=action.time_of_day_us
            )
            chunks.append((action.at_us + 2_000, "timy", timy.encode(line)))
        elif isinstance(action, Camera):
            chunks.append((action.at_us, "lynx", lynx.encode(action.record)))
        elif isinstance(action, Desk):
            chunks.append((action.at_us, CONTROL_SOURCE, msgspec.json.encode(action.command)))
    sources = {
        **{f"p3-{line}": P3Description(line=line, clock="decoder") for line in DECODER_IDS},
        "timy": TimyDescription(
            channels={
                key: Channel(line=str(c["line"]), dead_time_us=int(c["dead_time_ms"]) * 1000)
                for key, c in TIMY_CHANNELS.items()
            },
        ),
        "lynx": LynxDescription(),
        CONTROL_SOURCE: ControlDescription(),
    }
    header = CaptureHeader(
        venue="demo",
        sources={name: description.to_builtins() for name, description in sources.items()},
        started_us=T0_US - 1_000_000,
        lines=LINES,
        track_length_m=TRACK_M,
        roles=ROLES,
    )
    capture = CaptureWriter(path, header)
    for t_us, source, data in sorted(chunks, key=lambda chunk: chunk[0]):
        capture.write(t_us, source, data)
    capture.close()
    return path


def test_the_designed_session_is_what_the_demo_promises() -> None:
    session = build_session(7)
    assert len(session.flying200) >= 18
    assert len(session.kilometre) == KILOMETRE_RIDERS == 8
    assert len(session.keirin.riders) == KEIRIN_RIDERS == 6
    assert build_session(7) == session  # the seed decides everything
    assert build_session(8) != session
    # A photo finish the loops get wrong: the camera decides.
    winner, second = session.keirin.order[:2]
    race = session.keirin
    assert race.camera_time_us[second] - race.camera_time_us[winner] < 30_000
    assert (race.camera_time_us[second] + race.loop_lag_us[second]) < (
        race.camera_time_us[winner] + race.loop_lag_us[winner]
    )


def test_the_points_race_is_ridden_at_a_bunch_s_pace_on_the_venue_clock() -> None:
    """The lap counter takes a lap under 10 s (90 km/h on 250 m) for a double read: every lap
    of the points race, on the decoders' (venue) clock, is 14 s or more (64 km/h at most,
    the breakaway's last lap into the final sprint), however fast the demo plays it. The
    bunch rides 21 passages for the 20 laps (one neutralised), the breakaway 22 (a lap up);
    the photo-finish sprint's first two are closer than the loops can part (30 ms) and the
    camera has them the other way round."""
    race = build_session(7).points
    passages = race.passages_us()
    for bib, times in passages.items():
        laps = [after - before for before, after in pairwise(times)]
        assert min(laps) >= 14_000_000, bib
        assert len(laps) == POINTS_LAPS + 1 + (bib == race.breakaway)
    loops = sorted(PHOTO_LOOP_US, key=PHOTO_LOOP_US.__getitem__)
    camera = list(PHOTO_CAMERA_US)
    assert loops[:2] == camera[:2][::-1]
    assert PHOTO_LOOP_US[loops[1]] - PHOTO_LOOP_US[loops[0]] < 30_000
    assert SPRINT_EVERY * 4 == POINTS_LAPS


@pytest.mark.parametrize("seed", [7, 2026])
def test_a_replay_of_the_session_scores_the_designed_results(tmp_path: Path, seed: int) -> None:
    session = build_session(seed)
    capture = write_capture(seed, tmp_path / "demo.capture.jsonl")
    meet = tmp_path / "meet.toml"
    meet.write_text(session.meet_text(), encoding="utf-8")
    results = tmp_path / "results"
    status = velotime(
        ["replay", str(capture), "--meet", str(meet), "--offline", "--quiet",
         "--output", str(tmp_path / "events.jsonl"), "--results", str(results)]
    )  # fmt: skip
    assert status == 0
    for event, lines in expected.results(session).items():
        result = json.loads((results / f"{event}.json").read_text(encoding="utf-8"))
        assert result["status"] == "final"
        assert result["lines"] == lines, event
    keirin = json.loads((results / f"{KEIRIN}.json").read_text(encoding="utf-8"))
    last_200, kmh = expected.keirin_last_200(session)
    assert (keirin["winner_last_200"], keirin["winner_last_200_kmh"]) == (last_200, kmh)
    km = json.loads((results / f"{KILOMETRE}.json").read_text(encoding="utf-8"))
    assert km["problems"] == []
    assert {path.stem for path in results.glob("*.json")} == {FLYING200, KILOMETRE, KEIRIN, POINTS}
    points = json.loads((results / f"{POINTS}.json").read_text(encoding="utf-8"))
    assert points["sprints"] == expected.points_sprints(session)
    assert points["lap_changes"] == [{"bib": session.points.breakaway, "change": 1, "lap": 16}]
    assert points["problems"] == []
