"""A team sprint heat's scorer (velotime/scoring/disciplines/team_sprint.py) fed the crossings
the engine gives it: gate impulses per side, reads and photocell impulses on the two pursuit
lines. The heat is test_team_sprint.py's, whose docstring works every figure out by hand."""

import msgspec
import pytest

from tests.scoring.scenarios.devices import riders_toml
from tests.scoring.test_team_sprint import (
    BACK_LAPS,
    BACK_RIDERS,
    FOLLOW_US,
    HOME_LAPS,
    HOME_RIDERS,
    READ_LATE_US,
    START,
)
from velotime.scoring.disciplines.base import Crossing, EventState, Role, Venue
from velotime.scoring.disciplines.team_sprint import TeamSprintScorer
from velotime.scoring.meet import Meet, parse_meet
from velotime.wire.results import Status, TeamSprintPoint

HOME_HALF = [9_500_100, 23_900_000, 37_300_000]  # team 10 on the back line
BACK_HALF = [9_600_000, 23_950_000, 37_350_000]  # team 20 on the home line
ALL_LINES = frozenset({Role.PURSUIT_HOME, Role.PURSUIT_BACK, Role.GATE_HOME, Role.GATE_BACK})


def meet_text(match: bool = True) -> str:
    riders = riders_toml({bib: (f"Rider {bib}", "NED", 9000 + bib) for bib in range(1, 7)})
    return (
        f'[meet]\nid = "t"\n{riders}'
        f'[[events]]\nid = "ts"\ndiscipline = "team_sprint"\nmatch = {str(match).lower()}\n'
        '[[events.teams]]\nnumber = 10\nriders = [1, 2, 3]\nname = "Home"\n'
        '[[events.teams]]\nnumber = 20\nriders = [4, 5, 6]\nname = "Back"\n'
    )


def meet(match: bool = True) -> Meet:
    return parse_meet(meet_text(match))


def team_passage(role: Role, t_us: int, riders: tuple[int, ...]) -> list[Crossing]:
    out = []
    for i, bib in enumerate(riders):
        wheel = t_us + i * FOLLOW_US
        out.append(Crossing(role=role, t_us=wheel, photocell=True))
        out.append(Crossing(role=role, t_us=wheel + READ_LATE_US, transponder=9000 + bib))
    return out


BOTH_GATES = (Role.GATE_HOME, Role.GATE_BACK)


def heat(start: int = START, gates: tuple[Role, ...] = BOTH_GATES) -> list[Crossing]:
    crossings = [Crossing(role=gate, t_us=start, photocell=True) for gate in gates]
    for k in range(3):
        crossings += team_passage(Role.PURSUIT_HOME, start + HOME_LAPS[k], HOME_RIDERS[k:])
        crossings += team_passage(Role.PURSUIT_BACK, start + BACK_LAPS[k], BACK_RIDERS[k:])
        crossings += team_passage(Role.PURSUIT_BACK, start + HOME_HALF[k], HOME_RIDERS[k:])
        crossings += team_passage(Role.PURSUIT_HOME, start + BACK_HALF[k], BACK_RIDERS[k:])
    return sorted(crossings, key=lambda c: c.t_us)


def scored(crossings: list[Crossing], **state: object) -> tuple[EventState, TeamSprintScorer]:
    m = meet()
    scorer = TeamSprintScorer(m.events[0], m, Venue(250, ALL_LINES, (15.0, 140.0)))
    event_state = EventState(m.events[0], crossings=crossings, status="running")
    for name, value in state.items():
        setattr(event_state, name, value)
    return event_state, scorer


