"""The flying 200 m (UCI 3.2.022-3.2.028). Every expected value is worked out by hand from the
rule, in the comments; none is copied from the code's output."""

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.scoring.rules.flying200 import (
    Attribution,
    Attributor,
    Crossing,
    Effort,
    Line,
    Starter,
    attribute_crossings,
    match_photocells,
    rank_flying_200,
)
from velotime.wire.results import Flag, ResultLine, SplitLine, Status

S = 1_000_000  # microseconds in a second
T0 = 15 * 3600 * S  # 15:00:00 on the venue clock


def timed(bib: int, elapsed_us: int, last_100_us: int | None = None) -> Effort:
    """A ranked effort from its raw 200 m time (and raw last-100 m time, if a 100 m line)."""
    line_200 = T0 + bib * 60 * S  # one rider a minute: only differences matter
    finish = line_200 + elapsed_us
    return Effort(
        bib=bib,
        name=f"Rider {bib}",
        nation="NED",
        line_200_us=line_200,
        line_100_us=None if last_100_us is None else finish - last_100_us,
        finish_us=finish,
    )


def by_bib(lines: list[ResultLine]) -> dict[int, ResultLine]:
    return {line.bib: line for line in lines}


# --- A full field: ranking, truncation, speeds, gaps, the cut, unranked riders ---

# Start order, raw elapsed times in microseconds. Official time = raw truncated to the
# thousandth; the places (comment) are those official times in ascending order, and they run
# 9.800, 9.850, ... 11.150 in steps of 0.050 (place p: 9.800 + 0.050 (p - 1)).
FIELD = [
    (1, 10_300_137),  # 10.300 -> 11th
    (2, 10_850_274),  # 22nd
    (3, 9_950_411),  # 4th
    (4, 10_500_548),  # 15th
    (5, 11_050_685),  # 26th
    (6, 10_150_822),  # 8th
    (7, 10_700_959),  # 10.700959 -> 10.700, not 10.701 -> 19th
    (8, 9_800_096),  # 1st
    (9, 10_350_233),  # 12th
    (10, 10_900_370),  # 23rd
    (11, 10_000_507),  # 5th
    (12, 10_550_644),  # 16th
    (13, 11_100_781),  # 27th
    (14, 10_200_918),  # 9th
    (15, 10_750_055),  # 20th
    (16, 9_850_192),  # 2nd
    (17, 10_400_329),  # 13th
    (18, 10_950_466),  # 24th
    (19, 10_050_603),  # 6th
    (20, 10_600_740),  # 17th
    (21, 11_150_877),  # 11.150877 -> 11.150, not 11.151 -> 28th
    (22, 10_250_014),  # 10th
    (23, 10_800_151),  # 21st
    (24, 9_900_288),  # 3rd
    (25, 10_450_425),  # 14th
    (26, 11_000_562),  # 25th
    (27, 10_100_699),  # 7th
    (28, 10_650_836),  # 18th
]
# The bibs of places 1..28, read off the comments above.
FIELD_ORDER = [8, 16, 24, 3, 11, 19, 27, 6, 14, 22, 1, 9, 17, 25, 4, 12, 20, 28, 7, 15, 23, 2]
FIELD_ORDER += [10, 18, 26, 5, 13, 21]


def field_efforts() -> list[Effort]:
    efforts = [timed(bib, elapsed) for bib, elapsed in FIELD]
    # Unranked riders sprinkled through the start order, in an order unlike the sheet's.
    efforts.insert(3, Effort(bib=31, name="Rider 31", nation="FRA", status=Status.DSQ))
    efforts.insert(10, Effort(bib=30, name="Rider 30", nation="GBR", status=Status.DNS))
    # A second incident (3.2.021 ter): DNF, though the 200 m line was crossed.
    efforts.insert(
        20, Effort(bib=29, nation="JPN", line_200_us=T0, finish_us=None, status=Status.DNF)
    )
    return efforts


def test_field_is_ranked_by_official_time() -> None:
    lines = rank_flying_200(field_efforts(), qualify=24)
    assert len(lines) == 31
    ranked = lines[:28]
    assert [line.bib for line in ranked] == FIELD_ORDER
    assert [line.rank for line in ranked] == list(range(1, 29))
    # Place p has 9.800 + 0.050 (p - 1) s, sub-millisecond parts truncated away.
    assert [line.time_us for line in ranked] == [9_800_000 + 50_000 * k for k in range(28)]
    assert all(line.status is Status.RANKED for line in ranked)
    assert all(line.splits == [] for line in ranked)  # no 100 m line in this venue


