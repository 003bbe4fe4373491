"""The standing-start time trial. Expected figures are worked out by hand in the comments."""

from fractions import Fraction

import pytest

from tests.scoring.events import passing_data
from velotime.scoring.rules.time_trial import (
    Attempt,
    Course,
    IncompleteRidesError,
    OnTrack,
    Ride,
    attribute_crossings,
    counting_ride,
    crossing_problems,
    exact_track_length,
    merge_line_crossings,
    ride_splits,
    rider_of_start,
    time_trial_results,
)
from velotime.wire.events import PassingData
from velotime.wire.results import Flag, ResultLine, SplitLine, Status

KILOMETRE = Course(distance_m=1000, track_length_m=250)
THIRD_KM = Fraction(1000, 3)  # a 333.33 m track
START_US = 36_000_123_400  # 10:00:00.1234 on the venue clock: the gate has sub-ms parts too


def ride(bib: int, *cumulative_us: int, start_us: int = START_US) -> Ride:
    """A ride from its raw cumulative times after the gate release."""
    return Ride(bib=bib, start_us=start_us, lap_us=[start_us + t for t in cumulative_us])


def by_bib(lines: list[ResultLine]) -> dict[int, ResultLine]:
    return {line.bib: line for line in lines}


# --- geometry -----------------------------------------------------------------------------


def test_laps_of_the_usual_tracks() -> None:
    assert KILOMETRE.crossings == 4  # 1000 / 250
    assert list(KILOMETRE.split_distances_m) == [250, 500, 750, 1000]
    assert Course(500, 250).crossings == 2
    on_third = Course(1000, THIRD_KM)
    assert on_third.crossings == 3  # exactly 3 laps, no part lap
    assert on_third.part_lap_m == 0
    assert list(on_third.split_distances_m) == [Fraction(1000, 3), Fraction(2000, 3), 1000]


def test_a_part_lap_comes_first() -> None:
    # 1000 m on a 400 m track: 2.5 laps, the start half a lap before the line.
    assert list(Course(1000, 400).split_distances_m) == [200, 600, 1000]
    # 500 m on 333.33 m: 1.5 laps, 500 - 1000/3 = 500/3 m to the first crossing.
    half_km = Course(500, THIRD_KM)
    assert half_km.crossings == 2
    assert half_km.part_lap_m == Fraction(500, 3)


def test_a_rounded_track_length_is_refused_not_ridden_as_an_extra_lap() -> None:
    # 1000 - 3 x 333.33 = 0.01 m: a 1 cm "first lap" would make every rider one crossing short.
    with pytest.raises(ValueError, match="Fraction"):
        Course(1000, Fraction("333.33"))


def test_configured_track_lengths_become_exact() -> None:
    assert exact_track_length(333.33) == Fraction(1000, 3)  # 2000/6 is 0.0033 m away
    assert exact_track_length(285.714) == Fraction(2000, 7)  # 285.71428...
    assert exact_track_length(250.0) == 250
    assert exact_track_length("166.67") == Fraction(500, 3)  # 2000/12
    # The nearest 2000/n is 2000/8 = 250, 3.27 m away: not a rounded length, kept as written.
    assert exact_track_length(253.27) == Fraction(25327, 100)


# --- the kilometre ------------------------------------------------------------------------


def test_kilometre_splits_add_up_to_the_total() -> None:
    # Raw cumulative 18.1234 / 32.4567 / 46.7899 / 61.0005 s, truncated: 18.123 / 32.456 /
    # 46.789 / 61.000. Laps as differences of those: 18.123, 32.456 - 18.123 = 14.333,
    # 46.789 - 32.456 = 14.333, 61.000 - 46.789 = 14.211; 18.123 + 14.333 + 14.333 + 14.211
    # = 61.000. (Truncating the raw laps would give 14.3333 -> 14.333, 14.3332 -> 14.333,
    # 14.2106 -> 14.210: 60.999, not the total.)
    [line] = time_trial_results(
        [ride(7, 18_123_400, 32_456_700, 46_789_900, 61_000_500)], KILOMETRE
    )
    assert line.rank == 1
    assert line.time == "1:01.000"
    assert line.time_us == 61_000_000
    assert line.gap is None
    assert line.speed_kmh == "59.016"  # 3600 / 61.000 = 59.0163...
    assert line.splits == [
        SplitLine(distance_m=250, cumulative="18.123", lap="18.123"),
        SplitLine(distance_m=500, cumulative="32.456", lap="14.333"),
        SplitLine(distance_m=750, cumulative="46.789", lap="14.333"),
        SplitLine(distance_m=1000, cumulative="1:01.000", lap="14.211"),
    ]
    assert line.status is Status.RANKED
    assert line.flags == []


