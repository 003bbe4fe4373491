"""Pursuit heats, individual and team (uci-rules.md §2.12, §4.5): two sides start half a lap
apart, each from its own pursuit line, and are timed at both lines, every half lap.

Geometry. The home side (0, red) starts on the home straight's pursuit line (line 0), the back
side (1, green) on the back straight's (line 1), half a lap on. A side's n-th half lap ends on
line `(side + n) % 2`: the home side crosses the back line first, the back side the home line.
Counted in half laps from the home line, the home side is at d0 and the back side at d1 + 1;
so either side catches the other when it has ridden half a lap more than the other at the same
moment. The lines see that happen as a crossing order: side A crosses a line for its k-th half
lap before side B crosses the same line for its (k-1)-th (`find_catch`). (The catch itself,
3.2.058's crank axles level, is somewhere in the half lap before: the lines cannot see closer;
the commissaires' word on it comes by command.)

Crossings. A side's crossings come from its riders' transponder reads on either line and from
photocell impulses on the lines, which carry no name: `assign_crossings` walks all of them in
time order and gives each to the side that is due at that line (its next half lap ends there),
the nearer in time to its expected crossing when both are (only after a catch, or with one side
a half lap up). A reading on the other line than the one due means the due crossing was missed
(None): the half laps missed are counted from the time elapsed, so that one lost read does not
shift every later split.

Times. Each cumulative time is truncated first and the half laps are differences of those
(`half_lap_splits`), so that they add up to the total; the gap at each half lap is the
difference of the two sides' official times there (3.2.067).

Teams (3.2.080, 3.2.090): the team's time at each half lap is on the front wheel of its k-th
rider (k = 3 of 4): the k-th earliest of its riders' crossings for that half lap, once k have
crossed (`team_crossings`). A rider dropped (`dropped_at`) no longer counts; a team left with
fewer than k riders gets no time.
"""

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from velotime.scoring.rules.official import official_us

HOME, BACK = 0, 1  # the sides, and the pursuit lines they start on
# A photocell impulse and a transponder read of the same crossing differ by the loop's read
# and by how well the clocks agree (as rules.time_trial.MATCH_US).
MATCH_US = 250_000
# A loop's read reaches the scorer up to this long after the beam (the decoder reads 1-150 ms
# after the wheel, and the daemon may deliver it after the timer's impulse).
READ_LATENCY_US = 150_000
# An impulse no read is near yet, on a line whose loops read, may still be named by a read on
# its way: one within MATCH_US of it, arriving up to READ_LATENCY_US later. It goes to a side
# only once the timing seen has moved past it by more than this (or the heat is over), so a
# wheel of the other rider (rolling round after finishing, or at a catch) is never shown,
# even for a moment, as the due side's crossing.
EXPLAIN_US = MATCH_US + READ_LATENCY_US
# No half lap is ridden faster than this (90 km/h): reads closer together are one crossing,
# and the read of a wheel leaving a gate on the line is not a crossing.
FASTEST_M_PER_S = 25
TEAM_COUNTS = 3  # the team's time is on its third rider's front wheel (3.2.080)


def half_laps(distance_m: int, track_length_m: Fraction | int) -> int:
    """How many half laps the distance is: 4000 m on 250 m, 32; on 333.33 m, 24. A pursuit
    starts on a pursuit line and ends on it: the distance must be whole half laps."""
    count = Fraction(distance_m) / (Fraction(track_length_m) / 2)
    if count.denominator != 1 or count <= 0:
        raise ValueError(
            f"{distance_m} m is not a whole number of half laps of a "
            f"{float(track_length_m):g} m track (give the track length exactly)"
        )
    return int(count)


def half_lap_metres(track_length_m: Fraction | int) -> Fraction:
    return Fraction(track_length_m) / 2


def min_half_lap_us(track_length_m: Fraction | int) -> int:
    """The shortest half lap there can be: half the track at 90 km/h (5 s on 250 m)."""
    return int(half_lap_metres(track_length_m) * 1_000_000 / FASTEST_M_PER_S)


