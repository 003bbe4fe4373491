"""Judging a bunch race's sprint from the loop and the camera (uci-rules.md §2.6, §2.8, §2.9,
§4.3); every expected placing is worked out by hand from the crossings and the rules in the
test's docstring or comments, never copied from the code's output."""

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.scoring.rules.bunch import Placing
from velotime.scoring.rules.keirin import PhotoPlace
from velotime.scoring.rules.sprints import (
    ELIMINATION_FINAL,
    ELIMINATION_SPRINT,
    FINAL_SPRINT,
    POINTS_SPRINT,
    SCRATCH_FINISH,
    TEMPO_SPRINT,
    Concern,
    Crossing,
    End,
    Judged,
    Judgement,
    Source,
    Tolerance,
    judge_sprint,
    judges_placings,
)

T0 = 50_000_000_000  # some time of day on the venue clock (13:53:20)
MS = 1_000
EIGHT = (1, 2, 3, 4, 5, 6, 7, 8)
LAP = 20  # the sprint's lap on the lap board


def crossings(at_ms: dict[int, int], lap: int = LAP) -> list[Crossing]:
    """Each rider's crossing `at_ms` milliseconds after T0, completing `lap` laps."""
    return [Crossing(bib=bib, t_us=T0 + ms * MS, laps=lap) for bib, ms in at_ms.items()]


# A clear bunch sprint by the loop alone: 3, then 7 by 0.120 s, 1, 5, 2; 4, 6, 8 behind.
CLEAR = {3: 0, 7: 120, 1: 250, 5: 400, 2: 520, 4: 700, 6: 800, 8: 900}


def photo(places: dict[int, int]) -> list[PhotoPlace]:
    """The camera's rows: bib -> place."""
    return [PhotoPlace(bib=bib, place=place) for bib, place in places.items()]


def concerns(judgement: Judgement) -> list[tuple[Concern, tuple[int, ...]]]:
    return [(item.concern, item.bibs) for item in judgement.attention]


def test_points_sprint_by_the_loops_alone_with_a_clear_order() -> None:
    """Every gap is over 0.03 s (§4.3), so the loop's order stands: the first four (5-3-2-1,
    §2.6) are 3, 7, 1, 5, nobody to look at."""
    judgement = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(CLEAR))
    assert judgement.sprint.placings == ((3,), (7,), (1,), (5,))
    sprint = judgement.sprint
    assert (sprint.number, sprint.lap, sprint.final) == (2, LAP, False)
    assert judgement.sources == (Source.LOOPS,) * 4
    assert judgement.photo_required == frozenset()
    assert not judgement.needs_judges
    assert not judgement.confirmed


def test_tempo_sprint_judges_the_first_only() -> None:
    """A tempo race's sprint gives a point to the first (§2.9): 3."""
    judgement = judge_sprint(1, 5, TEMPO_SPRINT, riders=EIGHT, crossings=crossings(CLEAR, lap=5))
    assert judgement.sprint.placings == ((3,),)


def test_two_riders_2_ms_apart_need_the_photo() -> None:
    """3 and 7 cross 2 ms apart (the AMBrc decoder reads to the millisecond): the loop cannot part
    them at the tyre (less than 0.03 s, §4.3). Both are flagged and keep the order the times
    say, 3 first: the judges must look."""
    at = CLEAR | {7: 2}
    judgement = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(at))
    assert judgement.sprint.placings == ((3,), (7,), (1,), (5,))
    assert judgement.photo_required == {3, 7}
    assert concerns(judgement) == [(Concern.PHOTO_REQUIRED, (3, 7))]
    assert judgement.needs_judges