def test_field_times_speeds_and_gaps_by_hand() -> None:
    lines = by_bib(rank_flying_200(field_efforts(), qualify=24))
    # Leader, bib 8: 9.800096 -> 9.800; 720 / 9.800 = 73.4693... -> 73.469; no gap.
    assert (lines[8].time, lines[8].speed_kmh, lines[8].gap) == ("9.800", "73.469", None)
    # 24th, bib 18: 10.950466 -> 10.950; 720 / 10.950 = 65.7534... -> 65.753;
    # gap 10.950 - 9.800 = 1.150.
    assert (lines[18].time, lines[18].speed_kmh, lines[18].gap) == ("10.950", "65.753", "+1.150")
    # 25th, bib 26: 11.000562 -> 11.000; 720 / 11 = 65.4545... -> 65.454 (truncated, not 65.455).
    assert (lines[26].time, lines[26].speed_kmh, lines[26].gap) == ("11.000", "65.454", "+1.200")
    # 28th, bib 21: 11.150877 -> 11.150 (not 11.151); 720 / 11.150 = 64.5739... -> 64.573.
    assert (lines[21].time, lines[21].speed_kmh, lines[21].gap) == ("11.150", "64.573", "+1.350")
    assert lines[21].time_us == 11_150_000


@pytest.mark.parametrize(
    ("qualify", "qualified"),
    [
        (24, 24),  # Olympics: 24 go on, of 28 ranked
        (28, 28),  # World Championships: 28
        (30, 28),  # more places than ranked riders: every ranked rider
        (0, 0),
    ],
)
def test_the_first_places_qualify(qualify: int, qualified: int) -> None:
    ranked = rank_flying_200(field_efforts(), qualify=qualify)[:28]
    assert [Flag.QUALIFIED in line.flags for line in ranked] == [True] * qualified + [False] * (
        28 - qualified
    )
    assert all(Flag.DRAW_REQUIRED not in line.flags for line in ranked)


def test_dnf_dns_dsq_come_last_in_that_order_unranked() -> None:
    unranked = rank_flying_200(field_efforts(), qualify=24)[28:]
    # Given in the start order as DSQ 31, DNS 30, DNF 29: listed DNF, DNS, DSQ.
    assert [(line.bib, line.rank, line.status) for line in unranked] == [
        (29, None, Status.DNF),
        (30, None, Status.DNS),
        (31, None, Status.DSQ),
    ]
    assert all(line.time is None and line.speed_kmh is None for line in unranked)
    assert all(line.flags == [] for line in unranked)  # never qualified
    assert unranked[1].name == "Rider 30"
    assert unranked[1].nation == "GBR"


def test_unranked_riders_keep_the_order_given_within_a_status() -> None:
    efforts = [
        Effort(bib=41, status=Status.DSQ, line_200_us=T0, finish_us=T0 + 10 * S),  # rode: DSQ
        timed(42, 10_500_000),
        Effort(bib=43, status=Status.DNS),
        Effort(bib=44, status=Status.DNF),
        Effort(bib=45, status=Status.DNS),
        timed(46, 10_400_000),
    ]
    lines = rank_flying_200(efforts, qualify=1)
    # 46 (10.400) before 42 (10.500); then DNF 44; DNS 43, 45 as given; DSQ 41, its time unused.
    assert [(line.bib, line.rank, line.status) for line in lines] == [
        (46, 1, Status.RANKED),
        (42, 2, Status.RANKED),
        (44, None, Status.DNF),
        (43, None, Status.DNS),
        (45, None, Status.DNS),
        (41, None, Status.DSQ),
    ]
    assert lines[-1].time is None


# --- One rider: truncation, speed and the 100 m split ---


def test_the_rules_example_10_7246_gives_10_724_and_67_139() -> None:
    # Raw 10.7246 s -> 10.724 (never 10.725); 720 / 10.724 = 67.1391... -> 67.139.
    # 100 m line at 5.1234 s after the 200 m line -> 5.123; the last 100 m: 10.724 - 5.123 = 5.601.
    [line] = rank_flying_200([timed(7, 10_724_600, last_100_us=10_724_600 - 5_123_400)], 1)
    assert line.time == "10.724"
    assert line.time_us == 10_724_000
    assert line.speed_kmh == "67.139"
    assert line.gap is None
    assert line.splits == [
        SplitLine(distance_m=100, cumulative="5.123", lap="5.123"),
        SplitLine(distance_m=200, cumulative="10.724", lap="5.601"),
    ]
    assert line.flags == [Flag.QUALIFIED]


def test_the_printed_laps_add_up_while_the_tie_break_is_the_interval_truncated() -> None:
    # 100 m at 5.1237 s, finish at 10.7246 s. Printed: 5.123 then 10.724 - 5.123 = 5.601 (laps
    # add up). Tie-break time: 10.7246 - 5.1237 = 5.6009 -> 5.600, one thousandth less.
    effort = timed(7, 10_724_600, last_100_us=5_600_900)
    assert effort.last_100_us == 5_600_000
    [line] = rank_flying_200([effort], 1)
    assert [s.lap for s in line.splits] == ["5.123", "5.601"]