def test_speeds_and_gap_follow_the_rules_examples() -> None:
    slower = ride(1, 15_000_100, 29_000_200, 43_000_300, 60_981_900)  # total 60.9819 -> 60.981
    faster = ride(2, 14_000_000, 27_000_000, 41_000_000, 55_433_900)  # total 55.4339 -> 55.433
    first, second = time_trial_results([slower, faster], KILOMETRE)
    assert (first.bib, first.rank, first.time, first.gap) == (2, 1, "55.433", None)
    assert first.speed_kmh == "64.943"  # uci-rules.md §4.7: 3600 / 55.433
    assert (second.bib, second.rank, second.time) == (1, 2, "1:00.981")
    assert second.speed_kmh == "59.034"  # 3600 / 60.981
    assert second.gap == "+5.548"  # 60.981 - 55.433


def test_equal_totals_go_to_the_better_last_lap() -> None:
    # Both totals truncate to 1:01.000 (raw 61.0001 would even beat 61.0008: the raw digits
    # do not count). Last laps: bib 3 61.000 - 47.000 = 14.000, bib 4 61.000 - 46.900 = 14.100.
    bib4 = ride(4, 17_500_000, 32_000_000, 46_900_000, 61_000_100)
    bib3 = ride(3, 18_000_000, 32_500_000, 47_000_000, 61_000_800)
    first, second = time_trial_results([bib4, bib3], KILOMETRE)
    assert (first.bib, first.rank, first.gap, first.flags) == (3, 1, None, [])
    assert (second.bib, second.rank, second.gap, second.flags) == (4, 2, "+0.000", [])


def test_equal_total_and_last_lap_is_a_draw_for_the_commissaires() -> None:
    leader = ride(10, 14_500_000, 29_000_000, 44_500_000, 60_000_200)  # 1:00.000
    # 1:01.000 with a last lap of 61.000 - 47.000 = 14.000 for both, though the raw last laps
    # differ (61.0003 - 47.0000 = 14.0003; 61.0008 - 47.0007 = 14.0001).
    bib11 = ride(11, 18_000_400, 32_500_000, 47_000_000, 61_000_300)
    bib12 = ride(12, 17_900_000, 32_500_100, 47_000_700, 61_000_800)
    last = ride(13, 15_000_000, 30_000_000, 45_000_000, 62_000_000)  # 1:02.000
    lines = time_trial_results([last, bib12, bib11, leader], KILOMETRE)
    # Same rank 2, the order given kept; the next rank is 4, not 3.
    assert [(line.bib, line.rank) for line in lines] == [(10, 1), (12, 2), (11, 2), (13, 4)]
    assert [line.flags for line in lines] == [
        [],
        [Flag.DRAW_REQUIRED],
        [Flag.DRAW_REQUIRED],
        [],
    ]
    assert [line.gap for line in lines] == [None, "+1.000", "+1.000", "+2.000"]


def test_a_draw_for_first_place_has_no_gap() -> None:
    a = ride(1, 15_000_000, 30_000_000, 45_000_000, 60_000_000)
    b = ride(2, 15_500_000, 30_000_000, 45_000_000, 60_000_900)  # 1:00.000, last lap 15.000
    lines = time_trial_results([a, b], KILOMETRE)
    assert [(line.rank, line.gap, line.flags) for line in lines] == [
        (1, None, [Flag.DRAW_REQUIRED]),
        (1, None, [Flag.DRAW_REQUIRED]),
    ]


