"""The standing-start time trial: kilometre, legacy 500 m, any distance (UCI 3.2.101-3.2.112).

Pure functions: rides in (a start gate impulse and line crossings on the venue clock, integer
microseconds), result lines out. Every figure comes from `official`: times truncated to the
thousandth, speeds from the truncated total, lap times as differences of truncated cumulative
times so that they add up exactly to the total (uci-rules.md §4).

Decisions the rules leave open, made here:

- **Geometry.** A rider crosses their finish line ceil(distance / lap) times. When the distance
  is not a whole number of laps the start is that part lap before the line, so the *first*
  split is the part lap: 500 m on a 333.33 m track is 166.67 m + 333.33 m; 1000 m on a 400 m
  track is 200 + 400 + 400. Track lengths are exact fractions: a 333.33 m track is
  Fraction(1000, 3), so that 1000 m is exactly 3 laps (`exact_track_length` turns the
  configured 333.33 into that). Split distances are printed to the nearest metre (167, 333).
- **Restarts (3.2.021 ter, 3.2.112).** A `Ride` is the counting (last) start and says how many
  restarts came before it. `counting_ride` builds it from every start attempt: a second
  incident is DNF (qualifying; a time-trial final has no opponent to lose to, so DNF as well,
  which the caller may override).
- **Incomplete rides are an error, not a DNF.** A ranked ride whose crossings do not match the
  distance raises `IncompleteRidesError`, naming every such rider at once; `crossing_problems`
  gives the same list without raising. A missing crossing is far more often a missed
  transponder read than an abandonment, and DNF is the commissaires' decision: the caller
  fixes the data or sets the status.
- **Not ranked.** After the ranked riders: DNF, then DNS, then DSQ, each in the order given
  (the start order), rank None and no time.
- **Photocell and loop on one line.** `merge_line_crossings`: the photocell times every
  crossing it saw; the rider's transponder read makes up a crossing it missed.
- **Plausibility.** With a `window` (velotime.scoring.rules.plausible), a measured total
  outside it is not ranked: its line comes after the ranked riders, rank None, with its time,
  speed and splits as measured and Flag.CHECK, until an official confirms that total
  (`Ride.confirmed_us`; then ranked, flagged Flag.CONFIRMED) or corrects it.
- **Ties (3.2.107).** Equal official totals go to the better official last lap. Still equal:
  the same rank, Flag.DRAW_REQUIRED on each, listed in the order given; the next rank skips
  (1, 2, 2, 4).
"""

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, partial
from itertools import groupby
from typing import NamedTuple, Protocol

import msgspec

from velotime.scoring.rules.official import (
    Split,
    official_string,
    official_us,
    splits,
)
from velotime.scoring.rules.plausible import Window
from velotime.scoring.rules.results import KnownLines, known_line, timed_line
from velotime.wire.results import Flag, ResultLine, SplitLine, Status

MAX_STARTS = 2  # 3.2.021 ter: two starts at most, so one restart
# Below this a part lap can only be a rounded track length (1000 m on 333.33 m leaves 1 cm).
MIN_PART_LAP_M = Fraction(1)
# Reads of one rider's transponder closer than this are one crossing (a double read, or the
# loop under a standing start seeing the wheel leave the gate): even a standing half lap
# takes longer.
MIN_GAP_US = 5_000_000
# A photocell impulse and a transponder read of the same crossing of a line differ by the
# loop's read (milliseconds) and by how well the timer's and the decoders' clocks agree.
MATCH_US = 250_000
UNRANKED_ORDER = (Status.DNF, Status.DNS, Status.DSQ)


def exact_track_length(metres: float | str) -> Fraction:
    """The configured track length as the exact length it was built to: tracks are laid out so
    that whole laps make 2 km (333.33 m = 2000/6, 285.714 m = 2000/7, 166.67 m = 2000/12), and
    a written length within half a centimetre of 2000/n is that; any other length stays the
    decimal as written (a float is read as its shortest repr, 333.33, not its binary value)."""
    written = Fraction(str(metres))
    if written > 0:
        designed = Fraction(2000, round(2000 / written) or 1)
        if abs(designed - written) < Fraction(1, 200):
            return designed
    return written