# --- Ties (3.2.027) ---


def test_a_tie_is_broken_on_the_last_100_m() -> None:
    efforts = [
        # Raw 10.1230 -> 10.123; last 100 m raw 5.0004 -> 5.000.
        timed(21, 10_123_000, last_100_us=5_000_400),
        # Raw 10.1238 -> 10.123 too (a larger raw time: raw parts never decide);
        # last 100 m raw 4.9999 -> 4.999, better than 5.000: 22 goes ahead of 21.
        timed(22, 10_123_800, last_100_us=4_999_900),
        timed(23, 10_050_000),  # 10.050: 1st
        timed(24, 10_200_000),  # 10.200: 4th
    ]
    lines = rank_flying_200(efforts, qualify=2)
    assert [(line.bib, line.rank) for line in lines] == [(23, 1), (22, 2), (21, 3), (24, 4)]
    # Both tied riders are 10.123 - 10.050 = 0.073 behind.
    assert [line.gap for line in lines] == [None, "+0.073", "+0.073", "+0.150"]
    # Broken ties need no draw; the cut at 2 falls between 22 and 21.
    assert [line.flags for line in lines] == [[Flag.QUALIFIED], [Flag.QUALIFIED], [], []]


def draw_field(last_100_35: int | None, last_100_36: int | None) -> list[Effort]:
    """Eight riders; 35 and 36 both 10.300, tied for 5th. 36 is given before 35."""
    return [
        timed(31, 10_000_000),  # 1st
        timed(32, 10_100_000),  # 2nd
        timed(33, 10_200_000),  # 3rd
        timed(34, 10_250_000),  # 4th
        timed(36, 10_300_900, last_100_36),  # 10.3009 -> 10.300
        timed(35, 10_300_400, last_100_35),  # 10.3004 -> 10.300
        timed(37, 10_400_000),  # 7th: two riders are ahead-or-level at 5th
        timed(38, 10_500_000),  # 8th
    ]


@pytest.mark.parametrize(
    ("last_100_35", "last_100_36"),
    [
        (None, None),  # the venue has no 100 m line
        (5_000_100, 5_000_800),  # 5.0001 and 5.0008: both 5.000, still equal
        (4_900_000, None),  # only one rider has a 100 m time: nothing to compare
    ],
    ids=["no-100m-line", "equal-last-100m", "one-100m-time-missing"],
)
def test_a_tie_the_rules_cannot_break_is_a_draw(
    last_100_35: int | None, last_100_36: int | None
) -> None:
    lines = rank_flying_200(draw_field(last_100_35, last_100_36), qualify=8)
    # Same rank, the next one skipped (5, 5, 7); listed in the order given (36 then 35).
    assert [(line.bib, line.rank) for line in lines] == [
        (31, 1),
        (32, 2),
        (33, 3),
        (34, 4),
        (36, 5),
        (35, 5),
        (37, 7),
        (38, 8),
    ]
    drawn = [line.bib for line in lines if Flag.DRAW_REQUIRED in line.flags]
    assert drawn == [36, 35]
    # Both 10.300 - 10.000 = 0.300 behind.
    assert by_bib(lines)[35].gap == by_bib(lines)[36].gap == "+0.300"


def test_a_three_way_tie_is_broken_as_far_as_the_last_100_m_goes() -> None:
    efforts = [
        timed(51, 10_500_000, last_100_us=5_000_000),  # 10.500, last 100 m 5.000
        timed(52, 10_500_500, last_100_us=5_000_700),  # 10.500, 5.000: level with 51
        timed(53, 10_500_999, last_100_us=4_999_999),  # 10.500, 4.999: best of the three
        timed(54, 10_000_000, last_100_us=5_100_000),  # 10.000: 1st, faster outright
    ]
    lines = rank_flying_200(efforts, qualify=4)
    # 54 1st; 53 2nd (4.999); 51 and 52 drawn for 3rd (5.000 each); nobody 4th.
    assert [(line.bib, line.rank) for line in lines] == [(54, 1), (53, 2), (51, 3), (52, 3)]
    assert [Flag.DRAW_REQUIRED in line.flags for line in lines] == [False, False, True, True]


def test_a_draw_for_first_place_has_two_leaders() -> None:
    lines = rank_flying_200([timed(61, 9_900_100), timed(62, 9_900_800), timed(63, 10_000_000)], 3)
    # 61, 62: 9.900 each, rank 1, no gap; 63: 10.000, rank 3, 0.100 behind the leaders.
    assert [(line.bib, line.rank, line.gap) for line in lines] == [
        (61, 1, None),
        (62, 1, None),
        (63, 3, "+0.100"),
    ]


