"""A team pursuit heat through the scoring engine: each rider's transponder on the two pursuit
lines, the team's time on its third rider, a rider dropped by the loops or by the
commissaires, a team left with two. Expected values by hand.

1000 m on a 250 m track (8 half laps). Team 1 (riders 11-14) starts on the home straight,
team 2 (21-24) on the back straight. In each team the riders cross 0.1 s apart, in bib order:
team 1's half lap n at 9.5 + 7 (n - 1) s (+0, +0.1, +0.2, +0.3), team 2's at 9.8 + 7.2 (n - 1).
"""

from typing import Any

from tests.scoring.events import command, impulse, passing
from tests.scoring.scenarios.devices import riders_toml
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Arm, SetStatus

LINES = {"finish": 0.0, "home": 15.0, "back": 140.0}
ROLES = {"home": "pursuit-home", "back": "pursuit-back"}
T0 = 1_795_250_000_000_000
S = 1_000_000
TEAMS = {1: (11, 12, 13, 14), 2: (21, 22, 23, 24)}


def engine(
    *, match: bool = False, catch_ends: bool = False, gates: tuple[str, ...] = ("C1", "C2")
) -> ScoringEngine:
    bibs = [bib for team in TEAMS.values() for bib in team]
    riders = riders_toml({bib: (f"Rider {bib}", "ITA", 9000 + bib) for bib in bibs})
    teams = "".join(
        f'[[events.teams]]\nnumber = {n}\nname = "Team {n}"\nriders = {list(r)}\n'
        for n, r in TEAMS.items()
    )
    meet = parse_meet(
        f'[meet]\nid = "t"\n{riders}'
        f'[[events]]\nid = "tp"\ndiscipline = "team_pursuit"\ndistance_m = 1000\n'
        f"match = {str(match).lower()}\ncatch_ends = {str(catch_ends).lower()}\n{teams}"
    )
    # The venue's pursuit lines, 15 m and 140 m before the finish (half a lap apart); its
    # Timy's gate channels are "gate-home" and "gate-back".
    scoring = ScoringEngine(meet, LINES, 250, line_roles=ROLES)
    scoring.feed(command(Arm(event="tp"), T0 - 60 * S))
    if "C1" in gates:
        scoring.feed(impulse("gate-home", T0, channel="C1"))
    if "C2" in gates:
        scoring.feed(impulse("gate-back", T0, channel="C2"))
    return scoring


def ride(
    scoring: ScoringEngine,
    stops: dict[int, int] | None = None,
    until_s: float = 1000,
    back_half: float = 7.2,
) -> None:
    """Both teams' reads up to `until_s`; `stops`: bib -> the last half lap that rider rides;
    `back_half`: team 2's half laps."""
    stops = stops or {}
    reads = []
    for number, riders in TEAMS.items():
        first, half = (9.5, 7.0) if number == 1 else (9.8, back_half)
        for n in range(8):
            line = "back" if (number - 1 + n) % 2 == 0 else "home"
            for k, bib in enumerate(riders):
                if n < stops.get(bib, 8):
                    reads.append((first + half * n + 0.1 * k, line, 9000 + bib))
    for t, line, transponder in sorted(reads):
        if t <= until_s:
            scoring.feed(passing(line, T0 + round(t * S), transponder))


def table(res: dict[str, Any], *keys: str) -> list[tuple[Any, ...]]:
    default = {"status": ""}
    return [tuple(line.get(key, default.get(key)) for key in keys) for line in res["lines"]]


def test_the_team_is_timed_on_its_third_rider_and_a_dropped_rider_is_shown() -> None:
    """Rider 14 stops after half lap 4. Team 1's third rider (13) crosses half lap 8 at 58.7:
    58.700; team 2's (23) at 9.8 + 7.2 * 7 + 0.2 = 60.4: 1:00.400, +1.700. Rider 14 has not
    crossed half lap 5 when team 1's front crosses half lap 6 (44.5): dropped. Gaps: half lap
    n, (9.8 + 7.2 (n-1) + 0.2) - (9.5 + 7 (n-1) + 0.2) = 0.3 + 0.2 (n - 1)."""
    scoring = engine()
    ride(scoring, stops={14: 4})
    res = scoring.results("tp")
    assert table(res, "rank", "bib", "name", "time", "gap") == [
        (1, 1, "Team 1", "58.700", None),
        (2, 2, "Team 2", "1:00.400", "+1.700"),
    ]
    board = res["pursuit"]
    home, back = board["sides"]
    assert (home["riders"], home["dropped"]) == ([11, 12, 13], [14])
    assert (back["riders"], back["dropped"]) == ([21, 22, 23, 24], [])
    assert home["splits"][0]["cumulative"] == "9.700"  # rider 13: 9.5 + 0.2
    assert [g["gap"] for g in board["gaps"]] == [f"+{0.3 + 0.2 * n:.3f}" for n in range(8)]


