"""The team sprint heat's rules (velotime/scoring/rules/team_sprint.py). Every expected figure is
worked out by hand in the docstrings and comments.

The heat used throughout, on a 250 m track, both gates released at START (venue clock):

    team 10 (home straight), riders 1, 2, 3      team 20 (back straight), riders 4, 5, 6
    raw after the start   official  lap          raw after the start   official  lap
    lap 1  17.2345        17.234    17.234       17.3009               17.300    17.300
    lap 2  30.5678        30.567    13.333       30.6001               30.600    13.300
    lap 3  43.9991        43.999    13.432       43.9995               43.999    13.399

Both 43.999: team 20 has the better last lap (13.399 < 13.432), so wins (3.2.147). The laps
add up: 17.234 + 13.333 + 13.432 = 43.999; 17.300 + 13.300 + 13.399 = 43.999. Speed: 750 m in
43.999 s = 2700 / 43.999 = 61.3650.. -> 61.365 (43.999 x 61.366 = 2700.04 > 2700).
"""

from fractions import Fraction

import msgspec
from hypothesis import assume, given
from hypothesis import strategies as st

from velotime.scoring.rules.team_sprint import (
    Read,
    TeamRun,
    gaps,
    heat_lines,
    line_passages,
    points,
)
from velotime.wire.results import Flag, SplitLine, Status

START = 100_000_000  # 100 s on the venue clock
HOME_RIDERS = (1, 2, 3)
BACK_RIDERS = (4, 5, 6)
HOME_LAPS = [17_234_500, 30_567_800, 43_999_100]  # raw, after START: the leader's front wheel
BACK_LAPS = [17_300_900, 30_600_100, 43_999_500]
# The next rider's front wheel: a bike length and a little behind (2 m at 60 km/h: 0.12 s).
FOLLOW_US = 120_000
READ_LATE_US = 10_000  # the loop reads a transponder 10 ms after its wheel crosses


def passage(
    t_us: int, riders: tuple[int, ...], *, read_late_us: int = READ_LATE_US, missed: int = 0
) -> tuple[list[Read], list[int]]:
    """A team crossing a line at `t_us`: each rider's wheel a FOLLOW_US behind the one before,
    an impulse per wheel and a read per rider (`missed`: that bib's read is lost)."""
    reads, impulses = [], []
    for i, bib in enumerate(riders):
        wheel = t_us + i * FOLLOW_US
        impulses.append(wheel)
        if bib != missed:
            reads.append(Read(wheel + read_late_us, bib))
    return reads, impulses


def home_line(
    *, missed: tuple[tuple[int, int], ...] = (), other_team: bool = True
) -> tuple[list[Read], list[int]]:
    """The home pursuit line: team 10's laps (riders k..3 in the passage of lap k), and team 20's
    half laps (at 9.6, 23.95, 37.35 s, their riders k..3 leading at k - 1/2). `missed`: (lap,
    bib) reads lost."""
    reads: list[Read] = []
    impulses: list[int] = []
    for k, t in enumerate(HOME_LAPS, 1):
        lost = next((bib for lap, bib in missed if lap == k), 0)
        r, i = passage(START + t, HOME_RIDERS[k - 1 :], missed=lost)
        reads += r
        impulses += i
    if other_team:
        for k, t in enumerate([9_600_000, 23_950_000, 37_350_000], 1):
            r, i = passage(START + t, BACK_RIDERS[k - 1 :])
            reads += r
            impulses += i
    # Riders 2 and 3 start behind the line and cross it in the first second; rider 1 swung up
    # after lap 1 and crosses again, slowly, at 37.9 s (between the team's laps 2 and 3).
    reads += [Read(START + 400_000, 2), Read(START + 800_000, 3), Read(START + 37_900_000, 1)]
    impulses += [START + 390_000, START + 790_000, START + 37_890_000]
    return reads, impulses


def times(timing: list[int | None]) -> list[int | None]:
    return [None if t is None else t - START for t in timing]


# --- finding and timing a team's passages --------------------------------------------------


