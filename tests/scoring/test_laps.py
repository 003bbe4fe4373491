"""The lap counter of a bunch race (velotime.scoring.rules.laps; uci-rules.md §2.1 3.2.017 bis
to quater, 3.2.020 bis; §2.7). Every expected figure is worked out by hand in the test.

The track is 250 m: the 200 m line lies 50 m after the finish line (a fifth of a lap), the
100 m line 150 m after it (three fifths). A lap of 16 s puts a rider at the 200 m line 3.2 s
after the finish line and at the 100 m line 9.6 s after it.
"""

from collections.abc import Iterable

from hypothesis import given
from hypothesis import strategies as st

from velotime.scoring.rules.bunch import LapChange
from velotime.scoring.rules.laps import LapCounter, LapProposal

S = 1_000_000
T0 = 50_000 * S  # the flying start, venue clock
FINISH, LINE_100, LINE_200 = 0, 100, 200
Read = tuple[int, int, int]  # (t_us, bib, loop's distance to the finish)


def laps_of(bib: int, passages: Iterable[int], loops: Iterable[int] = (FINISH,)) -> list[Read]:
    """The reads of a rider passing the finish line at each of `passages`, on a 16 s lap: the
    200 m line 3.2 s after each, the 100 m line 9.6 s after each, for the loops asked."""
    after = {FINISH: 0, LINE_200: 3_200_000, LINE_100: 9_600_000}
    return [(t + after[loop], bib, loop) for t in passages for loop in loops]


def feed(counter: LapCounter, reads: Iterable[Read], until_us: int | None = None) -> None:
    for t_us, bib, loop in sorted(reads):
        if until_us is None or t_us <= until_us:
            counter.crossing(bib, loop, t_us)


def test_laps_count_from_the_flying_start_not_the_neutral_lap() -> None:
    """A rider crosses the line at -16 s (into the neutral lap), at 0 (the flying start), then
    every 16 s: at 48 s three laps are done since the start, the neutral lap not among them.
    The desk's `start` comes 2 s late (at 2 s): the passage at 0 is still lap 0 (5 s window)."""
    counter = LapCounter([1], distance=10)
    feed(counter, laps_of(1, [T0 - 16 * S, T0, T0 + 16 * S]))
    assert counter.laps(1) == 0  # no start yet: neutral
    assert not counter.board().started
    counter.start(T0 + 2 * S)
    assert counter.laps(1) == 1
    feed(counter, laps_of(1, [T0 + 32 * S, T0 + 48 * S]))
    assert counter.laps(1) == 3
    board = counter.board()
    assert (board.leader_laps, board.laps_to_go, board.bell, board.finished) == (3, 7, False, False)


def test_a_missed_finish_read_is_recovered_from_the_200_m_line_and_the_100_m_line() -> None:
    """Reads at every loop for passages at 0, 16, 32, 48, 64 s; the finish loop misses the
    passages at 16 s and at 48 s. At 16 s the rider was read at the 200 m line at 3.2 s and
    again at 19.2 s: round past the finish line unread. At 48 s: the 100 m line at 41.6 s, then
    the 200 m line at 51.2 s: the finish line lies between. Laps at 64 s: 4, as if every read
    were there. The estimated passages: 3.2 + (19.2 - 3.2) x 200/250 = 16.0 s, and
    41.6 + (51.2 - 41.6) x 100/150 = 48.0 s."""
    counter = LapCounter([7], distance=10)
    counter.start(T0)
    reads = laps_of(7, [T0 + k * 16 * S for k in range(5)], (FINISH, LINE_200, LINE_100))
    missed = {(T0 + 16 * S, 7, FINISH), (T0 + 48 * S, 7, FINISH)}
    feed(counter, [read for read in reads if read not in missed], until_us=T0 + 64 * S)
    assert counter.laps(7) == 4
    assert counter.laps(7, T0 + 16 * S) == 1  # the estimated passage at 16.0 s
    assert counter.laps(7, T0 + 48 * S) == 3
    assert counter.problems() == [
        "bib 7: 2 finish-line read(s) missed, recovered from the other loops"
    ]


def test_a_double_read_is_dropped_and_counted() -> None:
    """The finish loop reads the rider at 16.0 s and again at 16.3 s: 250 m in 0.3 s is no
    lap; dropped. Two laps at 32 s."""
    counter = LapCounter([3], distance=10)
    counter.start(T0)
    feed(counter, laps_of(3, [T0, T0 + 16 * S, T0 + 16_300_000, T0 + 32 * S]))
    assert counter.laps(3) == 2
    assert counter.problems() == ["bib 3: 1 double read(s) dropped"]