@dataclass(frozen=True)
class Course:
    distance_m: int
    track_length_m: Fraction | int  # exact: Fraction(1000, 3) for a 333.33 m track

    def __post_init__(self) -> None:
        if self.distance_m <= 0 or self.track_length_m <= 0:
            raise ValueError("distance and track length must be positive")
        if 0 < self.part_lap_m < MIN_PART_LAP_M:
            raise ValueError(
                f"{self.distance_m} m on a {float(self.track_length_m):g} m track leaves a "
                f"part lap of {float(self.part_lap_m):g} m: give the track length exactly, "
                "e.g. Fraction(1000, 3) for 333.33 m (exact_track_length)"
            )

    @cached_property  # a Course is asked on every crossing: its figures are worked out once
    def part_lap_m(self) -> Fraction:
        """The first split when shorter than a lap (the start is this far before the line);
        0 for whole laps."""
        return Fraction(self.distance_m) % Fraction(self.track_length_m)

    @cached_property
    def crossings(self) -> int:
        """How many times the rider crosses the finish line: the last one is the finish."""
        return math.ceil(Fraction(self.distance_m) / Fraction(self.track_length_m))

    @cached_property
    def split_distances_m(self) -> tuple[Fraction, ...]:
        """The exact distance from the start at each crossing: 500 m on 333.33 -> 500/3, 500."""
        n = self.crossings
        lap = Fraction(self.track_length_m)
        return tuple(self.distance_m - (n - i) * lap for i in range(1, n + 1))

    @cached_property
    def split_metres(self) -> tuple[int, ...]:
        """The split distances as printed, to the nearest metre: 500/3 -> 167."""
        return tuple(math.floor(d + Fraction(1, 2)) for d in self.split_distances_m)


class Ride(msgspec.Struct, frozen=True, kw_only=True):
    """One rider's counting start. `start_us` is the gate release (it starts the clock,
    3.2.016); `lap_us` the crossings of the rider's own finish line, the last one the finish.
    Times are ignored unless the status is RANKED (rode, to be ranked)."""

    bib: int
    name: str = ""
    nation: str = ""
    start_us: int | None = None
    lap_us: list[int] = []
    status: Status = Status.RANKED
    restarts: int = 0  # starts before this one, voided by an incident (at most MAX_STARTS - 1)
    # An official total the commissaires set (a backup timing after a fault): it replaces the
    # measured one; it has no laps, so no splits and no last lap to break a tie with.
    corrected_us: int | None = None
    # An official total outside the plausible window that an official confirmed.
    confirmed_us: int | None = None


class Attempt(msgspec.Struct, frozen=True, kw_only=True):
    """One start: the gate impulse and the crossings that followed."""

    start_us: int
    lap_us: list[int] = []
    incident: bool = False  # a false start or recognised incident stopped it: restart due


def counting_ride(
    bib: int, attempts: Sequence[Attempt], *, name: str = "", nation: str = ""
) -> Ride | None:
    """The ride that counts from every start a rider made, in order (3.2.021 ter, 3.2.112):
    only the last start counts; a second incident is DNF. None while a restart is still due
    (in qualifying the rider restarts at the end of the session)."""
    if not attempts:
        return Ride(bib=bib, name=name, nation=nation, status=Status.DNS)
    if len(attempts) > MAX_STARTS:
        raise ValueError(f"bib {bib}: {len(attempts)} starts, at most {MAX_STARTS} allowed")
    if not all(attempt.incident for attempt in attempts[:-1]):
        raise ValueError(f"bib {bib}: only an incident gives a restart")
    last = attempts[-1]
    restarts = len(attempts) - 1
    if last.incident:
        if len(attempts) < MAX_STARTS:
            return None
        return Ride(bib=bib, name=name, nation=nation, status=Status.DNF, restarts=restarts)
    return Ride(
        bib=bib,
        name=name,
        nation=nation,
        start_us=last.start_us,
        lap_us=list(last.lap_us),
        restarts=restarts,
    )


class CrossingProblem(msgspec.Struct, frozen=True, kw_only=True):
    bib: int
    expected: int  # crossings the distance needs
    got: int
    reason: str


