"""A team sprint heat through the scoring engine: the venue's pursuit lines and gates by their
roles, the desk's commands naming a team by its number. The heat's figures are
test_team_sprint.py's, worked out by hand in its docstring (team 20 first on the last lap at
43.999 each)."""

from typing import Any

import pytest

from tests.scoring.events import command, impulse, passing, payload
from tests.scoring.scenarios.devices import riders_toml
from tests.scoring.test_team_sprint import (
    BACK_LAPS,
    BACK_RIDERS,
    FOLLOW_US,
    HOME_LAPS,
    HOME_RIDERS,
    READ_LATE_US,
)
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import MeetError, parse_meet
from velotime.wire.commands import Abandon, Arm, Correct, NextRider, SetStatus
from velotime.wire.events import Event, ImpulseData, PassingData

T0 = 1_795_250_000_000_000  # the gates' release, venue clock
# A 250 m track: the home pursuit line 15 m before the finish, the back one half a lap on.
LINES = {"finish": 0.0, "red": 15.0, "green": 140.0}
ROLES = {"red": "pursuit-home", "green": "pursuit-back"}
HOME_HALF = [9_500_100, 23_900_000, 37_300_000]
BACK_HALF = [9_600_000, 23_950_000, 37_350_000]


def engine(teams: str = "10, 20", match: bool = True) -> ScoringEngine:
    riders = riders_toml({bib: (f"Rider {bib}", "NED", 9000 + bib) for bib in range(1, 7)})
    listed = {
        "10": '[[events.teams]]\nnumber = 10\nname = "Home"\nnation = "NED"\nriders = [1, 2, 3]\n',
        "20": '[[events.teams]]\nnumber = 20\nname = "Back"\nnation = "GBR"\nriders = [4, 5, 6]\n',
    }
    meet = parse_meet(
        f'[meet]\nid = "t"\n{riders}[[events]]\nid = "ts"\ndiscipline = "team_sprint"\n'
        f"match = {str(match).lower()}\n" + "".join(listed[t] for t in teams.split(", "))
    )
    scoring = ScoringEngine(meet, LINES, 250, photocell_lines=["red", "green"], line_roles=ROLES)
    scoring.feed(command(Arm(event="ts"), T0 - 60_000_000))
    return scoring


def passage(line: str, t_us: int, riders: tuple[int, ...]) -> list[Event]:
    out = []
    for i, bib in enumerate(riders):
        wheel = t_us + i * FOLLOW_US
        out.append(impulse(line, wheel))
        out.append(passing(line, wheel + READ_LATE_US, 9000 + bib))
    return out


def ride(
    scoring: ScoringEngine, *, sides: tuple[str, ...] = ("home", "back"), at: int = T0
) -> None:
    """The heat's timing, the gates released at `at`."""
    timing: list[Event] = []
    if "home" in sides:
        timing.append(impulse("gate-home", at))
        for k in range(3):
            timing += passage("red", at + HOME_LAPS[k], HOME_RIDERS[k:])
            timing += passage("green", at + HOME_HALF[k], HOME_RIDERS[k:])
    if "back" in sides:
        timing.append(impulse("gate-back", at))
        for k in range(3):
            timing += passage("green", at + BACK_LAPS[k], BACK_RIDERS[k:])
            timing += passage("red", at + BACK_HALF[k], BACK_RIDERS[k:])
    for event in sorted(timing, key=t_us):
        scoring.take(event)


def t_us(event: Event) -> int:
    assert isinstance(event.data, PassingData | ImpulseData)
    return event.data.t_us


def result(scoring: ScoringEngine) -> dict[str, Any]:
    return scoring.results("ts")


def ranks(scoring: ScoringEngine) -> list[tuple[int, int | None, str, str | None]]:
    return [
        (line["bib"], line["rank"], line.get("status", ""), line.get("time"))
        for line in result(scoring)["lines"]
    ]