def test_a_neutralised_race_rides_laps_it_does_not_count() -> None:
    """Distance 10 laps. Passages every 16 s from the start; after the passage at 32 s (2 laps,
    8 to go) the race is neutralised at 40 s for 2 laps: the passages at 48 and 64 s are
    ridden, not counted; the board stays at 8 to go with 2 then 1 then 0 neutral laps to ride;
    the passage at 80 s is lap 3 (7 to go)."""
    counter = LapCounter([1, 2], distance=10)
    counter.start(T0)
    passages = [T0 + k * 16 * S for k in range(6)]
    feed(counter, laps_of(1, passages) + laps_of(2, [t + 300_000 for t in passages]), T0 + 40 * S)
    assert counter.board().laps_to_go == 8
    counter.neutralise(T0 + 40 * S, 2)
    assert counter.board().neutralised == 2
    feed(counter, laps_of(1, passages[3:4]) + laps_of(2, [passages[3] + 300_000]))
    assert (counter.board().laps_to_go, counter.board().neutralised) == (8, 1)
    feed(counter, laps_of(1, passages[4:5]) + laps_of(2, [passages[4] + 300_000]))
    assert (counter.board().laps_to_go, counter.board().neutralised) == (8, 0)
    feed(counter, laps_of(1, passages[5:6]) + laps_of(2, [passages[5] + 300_000]))
    assert (counter.laps(1), counter.laps(2), counter.board().laps_to_go) == (3, 3, 7)


def test_a_commissaire_sets_a_riders_laps() -> None:
    """Rider 4 was read at no loop for a whole lap (a fault): the loops give 2 laps at 48 s
    where 3 were ridden. The commissaires set 3 at 50 s; the passage at 64 s makes 4."""
    counter = LapCounter([4], distance=10)
    counter.start(T0)
    feed(counter, laps_of(4, [T0, T0 + 16 * S, T0 + 48 * S]))
    assert counter.laps(4) == 2
    counter.set_laps(4, 3, T0 + 50 * S)
    assert counter.laps(4) == 3
    feed(counter, laps_of(4, [T0 + 64 * S]))
    assert counter.laps(4) == 4
    # Before it, the count runs back from the commissaires': 3 at 50 s less the passage at
    # 48 s: 2 at 20 s (the loops cannot say where the lap was lost).
    assert counter.laps(4, T0 + 20 * S) == 2


def test_the_bell_rings_with_one_lap_to_go_and_abandons_lead_nothing() -> None:
    """Distance 3 laps. Rider 1 leads by a lap (3 laps at 48 s, rider 2 behind on 2), then
    abandons: out of the count, rider 2 leads on 2 laps: 1 to go, the bell. Rider 2's passage
    at 64 s makes 3: finished."""
    counter = LapCounter([1, 2], distance=3)
    counter.start(T0)
    feed(counter, laps_of(1, [T0, T0 + 16 * S, T0 + 32 * S, T0 + 48 * S]))
    feed(counter, laps_of(2, [T0 + S, T0 + 25 * S, T0 + 49 * S]))
    board = counter.board()
    assert (board.leader_laps, board.laps_to_go, board.bell, board.finished) == (3, 0, False, True)
    counter.out_of_count = frozenset({1})
    board = counter.board()
    assert (board.leader_laps, board.laps_to_go, board.bell) == (2, 1, True)
    feed(counter, laps_of(2, [T0 + 64 * S]))
    assert counter.board().finished
    assert counter.finish() == {2: (T0 + 64 * S, False)}