@pytest.mark.parametrize(
    ("qualify", "qualified"),
    [
        (4, [31, 32, 33, 34]),  # the draw for 5th is wholly outside the cut
        (5, [31, 32, 33, 34]),  # the draw straddles places 5-6: neither qualifies, they draw
        (6, [31, 32, 33, 34, 36, 35]),  # wholly inside: both qualify, the draw only seeds them
        (7, [31, 32, 33, 34, 36, 35, 37]),
    ],
)
def test_a_draw_across_the_qualifying_cut_qualifies_nobody_in_it(
    qualify: int, qualified: list[int]
) -> None:
    lines = rank_flying_200(draw_field(None, None), qualify=qualify)
    assert [line.bib for line in lines if Flag.QUALIFIED in line.flags] == qualified
    # The drawn riders are flagged whatever the cut.
    assert by_bib(lines)[35].flags[0] is Flag.DRAW_REQUIRED
    assert by_bib(lines)[36].flags[0] is Flag.DRAW_REQUIRED


# --- Invalid input ---


@pytest.mark.parametrize(
    "make",
    [
        lambda: Effort(bib=1, line_200_us=T0),  # ranked, never finished
        lambda: Effort(bib=1, finish_us=T0),  # ranked, never started
        lambda: Effort(bib=1, line_200_us=T0, finish_us=T0 - 1),  # finish before start
        lambda: Effort(bib=1, line_200_us=T0, finish_us=T0 + 999),  # 0.000999 -> 0.000
        lambda: Effort(bib=1, line_200_us=T0, line_100_us=T0, finish_us=T0 + 10 * S),
        lambda: Effort(bib=1, line_200_us=T0, line_100_us=T0 + 11 * S, finish_us=T0 + 10 * S),
        lambda: Effort(bib=1, status=Status.REL),  # no relegation in a time trial
    ],
)
def test_impossible_efforts_are_refused(make: Callable[[], Effort]) -> None:
    with pytest.raises(ValueError, match="bib 1"):
        make()


def test_a_bib_twice_or_a_negative_cut_is_refused() -> None:
    with pytest.raises(ValueError, match="bib 5 appears twice"):
        rank_flying_200([timed(5, 10 * S), Effort(bib=5, status=Status.DNS)], qualify=1)
    with pytest.raises(ValueError, match="negative"):
        rank_flying_200([timed(5, 10 * S)], qualify=-1)


def test_no_efforts_no_result() -> None:
    assert rank_flying_200([], qualify=28) == []


# --- Properties of any ranking ---


@given(
    st.lists(
        st.tuples(
            # A narrow range of times, to make ties (and draws) common.
            st.integers(min_value=10_000_000, max_value=10_004_999),
            st.one_of(st.none(), st.integers(min_value=4_999_000, max_value=5_000_999)),
        ),
        max_size=30,
    ),
    st.integers(min_value=0, max_value=32),
)
def test_any_ranking_is_consistent(times: list[tuple[int, int | None]], qualify: int) -> None:
    lines = rank_flying_200([timed(i, t, l100) for i, (t, l100) in enumerate(times)], qualify)
    assert sorted(line.bib for line in lines) == list(range(len(times)))
    ranks = [line.rank for line in lines if line.rank is not None]
    official = [line.time_us for line in lines if line.time_us is not None]
    assert len(ranks) == len(official) == len(lines)  # all ranked: every effort was timed
    assert official == sorted(official)
    for line, rank in zip(lines, ranks, strict=True):
        level = [other for other in lines if other.rank == rank]
        # Standard competition ranking: one more than the number of riders strictly ahead.
        assert rank == 1 + sum(1 for other in ranks if other < rank)
        assert (Flag.DRAW_REQUIRED in line.flags) == (len(level) > 1)
        assert len({other.time_us for other in level}) == 1  # only equal times can draw
        # Qualified exactly when every rider level with it is inside the cut.
        assert (Flag.QUALIFIED in line.flags) == (rank + len(level) - 1 <= qualify)


# --- Attributing crossings: two riders on the track at once (3.2.024) ---


def photocell(line: Line, t_us: int) -> Crossing:
    return Crossing(line=line, t_us=t_us)


