"""The venue's pursuit lines and start gates reach the scorers as what they are: a passing on
the home pursuit line is `Role.PURSUIT_HOME` whatever its name or distance, a gate impulse is
`Role.GATE_HOME`/`GATE_BACK`, and the scorer's `Venue` says where the pursuit lines are. A
throwaway scorer stands in for the pursuit's, which is built elsewhere."""

from pathlib import Path
from typing import ClassVar

import msgspec
import pytest

from tests.scoring import events
from velotime.capture import CONTROL_SOURCE, CaptureHeader, CaptureWriter
from velotime.daemon.sources import photocell_lines
from velotime.drivers.timy.session import Channel
from velotime.families.timy.source import TimyDescription
from velotime.protocols.timy import Impulse, encode
from velotime.replay.replayer import Replayer
from velotime.replay.sinks import JsonLinesSink
from velotime.scoring import disciplines
from velotime.scoring.disciplines.base import EventState, Role, Scored, Venue
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import Meet, MeetEvent, parse_meet
from velotime.wire.commands import Arm, Command

MEET = """
[meet]
id = "roles"

[[riders]]
bib = 1
name = "Red"
transponders = [501]

[[riders]]
bib = 2
name = "Green"
transponders = [502]

[[events]]
id = "ip"
discipline = "time_trial"
distance_m = 4000
start_order = [1, 2]
"""
# A 250 m track: the finish 15 m after the middle of the home straight, the back pursuit line
# half a lap (125 m) on: 15 + 125 = 140 m before the finish. The names say nothing of roles.
LINES = {"finish": 0.0, "200m": 200.0, "red": 15.0, "green": 140.0}
ROLES = {"red": "pursuit-home", "green": "pursuit-back"}


class RecordingScorer:
    """Keeps the venue it was made with and the crossings it was asked to score."""

    made: ClassVar[list["RecordingScorer"]] = []

    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        self.venue = venue
        self.roles: list[tuple[Role, int, bool]] = []
        RecordingScorer.made.append(self)

    def score(self, state: EventState) -> Scored:
        self.roles = [(c.role, c.t_us, c.photocell) for c in state.crossings]
        return Scored([], {})

    def start_us(self, state: EventState) -> int | None:
        return None

    def refuses(self, command: Command) -> str | None:
        return None


@pytest.fixture
def scorer(monkeypatch: pytest.MonkeyPatch) -> type[RecordingScorer]:
    monkeypatch.setattr(RecordingScorer, "made", [])
    # The event's discipline is any the meet file takes (its checks are not this test's): the
    # engine asks whatever scorer the registry names for it.
    monkeypatch.setitem(disciplines.DISCIPLINES, "time_trial", RecordingScorer)
    return RecordingScorer


def test_pursuit_lines_and_gates_reach_the_scorer_as_their_roles(
    scorer: type[RecordingScorer],
) -> None:
    timy = TimyDescription(
        channels={
            "C1": Channel(line="finish"),
            "C2": Channel(line="gate-home"),
            "C3": Channel(line="gate-back"),
            "C5": Channel(line="red"),
        }
    )
    engine = ScoringEngine(parse_meet(MEET), LINES, 250, photocell_lines([timy]), line_roles=ROLES)
    engine.command(Arm(event="ip"))
    engine.feed(events.impulse("gate-home", 1_000_000, channel="C2"))
    engine.feed(events.impulse("gate-back", 1_000_000, channel="C3"))
    engine.feed(events.passing("red", 20_000_000, 501))
    engine.feed(events.passing("green", 20_100_000, 502))
    engine.feed(events.impulse("red", 20_000_100, channel="C5"))
    engine.feed(events.passing("finish", 21_000_000, 501))
    engine.results("ip")
    (made,) = scorer.made
    assert made.roles == [
        (Role.GATE_HOME, 1_000_000, True),
        (Role.GATE_BACK, 1_000_000, True),
        (Role.PURSUIT_HOME, 20_000_000, False),
        (Role.PURSUIT_BACK, 20_100_000, False),
        (Role.PURSUIT_HOME, 20_000_100, True),
        (Role.FINISH, 21_000_000, False),
    ]
    # Where the pursuit lines are, and that the home one has a photocell (the gates are none).
    assert made.venue == Venue(250, frozenset({Role.FINISH, Role.PURSUIT_HOME}), (15, 140))