def bunch_race() -> list[Read]:
    """Six riders read at every loop, 16 s laps for the bunch (riders 1-4, crossing 0.3 s
    apart: k x 16 + 0.0, 0.3, 0.6, 0.9 s after the start at lap k).

    - Rider 5 breaks away on 14 s laps (k x 14 + 1.2 s): at lap 8 it crosses at 113.2 s, 0.3 s
      behind rider 4 on the bunch's lap 7 (112.9 s): it has reached the back of the bunch a
      lap up (8 laps against 7): a lap gained, proposed +1 at the bunch's lap 7. From then on
      it rides at the back of the bunch: lap k at (k - 1) x 16 + 1.2 s.
    - Rider 6 is dropped on 18 s laps (k x 18 + 1.5 s) to its lap 6 (109.5 s, 2.5 s ahead of
      the bunch's lap 7), then slows: its lap 7 at 129.5 s is 0.3 s behind rider 5 (lap 9,
      129.2 s) at the back of the bunch on lap 8 (128.0-128.9 s): the bunch has caught it (7
      laps against 8): a lap lost, proposed -1 at lap 8. It then rides with the bunch: lap k at
      (k + 1) x 16 + 1.5 s.
    Until then riders 5 and 6 cross the line alone, more than 1 s from the bunch (lap 1: rider
    5 at 15.2 s is 0.8 s before rider 1 and in its group, on the same lap 1). Twelve laps."""
    loops = (FINISH, LINE_200, LINE_100)
    reads: list[Read] = []
    for bib in (1, 2, 3, 4):
        reads += laps_of(bib, [T0 + k * 16 * S + (bib - 1) * 300_000 for k in range(13)], loops)
    reads += laps_of(5, [T0 + k * 14 * S + 1_200_000 for k in range(9)], loops)
    reads += laps_of(5, [T0 + (k - 1) * 16 * S + 1_200_000 for k in range(9, 14)], loops)
    reads += laps_of(6, [T0 + k * 18 * S + 1_500_000 for k in range(7)], loops)
    reads += laps_of(6, [T0 + (k + 1) * 16 * S + 1_500_000 for k in range(7, 12)], loops)
    return reads


def test_lap_gains_and_losses_are_proposed_against_the_main_bunch_and_confirmed() -> None:
    """The race of `bunch_race`, distance 12 laps. A group is judged once the reads say no
    passage held back (5 s, for estimated ones) can join it: 1 + 5 s after its last passage
    (113.2 s for the group of the bunch's lap 7 and rider 5), told by rider 5's read at the
    100 m line at 122.8 s. So by 125 s: rider 5's +1 at
    lap 7 (its passage 113.2 s); nothing is applied: rider 5's confirmed laps gained stay 0.
    The commissaires confirm it: LapChange(5, +1, lap 7). By 160 s, rider 6's -1 at lap 8
    (129.5 s), confirmed too. The board follows the bunch: at 160 s rider 1's passage on the
    bunch's lap 10 (160.0 s) makes 10 laps, 2 to go; rider 5 has ridden 10 (laps 9 and 10 at
    129.2 and 145.2 s), less its lap gained: 9."""
    counter = LapCounter(range(1, 7), distance=12)
    counter.start(T0 + 500_000)
    reads = bunch_race()
    feed(counter, reads, until_us=T0 + 125 * S)
    assert counter.proposals == [LapProposal(bib=5, change=1, lap=7, t_us=T0 + 113_200_000)]
    assert counter.gained(5) == 0  # proposed, not applied
    assert counter.confirm(5, 1) == LapChange(bib=5, change=1, lap=7)
    assert counter.proposals == []
    feed(counter, [read for read in reads if T0 + 125 * S < read[0] <= T0 + 160 * S])
    assert counter.proposals == [LapProposal(bib=6, change=-1, lap=8, t_us=T0 + 129_500_000)]
    counter.confirm(6, -1)
    assert [counter.gained(bib) for bib in range(1, 7)] == [0, 0, 0, 0, 1, -1]
    assert (counter.laps(5), counter.race_laps(5)) == (10, 9)
    board = counter.board()
    assert (board.leader_laps, board.laps_to_go, board.bell) == (10, 2, False)


def test_the_finish_is_the_leaders_passage_completing_the_distance() -> None:
    """The race of `bunch_race` over 12 laps, every change confirmed: the bunch completes lap 12
    at 192.0 s (rider 1), rider 5 its 13th at 193.2 s, rider 6 its 11th at 193.5 s; each
    rider's finish is their first passage from 192.0 s: 1 192.0, 2 192.3, 3 192.6, 4 192.9,
    5 193.2, 6 193.5. Before 192.0 s (at 191 s) there is no finish, and rider 1's passage at
    176.0 s rang the bell."""
    counter = LapCounter(range(1, 7), distance=12)
    counter.start(T0 + 500_000)
    reads = bunch_race()
    feed(counter, reads, until_us=T0 + 125 * S)
    counter.confirm(5, 1)
    feed(counter, [read for read in reads if T0 + 125 * S < read[0] <= T0 + 160 * S])
    counter.confirm(6, -1)
    feed(counter, [read for read in reads if T0 + 160 * S < read[0] <= T0 + 176 * S])
    assert counter.board().bell
    feed(counter, [read for read in reads if T0 + 176 * S < read[0] <= T0 + 191 * S])
    assert counter.finish() == {}
    feed(counter, [read for read in reads if read[0] > T0 + 191 * S])
    assert counter.board().finished
    expected = [192_000_000, 192_300_000, 192_600_000, 192_900_000, 193_200_000, 193_500_000]
    assert counter.finish() == {
        bib: (T0 + t, False) for bib, t in zip(range(1, 7), expected, strict=True)
    }