def test_photocells_with_two_riders_on_the_track_are_attributed_in_order() -> None:
    start_order = [
        Starter(bib=7, name="A", nation="NED"),
        Starter(bib=3, name="B", nation="AUS"),
        Starter(bib=12, name="C", nation="GER"),
    ]
    crossings = [
        photocell(Line.LINE_200, T0),  # 7 (A) starts the clock
        photocell(Line.LINE_200, T0 + 4 * S),  # 3 (B) starts, A is still on the track
        photocell(Line.LINE_100, T0 + 5_123_400),  # A: the earliest started with no 100 m
        photocell(Line.LINE_100, T0 + 9_050_000),  # B
        photocell(Line.FINISH, T0 + 10_724_600),  # A finishes
        photocell(Line.FINISH, T0 + 14_350_900),  # B finishes
        photocell(Line.LINE_200, T0 + 70 * S),  # 12 (C), alone on the track
        photocell(Line.FINISH, T0 + 80_999_999),  # C; no 100 m impulse for C
    ]
    # Given out of time order (as two timers' feeds can be): they are sorted by time.
    shuffled = [crossings[i] for i in (4, 0, 7, 2, 1, 6, 5, 3)]
    attribution = attribute_crossings(start_order, shuffled)
    assert attribution == Attribution(
        efforts=[
            Effort(
                bib=7,
                name="A",
                nation="NED",
                line_200_us=T0,
                line_100_us=T0 + 5_123_400,
                finish_us=T0 + 10_724_600,
            ),
            Effort(
                bib=3,
                name="B",
                nation="AUS",
                line_200_us=T0 + 4 * S,
                line_100_us=T0 + 9_050_000,
                finish_us=T0 + 14_350_900,
            ),
            Effort(
                bib=12, name="C", nation="GER", line_200_us=T0 + 70 * S, finish_us=T0 + 80_999_999
            ),
        ],
        on_track=[],
        waiting=[],
        unassigned=[],
    )

    lines = by_bib(rank_flying_200(attribution.efforts, qualify=2))
    # B: 14.3509 - 4 = 10.3509 -> 10.350, 1st; 720 / 10.350 = 69.5652... -> 69.565;
    # splits 9.050 - 4 = 5.050, then 10.350 - 5.050 = 5.300.
    assert (lines[3].rank, lines[3].time, lines[3].speed_kmh) == (1, "10.350", "69.565")
    assert [(s.cumulative, s.lap) for s in lines[3].splits] == [
        ("5.050", "5.050"),
        ("10.350", "5.300"),
    ]
    # A: 10.7246 -> 10.724, 2nd, 10.724 - 10.350 = 0.374 behind; 67.139 km/h.
    assert (lines[7].rank, lines[7].time, lines[7].gap, lines[7].speed_kmh) == (
        2,
        "10.724",
        "+0.374",
        "67.139",
    )
    # C: 80.999999 - 70 = 10.999999 -> 10.999 (never 11.000), 3rd, 0.649 behind;
    # 720 / 10.999 = 65.4604... -> 65.460; not qualified (2 go on).
    assert (lines[12].rank, lines[12].time, lines[12].gap, lines[12].speed_kmh) == (
        3,
        "10.999",
        "+0.649",
        "65.460",
    )
    assert lines[12].flags == []


def test_unexpected_photocell_crossings_are_returned_unassigned() -> None:
    start_order = [Starter(bib=1), Starter(bib=2), Starter(bib=3)]
    stray_finish = photocell(Line.FINISH, T0 - 5 * S)  # before anyone started: the last event's
    stray_100 = photocell(Line.LINE_100, T0 + 80 * S)  # 1 is long gone, 2 has finished
    crossings = [
        stray_finish,
        photocell(Line.LINE_200, T0),  # 1 starts
        photocell(Line.LINE_100, T0 + 5_500_000),  # 1
        # 1 falls in the last 100 m: no finish. 2 goes on and starts a minute later.
        photocell(Line.LINE_200, T0 + 60 * S),
        # 70.5 s after 1 crossed the 200 m line: more than the 30 s any 200 m can take, so not
        # 1's finish; 2's (10.5 s after 2's start).
        photocell(Line.FINISH, T0 + 70_500_000),
        stray_100,
    ]
    attribution = attribute_crossings(start_order, crossings)
    assert attribution.efforts == [
        Effort(bib=2, line_200_us=T0 + 60 * S, finish_us=T0 + 70_500_000)
    ]
    assert attribution.on_track == [1]  # the commissaires decide: DNF, or a restart (3.2.028)
    assert attribution.waiting == [3]  # not across the 200 m line yet: DNS is their call too
    assert attribution.unassigned == [stray_finish, stray_100]


def test_a_200m_crossing_with_everyone_started_is_unassigned() -> None:
    extra = photocell(Line.LINE_200, T0 + 20 * S)
    crossings = [photocell(Line.LINE_200, T0), photocell(Line.FINISH, T0 + 10 * S), extra]
    attribution = attribute_crossings([Starter(bib=9)], crossings)
    assert [e.bib for e in attribution.efforts] == [9]
    assert attribution.unassigned == [extra]


