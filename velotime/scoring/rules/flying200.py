"""The flying 200 m time trial (sprint qualifying), UCI 3.2.022-3.2.028, as pure functions.

Two steps, both pure:

- `attribute_crossings` turns the start order and the timing-line crossings of a session into
  one `Effort` per rider, with two riders on the track at once (3.2.024);
- `rank_flying_200` turns the efforts into result lines (`ResultLine`), in result order.

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

**Restart (3.2.028).** One restart is allowed after an incident. The effort that counts is the
later one: the caller passes only that effort (and, to `attribute_crossings`, only the
crossings of the attempt that counts). There is no attempt number here on purpose.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TypeAlias

import msgspec

from velotime.scoring.rules.official import (
    official_string,
    official_us,
    splits,
)
from velotime.scoring.rules.results import Flag, ResultLine, SplitLine, Status, timed_line

DISTANCE_MM = 200_000  # the timed distance: from the 200 m line to the finish line
SPLIT_DISTANCE_M = 100

# Result-sheet order of riders without a rank (see the module docstring).
UNRANKED_ORDER: tuple[Status, ...] = (Status.DNF, Status.DNS, Status.DSQ)

# The longest a 200 m can take and still be the effort of the rider on the track: 30 s is
# 24 km/h, far slower than any flying 200 m. Past it, a rider who crossed the 200 m line and was
# never seen at the finish (a fall, a missed impulse) stops claiming the next riders' crossings.
MAX_EFFORT_US = 30_000_000


class Effort(msgspec.Struct, frozen=True, kw_only=True):
    """One rider's counting effort: venue-clock times in microseconds, or a status.

    A ranked effort (status `Status.RANKED`) needs `line_200_us` (the clock starts) and
    `finish_us` (the clock stops); `line_100_us` is the 100 m line, if the venue has one.
    DNS, DNF (for example a second incident, 3.2.021 ter) and DSQ may carry times; they are
    ignored. After a restart (3.2.028) pass the later effort only.
    """

    bib: int
    name: str = ""
    nation: str = ""
    line_200_us: int | None = None
    line_100_us: int | None = None
    finish_us: int | None = None
    status: Status = Status.RANKED

    def __post_init__(self) -> None:
        if self.status not in (Status.RANKED, *UNRANKED_ORDER):
            raise ValueError(f"bib {self.bib}: status {self.status!r} has no meaning here")
        if self.status is not Status.RANKED:
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
        if self.status is not Status.RANKED or self.line_200_us is None or self.finish_us is None:
            return None
        return official_us(self.finish_us - self.line_200_us)

    @property
    def last_100_us(self) -> int | None:
        """The tie-break time over the last 100 m (3.2.027): finish - 100 m line, truncated."""
        if self.time_us is None or self.line_100_us is None or self.finish_us is None:
            return None
        return official_us(self.finish_us - self.line_100_us)


_Key: TypeAlias = Callable[[Effort], int]


def rank_flying_200(efforts: Sequence[Effort], qualify: int) -> list[ResultLine]:
    """The result of a flying 200 m, in result order; the first `qualify` places qualify.

    Rules and the decisions taken where the rules are silent: see the module docstring.
    """
    if qualify < 0:
        raise ValueError("qualify must not be negative")
    _check_unique(e.bib for e in efforts)

    ranked = [e for e in efforts if e.status is Status.RANKED]
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
        lines.extend(_ranked_line(effort, place, leader_us, flags) for effort in block)
        place = last_place + 1

    for status in UNRANKED_ORDER:
        lines.extend(
            ResultLine(rank=None, bib=e.bib, name=e.name, nation=e.nation, status=status)
            for e in efforts
            if e.status is status
        )
    return lines


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
    assert effort.line_200_us is not None
    assert effort.finish_us is not None
    split_lines: list[SplitLine] = []
    if effort.line_100_us is not None:
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


class Crossing(msgspec.Struct, frozen=True, kw_only=True):
    """A crossing of a timing line: from a photocell (no identity) or a transponder."""

    line: Line
    t_us: int  # venue clock
    transponder: int | None = None


class Starter(msgspec.Struct, frozen=True, kw_only=True):
    bib: int
    name: str = ""
    nation: str = ""


class Attribution(msgspec.Struct, frozen=True, kw_only=True):
    """Who rode what. The engine decides no status: DNS and DNF are the commissaires' call."""

    efforts: list[Effort]  # riders who crossed the 200 m and finish lines, in start order
    on_track: list[int]  # crossed the 200 m line, not the finish (still riding, or stopped)
    waiting: list[int]  # in the start order, not yet across the 200 m line
    unassigned: list[Crossing]  # crossings that fit no rider, in time order


