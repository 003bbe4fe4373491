"""The pursuit rules (velotime.scoring.rules.pursuit): half laps, crossings given to sides,
official splits, gaps, the catch, a team's third rider and a rider dropped. Values by hand."""

from fractions import Fraction

import pytest

from velotime.scoring.rules.pursuit import (
    BACK,
    HOME,
    Catch,
    Gap,
    HalfLap,
    LineCrossing,
    assign_crossings,
    dropped_at,
    find_catch,
    gaps,
    half_lap_splits,
    half_laps,
    laps_to_go,
    min_half_lap_us,
    team_crossings,
)

S = 1_000_000


def test_half_laps_of_the_distance() -> None:
    """4000 m on 250 m: 16 laps, 32 half laps; on 2000/6 m (333.33): 12 laps, 24 half laps;
    3000 m on 250 m: 24. 4000 m on 400 m is 10 laps, 20 half laps; 4100 m on 250 m is 32.8
    half laps: no pursuit."""
    assert half_laps(4000, 250) == 32
    assert half_laps(4000, Fraction(1000, 3)) == 24
    assert half_laps(3000, 250) == 24
    assert half_laps(4000, 400) == 20
    with pytest.raises(ValueError, match="half laps"):
        half_laps(4100, 250)


def test_fastest_half_lap() -> None:
    """125 m at 25 m/s is 5 s; 2000/12 m tracks: 83.33 m / 25 = 3.333 s."""
    assert min_half_lap_us(250) == 5 * S
    assert min_half_lap_us(Fraction(2000, 12)) == 3_333_333


def test_splits_truncate_the_cumulative_first() -> None:
    """Crossings 10.1234, 17.5678, 24.9999 s after the start: cumulative 10.123, 17.567,
    24.999 (truncated); half laps 10.123, 7.444, 7.432 (differences of those); the lap from
    the second half lap: 17.567, then 24.999 - 10.123 = 14.876. A missed second crossing
    leaves its half and the next one's half unknown, and the lap across it too."""
    assert half_lap_splits(0, [10_123_400, 17_567_800, 24_999_900]) == [
        HalfLap(1, 10_123_000, 10_123_000, None),
        HalfLap(2, 17_567_000, 7_444_000, 17_567_000),
        HalfLap(3, 24_999_000, 7_432_000, 14_876_000),
    ]
    assert half_lap_splits(5 * S, [15_123_400, None, 29_999_900]) == [
        HalfLap(1, 10_123_000, 10_123_000, None),
        HalfLap(2, None, None, None),
        HalfLap(3, 24_999_000, None, 14_876_000),
    ]


def test_gap_every_half_lap_to_whoever_is_ahead() -> None:
    """Home 10.123 / 17.567, back 10.200 / 17.500: at half lap 1 home leads by 0.077, at half
    lap 2 back leads by 0.067. Equal times: level."""
    home = half_lap_splits(0, [10_123_000, 17_567_000, 25 * S])
    back = half_lap_splits(0, [10_200_000, 17_500_000, 25 * S])
    assert gaps(home, back) == [
        Gap(1, HOME, 77_000),
        Gap(2, BACK, 67_000),
        Gap(3, None, 0),
    ]


def test_photocell_impulses_go_to_the_side_due_at_their_line() -> None:
    """Both start at 0. The home side ends half lap 1 on the back line, the back side on the
    home line; half lap 2 each on its own line. Impulses: back 10.0 (home side), home 10.2
    (back side), back 17.0 (back side's lap), home 17.3 (home side's lap). An impulse at
    12.0 s on the home line is too soon for anyone (5 s is the fastest half lap, and both
    crossed a line after 10 s): stray; one at 0.2 s on the home line is the home rider's wheel
    leaving the gate: not counted."""
    impulses = [
        LineCrossing(200_000, HOME),
        LineCrossing(12 * S, HOME),
        LineCrossing(10 * S, BACK),
        LineCrossing(10_200_000, HOME),
        LineCrossing(17 * S, BACK),
        LineCrossing(17_300_000, HOME),
    ]
    assigned = assign_crossings(impulses, {HOME: 0, BACK: 0}, 8, 5 * S)
    assert assigned.crossings == {HOME: [10 * S, 17_300_000], BACK: [10_200_000, 17 * S]}
    assert assigned.stray == 1