def due_line(side: int, completed: int) -> int:
    """The line on which `side` ends its next half lap, having completed `completed`."""
    return (side + completed + 1) % 2


class LineCrossing(NamedTuple):
    """One reading of a pursuit line: a photocell impulse (side None) or a transponder read
    (side and rider known from the transponder)."""

    t_us: int
    line: int  # HOME or BACK
    side: int | None = None
    rider: int | None = None  # the bib, for a read (teams time each rider)


@dataclass
class _Walk:
    """One rider's (or side's) crossings so far, as `assign_crossings` walks the readings."""

    side: int
    start_us: int
    total: int  # half laps of the distance
    times: list[int | None] = field(default_factory=list)
    photocell: list[bool] = field(default_factory=list)  # timed by an impulse, not a read
    last_us: int | None = None  # the last crossing known
    last_half_us: int | None = None  # the last half lap whose both ends are known

    def half_laps_to(self, t_us: int, line: int, min_half_us: int) -> int | None:
        """How many half laps from the last crossing (or the start) a reading at `line` at
        `t_us` would be; None when it cannot be one (too soon, or the distance is done)."""
        since = self.last_us if self.last_us is not None else self.start_us
        if len(self.times) >= self.total or t_us < since + min_half_us:
            return None
        parity_ok = [k for k in (1, 2) if due_line(self.side, len(self.times) + k - 1) == line]
        k = parity_ok[0]
        if self.last_half_us:  # count the half laps missed from the time elapsed
            estimate = (t_us - since) / self.last_half_us
            while k + 2 <= estimate + 0.5 and len(self.times) + k + 2 <= self.total:
                k += 2
        if len(self.times) + k > self.total:
            return None
        return k

    def plausible(self, t_us: int, k: int) -> bool:
        """An unnamed impulse `k` half laps on is this side's only near its expected time:
        within a quarter of those half laps at its last pace (2.1 s of an 8.5 s half lap),
        so that the other rider's beam, or one slowing down, is not taken for its crossing."""
        if not self.last_half_us:
            return True
        return abs(t_us - self.expected_us(k)) <= k * self.last_half_us // 4

    def expected_us(self, k: int) -> int:
        since = self.last_us if self.last_us is not None else self.start_us
        return since + k * (self.last_half_us or 0)

    def take(self, t_us: int, k: int, photocell: bool) -> None:
        self.times += [None] * (k - 1) + [t_us]
        self.photocell += [False] * (k - 1) + [photocell]
        if k == 1 and self.last_us is not None:
            self.last_half_us = t_us - self.last_us
        self.last_us = t_us

    def matches_last(self, t_us: int, line: int) -> bool:
        """The reading is the last crossing again (the other device's, or a double read)."""
        n = len(self.times)
        return (
            self.last_us is not None
            and abs(t_us - self.last_us) <= MATCH_US
            and due_line(self.side, n - 1) == line
        )


class Assigned(NamedTuple):
    """Each walker's half-lap crossings (None: missed), and the impulses nobody was due for."""

    crossings: dict[int, list[int | None]]  # walker key -> times of half laps 1, 2, ...
    stray: int  # photocell impulses no side was due at


