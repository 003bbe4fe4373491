"""The standing-start time trial scorer: NextRider marks, gate and line crossings -> ranking.

Riders ride **one at a time** (kilometre, 500 m, any distance). The two-at-a-time qualifying
of 3.2.106 (riders from opposite straights, each with their own gate and line) is not handled
here yet: every crossing between two starts is taken as the one rider's.

How the engine's record of an event becomes rides:

- **Whose crossings.** The record is cut into segments, one start each: a `NextRider` mark
  (`EventState.marks`) begins one for the rider it names, and so does a start gate impulse
  in a segment that has its gate impulse already (or before any mark): the
  crossings up to the next segment are that start's. The operator names the next rider once
  the one before has finished (a finish crossing after the next start is lost to its rider,
  who is then shown incomplete, rather than guessed). Crossings before the first mark or gate
  impulse are nobody's.
- **Named by the transponders.** A segment begun by a gate impulse, not by a mark, is the
  start of the one rider on the track: the only rider whose transponders the loops read from
  that impulse until the next segment, or until the slowest plausible time of the distance
  after it (velotime.scoring.rules.plausible), whichever comes first. A rider whose ride was
  complete before the impulse is cooling down and not counted. Reads of two riders, or of a
  transponder of nobody in the meet, or none: the start is nobody's, and `problems` says which
  start and why (`rider_of_start`); the desk names the rider before the start, or sets the
  time. Desk marks win: the gate impulse after a mark is the marked rider's start, whoever
  the loops read. A rider the transponders name at two starts restarted, as one the desk names
  twice.
- **Start and laps.** The start is the first start gate impulse after the mark. The laps are
  the finish-line photocell impulses after it, with the rider's own transponder passings
  making up any crossing the photocell missed (`merge_line_crossings`; with no photocell, the
  passings alone; other riders warming up are ignored). Both go through the rules'
  `attribute_crossings`, so the impulse or read as the wheel leaves a gate standing on the
  line, double reads and the slowing-down laps after the finish are dropped alike.
- **Restarts.** A segment with a gate impulse is a start (an `Attempt`). A start had an
  incident exactly when the operator names the same rider again later: that is what the
  restart mark means (3.2.021 ter: only the last start counts). A mark without a gate impulse
  is no start, so naming a rider twice before they leave changes nothing. `counting_ride`
  decides: a second incident is DNF; more starts than the rules allow are a problem listed in
  `extra()["problems"]`, and the rider is DNF as after a second incident.
- **In progress.** A marked rider whose counting ride has too few crossings (riding now,
  waiting at the gate, restart due, or a crossing missed) is not ranked and does not stop the
  others from being ranked: they get a line with rank None, no time and their splits so far
  (`ride_splits`), after the ranked riders and before DNF/DNS/DSQ. The rider of the last start is in
  `extra()["on_track"]` for scoreboards; any other incomplete rider is listed in
  `extra()["problems"]`, for the operator to fix the data or the commissaires to set a status.
- **Decisions.** DNS, DNF and DSQ from `SetStatus` replace the ride, marked or not; REL does
  not apply to a time trial and is ignored (listed in the problems). Riders neither marked nor
  decided on are not in the result.
"""

from bisect import bisect_right, insort
from collections.abc import Mapping
from typing import Any, NamedTuple

import msgspec