def test_the_photocell_times_the_passage_the_transponders_identify() -> None:
    """Each lap is the first impulse of the team's passage: the leader's front wheel (17.2345,
    30.5678, 43.9991 s), not the reads (10 ms late) nor the followers' wheels 60 ms behind. The
    start's reads of 2 and 3 (0.4, 0.8 s: under 5 s after the start) and 1's slow crossing at
    37.9 s (1 is no longer in the team after lap 1) are not laps; team 20's half laps on this
    line are its riders', not team 10's."""
    reads, impulses = home_line()
    timing = line_passages(HOME_RIDERS, START, reads, impulses, 3)
    assert times([p.t_us for p in timing.passages]) == HOME_LAPS
    assert [p.leader for p in timing.passages] == [1, 2, 3]
    assert [p.read_by for p in timing.passages] == [1, 2, 3]
    assert timing.problems == []


def test_the_first_impulse_not_the_nearest_one_is_the_leaders_wheel() -> None:
    """Rider 2's read at lap 2 comes 70 ms late (30.6378 s): nearer rider 3's wheel (0.12 s
    after 2's, 30.6878: 50 ms from the read) than 2's own (30.5678: 70 ms). The first impulse
    from 100 ms before the passage's first read (2's) is 2's wheel, 30.5678 s; the nearest
    would have given 30.6878."""
    reads, impulses = home_line(other_team=False)
    late = [
        Read(r.t_us + 60_000, r.bib) if (r.bib, r.t_us) == (2, START + 30_577_800) else r
        for r in reads
    ]
    timing = line_passages(HOME_RIDERS, START, late, impulses, 3)
    assert times([p.t_us for p in timing.passages]) == HOME_LAPS


def test_a_leaders_missed_read_is_covered_by_the_follower_and_the_photocell() -> None:
    """Rider 1 not read at lap 1: rider 2's read (17.2345 + 0.12 + 0.01 = 17.3645 s) identifies
    the passage; the first impulse from half a second before it (16.8645 s) is 1's wheel,
    17.2345 s (from 100 ms before, as for a leader's read, it would have been 2's, 17.3545). No
    problem: the lap is timed as it would have been."""
    reads, impulses = home_line(missed=((1, 1),))
    timing = line_passages(HOME_RIDERS, START, reads, impulses, 3)
    assert times([p.t_us for p in timing.passages]) == HOME_LAPS
    assert timing.passages[0].read_by == 2
    assert timing.problems == []


def test_a_missed_finish_read_is_timed_by_an_impulse_no_transponder_explains() -> None:
    """Rider 3 not read at lap 3 (the last lap has no follower): the lap can be from 5 s to
    1.5 x 13.3333 = 20.0 s after lap 2's first read (30.5778: 35.5778 to 50.5778 s). Impulses
    there: 1's slow crossing at 37.89 (1's read at 37.9 explains it), team 20's half lap 2.5 at
    37.35 (6's read at 37.36), and 43.9991, 3's wheel, which no read explains: the finish,
    said in the problems."""
    reads, impulses = home_line(missed=((3, 3),))
    timing = line_passages(HOME_RIDERS, START, reads, impulses, 3)
    assert times([p.t_us for p in timing.passages]) == HOME_LAPS
    assert timing.passages[2].read_by is None
    assert timing.problems == [
        "lap 3 (bib 3 leading): no rider of the team read: timed by the photocell impulse at "
        "43.999, which no transponder identifies"
    ]


def test_a_rider_rolling_round_at_the_finish_neither_times_it_nor_hides_it() -> None:
    """Rider 1, rolling round, crosses the home line 50 ms before rider 3 finishes (impulse
    43.9491, read 1 ms later). Rider 3 read: the first impulse near 3's read is 1's, but 1's
    read explains it and 1 has left the team: the finish is 3's wheel, 43.9991. Rider 3 not
    read: 1's read explains only its own impulse (the nearest, 1 ms), so 43.9991 is still the
    impulse no read explains: the finish, said."""
    for missed in ((), ((3, 3),)):
        reads, impulses = home_line(missed=missed, other_team=False)
        reads.append(Read(START + 43_950_100, 1))
        impulses.append(START + 43_949_100)
        timing = line_passages(HOME_RIDERS, START, reads, impulses, 3)
        assert times([p.t_us for p in timing.passages]) == HOME_LAPS