@pytest.mark.parametrize(
    ("at", "flagged"),
    [
        # 5 (4th) and 2 (5th) 10 ms apart: who takes the last point is not sure.
        (CLEAR | {2: 410}, {5, 2}),
        # 2 (5th) and 4 (6th) 10 ms apart: neither is in the points either way.
        (CLEAR | {4: 530}, set()),
        # 0.030 s exactly is far enough apart (§4.3: "within 0.03 s"); 29.999 ms is not.
        (CLEAR | {7: 30}, set()),
        (CLEAR | {7: 0} | {3: -29}, {3, 7}),
        # 1, 5, 2 each 20 ms after the one before: 5 is within 0.03 s of both 1 and 2, but 1 and
        # 2 are 40 ms apart: the loop parts those two. All three flagged (1-5 and 5-2).
        (CLEAR | {1: 380, 5: 400, 2: 420}, {1, 5, 2}),
    ],
)
def test_photo_required_only_where_the_order_decides_a_place(
    at: dict[int, int], flagged: set[int]
) -> None:
    judgement = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(at))
    assert judgement.photo_required == flagged


def test_equal_loop_times_are_not_a_dead_heat() -> None:
    """3 and 7 read in the same millisecond: not a tie (only the camera or the judges say so),
    both photo required, in start-list order (3 before 7)."""
    at = CLEAR | {7: 0}
    judgement = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(at))
    assert judgement.sprint.placings == ((3,), (7,), (1,), (5,))
    assert judgement.photo_required == {3, 7}


def test_the_camera_overrides_the_loops() -> None:
    """The loop has 3 before 7 by 0.010 s; the camera sees 7 win. The camera decides (3.6.088):
    7, 3, 1, 5, and with the camera nothing is left for the judges (0.010 s is within what the
    loop cannot part, so no disagreement)."""
    at = CLEAR | {7: 10}
    camera = [
        PhotoPlace(bib=7, place=1),
        PhotoPlace(bib=3, place=2),
        PhotoPlace(bib=1, place=3),
        PhotoPlace(bib=5, place=4),
        PhotoPlace(bib=2, status="DNF"),  # a status word places nobody in a sprint
    ]
    judgement = judge_sprint(
        2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(at), camera=camera
    )
    assert judgement.sprint.placings == ((7,), (3,), (1,), (5,))
    assert judgement.sources == (Source.CAMERA,) * 4
    assert judgement.photo_required == frozenset()
    assert not judgement.needs_judges


def test_the_camera_places_the_first_two_and_the_loops_the_rest() -> None:
    """The camera operator placed only 7 and 3 (the loop: 3, 7 by 5 ms). 3rd and 4th come from
    the loops among the others: 1 then 5."""
    at = CLEAR | {7: 5}
    camera = photo({7: 1, 3: 2})
    judgement = judge_sprint(
        2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(at), camera=camera
    )
    assert judgement.sprint.placings == ((7,), (3,), (1,), (5,))
    assert judgement.sources == (Source.CAMERA, Source.CAMERA, Source.LOOPS, Source.LOOPS)


def test_the_camera_against_the_loops_by_more_than_they_can_be_wrong() -> None:
    """The camera has 5 winning, but the loop read 5 0.400 s after 3: beyond what the
    transponders' placing can explain, a bib read wrong? The camera's order stands, the judges
    are told: 5 ahead of 3, 7 and 1, each read 0.150 s or more earlier."""
    camera = photo({5: 1, 3: 2, 7: 3, 1: 4})  # bib: place
    judgement = judge_sprint(
        2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(CLEAR), camera=camera
    )
    assert judgement.sprint.placings == ((5,), (3,), (7,), (1,))
    assert concerns(judgement) == [
        (Concern.CAMERA_DISAGREES, (5, 3)),
        (Concern.CAMERA_DISAGREES, (5, 7)),
        (Concern.CAMERA_DISAGREES, (5, 1)),
    ]


def test_a_dead_heat_from_the_camera_shares_the_place_and_skips_the_next() -> None:
    """The camera gives 3 and 7 both 1st: they share 1st (5 points each, §2.6), nobody is 2nd,
    1 is 3rd and 5 4th. Within the tie, start-list order."""
    camera = photo({7: 1, 3: 1, 1: 3, 5: 4})  # bib: place
    judgement = judge_sprint(
        2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(CLEAR | {7: 3}), camera=camera
    )
    assert judgement.sprint.placings == ((3, 7), (1,), (5,))
    assert not judgement.needs_judges