def test_a_proposal_set_aside_is_not_proposed_again() -> None:
    """Rider 5's +1 of `bunch_race` set aside: rider 5 is taken as on the bunch's lap; by
    160 s only rider 6's -1 is proposed, and rider 5 has gained nothing."""
    counter = LapCounter(range(1, 7), distance=12)
    counter.start(T0 + 500_000)
    feed(counter, bunch_race(), until_us=T0 + 125 * S)
    assert counter.dismiss(5, 1)
    assert not counter.dismiss(5, 1)
    feed(counter, [read for read in bunch_race() if T0 + 125 * S < read[0] <= T0 + 160 * S])
    assert [p.bib for p in counter.proposals] == [6]
    assert counter.gained(5) == 0


# -- properties ----------------------------------------------------------------------------------

lap_times = st.lists(st.integers(11_000_000, 30_000_000), min_size=2, max_size=30)


def ride(lap_us: list[int]) -> list[Read]:
    """A rider's reads at every loop: the finish line at the start, then a lap of each time in
    `lap_us` (the 200 m line a fifth into it, the 100 m line three fifths), the finish line,
    and the 200 m line 3 s after that last passage."""
    reads: list[Read] = []
    at = T0
    for lap in lap_us:
        reads += [(at, 1, FINISH), (at + lap // 5, 1, LINE_200), (at + lap * 3 // 5, 1, LINE_100)]
        at += lap
    return [*reads, (at, 1, FINISH), (at + 3_000_000, 1, LINE_200)]


def counted(reads: list[Read]) -> int:
    counter = LapCounter([1], distance=100)
    counter.start(T0)
    feed(counter, reads)
    return counter.laps(1)


@given(lap_times, st.data())
def test_dropping_one_finish_read_leaves_the_count(lap_us: list[int], data: st.DataObject) -> None:
    """Dropping any one finish-line read of a rider seen at the 200 m line after it leaves the
    laps as the loops saw them all: one a lap, `len(lap_us)`."""
    reads = ride(lap_us)
    finishes = [read for read in reads if read[2] == FINISH]
    dropped = data.draw(st.sampled_from(finishes[1:]))  # the first is lap 0, the start
    assert counted(reads) == len(lap_us)
    assert counted([read for read in reads if read != dropped]) == len(lap_us)


@given(lap_times, st.data())
def test_dropping_the_100_m_and_200_m_reads_or_doubling_a_read_leaves_the_count(
    lap_us: list[int], data: st.DataObject
) -> None:
    """The other loops only fill in: without them, or with a read doubled 0.2 s later (a
    double read), the laps are those of the finish-line reads."""
    reads = ride(lap_us)
    finish_only = [read for read in reads if read[2] == FINISH]
    doubled = data.draw(st.sampled_from(reads))
    again = (doubled[0] + 200_000, doubled[1], doubled[2])
    assert counted(finish_only) == counted(reads) == counted([*reads, again])


@given(
    st.lists(st.integers(12_000_000, 20_000_000), min_size=3, max_size=25),
    st.lists(st.integers(0, 300_000), min_size=8, max_size=8),
)
def test_a_field_riding_together_is_never_proposed_a_lap_change(
    lap_us: list[int], spacing_us: list[int]
) -> None:
    """Eight riders crossing the line together every lap (each up to 0.3 s behind the one
    before: one group), at any pace: all on the bunch's lap, so no lap change is proposed,
    and the board's leader has ridden every lap."""
    counter = LapCounter(range(1, 9), distance=100)
    counter.start(T0)
    reads: list[Read] = []
    at = T0
    for lap in [*lap_us, 16_000_000]:
        behind = 0
        for bib, gap in zip(range(1, 9), spacing_us, strict=True):
            behind += gap
            reads += laps_of(bib, [at + behind], (FINISH, LINE_200))
        at += lap
    feed(counter, reads)
    assert counter.proposals == []
    assert counter.board().leader_laps == len(lap_us)