def test_a_heat_gives_its_lines_board_and_the_rounds_result() -> None:
    """Team 20 1st on the last lap (13.399 < 13.432) at 43.999 each, and the winner; the board
    shows each rider's lap and half lap and the gaps where both teams have reached a point:
    half lap 1, 9.500 against 9.600: -0.100; lap 1 17.234 - 17.300 = -0.066; half lap 3 23.900
    - 23.950 = -0.050; lap 2 -0.033; half lap 5 37.300 - 37.350 = -0.050; lap 3 0."""
    state, scorer = scored(heat())
    result = scorer.score(state)
    assert [(line.bib, line.rank, line.time, line.gap) for line in result.lines] == [
        (20, 1, "43.999", None),
        (10, 2, "43.999", "+0.000"),
    ]
    assert result.extra["problems"] == []
    board = result.extra["team_sprint"]
    home = board.teams[0]
    assert (home.team, home.side, home.riders, home.starts) == (10, 0, [1, 2, 3], 1)
    assert home.points == [
        TeamSprintPoint(half_laps=1, rider=1, cumulative="9.500", gap="-0.100"),
        TeamSprintPoint(half_laps=2, rider=1, cumulative="17.234", lap="17.234", gap="-0.066"),
        TeamSprintPoint(half_laps=3, rider=2, cumulative="23.900", gap="-0.050"),
        TeamSprintPoint(half_laps=4, rider=2, cumulative="30.567", lap="13.333", gap="-0.033"),
        TeamSprintPoint(half_laps=5, rider=3, cumulative="37.300", gap="-0.050"),
        TeamSprintPoint(half_laps=6, rider=3, cumulative="43.999", lap="13.432", gap="+0.000"),
    ]
    heat_result = scorer.result(state)
    assert [(t.entrant, t.side, t.time_us, t.last_lap_us, t.won) for t in heat_result.lines] == [
        (10, 0, 43_999_000, 13_432_000, False),
        (20, 1, 43_999_000, 13_399_000, True),
    ]


def test_a_false_start_and_restart_counts_the_last_release() -> None:
    """Both gates released at START - 120 s, the riders read on their lines 9.5 s later and
    stopped; the restart at START: two starts each, the times from START as before."""
    recalled = START - 120_000_000
    false_start = [
        Crossing(role=Role.GATE_HOME, t_us=recalled, photocell=True),
        Crossing(role=Role.GATE_BACK, t_us=recalled, photocell=True),
        *team_passage(Role.PURSUIT_BACK, recalled + 9_500_000, HOME_RIDERS),
        *team_passage(Role.PURSUIT_HOME, recalled + 9_600_000, BACK_RIDERS),
    ]
    state, scorer = scored(false_start + heat())
    result = scorer.score(state)
    assert [(line.bib, line.time) for line in result.lines] == [(20, "43.999"), (10, "43.999")]
    assert [team.starts for team in result.extra["team_sprint"].teams] == [2, 2]
    assert result.extra["problems"] == []


def test_a_third_release_is_said() -> None:
    """Two recalls: three releases on each side; the last is timed, and the problems say it is
    one more than the rules allow."""
    recalls = [
        Crossing(role=gate, t_us=START - back, photocell=True)
        for gate in BOTH_GATES
        for back in (240_000_000, 120_000_000)
    ]
    state, scorer = scored(sorted(recalls, key=lambda c: c.t_us) + heat())
    result = scorer.score(state)
    assert [team.starts for team in result.extra["team_sprint"].teams] == [3, 3]
    assert result.extra["problems"] == [
        f"team {team}: 3 gate releases: a standing start allows two (3.2.021 ter); the last is "
        "timed: the commissaires decide (status)"
        for team in (10, 20)
    ]


def test_a_release_after_the_finish_is_not_a_restart() -> None:
    """A gate tested 60 s after the heat: the counting start stays START."""
    after = Crossing(role=Role.GATE_HOME, t_us=START + 104_000_000, photocell=True)
    state, scorer = scored([*heat(), after])
    assert [team.starts for team in scorer.score(state).extra["team_sprint"].teams] == [1, 1]
    assert scorer.score(state).lines[1].time == "43.999"