def test_a_dead_heat_for_the_last_point_places_both() -> None:
    """The camera ties 5 and 2 for 4th: both take 4th and its point (§2.6); five riders
    placed."""
    camera = photo({3: 1, 7: 2, 1: 3, 5: 4, 2: 4})  # bib: place
    at = CLEAR | {2: 405}
    judgement = judge_sprint(
        2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(at), camera=camera
    )
    assert judgement.sprint.placings == ((3,), (7,), (1,), (2, 5))


def test_a_lapped_rider_crossing_ahead_of_the_leaders_gets_no_points() -> None:
    """Lap 20's sprint. 8 is about to be caught: 0.4 s ahead of the bunch on the road but at the
    line completing lap 19 with no lap lost yet, so he is not in the sprint. 4 gained a lap
    earlier (+1: completes lap 21 in the bunch) and wins it; 6 lost one earlier (-1: completes
    lap 19 in the bunch) and contests: 4, 6, 3, 7. The judges are told about 8."""
    at = {8: -400, 4: 0, 6: 100, 3: 200, 7: 320, 1: 450, 5: 600, 2: 720}
    laps = {4: LAP + 1, 6: LAP - 1, 8: LAP - 1}
    passes = [
        Crossing(bib=bib, t_us=T0 + ms * MS, laps=laps.get(bib, LAP)) for bib, ms in at.items()
    ]
    judgement = judge_sprint(
        3, LAP, POINTS_SPRINT, riders=EIGHT, crossings=passes, standing={4: 1, 6: -1}
    )
    assert judgement.sprint.placings == ((4,), (6,), (3,), (7,))
    assert concerns(judgement) == [(Concern.NOT_IN_SPRINT, (8,))]

    # The camera, which knows no laps, has 8 first: he is left out, the others move up.
    camera = photo({8: 1, 4: 2, 6: 3, 3: 4, 7: 5})
    judgement = judge_sprint(
        3,
        LAP,
        POINTS_SPRINT,
        riders=EIGHT,
        crossings=passes,
        standing={4: 1, 6: -1},
        camera=camera,
    )
    assert judgement.sprint.placings == ((4,), (6,), (3,), (7,))
    assert judgement.sources == (Source.CAMERA,) * 4
    assert concerns(judgement) == [(Concern.NOT_IN_SPRINT, (8,))]


def test_a_breakaway_leads_the_sprint_by_the_lap_it_completed() -> None:
    """5 is three quarters of a lap ahead of the bunch: he completes lap 20 13 s before it and
    wins the sprint; the bunch sprints for 2nd to 4th: 3, 7, 1. The crossings are given in the
    order they came."""
    at = {5: -13_000} | {bib: ms for bib, ms in CLEAR.items() if bib != 5}
    judgement = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(at))
    assert judgement.sprint.placings == ((5,), (3,), (7,), (1,))


def test_a_rider_gaining_a_lap_at_the_sprint_by_his_standing() -> None:
    """5 laps the field at the sprint: he completed lap 20 alone 14 s before the bunch, and joins
    its back (completing lap 21) as it sprints. With the gain not yet confirmed he led the sprint
    on the road (3.2.125): 5, 3, 7, 1. Confirmed before it (+1), he is placed where he crosses
    lap 21, last of the bunch: 3, 7, 1, 2."""
    at = {bib: ms for bib, ms in CLEAR.items() if bib != 5}
    passes = [
        Crossing(bib=5, t_us=T0 - 14_000 * MS, laps=LAP),
        *crossings(at),
        Crossing(bib=5, t_us=T0 + 950 * MS, laps=LAP + 1),
    ]
    leading = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=passes)
    assert leading.sprint.placings == ((5,), (3,), (7,), (1,))
    in_the_bunch = judge_sprint(
        2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=passes, standing={5: 1}
    )
    assert in_the_bunch.sprint.placings == ((3,), (7,), (1,), (2,))
    assert not leading.needs_judges
    assert not in_the_bunch.needs_judges


