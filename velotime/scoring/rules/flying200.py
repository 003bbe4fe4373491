"""The flying 200 m time trial (sprint qualifying), UCI 3.2.022-3.2.028, as pure functions.

Two steps, both pure:

- `attribute_crossings` turns the start order and the timing-line crossings of a session into
  one `Effort` per rider, with two riders on the track at once (3.2.024);
- `rank_flying_200` turns the efforts into result lines (`ResultLine`), in result order.

**Which pass is the effort.** A rider crosses the 200 m line and the finish on every lap of the
run-up (3.5 laps in all on a 250 m track, 3.2.025) and again cooling down, and transponder
loops see every one of those passes. The effort is the rider's **fastest complete pass from the
200 m line to the finish**; where the session has photocell impulses on the 200 m line or the
finish, only a pass a photocell timed at one end or both counts. So photocells armed for the
timed pass alone give that pass (a transponder read makes up an impulse they missed at one
end), photocells firing on every pass give the fastest pass at photocell precision, and a
venue with transponders only gets the fastest pass from the transponders. The timed 200 m is
the one pass a rider rides flat out, far faster than any run-up or cool-down pass, which is
why a commissaire can accept it; the alternative "the last pass before the rider stops" would
take the cool-down lap. Photocell impulses take the identity of the transponder read of the
same line at the same moment (within `MATCH_US`); only impulses no transponder explains go by
the start order. Details: `attribute_crossings`.

**Times.** All times are integers in microseconds on the venue clock. The official time is
`official_us(finish - line_200)`: truncated to the thousandth (3.2.015; 10.7246 s -> 10.724 s).
Speed is 720 / t from the official time, truncated (`speed_milli_kmh`). The gap is the
difference of official times; the riders ranked 1st (one, or several in a draw) have none.

**Ties (3.2.027).** Equal official times are separated by the better time over the last 100 m,
`official_us(finish - line_100)`: the interval itself truncated to the thousandth, as any
time that decides a result (3.2.015; metarace does the same). It applies only when every rider
of the tied group has a 100 m time: a rider without one cannot be compared, and comparing only
some of the group would not give a consistent order. Otherwise, or when the last-100 m times
are equal as well, the tied riders share the rank, are all flagged `Flag.DRAW_REQUIRED`, and
the next rank skips (5, 5, 7): the commissaires draw lots, the engine never invents an order.
Tied riders are listed in the order the efforts were given (the start order, normally).

**Qualification.** The first `qualify` places are flagged `Flag.QUALIFIED` (28 at a World
Championship or Nations Cup, 24 at the Olympics). A draw that lies wholly inside the cut
qualifies all its riders (the draw then only orders the seeds). A draw that straddles the cut
(say two riders ranked 24 with 24 qualifying) qualifies none of them: they keep
`DRAW_REQUIRED`, and the commissaires' draw decides who goes on. Riders above it qualify.

**Unranked riders.** After the ranked riders come DNF, then DNS, then DSQ (rank None, status
kept, no time), each group in the order given. This is the usual result-sheet order: those who
rode but did not finish, then those who did not start, then those excluded from the result.

**Splits.** When the venue has a 100 m line the result line carries two `SplitLine`s measured
from the 200 m line, by the project's convention (truncate each cumulative time, then take
differences, so the laps add up to the time):

- `SplitLine(distance_m=100, cumulative=t100, lap=t100)`: the first 100 m;
- `SplitLine(distance_m=200, cumulative=time, lap=time - t100)`: the last 100 m.

In rare sub-millisecond cases the printed last-100 m lap (a difference of truncated times) is
0.001 s more than the tie-break time (the interval truncated); see `last_100_us`.

**Plausibility.** With a `window` (velotime.scoring.rules.plausible), a measured time outside
it is not ranked: its line comes after the ranked riders and before DNF, rank None, with its
time, speed and splits as measured and `Flag.CHECK`, until an official confirms that time
(`Effort.confirmed_us`: then ranked, flagged `Flag.CONFIRMED`) or corrects it. It is no
qualifier and no leader: the gaps are to the fastest ranked rider.

**Restart (3.2.028).** One restart is allowed after an incident. The effort that counts is the
later one: `attribute_crossings(restarted=...)` counts only the rider's passes from the restart
on (the engine takes it from the desk naming the rider again, `next_rider`).
"""

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from functools import partial
from heapq import heappop, heappush
from typing import TypeAlias

import msgspec