class IncompleteRidesError(ValueError):
    """Ranked rides whose crossings do not fit the distance: fix the data or set a status."""

    def __init__(self, problems: Sequence[CrossingProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"bib {p.bib}: {p.reason}" for p in self.problems))


def crossing_problems(rides: Iterable[Ride], course: Course) -> list[CrossingProblem]:
    """Every ranked ride that cannot be timed, with why; empty when all can."""
    problems: list[CrossingProblem] = []
    for ride in rides:
        if ride.status is not Status.RANKED or ride.corrected_us is not None:
            continue
        reason = _timing_problem(ride, course.crossings)
        if reason is None and len(ride.lap_us) != course.crossings:
            reason = (
                f"{len(ride.lap_us)} line crossings, {course.crossings} expected "
                f"for {course.distance_m} m"
            )
        if reason is not None:
            problems.append(
                CrossingProblem(
                    bib=ride.bib, expected=course.crossings, got=len(ride.lap_us), reason=reason
                )
            )
    return problems


def ride_splits(ride: Ride, course: Course) -> list[SplitLine]:
    """The splits of the crossings so far (fewer than the distance needs while riding)."""
    reason = _timing_problem(ride, course.crossings)
    if reason is not None:
        raise ValueError(f"bib {ride.bib}: {reason}")
    return _split_lines(_official_splits(ride), course)


def time_trial_results(
    rides: Sequence[Ride],
    course: Course,
    known: KnownLines | None = None,
    window: Window | None = None,
) -> list[ResultLine]:
    """The result sheet: ranked riders by official total, then those under check (`window`:
    the plausible totals), then DNF, DNS, DSQ. `known`: lines of earlier sheets of the same
    course, taken again with their new rank and flags (`known_line`); lines made here are
    added to it."""
    _check_entries(rides)
    problems = crossing_problems(rides, course)
    if problems:
        raise IncompleteRidesError(problems)

    measured = [(ride, _official_splits(ride)) for ride in rides if ride.status is Status.RANKED]
    checked = [entry for entry in measured if _under_check(entry, window)]
    timed = [entry for entry in measured if not _under_check(entry, window)]
    # 3.2.107: the official total, then the official last lap; sorted() is stable, so riders
    # still equal keep the order given, which decides nothing (they share the rank). A
    # corrected total has no last lap: a tie with it is a draw for the commissaires.
    timed.sort(key=lambda entry: (entry[1][-1].cumulative_us, _last_lap(entry)))
    blocks: list[list[tuple[Ride, list[Split]]]] = []
    for _, same_total in groupby(timed, key=lambda entry: entry[1][-1].cumulative_us):
        tied = list(same_total)
        if all(_last_lap(entry) >= 0 for entry in tied):
            blocks += [list(same) for _, same in groupby(tied, key=_last_lap)]
        else:
            blocks.append(tied)
    leader_us = timed[0][1][-1].cumulative_us if timed else 0

    lines: list[ResultLine] = []
    position = 1
    for block in blocks:  # a draw shares the rank; the next rank skips (1, 2, 2, 4)
        flags = [Flag.DRAW_REQUIRED] if len(block) > 1 else []
        for ride, timing in block:
            line = partial(_ranked_line, ride, timing, position, leader_us, flags, course)
            made_of = (msgspec.json.encode(ride), leader_us)  # a Ride holds a list: not hashable
            confirmed = ride.corrected_us is None and ride.confirmed_us == timing[-1].cumulative_us
            shown = [*flags, Flag.CONFIRMED] if confirmed else flags
            lines.append(known_line(known, made_of, position, shown, line))
        position += len(block)
    for ride, timing in checked:
        total_us = timing[-1].cumulative_us
        check_line = _ranked_line(ride, timing, 1, total_us, [Flag.CHECK], course)
        lines.append(msgspec.structs.replace(check_line, rank=None))

    unranked = sorted(
        (ride for ride in rides if ride.status is not Status.RANKED),
        key=lambda ride: UNRANKED_ORDER.index(ride.status),
    )
    lines.extend(
        ResultLine(rank=None, bib=ride.bib, name=ride.name, nation=ride.nation, status=ride.status)
        for ride in unranked
    )
    return lines