def assign_crossings(
    readings: Iterable[LineCrossing],
    starts: Mapping[int, int],
    total: int,
    min_half_us: int,
    riders: Mapping[int, int] | None = None,
    seen_us: int | None = None,
) -> Assigned:
    """The half-lap crossings of each side (`starts`: side -> its start) or, for teams, of
    each rider (`riders`: bib -> side; photocell impulses then go unused: a timing strip sees
    every wheel of a team). Readings before a side's start are not its. `seen_us`: the latest
    timing seen while the heat is ridden (None: all of it is in): an impulse within
    `EXPLAIN_US` before it, no read near, on a line with loops, waits (nobody's, not stray)."""
    walkers: dict[int, _Walk] = {}
    if riders is None:
        for side, start in starts.items():
            walkers[side] = _Walk(side, start, total)
    else:
        for bib, side in riders.items():
            if side in starts:
                walkers[bib] = _Walk(side, starts[side], total)
    stray = 0
    ordered = sorted(readings)
    # Each line's transponder reads, by time: the loop's read names the rider whose wheel cut
    # the beam (or the rider slowing down after the finish, whose impulse is then nobody's).
    named: dict[int, list[tuple[int, int]]] = {HOME: [], BACK: []}
    for reading in ordered:
        if reading.side is not None:
            named[reading.line].append((reading.t_us, reading.side))
    for reading in ordered:
        if reading.side is not None:
            key = reading.side if riders is None else reading.rider
            walker = walkers.get(key) if key is not None else None
            if walker is None:
                continue
            if walker.matches_last(reading.t_us, reading.line):
                continue  # the photocell (or an earlier read) has this crossing already
            k = walker.half_laps_to(reading.t_us, reading.line, min_half_us)
            if k is not None:
                walker.take(reading.t_us, k, photocell=False)
            continue
        if riders is not None:
            continue
        # The sides the loop read at this beam, the nearest first.
        line_reads = named[reading.line]
        at = bisect_left(line_reads, (reading.t_us - MATCH_US, -1))
        near_reads = sorted(
            (abs(t_us - reading.t_us), side)
            for t_us, side in line_reads[at:]
            if t_us <= reading.t_us + MATCH_US
        )
        near = {side for _, side in near_reads}
        if (
            not near_reads
            and named[reading.line]
            and seen_us is not None
            and seen_us - reading.t_us <= EXPLAIN_US
        ):
            continue  # the read naming its wheel may be on its way: decide once it is not
        # The read of the same crossing may have come first: the impulse times it (the read
        # nearest the beam says whose, when two riders cross together).
        again = [
            w
            for w in walkers.values()
            if w.matches_last(reading.t_us, reading.line)
            and (not near_reads or near_reads[0][1] == w.side)
        ]
        if again:
            walker = again[0]
            if not walker.photocell[-1]:
                walker.times[-1] = walker.last_us = reading.t_us
                walker.photocell[-1] = True
                continue
        due = [
            (abs(reading.t_us - w.expected_us(k)) if w.last_half_us else k, w, k)
            for w in walkers.values()
            if (not near or w.side in near)
            and (k := w.half_laps_to(reading.t_us, reading.line, min_half_us)) is not None
            and w.plausible(reading.t_us, k)
        ]
        if not due:
            # The wheel leaving a gate on its own line cuts the beam, a rider the loop read
            # crosses after the finish: not a crossing, and no surprise either.
            leaving = any(
                w.side == reading.line and w.start_us <= reading.t_us < w.start_us + min_half_us
                for w in walkers.values()
            )
            # Before every side's start (a rider rolling back after a recall) is no race yet.
            before = all(reading.t_us < w.start_us for w in walkers.values())
            stray += not (leaving or before or near)
            continue
        _, walker, k = min(due, key=lambda d: (d[0], d[1].side))
        walker.take(reading.t_us, k, photocell=True)
    return Assigned({key: w.times for key, w in walkers.items()}, stray)


class HalfLap(NamedTuple):
    """One half lap of a side, official (§4.5): None where a crossing is missing."""

    number: int  # from 1
    cumulative_us: int | None  # truncated elapsed time from the start
    half_us: int | None  # since the half lap before (differences of truncated times)
    lap_us: int | None  # the last full lap (two half laps), from the second half lap on


def half_lap_splits(start_us: int, crossings: Sequence[int | None]) -> list[HalfLap]:
    cumulative = [official_us(t - start_us) if t is not None else None for t in crossings]
    out: list[HalfLap] = []
    for i, c in enumerate(cumulative):
        before = 0 if i == 0 else cumulative[i - 1]
        two_before = 0 if i == 1 else (cumulative[i - 2] if i >= 2 else None)
        out.append(
            HalfLap(
                number=i + 1,
                cumulative_us=c,
                half_us=c - before if c is not None and before is not None else None,
                lap_us=c - two_before if c is not None and two_before is not None else None,
            )
        )
    return out