from velotime.scoring.rules.official import (
    official_string,
    official_us,
    splits,
)
from velotime.scoring.rules.plausible import Window
from velotime.scoring.rules.results import KnownLines, known_line, timed_line
from velotime.wire.results import Flag, ResultLine, SplitLine, Status

DISTANCE_MM = 200_000  # the timed distance: from the 200 m line to the finish line
SPLIT_DISTANCE_M = 100

# Result-sheet order of riders without a rank (see the module docstring).
UNRANKED_ORDER: tuple[Status, ...] = (Status.DNF, Status.DNS, Status.DSQ)

# The longest a 200 m can take and still be the effort of the rider on the track: 30 s is
# 24 km/h, far slower than any flying 200 m. Past it, a rider who crossed the 200 m line and was
# never seen at the finish (a fall, a missed impulse) stops claiming the next riders' crossings.
MAX_EFFORT_US = 30_000_000
# A photocell impulse and a transponder read of the same crossing differ by the loop's read (a
# few milliseconds) and by how well the timer's and the decoders' clocks agree (the venue must
# keep them well within this). Two riders crossing one line this close are told apart by
# pairing nearest first (`match_photocells`).
MATCH_US = 250_000
# A rider crosses each line once a lap: a lap takes more than 8 s even on a 166 m track. Reads
# of one rider on one line closer than this are one crossing read twice.
MIN_LAP_US = 5_000_000


class Effort(msgspec.Struct, frozen=True, kw_only=True):
    """One rider's counting effort: venue-clock times in microseconds, or a status.

    A ranked effort (status `Status.RANKED`) needs `line_200_us` (the clock starts) and
    `finish_us` (the clock stops); `line_100_us` is the 100 m line, if the venue has one.
    DNS, DNF (for example a second incident, 3.2.021 ter) and DSQ may carry times; they are
    ignored. After a restart (3.2.028) pass the later effort only.

    `corrected_us` is an official time the commissaires set (a backup timing after a fault):
    it replaces the measured one, has no last 100 m (a tie with it is a draw) and no splits.
    """

    bib: int
    name: str = ""
    nation: str = ""
    line_200_us: int | None = None
    line_100_us: int | None = None
    finish_us: int | None = None
    status: Status = Status.RANKED
    corrected_us: int | None = None
    confirmed_us: int | None = None  # an official time outside the window an official confirmed

    def __post_init__(self) -> None:
        if self.status not in (Status.RANKED, *UNRANKED_ORDER):
            raise ValueError(f"bib {self.bib}: status {self.status!r} has no meaning here")
        if self.status is not Status.RANKED:
            return
        if self.corrected_us is not None:
            if official_us(self.corrected_us) <= 0:
                raise ValueError(f"bib {self.bib}: a corrected time must be above zero")
            return
        if self.line_200_us is None or self.finish_us is None:
            raise ValueError(f"bib {self.bib}: a ranked effort needs the 200 m and finish times")
        # A zero official time has no speed and is a timing fault, never a result.
        if official_us(self.finish_us - self.line_200_us) <= 0:
            raise ValueError(f"bib {self.bib}: the finish must be after the 200 m line")
        if self.line_100_us is not None and not (
            self.line_200_us < self.line_100_us < self.finish_us
        ):
            raise ValueError(f"bib {self.bib}: the 100 m line must be between 200 m and finish")

    @property
    def time_us(self) -> int | None:
        """The official time (truncated), or None when not ranked."""
        if self.status is not Status.RANKED:
            return None
        if self.corrected_us is not None:
            return official_us(self.corrected_us)
        if self.line_200_us is None or self.finish_us is None:
            return None
        return official_us(self.finish_us - self.line_200_us)

    @property
    def last_100_us(self) -> int | None:
        """The tie-break time over the last 100 m (3.2.027): finish - 100 m line, truncated."""
        if self.time_us is None or self.line_100_us is None or self.finish_us is None:
            return None
        if self.corrected_us is not None:
            return None  # the measured 100 m line no longer goes with the time
        return official_us(self.finish_us - self.line_100_us)


_Key: TypeAlias = Callable[[Effort], int]