class OnTrack(msgspec.Struct, frozen=True, kw_only=True):
    """A rider of the heat: in qualifying two ride at once from opposite sides (3.2.106), each
    with their own start gate and their own finish line (the home straight's or the back
    straight's pursuit line)."""

    bib: int
    line: str  # the rider's finish line, as passings name it: "finish", "pursuit"...
    start_us: int  # this rider's gate impulse
    # A photocell impulse on the rider's line: finer than a transponder (1/10,000 s), it
    # replaces the transponder's read of the finish.
    finish_us: int | None = None


class Passing(Protocol):
    """A transponder read (velotime.wire.events.PassingData fits)."""

    @property
    def t_us(self) -> int: ...
    @property
    def line(self) -> str: ...
    @property
    def transponder(self) -> int: ...


def attribute_crossings(
    on_track: Sequence[OnTrack],
    passings: Iterable[Passing],
    transponders: Mapping[int, int],
    course: Course,
    *,
    min_gap_us: int = MIN_GAP_US,
) -> dict[int, list[int]]:
    """Each rider's line crossings (bib -> `Ride.lap_us`) from the heat's transponder reads.

    A read counts for a rider when its transponder is theirs (`transponders`: transponder ->
    bib, several per rider allowed), it is on the rider's own line (the other rider's line is
    only a half-lap point) and it comes at least `min_gap_us` after the start and after the
    previous crossing (so the read as the gate opens, and double reads, are dropped). Only the
    first crossings the distance needs are kept: later ones are the rider slowing down.

    A missed read therefore lets a slowing-down lap stand in for the finish, and a 1 ms
    transponder time decides the result: give `finish_us` from the photocell when there is one.
    A rider with too few reads comes back with too few crossings (see `crossing_problems`).
    """
    lines = {rider.bib: rider.line for rider in on_track}
    if len(lines) != len(on_track):
        raise ValueError("a rider is on track twice in one heat")
    reads: dict[int, list[int]] = {bib: [] for bib in lines}
    for passing in passings:
        bib = transponders.get(passing.transponder)
        if bib is not None and lines.get(bib) == passing.line:
            reads[bib].append(passing.t_us)

    crossings: dict[int, list[int]] = {}
    for rider in on_track:
        wanted = course.crossings if rider.finish_us is None else course.crossings - 1
        # With a photocell finish the transponder's own read of the finish must not count.
        until = None if rider.finish_us is None else rider.finish_us - min_gap_us
        kept: list[int] = []
        previous = rider.start_us
        for t_us in sorted(reads[rider.bib]):
            if len(kept) == wanted or (until is not None and t_us > until):
                break
            if t_us - previous >= min_gap_us:
                kept.append(t_us)
                previous = t_us
        if rider.finish_us is not None:
            kept.append(rider.finish_us)
        crossings[rider.bib] = kept
    return crossings


class Named(NamedTuple):
    """Who a start gate's impulse started, from the transponders: a bib, or why nobody."""

    bib: int | None
    problem: str = ""


def rider_of_start(
    reads: Iterable[tuple[int, int]],
    transponders: Mapping[int, int],
    *,
    since_us: int,
    until_us: int,
    cooling_down: Collection[int] = (),
) -> Named:
    """The rider a start gate's release at `since_us` started, when only one rider is on the
    track: the transponders read (`reads`: (venue time, transponder)) from the release until
    `until_us` (the next start, or the slowest plausible time of the distance after the
    release, whichever comes first) are all one rider's (`transponders`: transponder -> bib,
    several per rider allowed). Riders in `cooling_down` (their ride finished before the
    release) are not counted. No rider read, several riders, or a transponder of nobody in the
    meet: nobody, with why; the start must then be named by the desk, never guessed."""
    riders: dict[int, None] = {}
    strangers: dict[int, None] = {}
    for t_us, transponder in reads:
        if not since_us <= t_us <= until_us:
            continue
        bib = transponders.get(transponder)
        if bib is None:
            strangers[transponder] = None
        elif bib not in cooling_down:
            riders[bib] = None
    if len(riders) == 1 and not strangers:
        return Named(next(iter(riders)))
    if not riders and not strangers:
        return Named(None, "no transponder read after it")
    seen = [f"bib {bib}" for bib in riders]
    seen += [f"transponder {transponder} (no rider of the meet)" for transponder in strangers]
    return Named(None, f"more than one rider on the track: {', '.join(seen)}")