def test_transponder_crossings_are_attributed_by_identity() -> None:
    start_order = [Starter(bib=5), Starter(bib=6), Starter(bib=8)]
    transponders = {1005: 5, 1006: 6, 1008: 8}

    def passing(line: Line, t_us: int, transponder: int) -> Crossing:
        return Crossing(line=line, t_us=t_us, transponder=transponder)

    unknown = passing(Line.LINE_200, T0 + 1 * S, 9999)  # not in the map
    # 6 crosses the 200 m line again cooling down: a new pass, slower than the effort, unfinished.
    again = passing(Line.LINE_200, T0 + 20 * S, 1006)
    late_100 = passing(Line.LINE_100, T0 + 12 * S, 1006)  # 6 has finished: in no pass
    crossings = [
        passing(Line.LINE_200, T0, 1006),  # 6 goes first, against the start order
        unknown,
        passing(Line.LINE_200, T0 + 3 * S, 1005),  # 5, while 6 is on the track
        passing(Line.LINE_100, T0 + 5_200_000, 1006),  # 6's 100 m after 5's start
        passing(Line.LINE_100, T0 + 8_400_000, 1005),
        passing(Line.FINISH, T0 + 10_100_000, 1006),  # 6: 10.100
        late_100,
        passing(Line.FINISH, T0 + 13_900_000, 1005),  # 5: 13.9 - 3 = 10.900
        again,
    ]
    attribution = attribute_crossings(start_order, crossings, transponders)
    assert attribution.efforts == [
        Effort(
            bib=5,
            line_200_us=T0 + 3 * S,
            line_100_us=T0 + 8_400_000,
            finish_us=T0 + 13_900_000,
        ),
        Effort(
            bib=6,
            line_200_us=T0,
            line_100_us=T0 + 5_200_000,
            finish_us=T0 + 10_100_000,
        ),
    ]
    assert attribution.on_track == [6]  # cooling down: on the track, effort done
    assert attribution.waiting == [8]
    assert attribution.unassigned == [unknown, late_100]


def test_a_bib_twice_in_the_start_order_is_refused() -> None:
    with pytest.raises(ValueError, match="bib 4 appears twice"):
        attribute_crossings([Starter(bib=4), Starter(bib=4)], [])


# --- Which pass is the effort: run-up laps, photocells armed or not, transponders only ---

RIDER_A, RIDER_B = 31, 32
TRANSPONDERS = {4031: RIDER_A, 4032: RIDER_B}
LOOP_LAG_US = 1_700  # the loop reads a crossing 1.7 ms after the photocell's beam is cut

# One rider's passes relative to the start of the effort (the 200 m line crossing that starts
# the clock), in microseconds: (200 m line, 100 m line, finish). The rider rolls off half a lap
# away and rides 3.5 laps (3.2.025), ever faster, then cools down for a lap.
RUN_UP_1 = (-44_300_000, -32_300_000, -23_300_000)  # 21.000 s for 200 m
RUN_UP_2 = (-18_800_000, -9_800_000, -3_270_000)  # 15.530 s
EFFORT = (0, 5_300_000, 10_500_000)  # 10.500 s: flat out
COOL_DOWN = (14_000_000, 22_000_000, 31_000_000)  # 17.000 s
PASSES = (RUN_UP_1, RUN_UP_2, EFFORT, COOL_DOWN)
LINES = (Line.LINE_200, Line.LINE_100, Line.FINISH)


def reads(transponder: int, t0: int, passes: tuple[tuple[int, int, int], ...]) -> list[Crossing]:
    """The loops' reads of every line of every pass (lagging the beam by LOOP_LAG_US)."""
    return [
        Crossing(line=line, t_us=t0 + at + LOOP_LAG_US, transponder=transponder)
        for pass_ in passes
        for line, at in zip(LINES, pass_, strict=True)
    ]


def beams(t0: int, passes: tuple[tuple[int, int, int], ...]) -> list[Crossing]:
    """Photocell impulses on the 200 m line and the finish of the given passes."""
    return [
        Crossing(line=line, t_us=t0 + at)
        for pass_ in passes
        for line, at in zip(LINES, pass_, strict=True)
        if line is not Line.LINE_100
    ]


def test_transponders_only_the_effort_is_the_fastest_pass_not_the_first() -> None:
    early = [  # rolling off: the 100 m line and the finish before the first 200 m line
        Crossing(line=Line.LINE_100, t_us=T0 - 62_300_000, transponder=4031),
        Crossing(line=Line.FINISH, t_us=T0 - 54_300_000, transponder=4031),
    ]
    crossings = early + reads(4031, T0, PASSES)
    attribution = attribute_crossings([Starter(bib=RIDER_A)], crossings, TRANSPONDERS)
    # Four complete passes: 21.000, 15.530, 10.500 and 17.000 s. The first 200 m line crossing
    # (the one the rider meets first) would give 21.000; the effort is the 10.500.
    assert attribution.efforts == [
        Effort(
            bib=RIDER_A,
            line_200_us=T0 + LOOP_LAG_US,
            line_100_us=T0 + 5_300_000 + LOOP_LAG_US,
            finish_us=T0 + 10_500_000 + LOOP_LAG_US,
        )
    ]
    assert attribution.unassigned == early  # part of no pass
    assert attribution.on_track == []
    assert attribution.waiting == []