def test_a_changeover_fault_relegates_and_a_riders_status_is_refused_in_words() -> None:
    """REL on team 20 (3.2.153): team 10 1st and the winner. DNF on rider 2's bib: ignored,
    said (a team has one result)."""
    state, scorer = scored(heat(), decisions={20: Status.REL, 2: Status.DNF})
    result = scorer.score(state)
    assert [(line.bib, line.rank, line.status) for line in result.lines] == [
        (10, 1, Status.RANKED),
        (20, 2, Status.REL),
    ]
    assert [t.won for t in scorer.result(state).lines] == [True, False]
    assert result.extra["problems"] == [
        "bib 2: DNF ignored: a team sprint team has one result; give the team's number"
    ]


def test_a_side_without_its_gate_impulse_starts_with_the_other_sides() -> None:
    """No home gate impulse: team 10 takes the back gate's release (the same instant), said."""
    state, scorer = scored(heat(gates=(Role.GATE_BACK,)))
    result = scorer.score(state)
    assert [line.time for line in result.lines] == ["43.999", "43.999"]
    assert result.extra["problems"] == [
        "team 10: no gate impulse on its side: timed from the other side's gate (released together)"
    ]


def test_a_heat_made_provisional_without_a_finish_says_so() -> None:
    """Team 10's lap 3 not read and no photocell impulse (all its finish line crossings gone):
    riding, no winner; made provisional, the problems ask for its time or status."""
    crossings = [
        c
        for c in heat()
        if not (c.role is Role.PURSUIT_HOME and START + 43_000_000 < c.t_us < START + 45_000_000)
    ]
    state, scorer = scored(crossings, status="provisional")
    result = scorer.score(state)
    assert [(line.bib, line.rank) for line in result.lines] == [(20, 1), (10, None)]
    assert [t.won for t in scorer.result(state).lines] == [False, False]
    assert result.extra["problems"] == [
        "team 10: no finish: set its time (correct --time) or its status"
    ]
    assert msgspec.json.encode(result.extra["team_sprint"])  # the board encodes


def test_without_pursuit_lines_a_team_alone_rides_on_the_finish_line() -> None:
    """A venue with no pursuit lines: team 10 alone from the start gate on the finish line, its
    laps the finish line's (43.999 as on the home pursuit line); no half laps. A heat of two
    teams there cannot be run: refused (the engine refuses the meet with the reason)."""
    alone = [Crossing(role=Role.START, t_us=START, photocell=True)]
    for k in range(3):
        alone += team_passage(Role.FINISH, START + HOME_LAPS[k], HOME_RIDERS[k:])
    back = '[[events.teams]]\nnumber = 20\nriders = [4, 5, 6]\nname = "Back"\n'
    m = parse_meet(meet_text(match=False).replace(back, ""))
    scorer = TeamSprintScorer(m.events[0], m, Venue(250, frozenset({Role.FINISH})))
    state = EventState(m.events[0], crossings=alone, status="running")
    result = scorer.score(state)
    assert [(line.bib, line.rank, line.time) for line in result.lines] == [(10, 1, "43.999")]
    assert [p.half_laps for p in result.extra["team_sprint"].teams[0].points] == [2, 4, 6]
    assert result.extra["problems"] == []
    two = meet()
    with pytest.raises(ValueError, match="pursuit lines") as refused:
        TeamSprintScorer(two.events[0], two, Venue(250, frozenset({Role.FINISH})))
    assert str(refused.value) == (
        "ts: two teams need the venue's pursuit lines ([[lines]] roles pursuit-home, "
        "pursuit-back); without them a team rides alone, from the start gate on the finish line"
    )


def test_impulses_time_the_lines_when_the_venue_does_not_list_the_photocells() -> None:
    """A scoring service whose configuration does not list the impulse timer (photocell roles
    unknown): the impulses on the pursuit lines still time them, 43.999 each as before, not the
    reads 10 ms later."""
    m = meet()
    scorer = TeamSprintScorer(m.events[0], m, Venue(250, frozenset(), (15.0, 140.0)))
    state = EventState(m.events[0], crossings=heat(), status="running")
    assert [line.time for line in scorer.score(state).lines] == ["43.999", "43.999"]
    assert scorer.score(state).extra["problems"] == []