def test_a_rider_the_loop_missed_is_shown_to_the_judges() -> None:
    """The loop missed 7's read: he may have won. 3, 1, 5, 2 are proposed, the judges told."""
    at = {bib: ms for bib, ms in CLEAR.items() if bib != 7}
    judgement = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(at))
    assert judgement.sprint.placings == ((3,), (1,), (5,), (2,))
    assert concerns(judgement) == [(Concern.NOT_READ, (7,))]
    # The camera placed the four: the missed read changes nothing, and it places 7 too.
    camera = photo({3: 1, 7: 2, 1: 3, 5: 4})
    judgement = judge_sprint(
        2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(at), camera=camera
    )
    assert judgement.sprint.placings == ((3,), (7,), (1,), (5,))
    assert not judgement.needs_judges


def test_crossings_of_riders_not_in_the_race_are_counted_not_placed() -> None:
    """99 (a rider warming up, or one who abandoned) crosses first: not placed, counted."""
    passes = [Crossing(bib=99, t_us=T0 - 50 * MS, laps=LAP), *crossings(CLEAR)]
    judgement = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=passes)
    assert judgement.sprint.placings == ((3,), (7,), (1,), (5,))
    assert judgement.ignored_crossings == 1
    camera = photo({99: 1, 3: 2, 7: 3, 1: 4, 5: 5})
    judgement = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=passes, camera=camera)
    assert judgement.sprint.placings == ((3,), (7,), (1,), (5,))
    assert concerns(judgement) == [(Concern.CAMERA_UNKNOWN_BIB, (99,))]


SIX = (1, 2, 3, 4, 5, 6)
# An elimination sprint by the loop: 2 is last, 0.100 s behind 5.
ELIM = {1: 0, 3: 40, 4: 90, 6: 150, 5: 200, 2: 300}


def test_elimination_last_rider_by_the_loops() -> None:
    """The last rider goes out (3.2.223): 2, 0.100 s behind 5, more than the 0.05 s the loop
    cannot part at the rear wheel."""
    judgement = judge_sprint(4, 8, ELIMINATION_SPRINT, riders=SIX, crossings=crossings(ELIM, 8))
    assert judgement.sprint.placings == ((2,),)
    assert judgement.sources == (Source.LOOPS,)
    assert not judgement.needs_judges


def test_elimination_is_judged_on_the_rear_wheel() -> None:
    """5 and 2 read 0.040 s apart: the loop parts riders at the front wheel (0.03 s) but not at
    the rear, a bike length behind, where their speeds tell (0.05 s): photo required. The same
    gap in a points sprint's last place needs no photo."""
    at = ELIM | {5: 260}
    judgement = judge_sprint(4, 8, ELIMINATION_SPRINT, riders=SIX, crossings=crossings(at, 8))
    assert judgement.sprint.placings == ((2,),)
    assert judgement.photo_required == {5, 2}
    assert "rear wheel" in judgement.attention[0].detail
    # 6 (4th) and 5 (5th) 40 ms apart, the others 100 ms or more: at the front wheel, parted.
    spread = {1: 0, 3: 100, 4: 200, 6: 300, 5: 340, 2: 500}
    four_places = judge_sprint(4, 8, Judged(places=4), riders=SIX, crossings=crossings(spread, 8))
    assert four_places.sprint.placings == ((1,), (3,), (4,), (6,))
    assert four_places.photo_required == frozenset()
    # A tolerance set by hand applies.
    tight = judge_sprint(
        4, 8, ELIMINATION_SPRINT, riders=SIX, crossings=crossings(at, 8), tolerance=Tolerance(
            rear_us=35 * MS
        )
    )  # fmt: skip
    assert tight.photo_required == frozenset()