def test_a_double_read_of_the_200m_line_does_not_restart_the_effort() -> None:
    crossings = [
        *reads(4031, T0, (EFFORT,)),
        Crossing(line=Line.LINE_200, t_us=T0 + 40_000, transponder=4031),  # read twice
    ]
    attribution = attribute_crossings([Starter(bib=RIDER_A)], crossings, TRANSPONDERS)
    # 10.500 s from the first read; the second, 40 ms later, would have made it 10.460.
    (effort,) = attribution.efforts
    assert effort.time_us == 10_500_000
    assert attribution.unassigned == [crossings[-1]]


def two_riders(armed: bool) -> list[Crossing]:
    """A's effort starts at T0; B rolls off as A crosses the 200 m line (3.2.024) and starts the
    clock 66 s later: B's run-up passes and A's cool-down share the track. Loops on all three
    lines; photocells on the 200 m line and the finish, armed for the timed passes only or
    firing on every pass."""
    b0 = T0 + 66_000_000
    b_effort = (0, 5_400_000, 10_777_700)  # B: 10.7777 -> 10.777
    b_passes = (RUN_UP_1, RUN_UP_2, b_effort, COOL_DOWN)
    loops = reads(4031, T0, PASSES) + reads(4032, b0, b_passes)
    if armed:
        return loops + beams(T0, (EFFORT,)) + beams(b0, (b_effort,))
    return loops + beams(T0, PASSES) + beams(b0, b_passes)


@pytest.mark.parametrize("armed", [True, False], ids=["armed", "every-pass"])
def test_photocells_time_the_effort_and_the_loops_name_the_rider(armed: bool) -> None:
    start_order = [Starter(bib=RIDER_A), Starter(bib=RIDER_B)]
    attribution = attribute_crossings(start_order, two_riders(armed), TRANSPONDERS)
    b0 = T0 + 66_000_000
    # The 200 m line and the finish from the photocells (no loop lag), the 100 m line from the
    # loop: A 10.500, B 10.7777 -> 10.777. Whether the photocells fired on the run-up passes
    # or not makes no difference.
    assert attribution.efforts == [
        Effort(
            bib=RIDER_A,
            line_200_us=T0,
            line_100_us=T0 + 5_300_000 + LOOP_LAG_US,
            finish_us=T0 + 10_500_000,
        ),
        Effort(
            bib=RIDER_B,
            line_200_us=b0,
            line_100_us=b0 + 5_400_000 + LOOP_LAG_US,
            finish_us=b0 + 10_777_700,
        ),
    ]
    # Every impulse and read is part of a pass: the riders' own, with the photocells named by
    # the reads at the same moment.
    assert attribution.unassigned == []


def test_with_armed_photocells_a_run_up_pass_is_never_shown_as_an_effort() -> None:
    # Live, just before B's effort: B has ridden two complete run-up passes (loops only).
    b0 = T0 + 66_000_000
    so_far = [c for c in two_riders(armed=True) if c.t_us < b0 - 1_000_000]
    start_order = [Starter(bib=RIDER_A), Starter(bib=RIDER_B)]
    attribution = attribute_crossings(start_order, so_far, TRANSPONDERS)
    # Only A's photocell-timed effort counts; B's 21.000 and 15.530 are run-up passes.
    assert [effort.bib for effort in attribution.efforts] == [RIDER_A]
    # B is between the finish and the 200 m line, A has cooled down: nobody's pass is open.
    assert attribution.on_track == []
    assert attribution.waiting == []  # B has crossed the 200 m line (run-up): not waiting


def test_a_venue_with_photocells_shows_no_run_up_pass_before_the_first_impulse() -> None:
    # Live, the first rider of the session, before the effort: two run-up passes (loops only),
    # no photocell impulse yet. A venue with photocells (its configuration says so) shows no
    # time; without that knowledge the fastest run-up pass (15.530 s) shows as the rider's time.
    so_far = reads(4031, T0, (RUN_UP_1, RUN_UP_2))
    start_order = [Starter(bib=RIDER_A)]
    assert attribute_crossings(start_order, so_far, TRANSPONDERS, photocells=True).efforts == []
    (shown,) = attribute_crossings(start_order, so_far, TRANSPONDERS).efforts
    assert shown.time_us == 15_530_000
    # Once the effort is ridden, both give the photocells' 10.500.
    ridden = so_far + reads(4031, T0, (EFFORT,)) + beams(T0, (EFFORT,))
    for photocells in (True, False):
        attribution = attribute_crossings(start_order, ridden, TRANSPONDERS, photocells=photocells)
        assert [effort.time_us for effort in attribution.efforts] == [10_500_000]