def rank_flying_200(
    efforts: Sequence[Effort],
    qualify: int,
    known: KnownLines | None = None,
    window: Window | None = None,
) -> list[ResultLine]:
    """The result of a flying 200 m, in result order; the first `qualify` places qualify.

    Rules and the decisions taken where the rules are silent: see the module docstring.
    `known`: lines of earlier rankings, taken again with their new rank and flags
    (`known_line`); lines made here are added to it. `window`: the plausible times; an
    effort outside it is put under check ("Plausibility").
    """
    if qualify < 0:
        raise ValueError("qualify must not be negative")
    _check_unique(e.bib for e in efforts)

    timed = [e for e in efforts if e.status is Status.RANKED]
    checked = [e for e in timed if _under_check(e, window)]
    ranked = [e for e in timed if not _under_check(e, window)]
    blocks = _blocks(ranked)
    leader_us = _time(blocks[0][0]) if blocks else 0

    lines: list[ResultLine] = []
    place = 1
    for block in blocks:
        draw = len(block) > 1
        last_place = place + len(block) - 1
        # A draw across the cut qualifies nobody in it: the commissaires' draw decides.
        qualified = last_place <= qualify
        flags = [
            *([Flag.DRAW_REQUIRED] if draw else []),
            *([Flag.QUALIFIED] if qualified else []),
        ]
        lines.extend(
            known_line(
                known, (effort, leader_us), place, _confirmed(effort, flags),
                partial(_ranked_line, effort, place, leader_us, flags),
            )
            for effort in block
        )  # fmt: skip
        place = last_place + 1

    lines.extend(
        msgspec.structs.replace(_ranked_line(effort, 1, _time(effort), [Flag.CHECK]), rank=None)
        for effort in checked
    )

    for status in UNRANKED_ORDER:
        lines.extend(
            ResultLine(rank=None, bib=e.bib, name=e.name, nation=e.nation, status=status)
            for e in efforts
            if e.status is status
        )
    return lines


def _under_check(effort: Effort, window: Window | None) -> bool:
    """A measured time outside the window that no official has confirmed (a corrected time
    is the commissaires' own: never checked)."""
    time_us = _time(effort)
    return (
        window is not None
        and effort.corrected_us is None
        and window.outside(time_us)
        and effort.confirmed_us != time_us
    )


def _confirmed(effort: Effort, flags: list[Flag]) -> list[Flag]:
    """The flags of a ranked line, with "confirmed" for a time an official confirmed."""
    if effort.corrected_us is None and effort.confirmed_us == _time(effort):
        return [*flags, Flag.CONFIRMED]
    return flags


def _blocks(ranked: Sequence[Effort]) -> list[list[Effort]]:
    """Riders grouped by place: a block of more than one is a draw the rules cannot break."""
    by_time = sorted(ranked, key=_time)  # stable: tied riders keep the order given
    blocks: list[list[Effort]] = []
    for tied in _runs(by_time, _time):
        if len(tied) > 1 and all(e.last_100_us is not None for e in tied):
            blocks.extend(_runs(sorted(tied, key=_last_100), _last_100))
        else:
            blocks.append(tied)
    return blocks


def _time(effort: Effort) -> int:
    assert effort.time_us is not None  # only ranked efforts get here
    return effort.time_us


def _last_100(effort: Effort) -> int:
    assert effort.last_100_us is not None  # only called when the whole group has one
    return effort.last_100_us


def _runs(efforts: Sequence[Effort], key: _Key) -> list[list[Effort]]:
    """Consecutive efforts with an equal key, from a list sorted by that key."""
    runs: list[list[Effort]] = []
    for effort in efforts:
        if runs and key(runs[-1][0]) == key(effort):
            runs[-1].append(effort)
        else:
            runs.append([effort])
    return runs


def _ranked_line(effort: Effort, rank: int, leader_us: int, flags: list[Flag]) -> ResultLine:
    time_us = _time(effort)
    split_lines: list[SplitLine] = []
    if effort.corrected_us is None and effort.line_100_us is not None:
        assert effort.line_200_us is not None
        assert effort.finish_us is not None
        first, whole = splits(
            [effort.line_100_us - effort.line_200_us, effort.finish_us - effort.line_200_us]
        )
        split_lines = [
            SplitLine(
                distance_m=SPLIT_DISTANCE_M,
                cumulative=official_string(first.cumulative_us),
                lap=official_string(first.lap_us),
            ),
            SplitLine(
                distance_m=DISTANCE_MM // 1000,
                cumulative=official_string(whole.cumulative_us),
                lap=official_string(whole.lap_us),
            ),
        ]
    return timed_line(
        rank=rank,
        bib=effort.bib,
        name=effort.name,
        nation=effort.nation,
        time_us=time_us,
        distance_mm=DISTANCE_MM,
        leader_us=leader_us,
        splits=split_lines,
        flags=list(flags),
    )