def test_without_roles_the_lines_are_known_by_distance_alone(
    scorer: type[RecordingScorer],
) -> None:
    """A capture made before lines had roles: 15 m and 140 m are no distance the scoring
    knows, so those passings time nothing; the finish is still the finish."""
    engine = ScoringEngine(parse_meet(MEET), LINES, 250)
    engine.command(Arm(event="ip"))
    engine.feed(events.passing("red", 20_000_000, 501))
    engine.feed(events.passing("finish", 21_000_000, 501))
    engine.results("ip")
    (made,) = scorer.made
    assert made.roles == [(Role.FINISH, 21_000_000, False)]
    assert made.venue.pursuit_lines_m is None


def test_a_role_the_engine_does_not_know_leaves_the_line_to_its_distance(
    scorer: type[RecordingScorer],
) -> None:
    """A newer capture's role on the 200 m line: the line stays the 200 m line."""
    engine = ScoringEngine(parse_meet(MEET), LINES, 250, line_roles={"200m": "sprint-line"})
    engine.command(Arm(event="ip"))
    engine.feed(events.passing("200m", 5_000_000, 501))
    engine.results("ip")
    assert scorer.made[0].roles == [(Role.LINE_200, 5_000_000, False)]


# --- Replay: the roles come from the capture's header ------------------------------------------

MIDNIGHT_US = 1_795_219_200_000_000  # 2026-11-21 00:00 UTC
TEN_OCLOCK = 36_000_000_000  # 10:00:00 as a time of day


def write_capture(directory: Path, roles: dict[str, str]) -> Path:
    """What the daemon records at a venue whose Timy has the home gate on C2 and a photocell
    on the red line on C5: the desk arms the event, the gate opens at 10:00:00, the red
    photocell fires 4 min 20.1234 s later."""
    timy = TimyDescription(channels={"C2": Channel(line="gate-home"), "C5": Channel(line="red")})
    header = CaptureHeader(
        venue="v",
        sources={"timy": timy.to_builtins()},
        lines=LINES,
        track_length_m=250,
        roles=roles,
    )
    capture = CaptureWriter(directory / f"roles-{len(roles)}.capture.jsonl", header)
    start = MIDNIGHT_US + TEN_OCLOCK
    capture.write(start - 2_000, CONTROL_SOURCE, msgspec.json.encode(Arm(event="ip")))
    capture.write(start - 1_000, "timy", b"")  # the timer's line opened
    for channel, at in ((2, TEN_OCLOCK), (5, TEN_OCLOCK + 260_123_400)):
        line = encode(Impulse(number=0, channel=channel, time_of_day_us=at))
        capture.write(MIDNIGHT_US + at + 5_000, "timy", line)
    capture.close()
    return capture.path


def replayed_roles(path: Path) -> list[tuple[Role, int, bool]]:
    replayer = Replayer(JsonLinesSink(None), parse_meet(MEET))
    for chunk in replayer.file_chunks(path, None):
        replayer.feed(chunk, output=False)
    assert replayer.engine is not None
    replayer.engine.results("ip")
    return RecordingScorer.made[-1].roles


def test_a_replay_finds_the_pursuit_lines_from_the_capture_header(
    tmp_path: Path, scorer: type[RecordingScorer]
) -> None:
    """The gate's impulse at 10:00:00 (venue clock: midnight + 36,000 s) and the red line's
    photocell at 10:04:20.1234, as the live scoring saw them."""
    start = MIDNIGHT_US + TEN_OCLOCK
    assert replayed_roles(write_capture(tmp_path, ROLES)) == [
        (Role.GATE_HOME, start, True),
        (Role.PURSUIT_HOME, start + 260_123_400, True),
    ]


def test_a_capture_without_roles_replays_as_before(
    tmp_path: Path, scorer: type[RecordingScorer]
) -> None:
    """No roles in the header (a capture from before them): the red line, 15 m before the
    finish, is no line the scoring knows; the gate is still a gate."""
    assert replayed_roles(write_capture(tmp_path, {})) == [
        (Role.GATE_HOME, MIDNIGHT_US + TEN_OCLOCK, True)
    ]