from velotime.scoring.disciplines.base import (
    Crossing,
    EventState,
    Role,
    Scored,
    Venue,
    latest_start,
)
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.results import KnownLines, corrected
from velotime.scoring.rules.time_trial import (
    MAX_STARTS,
    Attempt,
    Course,
    Named,
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
from velotime.times import format_time_of_day
from velotime.wire.commands import Command
from velotime.wire.results import Flag, OnTrackLine, ResultLine, Status

_LINE = "finish"  # the one line a rider crosses here (attribute_crossings matches by name)
# The photocell read as one transponder carried by the rider on track: riders ride one at a
# time, so every impulse on the line is theirs.
_PHOTOCELL = -1
_DECIDED = (Status.DNS, Status.DNF, Status.DSQ)


class _Passing(NamedTuple):
    t_us: int
    transponder: int
    line: str = _LINE


class _Sheet(NamedTuple):
    lines: list[ResultLine]
    on_track: OnTrackLine | None
    problems: list[str]


class _Starts(NamedTuple):
    """One rider's starts (gate impulses after their marks, or named by transponders), in
    order."""

    attempts: list[Attempt]
    restarts: int  # starts voided by a later naming


class _Segment:
    """The crossings from one start to the next: from a NextRider mark, or from a start gate
    impulse that no mark claims (its rider named by the transponders). One rider's start, if
    made. Kept as they come; only the last segment grows."""

    __slots__ = (
        "bib", "evidence_us", "first_start", "gate", "passings", "photocells", "reads",
        "until_us", "version",
    )  # fmt: skip

    def __init__(self, bib: int | None, evidence_us: int) -> None:
        self.bib = bib  # named by the desk; None: by the transponders (`rider_of_start`)
        # Who rides is read from the gate impulse until this long after it (or the next start).
        self.evidence_us = evidence_us
        self.until_us = 1 << 62  # until the gate impulse comes: every read
        self.first_start: int | None = None  # the first start line crossing, any device
        self.gate: int | None = None  # the first start gate impulse: the start
        self.photocells: list[int] = []  # finish line photocell impulses, in time order
        self.passings: list[tuple[int, int]] = []  # finish line reads: (time, transponder)
        # Not named by the desk: every transponder read, any line, as they come, up to until_us.
        self.reads: list[tuple[int, int]] = []
        self.version = 0  # counts the changes above, so that a sheet is made again only then

    def take(self, crossing: Crossing, transponders: Mapping[int, int]) -> bool:
        """Reads the segment's next crossing; True when it changes the start, the laps or (in
        a segment the desk did not name) the evidence of who rides. A named segment keeps only
        its rider's reads: the others' would cost every later crossing, for nothing."""
        transponder, changed = crossing.transponder, False
        if self.bib is None and transponder is not None and crossing.t_us <= self.until_us:
            self.reads.append((crossing.t_us, transponder))
            changed = True
        mine = self.bib is None or transponders.get(transponder or -1) == self.bib
        if crossing.role is Role.START:
            if self.first_start is None:
                self.first_start = crossing.t_us
            if crossing.photocell and self.gate is None:
                self.gate = crossing.t_us
                self.until_us = crossing.t_us + self.evidence_us
                changed = True
        elif crossing.role is Role.FINISH and crossing.photocell:
            insort(self.photocells, crossing.t_us)
            changed = True
        elif crossing.role is Role.FINISH and transponder is not None and mine:
            insort(self.passings, (crossing.t_us, transponder))
            changed = True
        self.version += changed
        return changed

    def laps(self, bib: int, course: Course, transponders: Mapping[int, int]) -> list[int]:
        """The rider's line crossings after the start: photocell impulses, and the reads of the
        rider's own transponders that no impulse explains (`merge_line_crossings`)."""
        assert self.gate is not None
        after = self.photocells[bisect_right(self.photocells, self.gate) :]
        reads = [t for t, tr in self.passings if t > self.gate and transponders.get(tr) == bib]
        merged = merge_line_crossings(after, reads)
        rider = OnTrack(bib=bib, line=_LINE, start_us=self.gate)
        passings = [_Passing(t_us, _PHOTOCELL) for t_us in merged]
        return attribute_crossings([rider], passings, {_PHOTOCELL: bib}, course)[bib]


class TimeTrialScorer:
    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        if event.distance_m is None:  # the meet file's checks require it
            raise ValueError(f"{event.id}: a time trial needs distance_m")
        self.meet = meet
        self.course = Course(event.distance_m, exact_track_length(venue.track_length_m))
        self._window = meet.window(event)
        self._transponders = meet.bib_of_transponder()
        self._abandons = 0
        self._segments: list[_Segment] = []
        self._read = 0  # crossings of the state read so far
        self._marks_read = 0  # marks of the state that opened their segment
        self._changes = 0  # changes to the segments' starts and laps, for `score`
        # segment -> (its version, its rider, their laps)
        self._laps: dict[int, tuple[int, int, list[int]]] = {}
        # segment not named by the desk -> ((its version, riders cooling down), its rider)
        self._named: dict[int, tuple[tuple[int, frozenset[int]], Named]] = {}
        self._scored: tuple[Any, Scored] | None = None  # (what it was made of, the sheet)
        self._known: KnownLines = {}  # lines ranked before, for `time_trial_results`

    def refuses(self, command: Command) -> str | None:
        return None

    def start_us(self, state: EventState) -> int | None:
        """The first start line crossing after the rider on the track was named."""
        self._read_timing(state)
        last = self._segments[-1] if self._segments else None
        return latest_start(state, last.first_start if last is not None else None)

    def score(self, state: EventState) -> Scored:
        self._read_timing(state)
        made_of = (
            state.abandons,
            len(self._segments),
            self._changes,
            dict(state.decisions),
            dict(state.times),
            dict(state.places),
            dict(state.confirmed),
        )
        if self._scored is None or self._scored[0] != made_of:
            sheet = self._sheet(state)
            lines = corrected(sheet.lines, state.places, state.times)
            scored = Scored(lines, {"on_track": sheet.on_track, "problems": sheet.problems})
            self._scored = (made_of, scored)
        return self._scored[1]

    def _read_timing(self, state: EventState) -> None:
        """Reads the crossings and marks added since: a mark opens a segment for its rider; a
        gate impulse in a segment that has its start already (or before any mark) opens one
        for the rider the transponders will name."""
        if state.abandons != self._abandons:
            self._abandons, self._segments, self._laps = state.abandons, [], {}
            self._read = self._marks_read = 0
            self._named = {}
        segments, marks, crossings = self._segments, state.marks, state.crossings
        while True:
            while self._marks_read < len(marks) and marks[self._marks_read][0] <= self._read:
                segments.append(_Segment(marks[self._marks_read][1], self._window.slowest_us))
                self._marks_read += 1
            if self._read >= len(crossings):
                return
            crossing = crossings[self._read]
            self._read += 1
            gate = crossing.role is Role.START and crossing.photocell
            if gate and (not segments or segments[-1].gate is not None):
                segments.append(_Segment(None, self._window.slowest_us))
            if segments:  # crossings before the first start or mark are nobody's
                self._changes += segments[-1].take(crossing, self._transponders)

    def _sheet(self, state: EventState) -> _Sheet:
        course = self.course
        problems: list[str] = []
        starts, riders = self._starts(problems)
        rides = [
            ride
            for bib in _bibs(state, [bib for bib in riders if bib is not None])
            if (ride := _ride(bib, starts.get(bib), state, self.meet, problems)) is not None
        ]

        incomplete = {p.bib: p.reason for p in crossing_problems(rides, course)}
        if len(self._known) > 4 * len(rides) + 64:
            self._known.clear()  # lines of rides and leaders long gone
        timed = [r for r in rides if r.bib not in incomplete]
        ranked = time_trial_results(timed, course, self._known, self._window)
        in_progress = [
            ResultLine(
                rank=None,
                bib=ride.bib,
                name=ride.name,
                nation=ride.nation,
                splits=ride_splits(ride, course) if ride.start_us is not None else [],
            )
            for ride in rides
            if ride.bib in incomplete
        ]
        # Ranked, then under check (ridden, not ranked), then riding, then DNF, DNS, DSQ.
        after = [line for line in ranked if line.rank is None and Flag.CHECK not in line.flags]
        lines = [line for line in ranked if line.rank is not None or Flag.CHECK in line.flags]
        lines += in_progress + after

        on_track_bib = riders[-1] if riders else None
        problems += [
            f"bib {bib}: {reason}" for bib, reason in incomplete.items() if bib != on_track_bib
        ]
        on_track = None
        line = next((line for line in lines if line.bib == on_track_bib), None)
        if on_track_bib is not None and line is not None and on_track_bib in starts:
            rider = starts[on_track_bib]
            ride = next(ride for ride in rides if ride.bib == on_track_bib)
            on_track = OnTrackLine(
                **msgspec.structs.asdict(line),
                restarts=rider.restarts,
                started=len(rider.attempts) > rider.restarts,  # the counting start is made
                crossings=len(ride.lap_us),
                expected=course.crossings,
            )
        return _Sheet(lines, on_track, problems)

    def _starts(self, problems: list[str]) -> tuple[dict[int, _Starts], list[int | None]]:
        """Each rider's starts, from the segments, and each segment's rider (None: nobody's
        start, with why in `problems`; the module docstring, "Named by the transponders")."""
        course, transponders = self.course, self._transponders
        riders: list[int | None] = []
        laps_of: list[list[int]] = []
        finished: dict[int, int] = {}  # bib -> when their complete ride finished
        for position, segment in enumerate(self._segments):
            bib = segment.bib
            if bib is None:
                assert segment.gate is not None  # an unmarked segment begins at its gate
                cooling = frozenset(b for b, at in finished.items() if at < segment.gate)
                asked = (segment.version, cooling)
                known_named = self._named.get(position)
                if known_named is None or known_named[0] != asked:
                    named = rider_of_start(
                        segment.reads, transponders, since_us=segment.gate,
                        until_us=segment.until_us, cooling_down=cooling,
                    )  # fmt: skip
                    known_named = self._named[position] = (asked, named)
                named = known_named[1]
                bib = named.bib
                if bib is None:
                    problems.append(
                        f"start {position + 1} (gate impulse {_clock(segment.gate)}): "
                        f"{named.problem}; nobody's start: name the rider with next_rider "
                        "before the start, or set the time with correct --time"
                    )
            laps: list[int] = []
            if bib is not None and segment.gate is not None:
                known = self._laps.get(position)
                if known is None or known[:2] != (segment.version, bib):
                    laps = segment.laps(bib, course, transponders)
                    known = self._laps[position] = (segment.version, bib, laps)
                laps = known[2]
                if len(laps) == course.crossings:
                    finished[bib] = laps[-1]
            riders.append(bib)
            laps_of.append(laps)
        named_last = {bib: i for i, bib in enumerate(riders) if bib is not None}
        attempts: dict[int, list[Attempt]] = {}
        for position, (segment, bib) in enumerate(zip(self._segments, riders, strict=True)):
            if bib is None:
                continue
            attempts.setdefault(bib, [])
            if segment.gate is None:
                continue  # named but not started: no attempt
            named_again = named_last[bib] > position
            attempt = Attempt(start_us=segment.gate, lap_us=laps_of[position], incident=named_again)
            attempts[bib].append(attempt)
        starts = {
            bib: _Starts(tries, sum(attempt.incident for attempt in tries))
            for bib, tries in attempts.items()
        }
        return starts, riders


def _clock(t_us: int) -> str:
    """A venue time as the problems show it: the time of day, UTC."""
    return f"{format_time_of_day(t_us)} UTC"


def _bibs(state: EventState, riders: list[int]) -> list[int]:
    """Everyone in the result, in start order (which orders draws and the unranked): riders
    who started (`riders`, marked or named by the transponders) or were named or decided on
    who are not in the start order come after, as they came."""
    concerned = [bib for _, bib in state.marks] + riders
    concerned += list(state.decisions) + list(state.times)
    extra = [bib for bib in dict.fromkeys(concerned) if bib not in state.event.start_order]
    return [bib for bib in state.event.start_order if bib in concerned] + extra


def _ride(
    bib: int, starts: _Starts | None, state: EventState, meet: Meet, problems: list[str]
) -> Ride | None:
    """The rider's counting ride, or their decided status; None when neither applies."""
    try:
        rider = meet.rider(bib)
        name, nation = rider.name, rider.nation
    except KeyError:
        name, nation = "", ""
        problems.append(f"bib {bib}: not a rider of the meet")
    decision = state.decisions.get(bib)
    if decision in _DECIDED:
        return Ride(bib=bib, name=name, nation=nation, status=decision)
    if decision is not None:
        problems.append(f"bib {bib}: {decision} does not apply to a time trial, ignored")
    corrected_us = state.times.get(bib)
    if corrected_us is not None:  # the commissaires' time replaces whatever was measured
        restarts = starts.restarts if starts is not None else 0
        return Ride(bib=bib, name=name, nation=nation, corrected_us=corrected_us,
                    restarts=min(restarts, MAX_STARTS - 1))  # fmt: skip
    if starts is None:
        return None
    attempts = starts.attempts
    if len(attempts) > MAX_STARTS:
        problems.append(
            f"bib {bib}: {len(attempts)} starts, at most {MAX_STARTS} allowed: DNF after the "
            "second incident (3.2.021 ter)"
        )
        attempts = attempts[:MAX_STARTS]
    if not attempts:  # named, no gate impulse yet (or the gate missed it)
        return Ride(bib=bib, name=name, nation=nation)
    ride = counting_ride(bib, attempts, name=name, nation=nation)
    if ride is None:  # restart due: named again, not yet away
        return Ride(bib=bib, name=name, nation=nation, restarts=starts.restarts)
    confirmed_us = state.confirmed.get(bib)
    if confirmed_us is not None:  # an official's word on a total under check
        return msgspec.structs.replace(ride, confirmed_us=confirmed_us)
    return ride