def _check_unique(bibs: Iterable[int]) -> None:
    seen: set[int] = set()
    for bib in bibs:
        if bib in seen:
            raise ValueError(f"bib {bib} appears twice")
        seen.add(bib)


# --- Attributing line crossings to riders (3.2.024: two riders on the track at once) ---


class Line(StrEnum):
    LINE_200 = "200m"  # the clock starts
    LINE_100 = "100m"
    FINISH = "finish"  # the clock stops


class Crossing(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A crossing of a timing line: from a photocell (no identity) or a transponder. (Numbers
    only: no cycle, so the garbage collector need not track the event's many crossings.)"""

    line: Line
    t_us: int  # venue clock
    transponder: int | None = None  # None: a photocell impulse


class Starter(msgspec.Struct, frozen=True, kw_only=True):
    bib: int
    name: str = ""
    nation: str = ""


class Attribution(msgspec.Struct, frozen=True, kw_only=True):
    """Who rode what. The engine decides no status: DNS and DNF are the commissaires' call."""

    efforts: list[Effort]  # riders with a pass that counts (see `attribute_crossings`), start order
    on_track: list[int]  # crossed the 200 m line, not yet the finish after it; in that order
    waiting: list[int]  # in the start order, never seen across the 200 m line
    unassigned: list[Crossing]  # crossings that are part of no rider's pass, in time order


class _Pass(msgspec.Struct, eq=False, gc=False):
    """One passage of a rider from the 200 m line towards the finish (mutable, private; no
    cycle, so untracked by the garbage collector: a long event has a great many)."""

    line_200_us: int
    photocell_200: bool
    line_100_us: int | None = None
    finish_us: int | None = None
    photocell_finish: bool = False


_NO_BEST = -1  # `_Rider.best_of`: the counting pass must be looked for again among all passes


class _Rider:
    __slots__ = (
        "best",
        "best_of",
        "best_rule",
        "effort",
        "last_us",
        "open",
        "passes",
        "photocells_200",
    )

    def __init__(self) -> None:
        self.passes: list[_Pass] = []  # complete: 200 m line to finish
        self.open: _Pass | None = None  # crossed the 200 m line, not yet the finish after it
        self.last_us: dict[Line, int] = {}  # the rider's latest counted crossing of each line
        self.photocells_200 = 0  # passes (complete or open) a photocell started
        # The counting pass among the first `best_of` passes, under `best_rule` (photocells,
        # restart); and the Effort made of it last.
        self.best: _Pass | None = None
        self.best_of = _NO_BEST
        self.best_rule: tuple[bool, int | None] = (False, None)
        self.effort: Effort | None = None


class _Entry(msgspec.Struct, eq=False, gc=False):
    """A crossing in the time-ordered log, with its photocell pairing (`PhotocellPairing`).
    One per crossing of the event; no cycle (a partner is a passing's entry, which has none),
    so untracked by the garbage collector."""

    crossing: Crossing
    partner: "_Entry | None" = None  # a photocell's transponder passing of the crossing
    taken: bool = False  # a passing that a photocell's entry stands for


class PhotocellPairing:
    """Every crossing so far in time order (equal times in the order added), each photocell
    impulse paired with the transponder passing of the same crossing (`match_photocells`),
    kept up to date one crossing at a time: a crossing changes the pairing of its own cluster
    on its line only (crossings of the line at most `match_us` apart, one after the other)."""

    def __init__(self, match_us: int = MATCH_US) -> None:
        self.match_us = match_us
        self.times: list[int] = []
        self.entries: list[_Entry] = []
        self._line_times: dict[Line, list[int]] = {line: [] for line in Line}
        self._line_entries: dict[Line, list[_Entry]] = {line: [] for line in Line}

    def add(self, crossing: Crossing) -> int:
        """Adds the crossing; returns the earliest time from which the log's entries or their
        pairing changed (entries before it are as they were)."""
        t_us = crossing.t_us
        entry = _Entry(crossing)
        at = bisect_right(self.times, t_us)
        self.times.insert(at, t_us)
        self.entries.insert(at, entry)
        times, entries = self._line_times[crossing.line], self._line_entries[crossing.line]
        at = bisect_right(times, t_us)
        times.insert(at, t_us)
        entries.insert(at, entry)
        first, last = at, at
        while first > 0 and times[first] - times[first - 1] <= self.match_us:
            first -= 1
        while last + 1 < len(times) and times[last + 1] - times[last] <= self.match_us:
            last += 1
        cluster = entries[first : last + 1]
        before = [(e.partner, e.taken) for e in cluster]
        for e in cluster:
            e.partner, e.taken = None, False
        if len(cluster) > 1:
            photocells = [e for e in cluster if e.crossing.transponder is None]
            passings = [e for e in cluster if e.crossing.transponder is not None]
            pairs = _align(
                [e.crossing.t_us for e in photocells],
                [e.crossing.t_us for e in passings],
                self.match_us,
            )
            for photocell, passing in pairs.items():
                photocells[photocell].partner = passings[passing]
                passings[passing].taken = True
        changed = [
            e.crossing.t_us
            for e, (partner, taken) in zip(cluster, before, strict=True)
            if e.partner is not partner or e.taken != taken
        ]
        return min([t_us, *changed])


def match_photocells(
    crossings: Iterable[Crossing], *, match_us: int = MATCH_US
) -> list[tuple[Crossing, Crossing | None]]:
    """Each crossing, in time order, with the transponder passing that identifies it when it is
    a photocell impulse: a passing of the same line at most `match_us` away. A matched passing
    is not listed on its own (the photocell times that crossing); unmatched photocells and
    passings are listed with None.

    Riders cross a line in the same order for the photocell and the loop, so the pairing keeps
    that order. Where several crossings of a line fall within `match_us` of each other (two
    riders close together, a read missed, a stranger's transponder), it makes as many pairs as
    it can, then the closest in total: photocells at 0 and 30 ms with reads at 20 and 45 ms pair
    0-20 and 30-45, not 30-20 (the nearest) and 0-45.
    """
    pairing = PhotocellPairing(match_us)
    for crossing in crossings:
        pairing.add(crossing)
    return [
        (entry.crossing, entry.partner.crossing if entry.partner is not None else None)
        for entry in pairing.entries
        if not entry.taken
    ]


def _align(photocell_us: Sequence[int], passing_us: Sequence[int], match_us: int) -> dict[int, int]:
    """Order-keeping pairs (photocell position -> passing position) of photocells and passings
    at most `match_us` apart: as many as possible, then the least total time apart (a small
    dynamic programme: clusters are a few crossings)."""
    if not photocell_us or not passing_us:
        return {}
    if len(photocell_us) == len(passing_us) == 1:  # the usual case: one crossing, seen by both
        return {0: 0}  # a cluster of two is within match_us
    rows, cols = len(photocell_us), len(passing_us)
    # best[i][j]: (pairs, -total apart) for photocells[i:] and passings[j:]
    best = [[(0, 0)] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            apart = abs(photocell_us[i] - passing_us[j])
            if apart <= match_us:
                count, total = best[i + 1][j + 1]
                options.append((count + 1, total - apart))
            best[i][j] = max(options)
    pairs: dict[int, int] = {}
    i = j = 0
    while i < rows and j < cols:
        apart = abs(photocell_us[i] - passing_us[j])
        following = best[i + 1][j + 1]
        if apart <= match_us and best[i][j] == (following[0] + 1, following[1] - apart):
            pairs[i] = j
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


class _Applied(msgspec.Struct, frozen=True, gc=False):
    """What taking one crossing did, to undo it (`Attributor`). One per crossing of the
    event, kept: untracked by the garbage collector (it holds no cycle), it costs 56 bytes."""

    t_us: int
    taker: int | None  # None: the crossing went to `unassigned`
    line: Line
    last_us: int | None  # the taker's latest crossing of the line before
    replaced: _Pass | None  # a 200 m line crossing: the open pass it replaced


class Attributor:
    """`attribute_crossings`, one crossing at a time (the engine adds each as it comes).

    The passes are a fold over the crossings in time order. A crossing added at the end is
    folded in; one that comes late (a loop's read after a photocell's impulse of a later
    crossing), or that changes the pairing of earlier ones, undoes the fold back to the
    earliest time it changes and folds the crossings from there again: a few crossings, not the
    session. Each rider's counting pass is kept and looked for again only among the passes
    that changed.
    """

    def __init__(
        self,
        start_order: Sequence[Starter],
        transponders: Mapping[int, int] | None = None,
        *,
        max_effort_us: int = MAX_EFFORT_US,
        match_us: int = MATCH_US,
        min_lap_us: int = MIN_LAP_US,
        photocells: bool = False,
    ) -> None:
        _check_unique(s.bib for s in start_order)
        self.start_order = list(start_order)
        self._position = {starter.bib: i for i, starter in enumerate(start_order)}
        # The starters' transponders only: a meet's map is every rider's, and an event kept
        # with a copy of it would hold the whole meet per event.
        self._transponders = {
            t: bib for t, bib in (transponders or {}).items() if bib in self._position
        }
        self._max_effort_us = max_effort_us
        self._min_lap_us = min_lap_us
        # Photocells at either end of the timed 200 m: only the passes they timed count.
        self.photocells = photocells
        self._riders = {starter.bib: _Rider() for starter in start_order}
        self._open: set[int] = set()  # riders with an open pass
        # Start-order positions of riders whose effort has not begun (no pass a photocell
        # started), as a heap; a position whose rider has begun since is dropped when met
        # (`_next_to_start`), and pushed again when an undo takes the rider's start back.
        self._not_started = list(range(len(self.start_order)))
        self._pairing = PhotocellPairing(match_us)
        self._applied: list[_Applied] = []
        self._unassigned: list[Crossing] = []
        # Each rider's counting effort under the rules it was looked for with (photocells,
        # restarts); riders whose passes changed since are `_dirty`.
        self._counted: dict[int, Effort | None] = {}
        self._counted_under: tuple[bool, dict[int, int]] = (photocells, {})
        self._dirty = set(self._riders)

    def add(self, crossing: Crossing) -> None:
        since = self._pairing.add(crossing)
        if crossing.transponder is None and crossing.line is not Line.LINE_100:
            self.photocells = True
        while self._applied and self._applied[-1].t_us >= since:
            self._undo(self._applied.pop())
        pairing = self._pairing
        for entry in pairing.entries[bisect_left(pairing.times, since) :]:
            if not entry.taken:
                self._take(entry)

    def efforts(self, restarted: Mapping[int, int] | None = None) -> list[Effort]:
        """Each rider's counting effort so far, in the start order (`attribute_crossings`):
        looked for again only for the riders whose passes or rules changed since."""
        restarted = {bib: t for bib, t in (restarted or {}).items() if bib in self._riders}
        photocells, restarted_before = self._counted_under
        if photocells != self.photocells:
            self._dirty.update(self._riders)
        else:
            self._dirty.update(
                bib
                for bib in restarted.keys() | restarted_before.keys()
                if restarted.get(bib) != restarted_before.get(bib)
            )
        self._counted_under = (self.photocells, restarted)
        for bib in self._dirty:
            self._counted[bib] = self._effort(
                self.start_order[self._position[bib]], restarted.get(bib)
            )
        self._dirty.clear()
        return [effort for s in self.start_order if (effort := self._counted[s.bib]) is not None]

    def _effort(self, starter: Starter, since: int | None) -> Effort | None:
        rider = self._riders[starter.bib]
        best = self._counting_pass(rider, since)
        if best is None:
            return None
        effort = rider.effort
        if (
            effort is None
            or effort.line_200_us != best.line_200_us
            or effort.line_100_us != best.line_100_us
            or effort.finish_us != best.finish_us
        ):
            effort = rider.effort = Effort(
                bib=starter.bib,
                name=starter.name,
                nation=starter.nation,
                line_200_us=best.line_200_us,
                line_100_us=best.line_100_us,
                finish_us=best.finish_us,
            )
        return effort

    def attribution(self, restarted: Mapping[int, int] | None = None) -> Attribution:
        riders = self._riders
        open_passes = sorted(
            (rider.open.line_200_us, bib) for bib, rider in riders.items() if rider.open is not None
        )
        return Attribution(
            efforts=self.efforts(restarted),
            on_track=[bib for _, bib in open_passes],
            waiting=[
                s.bib
                for s in self.start_order
                if not riders[s.bib].passes and riders[s.bib].open is None
            ],
            unassigned=list(self._unassigned),
        )

    def _starter(self, transponder: int) -> int | None:
        return self._transponders.get(transponder)  # the starters' transponders only

    def _fits(self, pass_: _Pass, crossing: Crossing) -> bool:
        if not 0 < crossing.t_us - pass_.line_200_us <= self._max_effort_us:
            return False
        if crossing.line is Line.LINE_100:
            return pass_.line_100_us is None
        # A finish needs a positive official time, and must come after the 100 m line.
        return official_us(crossing.t_us - pass_.line_200_us) > 0 and (
            pass_.line_100_us is None or crossing.t_us > pass_.line_100_us
        )

    def _anonymous_taker(self, crossing: Crossing) -> int | None:
        riders = self._riders
        if crossing.line is Line.LINE_200:
            return self._next_to_start()
        started = []
        for bib in self._open:
            open_ = riders[bib].open
            assert open_ is not None
            started.append((not open_.photocell_200, open_.line_200_us, self._position[bib], open_))
        started.sort(key=lambda entry: entry[:3])
        return next(
            (
                self.start_order[at].bib
                for _, _, at, open_ in started
                if self._fits(open_, crossing)
            ),
            None,
        )

    def _next_to_start(self) -> int | None:
        """The first rider in the start order whose effort has not begun."""
        heap, riders, order = self._not_started, self._riders, self.start_order
        while heap and riders[order[heap[0]].bib].photocells_200:
            heappop(heap)
        return order[heap[0]].bib if heap else None

    def _identified_taker(self, bib: int, crossing: Crossing) -> bool:
        rider = self._riders[bib]
        last = rider.last_us.get(crossing.line)
        if last is not None and crossing.t_us - last < self._min_lap_us:
            return False  # a double read of a crossing already counted
        if crossing.line is Line.LINE_200:
            return True
        return rider.open is not None and self._fits(rider.open, crossing)

    def _take(self, entry: _Entry) -> None:
        """Folds in one crossing: whose it is, and which pass it starts, splits or ends."""
        crossing = entry.crossing
        if crossing.transponder is not None:
            bib, photocell = self._starter(crossing.transponder), False
        elif entry.partner is None:
            bib, photocell = None, True
        else:
            assert entry.partner.crossing.transponder is not None  # paired with passings only
            bib = self._starter(entry.partner.crossing.transponder)
            # A photocell matched with a stranger's transponder is nobody's crossing here.
            photocell = bib is not None
        if bib is None:
            taker = None if not photocell else self._anonymous_taker(crossing)
        else:
            taker = bib if self._identified_taker(bib, crossing) else None
        line, t_us = crossing.line, crossing.t_us
        if taker is None:
            self._unassigned.append(crossing)
            self._applied.append(_Applied(t_us, None, line, None, None))
            return
        rider = self._riders[taker]
        self._dirty.add(taker)
        last_us = rider.last_us.get(line)
        rider.last_us[line] = t_us
        replaced = None
        if line is Line.LINE_200:
            replaced = rider.open
            rider.open = _Pass(t_us, photocell)
            change = photocell - (replaced is not None and replaced.photocell_200)
            rider.photocells_200 += change
            if change and not rider.photocells_200:
                heappush(self._not_started, self._position[taker])
            self._open.add(taker)
        elif line is Line.LINE_100:
            assert rider.open is not None  # the takers above only take crossings into a pass
            rider.open.line_100_us = t_us
        else:
            assert rider.open is not None
            rider.open.finish_us = t_us
            rider.open.photocell_finish = photocell
            rider.passes.append(rider.open)
            rider.open = None
            self._open.discard(taker)
        self._applied.append(_Applied(t_us, taker, line, last_us, replaced))

    def _undo(self, applied: _Applied) -> None:
        if applied.taker is None:
            self._unassigned.pop()
            return
        rider = self._riders[applied.taker]
        self._dirty.add(applied.taker)
        if applied.last_us is None:
            del rider.last_us[applied.line]
        else:
            rider.last_us[applied.line] = applied.last_us
        if applied.line is Line.LINE_200:
            assert rider.open is not None
            change = rider.open.photocell_200 - (
                applied.replaced is not None and applied.replaced.photocell_200
            )
            rider.photocells_200 -= change
            if change and not rider.photocells_200:
                heappush(self._not_started, self._position[applied.taker])
            rider.open = applied.replaced
            if rider.open is None:
                self._open.discard(applied.taker)
        elif applied.line is Line.LINE_100:
            assert rider.open is not None
            rider.open.line_100_us = None
        else:
            rider.open = rider.passes.pop()
            rider.open.finish_us = None
            rider.open.photocell_finish = False
            self._open.add(applied.taker)
            if rider.best_of > len(rider.passes):
                rider.best_of = _NO_BEST

    def _counting_pass(self, rider: _Rider, since: int | None) -> _Pass | None:
        """The fastest complete pass (the earlier of equals); with photocells in the session,
        only passes a photocell timed at one end or both; after a restart, only the passes
        from it on."""
        rule = (self.photocells, since)
        if rule != rider.best_rule or rider.best_of == _NO_BEST:
            rider.best, rider.best_of, rider.best_rule = None, 0, rule
        best = rider.best
        for pass_ in rider.passes[rider.best_of :]:
            if self.photocells and not (pass_.photocell_200 or pass_.photocell_finish):
                continue
            if since is not None and pass_.line_200_us < since:
                continue
            if best is None or _official(pass_) < _official(best):
                best = pass_
        rider.best, rider.best_of = best, len(rider.passes)
        return best


def _official(pass_: _Pass) -> tuple[int, int]:
    assert pass_.finish_us is not None  # complete passes only
    return official_us(pass_.finish_us - pass_.line_200_us), pass_.line_200_us


def attribute_crossings(
    start_order: Sequence[Starter],
    crossings: Iterable[Crossing],
    transponders: Mapping[int, int] | None = None,
    *,
    max_effort_us: int = MAX_EFFORT_US,
    match_us: int = MATCH_US,
    min_lap_us: int = MIN_LAP_US,
    photocells: bool = False,
    restarted: Mapping[int, int] | None = None,
) -> Attribution:
    """Each rider's effort from every crossing of a session, two riders on the track at once.

    Give every crossing of the session: photocell impulses (no transponder) and transponder
    passings (`transponders` maps transponder -> bib), run-up, effort and cool-down passes
    alike. They are taken in time order (sorted here; equal times keep the order given).

    **Identity.** A photocell impulse with a passing of the same line at most `match_us` away
    (`match_photocells`) is that transponder's crossing, timed by the photocell; the passing
    itself is not counted again. A passing is its transponder's rider's crossing. A crossing of
    a transponder that is no starter's (unknown, or a rider not in `start_order`) counts for
    nobody, and neither does a photocell impulse matched with one (someone else broke the beam).
    A photocell impulse with no passing goes by order, as at a venue without loops:

    - "200m" starts the next rider in the start order whose effort has not begun (no pass
      started by a photocell). 3.2.024 lets the next rider go once the previous one has passed
      that line, so it is always the next one. A rider who will not start (DNS) must leave the
      start order first, or the next rider's times go to him or her;
    - "100m" and "finish" belong to the earliest started pass that can take them, passes
      started by a photocell first.

    **Passes.** Every crossing of the 200 m line by a rider starts a pass (the run-up laps cross
    it as well as the effort does); the rider's next "100m" and "finish" crossings complete it.
    A "100m" or "finish" crossing is only taken by a pass that started at most `max_effort_us`
    before it, so that a rider who stopped does not take the crossings of the next. A rider's
    crossing of a line less than `min_lap_us` after their previous one is a double read.

    **The effort** is the rider's fastest complete pass (equal official times: the earlier),
    counting only the passes a photocell timed at the 200 m line or the finish when the session
    has photocell impulses on either line. Hence:

    - photocells armed for the timed pass only: the pass they time (a missed impulse at one
      end is made up by the transponder's read of that line);
    - photocells firing on every pass: the fastest pass, timed by the photocells;
    - transponders only: the fastest pass, timed by the transponders.

    A commissaire accepts this because the timed 200 m is the one pass a rider rides flat out:
    the run-up laps before it and the cool-down after are far slower (a flying 200 m takes 9 to
    12 s, a run-up or cool-down pass 15 to 25 s). Until the effort is ridden, a transponder-only
    session shows the rider's fastest run-up pass so far (the result says "running").

    `photocells`: the venue has photocells on the 200 m line or the finish (its
    configuration says so), so only photocell-timed passes count from the first crossing on.
    Without it, the session's first such impulse says so; until then a transponder pass of
    the first rider could show as his or her time.

    `restarted`: bib -> venue time of a restart (3.2.028, after a fall or a mechanical
    incident): only the rider's passes from the 200 m line at or after it count. The rider is
    named by a transponder read here; a venue of photocells alone has no identity to go by.

    Any crossing that is part of no pass (a finish with nobody on the track, a double read, an
    unknown transponder, a rider's crossing before his or her first 200 m line) is returned in
    `unassigned`, never dropped silently.
    """
    attributor = Attributor(
        start_order,
        transponders,
        max_effort_us=max_effort_us,
        match_us=match_us,
        min_lap_us=min_lap_us,
        photocells=photocells,
    )
    for crossing in crossings:
        attributor.add(crossing)
    return attributor.attribution(restarted)