class Gap(NamedTuple):
    number: int  # the half lap
    ahead: int | None  # the side ahead; None: level
    gap_us: int  # >= 0: the side behind's official time there minus the side ahead's


def gaps(home: Sequence[HalfLap], back: Sequence[HalfLap]) -> list[Gap]:
    """The gap at every half lap both sides have timed: a difference of official times."""
    out: list[Gap] = []
    for h, b in zip(home, back, strict=False):
        if h.cumulative_us is None or b.cumulative_us is None:
            continue
        diff = h.cumulative_us - b.cumulative_us
        ahead = None if diff == 0 else (HOME if diff < 0 else BACK)
        out.append(Gap(h.number, ahead, abs(diff)))
    return out


class Catch(NamedTuple):
    catcher: int  # the side
    caught: int
    half_lap: int  # the catcher's half lap at whose line it was seen ahead
    t_us: int


def find_catch(crossings: Mapping[int, Sequence[int | None]]) -> Catch | None:
    """The first time a side crosses a line for its k-th half lap (k >= 2) before the other
    crosses that line for its (k-1)-th: it has drawn level and gone by. A missed crossing of
    the other's proves nothing, and a side that has finished is not caught."""
    found: list[Catch] = []
    for a, b in ((HOME, BACK), (BACK, HOME)):
        mine, theirs = crossings.get(a, ()), crossings.get(b)
        if theirs is None:
            continue
        for k in range(2, len(mine) + 1):
            t = mine[k - 1]
            if t is None:
                continue
            if k - 1 <= len(theirs):
                other = theirs[k - 2]
                if other is None or other < t:
                    continue
            found.append(Catch(a, b, k, t))
            break
    return min(found, key=lambda c: c.t_us, default=None)


def team_crossings(
    riders: Mapping[int, Sequence[int | None]],
    dropped: Mapping[int, int] | None = None,
    counts: int = TEAM_COUNTS,
) -> list[int | None]:
    """The team's time at each half lap: the `counts`-th earliest of its riders' crossings of
    it, riders dropped before it (`dropped`: bib -> the first half lap they no longer count
    for) left out; None when fewer than `counts` riders have crossed it."""
    dropped = dropped or {}
    longest = max((len(times) for times in riders.values()), default=0)
    out: list[int | None] = []
    for n in range(1, longest + 1):
        crossed = sorted(
            t
            for bib, times in riders.items()
            if len(times) >= n and (t := times[n - 1]) is not None and dropped.get(bib, n + 1) > n
        )
        out.append(crossed[counts - 1] if len(crossed) >= counts else None)
    while out and out[-1] is None:
        out.pop()
    return out


def dropped_at(riders: Mapping[int, Sequence[int | None]]) -> dict[int, int]:
    """Riders no longer crossing with their team: bib -> the first half lap they missed,
    where the front of the team had already crossed the half lap after it before the rider
    crossed that one (half a lap down: off the back for good, or off the track). The front,
    not the third rider: a team that loses two riders still shows both dropped."""
    longest = max((len(times) for times in riders.values()), default=0)
    front = [
        min((t for times in riders.values() if len(times) > n and (t := times[n]) is not None),
            default=None)
        for n in range(longest)
    ]  # fmt: skip
    out: dict[int, int] = {}
    for bib, times in riders.items():
        for n in range(1, longest):
            next_front = front[n]  # the front's half lap n + 1
            if next_front is None:
                continue
            mine = times[n - 1] if len(times) >= n else None
            if mine is None and any(t is not None for t in times[n:]):
                continue  # a missed read: the rider crossed later half laps
            if mine is None or mine > next_front:
                out[bib] = n
                break
    return out


def last_lap_us(splits: Sequence[HalfLap]) -> int | None:
    """The last full lap, official: what breaks a tie (3.2.061)."""
    return splits[-1].lap_us if splits else None


def laps_to_go(total: int, completed: int) -> Fraction:
    """Laps still to ride, in half laps: 31 half laps to go is 15.5 laps."""
    return Fraction(max(total - completed, 0), 2)