def test_a_heat_from_the_pursuit_lines_and_gates() -> None:
    """Team 20 1st on the last lap, both 43.999; the board's laps on each team's line and half
    laps on the other's: team 10 half lap 1 9.500 (its riders on the back line), lap 1 17.234."""
    scoring = engine()
    ride(scoring)
    assert ranks(scoring) == [(20, 1, "", "43.999"), (10, 2, "", "43.999")]
    board = result(scoring)["team_sprint"]
    assert [p["cumulative"] for p in board["teams"][0]["points"]] == [
        "9.500", "17.234", "23.900", "30.567", "37.300", "43.999",
    ]  # fmt: skip
    assert result(scoring)["problems"] == []


def test_the_desk_relegates_a_team_by_its_number_and_corrects_a_time() -> None:
    """REL on 20 (a changeover fault, 3.2.153): 10 first. Then the commissaires set 10's time
    to 44.100: still first (20 is relegated), flagged corrected, no splits."""
    scoring = engine()
    ride(scoring)
    rel = SetStatus(event="ts", bib=20, status="REL", reason="changeover")
    scoring.feed(command(rel, T0 + 90_000_000))
    assert ranks(scoring) == [(10, 1, "", "43.999"), (20, 2, "REL", "43.999")]
    scoring.feed(
        command(Correct(event="ts", bib=10, time="44.100", reason="timing"), T0 + 99_000_000)
    )
    first = result(scoring)["lines"][0]
    assert (first["bib"], first["time"], first["flags"]) == (10, "44.100", ["corrected"])


def test_next_rider_is_refused_with_its_reason() -> None:
    scoring = engine()
    scoring.feed(command(NextRider(event="ts", bib=1), T0 - 30_000_000))
    assert any("no rider to name" in refusal for refusal in scoring.skipped_commands)


def test_a_team_alone() -> None:
    """One team, no match: it rides for a time (3.2.148 bis): 43.999, its half laps on the
    back line with no gap."""
    scoring = engine("10", match=False)
    ride(scoring, sides=("home",))
    assert ranks(scoring) == [(10, 1, "", "43.999")]
    points = result(scoring)["team_sprint"]["teams"][0]["points"]
    assert {p["gap"] for p in points} == {None}


def test_the_result_publication_carries_the_board() -> None:
    """Timing taken one event at a time, the changes built once: one result of the heat, with
    its board."""
    scoring = engine()
    ride(scoring)
    (published,) = [payload(p) for p in scoring.changes() if p.key == "results/ts"]
    assert [team["team"] for team in published["team_sprint"]["teams"]] == [10, 20]


def test_an_abandoned_heat_is_timed_again_from_its_new_start() -> None:
    """The heat ridden, then abandoned (stopped to be run again): nothing timed; ridden again
    from gates 5 minutes later, the same figures, one start each (the first heat's timing no
    longer counts)."""
    scoring = engine()
    ride(scoring)
    scoring.feed(command(Abandon(event="ts", reason="crash"), T0 + 100_000_000))
    assert ranks(scoring) == [(10, None, "", None), (20, None, "", None)]
    ride(scoring, at=T0 + 300_000_000)
    assert ranks(scoring) == [(20, 1, "", "43.999"), (10, 2, "", "43.999")]
    assert [team["starts"] for team in result(scoring)["team_sprint"]["teams"]] == [1, 1]


def test_two_teams_at_a_venue_without_pursuit_lines_are_refused_with_why() -> None:
    """Only a finish line: the meet is refused when the engine is made (as check-config and
    `velotime score` report it), naming the event and what it needs."""
    meet = engine().meet
    with pytest.raises(MeetError) as refused:
        ScoringEngine(meet, {"finish": 0.0}, 250, photocell_lines=["finish"])
    assert str(refused.value) == (
        "event ts: two teams need the venue's pursuit lines ([[lines]] roles pursuit-home, "
        "pursuit-back); without them a team rides alone, from the start gate on the finish line"
    )