def merge_line_crossings(
    photocell_us: Iterable[int], transponder_us: Iterable[int], *, match_us: int = MATCH_US
) -> list[int]:
    """One rider's crossings of their line where a photocell and the rider's transponder loop
    both watch it, in time order: every photocell impulse (1/10,000 s, it times the crossing)
    and every read of the rider's transponder that no impulse explains (none within
    `match_us`): a crossing the photocell missed, which the loop's time makes up.

    Without this, an impulse missed on lap 2 would make the slowing-down crossing after the
    finish the fourth "lap" of a kilometre, and the result wrong without a word.
    """
    impulses = sorted(photocell_us)
    made_up = [
        t_us for t_us in transponder_us if not any(abs(t_us - p) <= match_us for p in impulses)
    ]
    return sorted(impulses + made_up)


def _ranked_line(
    ride: Ride, timing: list[Split], rank: int, leader_us: int, flags: list[Flag], course: Course
) -> ResultLine:
    return timed_line(
        rank=rank,
        bib=ride.bib,
        name=ride.name,
        nation=ride.nation,
        time_us=timing[-1].cumulative_us,
        distance_mm=course.distance_m * 1000,
        leader_us=leader_us,
        splits=[] if ride.corrected_us is not None else _split_lines(timing, course),
        flags=flags,
    )


def _check_entries(rides: Sequence[Ride]) -> None:
    bibs = Counter(ride.bib for ride in rides)
    twice = sorted(bib for bib, count in bibs.items() if count > 1)
    if twice:
        raise ValueError(f"bibs entered twice: {twice}")
    for ride in rides:
        if ride.status not in (Status.RANKED, *UNRANKED_ORDER):
            raise ValueError(f"bib {ride.bib}: {ride.status} does not apply to a time trial")
        if not 0 <= ride.restarts < MAX_STARTS:
            raise ValueError(
                f"bib {ride.bib}: {ride.restarts} restarts, at most {MAX_STARTS - 1} allowed"
            )


def _timing_problem(ride: Ride, crossings: int) -> str | None:
    """Why the ride's crossings cannot be timed at all, whatever their number so far."""
    if ride.start_us is None:
        return "no start impulse"
    if len(ride.lap_us) > crossings:
        return f"{len(ride.lap_us)} line crossings, at most {crossings} expected"
    previous = ride.start_us
    for t_us in ride.lap_us:
        if t_us <= previous:
            return "line crossings not in order after the start"
        previous = t_us
    return None


def _under_check(entry: tuple[Ride, Sequence[Split]], window: Window | None) -> bool:
    """A measured total outside the window that no official has confirmed (a corrected total
    is the commissaires' own: never checked)."""
    ride, timing = entry
    total_us = timing[-1].cumulative_us
    return (
        window is not None
        and ride.corrected_us is None
        and window.outside(total_us)
        and ride.confirmed_us != total_us
    )


def _last_lap(entry: tuple[Ride, Sequence[Split]]) -> int:
    """The official last lap that breaks a tie; -1 for a corrected total, which has none."""
    ride, timing = entry
    return -1 if ride.corrected_us is not None else timing[-1].lap_us


def _official_splits(ride: Ride) -> list[Split]:
    if ride.corrected_us is not None:
        total = official_us(ride.corrected_us)
        return [Split(total, total)]
    if ride.start_us is None:
        raise ValueError(f"bib {ride.bib}: no start impulse")
    return splits([t_us - ride.start_us for t_us in ride.lap_us])


def _split_lines(timing: Sequence[Split], course: Course) -> list[SplitLine]:
    return [
        SplitLine(
            distance_m=distance_m,
            cumulative=official_string(split.cumulative_us),
            lap=official_string(split.lap_us),
        )
        for distance_m, split in zip(course.split_metres, timing, strict=False)
    ]