def test_after_a_restart_only_the_later_attempt_counts() -> None:
    # A's first attempt (10.300 s) ends in a crash after the line; the commissaires allow the
    # restart (3.2.028), and A rides 10.500 s at T0. The faster, voided attempt must not count.
    first = T0 - 120_000_000
    crossings = reads(4031, first, ((0, 5_100_000, 10_300_000),)) + reads(4031, T0, PASSES)
    start_order = [Starter(bib=RIDER_A)]
    (voided,) = attribute_crossings(start_order, crossings, TRANSPONDERS).efforts
    assert voided.time_us == 10_300_000  # without the restart: the first attempt
    restart_us = T0 - 60_000_000  # when the desk named A again, before the new run-up
    attribution = attribute_crossings(
        start_order, crossings, TRANSPONDERS, restarted={RIDER_A: restart_us}
    )
    assert [effort.time_us for effort in attribution.efforts] == [10_500_000]


def test_a_missed_photocell_impulse_is_made_up_by_the_loop() -> None:
    crossings = [
        *reads(4031, T0, PASSES),
        Crossing(line=Line.LINE_200, t_us=T0),  # armed for the effort; the finish beam missed
    ]
    attribution = attribute_crossings([Starter(bib=RIDER_A)], crossings, TRANSPONDERS)
    # 200 m line from the photocell, finish from the loop: 10.5017 -> 10.501.
    (effort,) = attribution.efforts
    assert (effort.line_200_us, effort.finish_us) == (T0, T0 + 10_500_000 + LOOP_LAG_US)
    assert effort.time_us == 10_501_000


def test_a_photocell_cut_by_a_stranger_is_nobodys_finish() -> None:
    stranger_at = T0 + 8_000_000  # a coach crosses the finish during A's effort
    stranger = [
        Crossing(line=Line.FINISH, t_us=stranger_at),
        Crossing(line=Line.FINISH, t_us=stranger_at + 2_000, transponder=9999),
    ]
    crossings = [*reads(4031, T0, (EFFORT,)), *beams(T0, (EFFORT,)), *stranger]
    attribution = attribute_crossings([Starter(bib=RIDER_A)], crossings, TRANSPONDERS)
    (effort,) = attribution.efforts
    assert effort.finish_us == T0 + 10_500_000  # not the stranger's 8.000
    assert attribution.unassigned == [stranger[0]]  # the impulse, named by the stranger's read


def test_photocells_and_reads_pair_in_the_order_riders_cross() -> None:
    # Two riders cross the finish 30 ms apart; the loop reads them 20 and 15 ms later.
    first, second = (
        Crossing(line=Line.FINISH, t_us=T0),
        Crossing(line=Line.FINISH, t_us=T0 + 30_000),
    )
    read_a = Crossing(line=Line.FINISH, t_us=T0 + 20_000, transponder=4031)
    read_b = Crossing(line=Line.FINISH, t_us=T0 + 45_000, transponder=4032)
    lone = Crossing(line=Line.LINE_200, t_us=T0 + 10_000)  # no read within 250 ms
    # Nearest first would pair the second beam with A's read (10 ms apart) and the first with
    # B's (45 ms): riders do not swap places between the beam and the loop.
    assert match_photocells([read_b, second, lone, read_a, first]) == [
        (first, read_a),
        (lone, None),
        (second, read_b),
    ]


# --- One crossing at a time: what the engine does as crossings come ---

_RIDERS = [Starter(bib=bib) for bib in (31, 32, 33)]
_TRANSPONDERS = {4031: 31, 4032: 32, 4033: 33}  # and 4099: nobody's


@st.composite
def _session(draw: st.DrawFn) -> tuple[list[Crossing], dict[int, int]]:
    """Crossings of three riders, photocells and loops, close enough together for clusters,
    double reads and passes, in the order they arrive (not their time order); restarts."""
    crossings = draw(
        st.lists(
            st.builds(
                Crossing,
                line=st.sampled_from(list(Line)),
                t_us=st.integers(0, 60 * S).map(lambda t: T0 + t // 50_000 * 50_000),
                transponder=st.sampled_from([None, None, 4031, 4032, 4033, 4099]),
            ),
            max_size=40,
        )
    )
    restarted = draw(st.dictionaries(st.sampled_from([31, 32, 33]), st.just(T0 + 20 * S)))
    return crossings, restarted


@given(_session(), st.booleans())
def test_crossings_added_one_by_one_attribute_as_all_at_once(
    session: tuple[list[Crossing], dict[int, int]], photocells: bool
) -> None:
    """After each crossing, however late it comes (a loop's read after the next photocell's
    impulse, a crossing that pairs with an earlier one), the riders' efforts are those of the
    crossings so far given in time order at once."""
    crossings, restarted = session
    attributor = Attributor(_RIDERS, _TRANSPONDERS, photocells=photocells)
    for count, crossing in enumerate(crossings, 1):
        attributor.add(crossing)
        in_time_order = sorted(crossings[:count], key=lambda c: c.t_us)  # stable, as arrived
        assert attributor.attribution(restarted) == attribute_crossings(
            _RIDERS, in_time_order, _TRANSPONDERS, photocells=photocells, restarted=restarted
        )