def test_the_500m_on_a_333_track_is_a_half_lap_then_a_lap() -> None:
    # Raw 12.3456 at 500/3 m, 33.9999 at 500 m -> 12.345 and 33.999; laps 12.345 and
    # 33.999 - 12.345 = 21.654. Speed 1800 / 33.999: 33.999 x 52.942 = 1799.975 and
    # 33.999 x 52.943 = 1800.009, so 52.942.
    [line] = time_trial_results([ride(9, 12_345_600, 33_999_900)], Course(500, THIRD_KM))
    assert line.time == "33.999"
    assert line.speed_kmh == "52.942"
    assert line.splits == [
        SplitLine(distance_m=167, cumulative="12.345", lap="12.345"),  # 166.67 m
        SplitLine(distance_m=500, cumulative="33.999", lap="21.654"),
    ]


def test_kilometre_on_a_333_track_labels_splits_to_the_metre() -> None:
    [line] = time_trial_results(
        [ride(9, 22_000_000, 41_000_000, 60_000_000)], Course(1000, THIRD_KM)
    )
    assert [split.distance_m for split in line.splits] == [333, 667, 1000]  # 333.33, 666.67


# --- starts, restarts and riders without a time -------------------------------------------


def test_only_the_restart_counts() -> None:
    first_start = START_US
    restart = START_US + 600_000_000  # ten minutes later, at the end of the session
    attempts = [
        Attempt(start_us=first_start, lap_us=[first_start + 18_000_000], incident=True),
        Attempt(
            start_us=restart,
            lap_us=[restart + t for t in (18_500_000, 33_000_000, 47_500_000, 62_000_000)],
        ),
    ]
    counting = counting_ride(5, attempts, name="A RIDER", nation="NED")
    assert counting == Ride(
        bib=5,
        name="A RIDER",
        nation="NED",
        start_us=restart,
        lap_us=attempts[1].lap_us,
        restarts=1,
    )
    [line] = time_trial_results([counting], KILOMETRE)
    assert line.time == "1:02.000"  # from the restart's gate, not the first one's


def test_a_second_incident_is_dnf_and_a_pending_restart_no_ride_yet() -> None:
    incident = Attempt(start_us=START_US, incident=True)
    again = Attempt(start_us=START_US + 600_000_000, incident=True)
    assert counting_ride(5, [incident]) is None
    counting = counting_ride(5, [incident, again])
    assert counting is not None
    assert (counting.status, counting.restarts) == (Status.DNF, 1)
    assert counting_ride(5, []) == Ride(bib=5, status=Status.DNS)


def test_impossible_starts_are_refused() -> None:
    done = Attempt(start_us=START_US, lap_us=[START_US + 61_000_000])
    with pytest.raises(ValueError, match="only an incident"):
        counting_ride(5, [done, done])
    with pytest.raises(ValueError, match="at most 2"):
        counting_ride(5, [Attempt(start_us=START_US, incident=True)] * 3)
    with pytest.raises(ValueError, match="restarts"):
        time_trial_results(
            [Ride(bib=5, start_us=START_US, lap_us=[START_US + 1], restarts=2)], KILOMETRE
        )


def test_unranked_riders_come_after_dnf_then_dns_then_dsq() -> None:
    rides = [
        Ride(bib=21, status=Status.DSQ),
        Ride(bib=22, status=Status.DNS),
        ride(23, 18_000_000, 32_500_000, 47_000_000, 61_000_000),
        Ride(bib=24, status=Status.DNF, start_us=START_US, lap_us=[START_US + 18_000_000]),
        Ride(bib=25, status=Status.DNS),
        Ride(bib=26, status=Status.DNF),
    ]
    lines = time_trial_results(rides, KILOMETRE)
    assert [(line.bib, line.rank, line.status) for line in lines] == [
        (23, 1, Status.RANKED),
        (24, None, Status.DNF),
        (26, None, Status.DNF),
        (22, None, Status.DNS),
        (25, None, Status.DNS),
        (21, None, Status.DSQ),
    ]
    assert all(line.time is None and line.splits == [] for line in lines[1:])