def test_elimination_last_rider_from_the_camera() -> None:
    """The camera operator reads the rear wheels and writes only the last: place 6 of 6, bib 5.
    5 goes out, although the loop had 2 last by 0.040 s (within what the loop cannot part)."""
    at = ELIM | {5: 260}
    judgement = judge_sprint(
        4, 8, ELIMINATION_SPRINT, riders=SIX, crossings=crossings(at, 8),
        camera=photo({5: 6}),
    )  # fmt: skip
    assert judgement.sprint.placings == ((5,),)
    assert judgement.sources == (Source.CAMERA,)
    assert not judgement.needs_judges


def test_elimination_dead_heat_for_last_goes_to_the_commissaires() -> None:
    """The camera ties 5 and 2 for last (5th of 6, both): who goes out is the commissaires'
    call."""
    camera = photo({5: 5, 2: 5})
    judgement = judge_sprint(
        4, 8, ELIMINATION_SPRINT, riders=SIX, crossings=crossings(ELIM | {5: 290}, 8), camera=camera
    )
    assert judgement.sprint.placings == ((2, 5),)
    assert concerns(judgement) == [(Concern.DEAD_HEAT_FOR_LAST, (2, 5))]


def test_elimination_with_a_missed_read_is_not_sure_of_the_last() -> None:
    """The loop missed 4: he may be the last. 2 is proposed, the judges told."""
    at = {bib: ms for bib, ms in ELIM.items() if bib != 4}
    judgement = judge_sprint(4, 8, ELIMINATION_SPRINT, riders=SIX, crossings=crossings(at, 8))
    assert judgement.sprint.placings == ((2,),)
    assert concerns(judgement) == [(Concern.NOT_READ, (4,))]


def test_elimination_final_sprint_of_the_last_two_on_the_front_wheel() -> None:
    """The last two sprint for 1st and 2nd by the front wheel (3.2.224): 6 then 3, 0.040 s
    apart, more than the front wheel's 0.03 s."""
    at = {3: 40, 6: 0}
    judgement = judge_sprint(
        10, 24, ELIMINATION_FINAL, riders=(3, 6), crossings=crossings(at, 24), final=True
    )
    assert judgement.sprint.placings == ((6,), (3,))
    assert judgement.sprint.final
    assert judgement.photo_required == frozenset()


def test_scratch_finish_places_every_rider_across_the_line() -> None:
    """The scratch race's order across the line (3.2.178): every rider on the lap."""
    judgement = judge_sprint(1, 40, SCRATCH_FINISH, riders=EIGHT, crossings=crossings(CLEAR, 40))
    assert judgement.sprint.placings == tuple((bib,) for bib in (3, 7, 1, 5, 2, 4, 6, 8))


def test_judges_correct_a_photo_required_sprint() -> None:
    """The judges look at 3 and 7 (2 ms apart) and put 7 first: 1st and 2nd are corrected,
    their source the judges; 3rd and 4th stand as the loops said; the sprint is confirmed and
    nothing is left to look at."""
    proposal = judge_sprint(
        2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(CLEAR | {7: 2})
    )
    judged = judges_placings(proposal, [(7,), (3,), (1,), (5,)])
    assert judged.sprint.placings == ((7,), (3,), (1,), (5,))
    assert judged.corrected == (True, True, False, False)
    assert judged.sources == (Source.JUDGES, Source.JUDGES, Source.LOOPS, Source.LOOPS)
    assert judged.confirmed
    assert not judged.needs_judges
    assert judged.photo_required == frozenset()
    # Confirmed as proposed: nothing corrected.
    confirmed = judges_placings(proposal)
    assert confirmed.sprint == proposal.sprint
    assert confirmed.corrected == (False,) * 4
    assert confirmed.confirmed