def test_a_rider_dropped_by_the_commissaires_no_longer_counts() -> None:
    """`status 23 DNF` at 20 s, after team 2's half lap 2 (17.0-17.3): from half lap 3 its
    third rider is 24 (+0.3): 9.8 + 50.4 + 0.3 = 1:00.500, +1.800 to team 1's 58.700. Its
    half lap 2 still counted 23: 17.200."""
    scoring = engine()
    ride(scoring, until_s=20)
    scoring.feed(command(SetStatus(event="tp", bib=23, status="DNF"), T0 + 20 * S))
    ride(scoring)  # the reads before 20 s again: the engine drops the repeats by id
    res = scoring.results("tp")
    assert table(res, "rank", "bib", "time", "gap") == [
        (1, 1, "58.700", None),
        (2, 2, "1:00.500", "+1.800"),
    ]
    back = res["pursuit"]["sides"][1]
    assert back["dropped"] == [23]
    assert back["splits"][1]["cumulative"] == "17.200"


def test_a_team_left_with_two_riders_gets_no_time() -> None:
    """Riders 13 and 14 stop after half lap 4: from half lap 5 only 11 and 12 cross. Team 1
    has no third rider and no time: DNF; team 2 alone ranked, 1:00.400. Team 1's board stops
    at half lap 4 (30.700)."""
    scoring = engine()
    ride(scoring, stops={13: 4, 14: 4})
    res = scoring.results("tp")
    assert table(res, "rank", "bib", "time", "status") == [
        (1, 2, "1:00.400", ""),
        (None, 1, None, "DNF"),
    ]
    home = res["pursuit"]["sides"][0]
    assert home["dropped"] == [13, 14]
    assert [s["cumulative"] for s in home["splits"]][-1] == "30.700"


def test_a_match_heat_is_won_on_time_and_photocells_are_not_used() -> None:
    """A match heat: team 1 wins on time (58.700 against 1:00.400). A photocell impulse on a
    pursuit line cannot say whose wheel it saw: counted in the problems, not used."""
    scoring = engine(match=True)
    scoring.feed(impulse("home", T0 + 10 * S))
    ride(scoring)
    res = scoring.results("tp")
    assert table(res, "rank", "bib") == [(1, 1), (2, 2)]
    assert res["pursuit"]["sides"][0]["won"]
    assert res["problems"] == [
        "1 photocell impulses on the pursuit lines not used: a team is timed from its riders' "
        "transponders"
    ]


def test_a_catch_on_the_third_riders_ends_a_final_and_wins_a_first_round_heat() -> None:
    """Team 2 slow: 9 s half laps. Third riders: team 1's half lap k at 9.7 + 7 (k - 1), team
    2's at 10.0 + 9 (k - 1). Team 1's half lap 6 (44.7, home line) before team 2's half lap 5
    on that line (10.0 + 36 = 46.0): caught at half lap 6 (half lap 5: 37.7 after team 2's 4th,
    37.0). A final ends there: team 1 wins, neither has a time. A first-round match heat
    without `catch_ends` (3.2.086): team 1 wins; team 2 rides on, 10.0 + 63 = 1:13.000."""
    final = engine(match=True, catch_ends=True)
    ride(final, back_half=9.0)
    res = final.results("tp")
    assert table(res, "rank", "bib", "time") == [(1, 1, None), (2, 2, None)]
    board = res["pursuit"]
    assert (board["catch_half_lap"], board["sides"][1]["caught"]) == (6, True)
    first_round = engine(match=True)
    ride(first_round, back_half=9.0)
    res = first_round.results("tp")
    assert table(res, "rank", "bib", "time") == [(1, 1, "58.700"), (2, 2, "1:13.000")]
    assert res["pursuit"]["sides"][0]["won"]


def test_a_team_whose_gate_gave_no_impulse_is_timed_from_the_other_and_said_so() -> None:
    """Only the home gate's impulse (channel C1) at T0; the back gate was released with it
    (3.2.016). Team 2 is timed from T0 as with its own gate: its third rider at 60.4, 1:00.400;
    team 1 58.700. The heat's timing is long past the home gate: team 2 "no gate impulse on
    its side", once."""
    scoring = engine(gates=("C1",))
    ride(scoring)
    res = scoring.results("tp")
    assert table(res, "bib", "time") == [(1, "58.700"), (2, "1:00.400")]
    assert res["problems"] == [
        "team 2: no gate impulse on its side: timed from the other side's gate (released together)"
    ]