def test_incomplete_rides_are_an_error_naming_every_rider() -> None:
    rides = [
        ride(31, 18_000_000, 32_500_000, 47_000_000),  # 3 crossings for 4 laps
        Ride(bib=32, lap_us=[START_US + 61_000_000]),  # no start impulse
        ride(33, 18_000_000, 32_500_000, 47_000_000, 61_000_000),
        Ride(bib=34, status=Status.DNF, start_us=START_US),  # a DNF needs no crossings
    ]
    problems = crossing_problems(rides, KILOMETRE)
    assert [(p.bib, p.expected, p.got) for p in problems] == [(31, 4, 3), (32, 4, 1)]
    assert problems[0].reason == "3 line crossings, 4 expected for 1000 m"
    assert problems[1].reason == "no start impulse"
    with pytest.raises(IncompleteRidesError) as caught:
        time_trial_results(rides, KILOMETRE)
    assert caught.value.problems == problems


def test_crossings_before_the_start_or_out_of_order_are_problems() -> None:
    early = ride(1, -1, 32_000_000, 47_000_000, 61_000_000)  # a read before the gate opened
    swapped = ride(2, 18_000_000, 47_000_000, 32_000_000, 61_000_000)
    problems = crossing_problems([early, swapped], KILOMETRE)
    assert [p.reason for p in problems] == ["line crossings not in order after the start"] * 2


def test_live_splits_of_a_ride_in_progress() -> None:
    riding = ride(7, 18_123_400, 32_456_700)
    assert ride_splits(riding, KILOMETRE) == [
        SplitLine(distance_m=250, cumulative="18.123", lap="18.123"),
        SplitLine(distance_m=500, cumulative="32.456", lap="14.333"),
    ]


def test_a_bib_entered_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="entered twice"):
        time_trial_results([Ride(bib=1, status=Status.DNS)] * 2, KILOMETRE)


# --- crossings from transponder reads (qualifying two at a time, 3.2.106) ---------------------


def passing(t_us: int, line: str, transponder: int) -> PassingData:
    return passing_data(line, t_us, transponder)


def test_two_riders_from_opposite_sides_each_get_their_own_line() -> None:
    home_start = START_US
    back_start = START_US + 300  # their own gate, 0.3 ms apart
    transponders = {101: 1, 111: 1, 102: 2, 103: 3}  # bib 1 carries two; bib 3 is not riding
    home = [home_start + t for t in (18_123_400, 32_456_700, 46_789_900, 61_000_500)]
    back = [back_start + t for t in (18_500_000, 33_000_000, 47_500_000, 62_000_000)]
    reads = [
        passing(home_start + 400_000, "finish", 101),  # the loop sees the wheel leave the gate
        passing(home[0] + 2_000, "finish", 111),  # the second transponder, 2 ms later
        *(passing(t, "finish", 101) for t in reversed(home)),  # any order
        passing(home_start + 25_000_000, "pursuit", 101),  # half lap: the other rider's line
        passing(home_start + 80_000_000, "finish", 101),  # slowing down after the finish
        *(passing(t, "pursuit", 102) for t in back),
        passing(back_start + 26_000_000, "finish", 102),
        passing(home_start + 20_000_000, "finish", 103),
        passing(home_start + 21_000_000, "finish", 999),  # nobody's transponder
    ]
    on_track = [
        OnTrack(bib=1, line="finish", start_us=home_start),
        OnTrack(bib=2, line="pursuit", start_us=back_start),
    ]
    crossings = attribute_crossings(on_track, reads, transponders, KILOMETRE)
    assert crossings == {1: home, 2: back}
    rides = [
        Ride(bib=1, start_us=home_start, lap_us=crossings[1]),
        Ride(bib=2, start_us=back_start, lap_us=crossings[2]),
    ]
    assert [(line.bib, line.time) for line in time_trial_results(rides, KILOMETRE)] == [
        (1, "1:01.000"),
        (2, "1:02.000"),
    ]


def test_a_photocell_finish_replaces_the_transponder_read() -> None:
    laps = [START_US + t for t in (18_123_400, 32_456_700, 46_789_900)]
    finish = START_US + 60_999_800  # photocell: 60.9998 -> 1:00.999
    reads = [passing(t, "finish", 101) for t in [*laps, START_US + 61_001_000]]
    on_track = [OnTrack(bib=1, line="finish", start_us=START_US, finish_us=finish)]
    crossings = attribute_crossings(on_track, reads, {101: 1}, KILOMETRE)
    assert crossings == {1: [*laps, finish]}