def test_judges_give_a_dead_heat_and_correct_an_elimination() -> None:
    """The judges tie 3 and 7 for 1st: 1 is 3rd (2nd skipped), 5 4th: the first placing is
    corrected, the others (compared place by place: 1 was 3rd, 5 4th in the proposal) are not.
    At an elimination they put out 5 instead of 2."""
    proposal = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(CLEAR))
    judged = judges_placings(proposal, [(3, 7), (1,), (5,)])
    assert judged.sprint.placings == ((3, 7), (1,), (5,))
    assert judged.corrected == (True, True, True)
    elimination = judge_sprint(4, 8, ELIMINATION_SPRINT, riders=SIX, crossings=crossings(ELIM, 8))
    out = judges_placings(elimination, [(5,)])
    assert out.sprint.placings == ((5,),)
    assert out.corrected == (True,)
    assert out.sources == (Source.JUDGES,)
    # One rider goes out at a sprint: two placings are one too many (a tie is one placing).
    with pytest.raises(ValueError, match="more places than the 1"):
        judges_placings(elimination, [(5,), (2,)])
    assert judges_placings(elimination, [(2, 5)]).sprint.placings == ((2, 5),)


@pytest.mark.parametrize(
    ("placings", "reason"),
    [
        ([], "place nobody"),
        ([(3,), (), (1,), (5,)], "empty place"),
        ([(3,), (3,), (1,), (5,)], "placed twice"),
        ([(3,), (7,), (1,), (42,)], "[42] not in the race"),
        ([(3,), (7,), (1,), (5,), (2,)], "more places than the 4"),
        ([(3,), (7,), (1,)], "3 of the 4 places"),
    ],
)
def test_judges_placings_that_do_not_judge_the_sprint_are_refused(
    placings: Sequence[Placing], reason: str
) -> None:
    proposal = judge_sprint(2, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(CLEAR))
    with pytest.raises(ValueError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        judges_placings(proposal, placings)


def test_bad_input_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="twice among the riders"):
        judge_sprint(1, LAP, POINTS_SPRINT, riders=(1, 1), crossings=[])
    with pytest.raises(ValueError, match="camera places bib 3 twice"):
        judge_sprint(
            1, LAP, POINTS_SPRINT, riders=EIGHT, crossings=crossings(CLEAR),
            camera=[PhotoPlace(bib=3, place=1), PhotoPlace(bib=3, place=2)],
        )  # fmt: skip
    with pytest.raises(ValueError, match="at least one place"):
        Judged(places=0)
    with pytest.raises(ValueError, match="from the first"):
        Judged(places=None, end=End.LAST)
    with pytest.raises(ValueError, match="not negative"):
        Tolerance(front_us=-1)


# Properties ---------------------------------------------------------------------------------

KINDS = st.sampled_from(
    [POINTS_SPRINT, TEMPO_SPRINT, ELIMINATION_SPRINT, ELIMINATION_FINAL, SCRATCH_FINISH]
)


@st.composite
def fields(draw: st.DrawFn) -> tuple[list[int], list[Crossing]]:
    """Up to 24 riders (3.1.009, 250 m track), crossing to the millisecond as an AMBrc reads,
    some on another lap than the sprint's, some not read at all."""
    bibs = draw(st.lists(st.integers(1, 200), min_size=1, max_size=24, unique=True))
    passes = []
    for bib in bibs:
        lap = draw(st.sampled_from([LAP, LAP, LAP, LAP - 1, LAP + 1, None]))
        if lap is not None:
            passes.append(Crossing(bib=bib, t_us=T0 + draw(st.integers(0, 2_000)) * MS, laps=lap))
    return bibs, passes


def expected_positions(judged: Judged, count: int) -> int:
    return count if judged.places is None else min(judged.places, count)


@given(fields(), KINDS)
def test_loops_placings_are_the_contesting_riders_in_crossing_order(
    field: tuple[list[int], list[Crossing]], judged: Judged
) -> None:
    """Without the camera: the placed riders are distinct riders of the sprint's lap, as many as
    the places judged (the loops make no dead heat), each placing one rider; placed riders cross
    in time order, and every unplaced rider of the lap crosses after the placed ones (from the
    first) or before them (from the last)."""
    riders, passes = field
    judgement = judge_sprint(1, LAP, judged, riders=riders, crossings=passes)
    on_lap = {c.bib: c.t_us for c in passes if c.laps == LAP}
    placings = judgement.sprint.placings
    assert all(len(placing) == 1 for placing in placings)
    placed = [bib for (bib,) in placings]
    assert len(set(placed)) == len(placed) == expected_positions(judged, len(on_lap))
    assert set(placed) <= on_lap.keys()
    times = [on_lap[bib] for bib in placed]
    assert times == sorted(times)
    rest = [t for bib, t in on_lap.items() if bib not in placed]
    if placed and rest:
        if judged.end is End.FIRST:
            assert min(rest) >= times[-1]
        else:
            assert max(rest) <= times[0]
    assert judgement.sources == (Source.LOOPS,) * len(placings)