# The longest a loop's read may reach the scorer after the beam it belongs to (1-150 ms).
LATEST_READ_US = 150_000


def arrival_order(crossings: list[Crossing]) -> list[Crossing]:
    """The crossings as the daemon may deliver them: an impulse at its beam, a read as late as
    a loop can be (LATEST_READ_US after its wheel, itself read READ_LATE_US after the beam)."""

    def arrives(crossing: Crossing) -> int:
        late = LATEST_READ_US - READ_LATE_US if crossing.transponder is not None else 0
        return crossing.t_us + late

    return sorted(crossings, key=arrives)


def test_another_teams_impulse_before_its_read_never_times_this_team() -> None:
    """The heat, each read arriving 150 ms after its beam, so that every wheel's impulse is
    seen before the read naming its rider, and the board and result published after each
    crossing. Team 10's lap 3 is looked for from lap 2 + 5 s = 35.567 s to lap 2 + 1.5 x
    13.333 s = 50.567 s; team 20's rider 6 crosses the home line at 37.350 s (its 2.5 laps),
    and until rider 6's read arrives nobody's read explains that impulse: without waiting,
    team 10 would have been shown 37.350 as its time. Likewise team 10's lap 2 window (22.234
    s to 43.086 s) holds team 20's 1.5 laps at 23.950, and team 10's 1.5 laps on the back line
    (from 9.500 + 5 = 14.500 s, a lap of 19.000 s: to 38.000 s) holds team 20's lap 1 at
    17.300. At every step each team shows only its own figures (the final ones, worked out in
    test_a_heat_gives_its_lines_board_and_the_rounds_result: team 10 9.500, 17.234, 23.900,
    30.567, 37.300, 43.999; team 20 9.600, 17.300, 23.950, 30.600, 37.350, 43.999), a time
    only once it has finished (43.999 each), and no problem of an unidentified impulse."""
    final = {
        10: {1: "9.500", 2: "17.234", 3: "23.900", 4: "30.567", 5: "37.300", 6: "43.999"},
        20: {1: "9.600", 2: "17.300", 3: "23.950", 4: "30.600", 5: "37.350", 6: "43.999"},
    }
    arriving = arrival_order(heat())
    state, scorer = scored([])
    shown: list[tuple[int, int, str]] = []
    for crossing in arriving:
        state.crossings.append(crossing)
        result = scorer.score(state)
        for line in result.lines:
            assert line.time in (None, "43.999"), (crossing, line)
        for team in result.extra["team_sprint"].teams:
            for point in team.points:
                assert point.cumulative == final[team.team][point.half_laps], (crossing, point)
                shown.append((team.team, point.half_laps, point.cumulative))
        # (Between the two gates' impulses of the same instant, the one not yet in is said.)
        assert not [p for p in result.extra["problems"] if "impulse at" in p], crossing
    # And every figure was shown in the end, as the replay of the whole heat gives it.
    assert {(team, h, t) for team, points in final.items() for h, t in points.items()} == set(shown)
    assert [(line.bib, line.time) for line in scorer.score(state).lines] == [
        (20, "43.999"),
        (10, "43.999"),
    ]