def test_missed_reads_leave_the_ride_incomplete() -> None:
    reads = [passing(START_US + t, "finish", 101) for t in (18_123_400, 61_000_500)]
    on_track = [OnTrack(bib=1, line="finish", start_us=START_US)]
    crossings = attribute_crossings(on_track, reads, {101: 1}, KILOMETRE)
    [problem] = crossing_problems([Ride(bib=1, start_us=START_US, lap_us=crossings[1])], KILOMETRE)
    assert (problem.expected, problem.got) == (4, 2)


def test_the_loop_makes_up_a_lap_the_photocell_missed() -> None:
    # Photocell impulses at the line (1/10,000 s): the wheel leaving the gate, laps 1, 3 and 4,
    # then slowing down; lap 2's impulse is missing. The loop read every crossing 1.3 ms later.
    beams = [START_US + t for t in (200_000, 18_123_400, 46_789_900, 61_000_500, 80_000_000)]
    loop_lap_2 = START_US + 32_457_949
    reads = [t + 1_300 for t in beams if t != START_US + 200_000] + [loop_lap_2]
    merged = merge_line_crossings(beams, reads)
    assert merged == sorted([*beams, loop_lap_2])  # every read but lap 2's is a beam's
    on_track = [OnTrack(bib=1, line="finish", start_us=START_US)]
    crossings = attribute_crossings(
        on_track, [passing(t, "finish", 101) for t in merged], {101: 1}, KILOMETRE
    )
    # The gate crossing (0.2 s) is dropped; lap 2 from the loop; the finish is lap 4's impulse.
    # From the beams alone the fourth crossing would be the slowing-down one at 80 s.
    assert crossings == {1: [beams[1], loop_lap_2, beams[2], beams[3]]}
    (line,) = time_trial_results([Ride(bib=1, start_us=START_US, lap_us=crossings[1])], KILOMETRE)
    # 18.1234 / 32.457949 / 46.7899 / 61.0005 -> 18.123 / 32.457 / 46.789 / 61.000.
    assert [(s.cumulative, s.lap) for s in line.splits] == [
        ("18.123", "18.123"),
        ("32.457", "14.334"),
        ("46.789", "14.332"),
        ("1:01.000", "14.211"),
    ]


GATE_US = 50_000_000
UNTIL_US = GATE_US + 180_000_000  # a kilometre's slowest plausible time after the gate
OWNERS = {9001: 1, 9002: 2, 9011: 1}  # 1 carries two transponders


@pytest.mark.parametrize(
    ("reads", "cooling_down", "named"),
    [
        # 1's two transponders, before and after the gate: 1 alone (the read before the gate,
        # as 1 was wheeled to it, and the read after the window do not count).
        ([(GATE_US - 1, 9002), (GATE_US, 9001), (GATE_US + 20_000_000, 9011),
          (UNTIL_US + 1, 9002)], [], (1, "")),
        # 2 crosses the line during 1's ride: nobody's start.
        ([(GATE_US + 350_000, 9001), (GATE_US + 30_000_000, 9002)], [],
         (None, "more than one rider on the track: bib 1, bib 2")),
        # ... unless 2 finished before the gate and is cooling down.
        ([(GATE_US + 350_000, 9001), (GATE_US + 30_000_000, 9002)], [2], (1, "")),
        # A transponder of nobody in the meet: someone else is on the track.
        ([(GATE_US + 350_000, 9001), (GATE_US + 1_000_000, 7777)], [],
         (None, "more than one rider on the track: bib 1, "
                "transponder 7777 (no rider of the meet)")),
        ([], [], (None, "no transponder read after it")),
    ],
)  # fmt: skip
def test_the_rider_of_a_start_is_the_one_rider_the_transponders_show(
    reads: list[tuple[int, int]], cooling_down: list[int], named: tuple[int | None, str]
) -> None:
    assert (
        rider_of_start(
            reads, OWNERS, since_us=GATE_US, until_us=UNTIL_US, cooling_down=cooling_down
        )
        == named
    )