@given(fields(), KINDS, st.data())
def test_camera_placings_share_places_and_skip_the_next(
    field: tuple[list[int], list[Crossing]], judged: Judged, data: st.DataObject
) -> None:
    """The camera places every rider of the lap, with dead heats (its places as a ranking
    writes them: 1, 1, 3). The placings are a partition of the riders whose place is within
    the judged ones (from the first) or reaches into them (from the last); a placing's place is
    one more than the riders placed ahead of it (a shared place skips the next ones); every
    rider of a placing has the camera's same place."""
    riders, passes = field
    on_lap = sorted({c.bib for c in passes if c.laps == LAP})
    score = {bib: data.draw(st.integers(0, 4)) for bib in on_lap}
    camera_place = {bib: 1 + sum(s < score[bib] for s in score.values()) for bib in on_lap}
    camera = photo(camera_place)
    judgement = judge_sprint(1, LAP, judged, riders=riders, crossings=passes, camera=camera)
    placings = judgement.sprint.placings
    bibs = [bib for placing in placings for bib in placing]
    assert len(bibs) == len(set(bibs))
    n = len(on_lap)
    if judged.places is None:
        wanted = set(on_lap)
    elif judged.end is End.FIRST:
        wanted = {bib for bib in on_lap if camera_place[bib] <= judged.places}
    else:
        wanted = {
            bib
            for bib in on_lap
            if camera_place[bib] + sum(p == camera_place[bib] for p in camera_place.values()) - 1
            > n - judged.places
        }
    assert set(bibs) == wanted
    before = 0 if judged.end is End.FIRST or not placings else n - len(bibs)
    for placing in placings:
        assert {camera_place[bib] for bib in placing} == {before + 1}
        before += len(placing)
    assert judgement.photo_required == frozenset()


@given(fields(), KINDS)
def test_judges_confirming_the_proposal_change_nothing(
    field: tuple[list[int], list[Crossing]], judged: Judged
) -> None:
    riders, passes = field
    proposal = judge_sprint(1, LAP, judged, riders=riders, crossings=passes)
    if not proposal.sprint.placings:
        return  # nobody on the lap: nothing to confirm
    confirmed = judges_placings(proposal, proposal.sprint.placings)
    assert confirmed.sprint == proposal.sprint
    assert not any(confirmed.corrected)
    assert confirmed.sources == proposal.sources


def test_the_final_sprint_places_every_rider_and_flags_close_riders_anywhere() -> None:
    """A final sprint of six on lap 80 (module docstring: every place judged, photo required for
    any two the loop reads less than 30 ms apart): 1, 2, 3, 4 0.1 s apart, then 6 at +0.5 s
    and 5 10 ms after it. All six placed, 6 5th and 5 6th, both flagged; an intermediate
    sprint (4 places) of the same crossings places the four and flags nobody."""
    times = [(1, 0), (2, 100_000), (3, 200_000), (4, 300_000), (6, 500_000), (5, 510_000)]
    crossings = [Crossing(bib, t_us, 80) for bib, t_us in times]
    riders = [1, 2, 3, 4, 5, 6]
    final = judge_sprint(8, 80, FINAL_SPRINT, riders=riders, crossings=crossings, final=True)
    assert final.sprint.placings == ((1,), (2,), (3,), (4,), (6,), (5,))
    assert final.photo_required == {5, 6}
    other = judge_sprint(7, 80, POINTS_SPRINT, riders=riders, crossings=crossings)
    assert other.sprint.placings == ((1,), (2,), (3,), (4,))
    assert other.photo_required == frozenset()