def test_an_impulse_nobody_is_read_at_times_the_lap_once_the_timing_is_past_it() -> None:
    """Rider 3's read of team 10's lap 3 is lost; the photocell saw its wheel at 43.9991 s
    (43.999). While riding, the last timing seen is team 20's rider 6 read at 43.9995 + 0.010
    = 44.0095 s, 10.4 ms after that impulse, within the 250 ms (100 ms match + 150 ms latency)
    a read may still come to explain it: team 10 is not timed and nothing is said. A crossing
    1 s later (a rider rolling round) moves the timing past it: the impulse times the lap,
    43.999, and the problems say it was not identified; made provisional without that
    crossing, the same."""
    lost = Crossing(role=Role.PURSUIT_HOME, t_us=START + 43_999_100 + 10_000, transponder=9003)
    crossings = [c for c in heat() if c != lost]
    state, scorer = scored(crossings)
    result = scorer.score(state)
    assert [(line.bib, line.time) for line in result.lines] == [(20, "43.999"), (10, None)]
    assert result.extra["problems"] == []
    said = [
        "team 10: lap 3 (bib 3 leading): no rider of the team read: timed by the photocell "
        "impulse at 43.999, which no transponder identifies"
    ]
    rolling = Crossing(role=Role.PURSUIT_BACK, t_us=START + 45_000_000, transponder=9004)
    state, scorer = scored([*crossings, rolling])
    result = scorer.score(state)
    assert [(line.bib, line.time) for line in result.lines] == [(20, "43.999"), (10, "43.999")]
    assert result.extra["problems"] == said
    state, scorer = scored(crossings, status="provisional")
    result = scorer.score(state)
    assert [(line.bib, line.time) for line in result.lines] == [(20, "43.999"), (10, "43.999")]
    assert result.extra["problems"] == said


NO_GATE = "no gate impulse on its side"


def gate_problems(scorer: TeamSprintScorer, state: EventState) -> list[str]:
    return [p for p in scorer.score(state).extra["problems"] if NO_GATE in p]


def test_between_the_two_gates_of_one_release_no_gate_is_said_missing() -> None:
    """One release: the Timy stamps the home gate at START and the back gate 0.3 ms later, and
    they arrive one after the other. Published after the home gate alone, the board must not say
    team 20 has no gate impulse (its gate is on its way); nor after the back gate, nor at any
    crossing of the rest of the heat. Both teams finish in 43.999 (team 20 from START + 0.3 ms:
    43.9995 - 0.0003 = 43.9992 s, truncated 43.999)."""
    back_gate = Crossing(role=Role.GATE_BACK, t_us=START + 300, photocell=True)
    rest = heat(gates=())
    state, scorer = scored([Crossing(role=Role.GATE_HOME, t_us=START, photocell=True)])
    assert gate_problems(scorer, state) == []
    state.crossings.append(back_gate)
    assert gate_problems(scorer, state) == []
    for crossing in rest:
        state.crossings.append(crossing)
        assert gate_problems(scorer, state) == [], crossing
    assert [(line.bib, line.time) for line in scorer.score(state).lines] == [
        (20, "43.999"),
        (10, "43.999"),
    ]


def test_a_heat_with_one_gate_says_so_once_the_timing_is_past_the_window() -> None:
    """Only the home gate releases (START). A crossing 250 ms later (team 20's second rider
    read on its line behind the gate, within the first second) is not past the 250 ms the back
    gate's impulse may still take: nothing said. One 1 µs later is past it: team 20 "no gate
    impulse on its side". Made provisional on the home gate alone, the same. The heat ridden:
    team 20 started with the home gate (START), so its time is as with its own, 43.999."""
    said = [
        "team 20: no gate impulse on its side: timed from the other side's gate (released together)"
    ]
    home_gate = Crossing(role=Role.GATE_HOME, t_us=START, photocell=True)
    state, scorer = scored([home_gate])
    assert gate_problems(scorer, state) == []
    state.crossings.append(Crossing(role=Role.PURSUIT_BACK, t_us=START + 250_000, transponder=9005))
    assert gate_problems(scorer, state) == []
    state.crossings.append(Crossing(role=Role.PURSUIT_BACK, t_us=START + 250_001, transponder=9006))
    assert gate_problems(scorer, state) == said
    state, scorer = scored([home_gate], status="provisional")
    assert gate_problems(scorer, state) == said
    state, scorer = scored(heat(gates=(Role.GATE_HOME,)))
    result = scorer.score(state)
    assert [(line.bib, line.time) for line in result.lines] == [(20, "43.999"), (10, "43.999")]
    assert result.extra["problems"] == said