def test_a_read_times_what_the_photocell_missed_and_the_impulse_wins_over_a_read() -> None:
    """Home side's transponder read on the back line at 10.010 and the impulse at 10.000: one
    crossing, timed by the impulse. At half lap 2 (home line) only the read, 17.020: it
    counts."""
    readings = [
        LineCrossing(10_010_000, BACK, HOME, 11),
        LineCrossing(10 * S, BACK),
        LineCrossing(17_020_000, HOME, HOME, 11),
    ]
    assigned = assign_crossings(readings, {HOME: 0, BACK: 0}, 8, 5 * S)
    assert assigned.crossings[HOME] == [10 * S, 17_020_000]
    assert assigned.crossings[BACK] == []


def test_a_missed_crossing_is_counted_from_the_time_elapsed() -> None:
    """Home side reads: back 10, home 17, (back 24 missed), home 31. The last half lap known
    took 7 s, 14 s passed: two half laps, the first missed. Then back 38: half lap 5."""
    readings = [
        LineCrossing(t * S, line, HOME, 11)
        for t, line in ((10, BACK), (17, HOME), (31, HOME), (38, BACK))
    ]
    assigned = assign_crossings(readings, {HOME: 0}, 8, 5 * S)
    assert assigned.crossings[HOME] == [10 * S, 17 * S, None, 31 * S, 38 * S]


def test_the_catch_is_the_crossing_order_at_a_line() -> None:
    """Home crosses at 10, 17, 24, 31 (half laps 1-4); back at 12, 22, 32. Home's half lap 4
    (on the home line, at 31) comes before back's half lap 3 on the same line (32): home has
    ridden half a lap more than back there, caught at 31. Half lap 3 (24) was after back's
    half lap 2 (22): not yet."""
    crossings = {HOME: [10 * S, 17 * S, 24 * S, 31 * S], BACK: [12 * S, 22 * S, 32 * S]}
    assert find_catch(crossings) == Catch(HOME, BACK, 4, 31 * S)
    crossings[BACK] = [12 * S, 22 * S]  # live: back has not reached half lap 3 yet at 31
    assert find_catch(crossings) == Catch(HOME, BACK, 4, 31 * S)
    level = {HOME: [10 * S, 17 * S, 24 * S], BACK: [10 * S, 17 * S, 24 * S]}
    assert find_catch(level) is None


def test_the_team_time_is_on_the_third_rider_and_a_dropped_rider_no_longer_counts() -> None:
    """Half lap 1: riders at 10.00, 10.10, 10.20, 10.30: the team's time 10.20 (the third).
    Rider 4 crosses half lap 2 at 17.40 and then no more, while the others cross half laps 3
    and 4: at the team's half lap 4 (31.2) rider 4 has not crossed half lap 3: dropped from
    half lap 3. The team's times: 10.2, 17.2, 24.2, 31.2. Had a second rider gone (rider 3
    stops after half lap 2), only two cross half lap 3: no team time from there; half lap 2
    stays 17.2 (17.0, 17.1, 17.2, 17.4: the third)."""
    riders: dict[int, list[int | None]] = {
        1: [10_000_000, 17_000_000, 24_000_000, 31_000_000],
        2: [10_100_000, 17_100_000, 24_100_000, 31_100_000],
        3: [10_200_000, 17_200_000, 24_200_000, 31_200_000],
        4: [10_300_000, 17_400_000],
    }
    assert team_crossings(riders) == [10_200_000, 17_200_000, 24_200_000, 31_200_000]
    assert dropped_at(riders) == {4: 3}
    riders[3] = riders[3][:2]
    assert team_crossings(riders) == [10_200_000, 17_200_000]


def test_laps_to_go() -> None:
    """32 half laps, 5 done: 13.5 laps to go; all done: 0."""
    assert laps_to_go(32, 5) == Fraction(27, 2)
    assert laps_to_go(32, 32) == 0


def test_two_riders_at_one_line_the_beam_is_the_one_the_loop_read_nearest() -> None:
    """(Fastest half lap 3 s here.) The back side ends half lap 1 on the home line at 5.5
    (beam and read) and half lap 2 on the back line at 9.9, where the beam missed it: its read
    times it. The home rider's first half lap ends on that line 0.1 s later: beam 10.0, read
    10.0013. The beam is the home rider's (the read nearest it), not a better time for the
    back rider's 9.9."""
    readings = [
        LineCrossing(5_500_000, HOME),
        LineCrossing(5_501_300, HOME, BACK, 2),
        LineCrossing(9_900_000, BACK, BACK, 2),
        LineCrossing(10 * S, BACK),
        LineCrossing(10_001_300, BACK, HOME, 1),
    ]
    assigned = assign_crossings(readings, {HOME: 0, BACK: 0}, 8, 3 * S)
    assert assigned.crossings == {HOME: [10 * S], BACK: [5_500_000, 9_900_000]}
    assert assigned.stray == 0