def test_without_a_photocell_a_missed_finish_read_is_missing_and_said() -> None:
    """No photocell, 3 not read at lap 3, and 3 read again on a slow lap at 70 s: 70 - 30.5778
    = 39.4 s after lap 2, beyond the 20.0 s a lap can take. Lap 3 is missing, said."""
    reads, _ = home_line(missed=((3, 3),))
    reads.append(Read(START + 70_000_000, 3))
    timing = line_passages(HOME_RIDERS, START, reads, None, 3)
    # Without a photocell the reads time the laps: 10 ms late on the leader's wheel.
    assert times([p.t_us for p in timing.passages]) == [t + 10_000 for t in HOME_LAPS[:2]]
    assert timing.problems == [
        "lap 3 (bib 3 leading): not read on the line and no photocell impulse"
    ]


def test_without_a_photocell_a_followers_read_does_not_time_the_leader() -> None:
    """No photocell and 2 not read at lap 2: 3's read, a wheel behind, finds the passage but
    would make lap 2 0.06 s slow: not timed, said; lap 3 still timed from 3's read."""
    reads, _ = home_line(missed=((2, 2),))
    timing = line_passages(HOME_RIDERS, START, reads, None, 3)
    assert times([p.t_us for p in timing.passages]) == [17_244_500, None, 44_009_100]
    assert timing.problems == [
        "lap 2 (bib 2 leading): bib 2 not read, and no photocell impulse at bib 3's read "
        "behind: not timed"
    ]


def test_a_photocell_that_misses_the_leader_leaves_the_transponder_time_and_says_so() -> None:
    """The photocell misses all three wheels of lap 2: 2's transponder times it (30.5778),
    said."""
    reads, impulses = home_line()
    lap2 = START + HOME_LAPS[1]
    impulses = [p for p in impulses if not lap2 <= p <= lap2 + 2 * FOLLOW_US]
    timing = line_passages(HOME_RIDERS, START, reads, impulses, 3)
    assert times([p.t_us for p in timing.passages]) == [17_234_500, 30_577_800, 43_999_100]
    assert timing.problems == [
        "lap 2 (bib 2 leading): no photocell impulse within 100 ms of the read: timed by bib "
        "2's transponder"
    ]


def test_half_laps_on_the_other_line() -> None:
    """Team 20 on the home line (its half laps): 9.6, 23.95, 37.35 s, riders 4, 5, 6 leading.
    The first half lap's 9.6 s counts as a lap of 19.2 s for the slowest next (28.8 s)."""
    reads, impulses = home_line()
    timing = line_passages(BACK_RIDERS, START, reads, impulses, 3, first_fraction=Fraction(1, 2))
    assert times([p.t_us for p in timing.passages]) == [9_600_000, 23_950_000, 37_350_000]
    assert [p.leader for p in timing.passages] == [4, 5, 6]


# --- the heat ---------------------------------------------------------------------------------


def run(number: int, side: int, laps: list[int], **kw: object) -> TeamRun:
    riders = HOME_RIDERS if side == 0 else BACK_RIDERS
    return TeamRun(
        number=number,
        riders=riders,
        side=side,
        start_us=START,
        laps_us=[START + t for t in laps],
        **kw,  # type: ignore[arg-type]
    )


HOME = run(10, 0, HOME_LAPS, half_laps_us=[START + 9_500_100, START + 23_900_000])
BACK = run(20, 1, BACK_LAPS)


def test_points_and_gaps_at_each_lap() -> None:
    """Team 10: half laps 9.500, 23.900 and laps 17.234, 30.567, 43.999 (laps 17.234, 13.333,
    13.432). Gaps to team 20 (17.300, 30.600, 43.999) at the laps only (team 20 has no half
    laps here): 17.234 - 17.300 = -0.066, 30.567 - 30.600 = -0.033, 0."""
    assert [(p.half_laps, p.rider, p.cumulative_us, p.lap_us) for p in points(HOME)] == [
        (1, 1, 9_500_000, None),
        (2, 1, 17_234_000, 17_234_000),
        (3, 2, 23_900_000, None),
        (4, 2, 30_567_000, 13_333_000),
        (6, 3, 43_999_000, 13_432_000),
    ]
    assert gaps([HOME, BACK]) == {
        (10, 2): -66_000,
        (10, 4): -33_000,
        (10, 6): 0,
        (20, 2): 66_000,
        (20, 4): 33_000,
        (20, 6): 0,
    }