class _Timing:
    """A rider's crossings so far (mutable, private to one attribution)."""

    __slots__ = ("finish_us", "line_100_us", "line_200_us")

    def __init__(self, line_200_us: int) -> None:
        self.line_200_us = line_200_us
        self.line_100_us: int | None = None
        self.finish_us: int | None = None


def attribute_crossings(
    start_order: Sequence[Starter],
    crossings: Iterable[Crossing],
    transponders: Mapping[int, int] | None = None,
    *,
    max_effort_us: int = MAX_EFFORT_US,
) -> Attribution:
    """Each rider's effort from the crossings of a session, two riders on the track at once.

    `crossings` are those of the timed passes only (run-up passes of the 200 m line are not
    timed: the timekeeper arms the lines, or the caller filters them). They are taken in time
    order (sorted here; equal times keep the order given). Feed one source per line: a
    photocell impulse and a transponder passing of the same crossing would count twice.

    Photocell crossings (no transponder) carry no identity and go by order:

    - "200m" starts the next rider in the start order who has not started. 3.2.024 lets the
      next rider go once the previous one has passed that line, so it is always the next one.
      A rider who will not start (DNS) must therefore leave the start order first, or the
      next rider's times go to him or her;
    - "100m" belongs to the earliest started rider with no 100 m time who has not finished;
    - "finish" belongs to the earliest started rider who has not finished.

    Transponder crossings (`transponders` maps transponder -> bib) go by identity: "200m"
    starts that rider, whatever the start order; "100m" and "finish" complete that rider's
    effort.

    A crossing is only taken by a rider who crossed the 200 m line at most `max_effort_us`
    before it, and after that rider's previous crossing, so that a rider who stopped does not
    take the crossings of the next. Any crossing nobody can take (a finish with nobody on the
    track, a second 200 m of the same rider, an unknown transponder) is returned in
    `unassigned`, never dropped silently.
    """
    _check_unique(s.bib for s in start_order)
    order = {starter.bib: index for index, starter in enumerate(start_order)}
    by_transponder = dict(transponders or {})
    timings: dict[int, _Timing] = {}  # insertion order is the order of starting
    unassigned: list[Crossing] = []

    def can_take(bib: int, crossing: Crossing) -> bool:
        timing = timings.get(bib)
        if timing is None or timing.finish_us is not None:
            return False
        if not 0 < crossing.t_us - timing.line_200_us <= max_effort_us:
            return False
        if crossing.line is Line.LINE_100:
            return timing.line_100_us is None
        # A finish needs a positive official time, and must come after the 100 m line.
        return official_us(crossing.t_us - timing.line_200_us) > 0 and (
            timing.line_100_us is None or crossing.t_us > timing.line_100_us
        )

    def take(bib: int, crossing: Crossing) -> None:
        timing = timings[bib]
        if crossing.line is Line.LINE_100:
            timing.line_100_us = crossing.t_us
        else:
            timing.finish_us = crossing.t_us

    for crossing in sorted(crossings, key=lambda c: c.t_us):
        bib: int | None
        if crossing.transponder is not None:
            bib = by_transponder.get(crossing.transponder)
            if bib not in order:
                bib = None
            elif crossing.line is Line.LINE_200:
                bib = None if bib in timings else bib
            elif not can_take(bib, crossing):
                bib = None
        elif crossing.line is Line.LINE_200:
            bib = next((s.bib for s in start_order if s.bib not in timings), None)
        else:
            bib = next((b for b in timings if can_take(b, crossing)), None)

        if bib is None:
            unassigned.append(crossing)
        elif crossing.line is Line.LINE_200:
            timings[bib] = _Timing(crossing.t_us)
        else:
            take(bib, crossing)

    efforts = [
        Effort(
            bib=s.bib,
            name=s.name,
            nation=s.nation,
            line_200_us=timing.line_200_us,
            line_100_us=timing.line_100_us,
            finish_us=timing.finish_us,
        )
        for s in start_order
        if (timing := timings.get(s.bib)) is not None and timing.finish_us is not None
    ]
    return Attribution(
        efforts=efforts,
        on_track=[b for b, t in timings.items() if t.finish_us is None],
        waiting=[s.bib for s in start_order if s.bib not in timings],
        unassigned=unassigned,
    )