def test_equal_times_go_to_the_better_last_lap_and_the_match_to_that_team() -> None:
    """43.999 each; team 20's last lap 13.399 beats 13.432: 1st and the match winner; team 10
    2nd, +0.000. Splits as in the module docstring."""
    lines = heat_lines([HOME, BACK], 3, 250, match=True)
    assert [(h.line.bib, h.line.rank, h.line.time, h.line.gap) for h in lines] == [
        (20, 1, "43.999", None),
        (10, 2, "43.999", "+0.000"),
    ]
    assert [(h.timed.entrant, h.timed.won, h.timed.last_lap_us) for h in lines] == [
        (20, True, 13_399_000),
        (10, False, 13_432_000),
    ]
    assert lines[0].line.speed_kmh == "61.365"
    assert lines[1].line.splits == [
        SplitLine(distance_m=250, cumulative="17.234", lap="17.234"),
        SplitLine(distance_m=500, cumulative="30.567", lap="13.333"),
        SplitLine(distance_m=750, cumulative="43.999", lap="13.432"),
    ]
    assert all(not h.line.flags for h in lines)


def test_equal_on_time_and_last_lap_is_a_draw_and_nobody_wins_yet() -> None:
    """Team 20 with team 10's very laps: same rank, draw required, no winner; the
    commissaires' lots (`places`: 20 first) decide it, and the match."""
    twin = run(20, 1, HOME_LAPS)
    lines = heat_lines([HOME, twin], 3, 250, match=True)
    assert [(h.line.rank, h.line.flags, h.timed.won) for h in lines] == [
        (1, [Flag.DRAW_REQUIRED], False),
        (1, [Flag.DRAW_REQUIRED], False),
    ]
    drawn = heat_lines([HOME, twin], 3, 250, match=True, places={20: 1})
    assert [(h.line.bib, h.line.rank, h.timed.won) for h in drawn] == [
        (20, 1, True),
        (10, 2, False),
    ]


def test_a_changeover_fault_relegates_the_faster_team_to_last() -> None:
    """Team 20 (the faster on last lap) relegated (3.2.153): team 10 1st and the winner, team
    20 2nd, REL, with its time and its gap (+0.000)."""
    rel = run(20, 1, BACK_LAPS, status=Status.REL)
    lines = heat_lines([HOME, rel], 3, 250, match=True)
    assert [(h.line.bib, h.line.rank, h.line.status, h.timed.won) for h in lines] == [
        (10, 1, Status.RANKED, True),
        (20, 2, Status.REL, False),
    ]
    assert lines[1].timed.time_us == 43_999_000


def test_a_team_alone_when_the_other_does_not_start() -> None:
    """Team 20 DNS (3.2.148 bis): team 10 rides alone for a time and wins the match once it has
    it; before, nobody has won."""
    dns = TeamRun(number=20, riders=BACK_RIDERS, side=1, status=Status.DNS)
    riding = msgspec_replace(HOME, laps_us=HOME.laps_us[:2])
    during = heat_lines([riding, dns], 3, 250, match=True)
    assert [(h.line.bib, h.line.rank, h.line.status, h.timed.won) for h in during] == [
        (10, None, Status.RANKED, False),
        (20, None, Status.DNS, False),
    ]
    assert [s.cumulative for s in during[0].line.splits] == ["17.234", "30.567"]
    after = heat_lines([HOME, dns], 3, 250, match=True)
    assert [(h.line.bib, h.line.rank, h.timed.won) for h in after] == [
        (10, 1, True),
        (20, None, False),
    ]


def test_a_commissaires_time_replaces_the_measured_one_without_a_last_lap() -> None:
    """Team 10's time set to 44.100 by the commissaires: 2nd, +0.101 behind 43.999, no last
    lap, "corrected"."""
    fixed = msgspec_replace(HOME, corrected_us=44_100_000)
    lines = heat_lines([fixed, BACK], 3, 250, match=True)
    assert [(h.line.bib, h.line.gap, h.line.flags) for h in lines] == [
        (20, None, []),
        (10, "+0.101", [Flag.CORRECTED]),
    ]
    assert lines[1].timed.last_lap_us is None


def msgspec_replace(team: TeamRun, **changes: object) -> TeamRun:
    return msgspec.structs.replace(team, **changes)


def test_a_relegated_team_loses_the_match_before_its_finish() -> None:
    """Team 20 relegated during the heat, its finish not yet timed: team 10, finished, has won;
    team 20 is listed riding, REL."""
    rel = TeamRun(number=20, riders=BACK_RIDERS, side=1, start_us=START, status=Status.REL)
    lines = heat_lines([HOME, rel], 3, 250, match=True)
    assert [(h.line.bib, h.line.rank, h.line.status, h.timed.won) for h in lines] == [
        (10, 1, Status.RANKED, True),
        (20, None, Status.REL, False),
    ]


@st.composite
def rides(draw: st.DrawFn) -> tuple[list[int], list[Read], list[int]]:
    """A team's three laps on its line (raw leader's wheel times after START: a standing lap of
    15-22 s, then 12-16 s laps), riders 0.08-0.25 s apart, each read 0-40 ms late or missed
    (never a whole passage of laps 1 and 2; rider 3's finish read may be missed), and each
    rider's slow crossing 18-30 s after leading (read), not within 0.3 s of the team's wheels
    (closer, not even the photocell can tell the two riders apart)."""
    laps_ms = [draw(st.integers(15_000, 22_000))]
    slow_crossings: list[int] = []
    wheels: list[int] = []
    for _ in range(2):
        laps_ms.append(laps_ms[-1] + draw(st.integers(12_000, 16_000)))
    reads: list[Read] = []
    impulses: list[int] = []
    for k, lap_ms in enumerate(laps_ms, 1):
        riders = HOME_RIDERS[k - 1 :]
        missed = draw(st.sets(st.sampled_from(riders), max_size=len(riders) - (k < 3)))
        wheel = START + lap_ms * 1000
        for bib in riders:
            impulses.append(wheel)
            wheels.append(wheel)
            if bib not in missed:
                reads.append(Read(wheel + draw(st.integers(0, 40_000)), bib))
            wheel += draw(st.integers(80_000, 250_000))
        slow = START + lap_ms * 1000 + draw(st.integers(18_000, 30_000)) * 1000
        slow_crossings.append(slow)
        impulses.append(slow)
        reads.append(Read(slow + 1_000, HOME_RIDERS[k - 1]))
    assume(all(abs(slow - p) >= 300_000 for slow in slow_crossings for p in wheels))
    return [lap_ms * 1000 for lap_ms in laps_ms], reads, impulses


@given(rides())
def test_the_photocell_times_every_lap_whatever_reads_are_missed(
    ride: tuple[list[int], list[Read], list[int]],
) -> None:
    """Whichever reads are missed (one rider of laps 1 and 2 read at least; the finish's rider
    perhaps not), each lap is the leader's wheel as the photocell saw it."""
    laps, reads, impulses = ride
    timing = line_passages(HOME_RIDERS, START, reads, impulses, 3)
    assert times([p.t_us for p in timing.passages]) == laps


def test_a_strangers_read_at_the_same_microsecond_is_no_trouble() -> None:
    """A transponder of nobody in the heat (bib None) read at the very microsecond of rider 1's
    lap 1 read: the laps as before (reads are ordered by time alone)."""
    reads, impulses = home_line(other_team=False)
    reads.append(Read(START + HOME_LAPS[0] + READ_LATE_US, None))
    timing = line_passages(HOME_RIDERS, START, reads, impulses, 3)
    assert times([p.t_us for p in timing.passages]) == HOME_LAPS
