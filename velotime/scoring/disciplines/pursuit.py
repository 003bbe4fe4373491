"""One pursuit heat, individual or team (uci-rules.md §2.12): two sides from opposite pursuit
lines -> each side's half laps, the gap every half lap, the catch, the heat's result.

The shared workings of `IndividualPursuitScorer` and `TeamPursuitScorer`; the rules are in
velotime.scoring.rules.pursuit. How the engine's record of the heat becomes the result:

- **Sides.** The event's first entrant (rider, or team) starts on the home straight (side 0,
  red), the second on the back straight (side 1, green); one entrant rides alone.
- **Start.** Each side's first start gate impulse (`gate-home`, `gate-back`; a gate on the
  `start` line starts both). The gates release together (3.2.016), so a side whose gate was
  not seen starts with the other's, said in `problems` once the timing seen is `GATE_PAIR_US`
  past that gate or the heat is provisional (the two impulses of one release may arrive one
  after the other); with no gate at all, the desk's `start` does.
- **Lines.** The venue's pursuit lines (`pursuit-home`, `pursuit-back`). A venue without them
  times the home side on the finish line (a rider riding alone); the back side has no line
  then, and `problems` says so.
- **Crossings.** Transponder reads on either pursuit line are their rider's side's; photocell
  impulses go to the side due at that line (`assign_crossings`). A team is timed from its
  riders' reads only: a strip or photocell sees every wheel of four riders and cannot say whose
  (its impulses are counted in `problems`).
- **False start (3.2.021 ter, 3.2.074).** The desk recalls the heat with `next_rider --bib
  <who started falsely>`: the timing before it is void and both sides start again from the
  gates. A second recall of the same entrant is the second false start: **DNF in a qualifying
  heat, the heat lost in a match** (the other side wins; it may ride on for a time). The count
  survives an `abandon` (read from the audit trail), which is a restart charged to nobody.
- **Catch.** From the crossing order (`find_catch`). Where a catch ends the race
  (`catch_ends`, finals) the catcher wins and both stop: neither gets a time, and the timing
  after the catch is not theirs. In a match heat that a catch does not end (3.2.086) the
  catcher wins and the caught side rides on for a time; in qualifying both ride on, each for a
  time. The commissaires' word (`correct --bib <winner> --place 1`) decides a match when the
  lines cannot (a catch between lines, a draw).
- **Decisions.** `status` DNS, DNF or DSQ on the entrant (a team by its number). On a team's
  rider, DNF (or DNS, DSQ) drops that rider from the moment it comes: their later crossings no
  longer count. A team left with fewer than three riders gets no time (DNF).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

from velotime.scoring.disciplines.base import (
    GATE_PAIR_US,
    Crossing,
    EventState,
    Role,
    Scored,
    Venue,
    bibs_by_transponder,
    timing_past,
)
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.official import (
    gap_string,
    gap_us,
    official_string,
    official_string_or_none,
    official_us,
    speed_milli_kmh,
    speed_string,
)
from velotime.scoring.rules.pursuit import (
    BACK,
    HOME,
    TEAM_COUNTS,
    HalfLap,
    LineCrossing,
    assign_crossings,
    dropped_at,
    find_catch,
    gaps,
    half_lap_metres,
    half_lap_splits,
    half_laps,
    laps_to_go,
    last_lap_us,
    min_half_lap_us,
    team_crossings,
)
from velotime.scoring.rules.time_trial import MAX_STARTS, exact_track_length
from velotime.scoring.rules.timed_heat import TimedHeatResult, TimedLine
from velotime.wire.commands import Command, Confirm, Correct, NextRider, SetStatus, Start
from velotime.wire.results import (
    Flag,
    NextRiderAudit,
    PursuitBoard,
    PursuitGap,
    PursuitSide,
    PursuitSplit,
    ResultLine,
    SplitLine,
    Status,
)

_LINES = {Role.PURSUIT_HOME: HOME, Role.PURSUIT_BACK: BACK}
_GATES = {Role.GATE_HOME: HOME, Role.GATE_BACK: BACK}
_OUT = (Status.DNS, Status.DNF, Status.DSQ)


class Entrant(NamedTuple):
    number: int  # the rider's bib, or the team's number
    name: str
    nation: str
    riders: tuple[int, ...]  # the rider alone, or the team's riders


@dataclass
class _Side:
    entrant: Entrant
    side: int
    start_us: int | None = None
    crossings: list[int | None] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    false_starts: int = 0
    status: Status = Status.RANKED
    lost_by_false_starts: bool = False
    caught: bool = False
    won: bool = False
    time_us: int | None = None  # official
    corrected: bool = False

    def splits(self) -> list[HalfLap]:
        return [] if self.start_us is None else half_lap_splits(self.start_us, self.crossings)


class _Heat(NamedTuple):
    sides: list[_Side]
    catch_half_lap: int | None
    problems: list[str]


class PursuitScorer:
    """The heat of two entrants (`entrants`: home first); `team`: timed on the third rider."""

    def __init__(self, event: MeetEvent, venue: Venue, meet: Meet, entrants: list[Entrant],
                 team: bool) -> None:  # fmt: skip
        if event.distance_m is None:  # the meet file's checks require it
            raise ValueError(f"{event.id}: a pursuit needs distance_m")
        track = exact_track_length(venue.track_length_m)
        self.event = event
        self.total = half_laps(event.distance_m, track)
        self.half_m = half_lap_metres(track)
        self.min_half_us = min_half_lap_us(track)
        self.team = team
        self.entrants = entrants
        # A venue without pursuit lines: the home side starts and finishes on the finish line
        # (a rider alone); the back side's line has no timing.
        self._line_of_role = _LINES if venue.pursuit_lines_m is not None else {Role.FINISH: HOME}
        self._no_back_line = venue.pursuit_lines_m is None and len(entrants) > 1
        self._side_of_bib = {
            bib: side for side, entrant in enumerate(entrants) for bib in entrant.riders
        }
        self._entrant_of_bib = {
            bib: entrant.number for entrant in entrants for bib in (*entrant.riders, entrant.number)
        }
        self._transponders = bibs_by_transponder(meet, self._side_of_bib)
        self._scored: tuple[Any, Scored, _Heat] | None = None

    # -- the Scorer protocol --------------------------------------------------------------------

    def refuses(self, command: Command) -> str | None:
        what = "team pursuit" if self.team else "individual pursuit"
        if isinstance(command, Confirm):
            return f"{self.event.id} is a {what} heat: it has no plausible window to confirm"
        if isinstance(command, SetStatus) and command.status == "REL":
            return f"{self.event.id} is a {what} heat: REL does not apply (DNF, DNS or DSQ do)"
        if isinstance(command, NextRider) and command.bib not in {e.number for e in self.entrants}:
            return (
                f"{self.event.id}: a recall (next_rider) names the entrant who started falsely: "
                f"{', '.join(str(e.number) for e in self.entrants)}"
            )
        if isinstance(command, Correct) and command.place is not None:
            if not self.event.match:
                return (
                    f"{self.event.id} is a qualifying heat: only the time counts (3.2.056); "
                    "correct the time, not the place"
                )
            if command.place not in (1, 2):
                return f"{self.event.id}: a match heat has places 1 (won) and 2 (lost)"
        if isinstance(command, Correct | SetStatus) and self.team:
            team = self._entrant_of_bib.get(command.bib)
            if isinstance(command, Correct) and team != command.bib:
                return f"{self.event.id}: correct names the team ({team}), not its rider"
        return None

    def start_us(self, state: EventState) -> int | None:
        """The earlier side's start (the gates release together)."""
        starts = [s.start_us for s in self._heat(state).sides if s.start_us is not None]
        return min(starts, default=None)

    def score(self, state: EventState) -> Scored:
        self._heat(state)
        assert self._scored is not None
        return self._scored[1]

    def result(self, state: EventState) -> TimedHeatResult:
        """What the rounds read: each entrant's time, last lap and whether it won."""
        heat = self._heat(state)
        return TimedHeatResult(
            lines=tuple(
                TimedLine(
                    entrant=side.entrant.number,
                    side=side.side,
                    time_us=side.time_us,
                    last_lap_us=None if side.corrected else last_lap_us(side.splits()),
                    status=side.status,
                    caught=side.caught,
                    won=side.won,
                )
                for side in heat.sides
            )
        )

    # -- workings -------------------------------------------------------------------------------

    def _heat(self, state: EventState) -> _Heat:
        made_of = (
            state.abandons,
            len(state.crossings),
            len(state.commands),
            len(state.audit),
            len(state.marks),
            state.start_us,
            state.status,
        )
        if self._scored is None or self._scored[0] != made_of:
            heat = self._work_out(state)
            self._scored = (made_of, self._scored_of(heat, state), heat)
        return self._scored[2]

    def _work_out(self, state: EventState) -> _Heat:
        problems: list[str] = []
        if self._no_back_line:
            problems.append(
                "the venue has no pursuit lines: the home side is timed on the finish line, "
                "the back side cannot be (its line is the back straight's)"
            )
        sides = [_Side(entrant, position) for position, entrant in enumerate(self.entrants)]
        restart = state.marks[-1][0] if state.marks else 0  # the last recall voids before it
        for entry in state.audit:
            if isinstance(entry, NextRiderAudit):
                number = self._entrant_of_bib.get(entry.bib)
                for side in sides:
                    side.false_starts += side.entrant.number == number
        self._starts(state, sides, restart, problems)
        dropped_from = self._dropped_by_command(state, restart)
        readings, unused = self._readings(state.crossings, restart, dropped_from)
        if unused:
            problems.append(
                f"{unused} photocell impulses on the pursuit lines not used: a team is timed "
                "from its riders' transponders"
            )
        starts = {side.side: side.start_us for side in sides if side.start_us is not None}
        # While the heat is ridden a read may still be on its way (provisional: all is in).
        over = state.status in ("provisional", "final")
        seen_us = None if over else max((c.t_us for c in state.crossings), default=None)
        if self.team:
            riders = {bib: side for bib, side in self._side_of_bib.items() if side in starts}
            assigned = assign_crossings(readings, starts, self.total, self.min_half_us, riders)
            for side in sides:
                mine = {bib: assigned.crossings.get(bib, []) for bib in side.entrant.riders}
                dropped = dropped_at(mine)
                for bib in dropped_from:
                    if bib in mine:
                        dropped.setdefault(bib, 1 + sum(t is not None for t in mine[bib]))
                side.dropped = [bib for bib in side.entrant.riders if bib in dropped]
                side.crossings = team_crossings(mine, dropped)
        else:
            assigned = assign_crossings(
                readings, starts, self.total, self.min_half_us, seen_us=seen_us
            )
            for side in sides:
                side.crossings = assigned.crossings.get(side.side, [])
        if assigned.stray:
            problems.append(
                f"{assigned.stray} photocell impulses on the pursuit lines that no side was due "
                "at: not used"
            )
        if readings and not starts:
            problems.append(
                "crossings of the pursuit lines but no start: no gate impulse, no start command"
            )
        self._decide(state, sides)
        catch_half_lap = self._catch(sides)
        self._times(state, sides)
        self._winner(state, sides, problems)
        return _Heat(sides, catch_half_lap, problems)

    def _starts(
        self, state: EventState, sides: list[_Side], restart: int, problems: list[str]
    ) -> None:
        gates: dict[int, int] = {}
        both: int | None = None
        for crossing in state.crossings[restart:]:
            if not crossing.photocell:
                continue
            gate = _GATES.get(crossing.role)
            if gate is not None:
                gates.setdefault(gate, crossing.t_us)
            elif crossing.role is Role.START and both is None:
                both = crossing.t_us
        desk = None
        for at, t_us, command in state.commands:
            if isinstance(command, Start) and at >= restart and t_us is not None:
                desk = t_us
        for side in sides:
            own = gates.get(side.side)
            other = gates.get(1 - side.side)
            side.start_us = next((t for t in (own, both, other, desk) if t is not None), None)
            # Its own gate's impulse may still be on its way (the two of one release arrive one
            # after the other): missing only once the timing seen is past the window.
            if own is None and both is None and other is not None:
                seen_us = max((c.t_us for c in state.crossings), default=None)
                if timing_past(state, seen_us, other, GATE_PAIR_US):
                    who = "team" if self.team else "rider"
                    problems.append(
                        f"{who} {side.entrant.number}: no gate impulse on its side: timed from "
                        "the other side's gate (released together)"
                    )

    def _dropped_by_command(self, state: EventState, restart: int) -> dict[int, int]:
        """Team riders out by the commissaires' word: bib -> the index of the crossings from
        which their reads no longer count."""
        if not self.team:
            return {}
        out: dict[int, int] = {}
        for at, _, command in state.commands:
            if not isinstance(command, SetStatus) or command.bib not in self._side_of_bib:
                continue
            if command.status in ("DNS", "DNF", "DSQ"):
                out[command.bib] = max(at, restart)
            else:
                out.pop(command.bib, None)
        return out

    def _readings(
        self, crossings: Sequence[Crossing], restart: int, dropped_from: dict[int, int]
    ) -> tuple[list[LineCrossing], int]:
        readings: list[LineCrossing] = []
        unused = 0
        for index in range(restart, len(crossings)):
            crossing = crossings[index]
            line = self._line_of_role.get(crossing.role)
            if line is None:
                continue
            if crossing.transponder is None:
                if self.team:
                    unused += 1
                else:
                    readings.append(LineCrossing(crossing.t_us, line))
                continue
            bib = self._transponders.get(crossing.transponder)
            if bib is None or index >= dropped_from.get(bib, len(crossings)):
                continue
            readings.append(LineCrossing(crossing.t_us, line, self._side_of_bib[bib], bib))
        return readings, unused

    def _decide(self, state: EventState, sides: list[_Side]) -> None:
        for side in sides:
            decision = state.decisions.get(side.entrant.number)
            if decision in _OUT:
                side.status = decision
            elif side.false_starts >= MAX_STARTS:  # the second false start (3.2.021 ter)
                if self.event.match:
                    side.lost_by_false_starts = True
                else:
                    side.status = Status.DNF
            counting = len(side.entrant.riders) - len(side.dropped)
            if self.team and side.status is Status.RANKED and counting < TEAM_COUNTS:
                side.status = Status.DNF  # fewer than three riders: no time (3.2.080)

    def _catch(self, sides: list[_Side]) -> int | None:
        racing = {
            s.side: s.crossings
            for s in sides
            if s.start_us is not None and s.status is Status.RANKED and not s.lost_by_false_starts
        }
        if len(racing) < 2:
            return None
        found = find_catch(racing)
        if found is None:
            return None
        catcher, caught = sides[found.catcher], sides[found.caught]
        caught.caught = True
        if self.event.match:
            catcher.won = True
        if self.event.catch_ends:  # both stop: the timing after the catch is nobody's
            for side in sides:
                side.crossings = [t for t in side.crossings if t is None or t <= found.t_us]
        return found.half_lap

    def _times(self, state: EventState, sides: list[_Side]) -> None:
        for side in sides:
            corrected_us = state.times.get(side.entrant.number)
            if side.status is not Status.RANKED or side.lost_by_false_starts:
                continue
            if corrected_us is not None:
                side.time_us, side.corrected = official_us(corrected_us), True
                continue
            if self.event.catch_ends and any(s.caught for s in sides):
                continue  # the race ended at the catch
            if len(side.crossings) == self.total and side.start_us is not None:
                last = side.crossings[-1]
                if last is not None:
                    side.time_us = official_us(last - side.start_us)

    def _winner(self, state: EventState, sides: list[_Side], problems: list[str]) -> None:
        if not self.event.match or len(sides) < 2:
            return
        placed = {n: p for n, p in state.places.items() if n in self._entrant_of_bib}
        if placed:  # the commissaires' word
            for side in sides:
                place = placed.get(side.entrant.number)
                other = placed.get(sides[1 - side.side].entrant.number)
                side.won = place == 1 or (place is None and other == 2)
            return
        if any(side.won for side in sides):
            return  # by the catch
        out = [s.status in _OUT or s.lost_by_false_starts for s in sides]
        if out[0] != out[1]:
            sides[out.index(False)].won = True
            return
        if sides[0].time_us is None or sides[1].time_us is None:
            return
        keys = [(s.time_us, last_lap_us(s.splits()) or 0) for s in sides]
        if keys[0] == keys[1]:
            problems.append("a dead heat on time and last lap: the commissaires decide "
                            "(correct --place 1)")  # fmt: skip
            return
        sides[keys.index(min(keys))].won = True

    # -- what is published ----------------------------------------------------------------------

    def _scored_of(self, heat: _Heat, state: EventState) -> Scored:
        lines = self._lines(heat)
        board = self._board(heat)
        return Scored(lines, {"pursuit": board, "problems": heat.problems})

    def _lines(self, heat: _Heat) -> list[ResultLine]:
        sides = heat.sides
        ranks: dict[int, int | None] = {}
        if self.event.match and len(sides) == 2:
            decided = any(s.won for s in sides)
            for s in sides:
                ranks[s.side] = (1 if s.won else 2) if decided else None
        else:
            timed = sorted(
                (s for s in sides if s.time_us is not None),
                key=lambda s: (s.time_us, last_lap_us(s.splits()) or 0),
            )
            previous: tuple[int | None, int] | None = None
            for place, s in enumerate(timed, 1):
                key = (s.time_us, last_lap_us(s.splits()) or 0)
                ranks[s.side] = ranks[timed[place - 2].side] if key == previous else place
                previous = key
        # The gap is to the time of the entrant ranked first (the winner of a match, who may
        # have none: caught, or the other out), shown on every other ranked line.
        leader_us = next((s.time_us for s in sides if ranks.get(s.side) == 1), None)
        lines: list[ResultLine] = []
        for s in sorted(sides, key=lambda s: (ranks.get(s.side) is None, ranks.get(s.side) or 0)):
            rank = ranks.get(s.side) if s.status is Status.RANKED else None
            time_us = s.time_us
            splits = [] if s.corrected else self._split_lines(s.splits())
            lines.append(
                ResultLine(
                    rank=rank,
                    bib=s.entrant.number,
                    name=s.entrant.name,
                    nation=s.entrant.nation,
                    time=official_string_or_none(time_us),
                    time_us=time_us,
                    speed_kmh=(
                        speed_string(speed_milli_kmh(self._distance_mm, time_us))
                        if time_us
                        else None
                    ),
                    gap=(
                        gap_string(gap_us(time_us, leader_us))
                        if time_us is not None and leader_us is not None and rank not in (1, None)
                        else None
                    ),
                    splits=splits,
                    status=s.status,
                    flags=[Flag.CORRECTED] if s.corrected else [],
                )
            )
        return lines

    @property
    def _distance_mm(self) -> int:
        assert self.event.distance_m is not None
        return self.event.distance_m * 1000

    def _metres(self, half_lap: int) -> int:
        return int(self.half_m * half_lap + Fraction(1, 2))

    def _split_lines(self, splits: list[HalfLap]) -> list[SplitLine]:
        """The result sheet's splits: every full lap (even half laps), timed ones only."""
        return [
            SplitLine(
                distance_m=self._metres(h.number),
                cumulative=official_string(h.cumulative_us),
                lap=official_string(h.lap_us),
            )
            for h in splits
            if h.number % 2 == 0 and h.cumulative_us is not None and h.lap_us is not None
        ]

    def _board(self, heat: _Heat) -> PursuitBoard:
        by_side = {s.side: s.splits() for s in heat.sides}
        number = {s.side: s.entrant.number for s in heat.sides}
        board_gaps = gaps(by_side.get(HOME, []), by_side.get(BACK, []))
        ended = self.event.catch_ends and heat.catch_half_lap is not None
        sides = [
            PursuitSide(
                side="home" if s.side == HOME else "back",
                entrant=s.entrant.number,
                name=s.entrant.name,
                nation=s.entrant.nation,
                riders=[b for b in s.entrant.riders if b not in s.dropped] if self.team else [],
                dropped=list(s.dropped),
                started=s.start_us is not None,
                half_laps=len(s.crossings),
                laps_to_go=float(laps_to_go(self.total, len(s.crossings))),
                splits=[
                    PursuitSplit(
                        half_lap=h.number,
                        distance_m=self._metres(h.number),
                        cumulative=official_string_or_none(h.cumulative_us),
                        half=official_string_or_none(h.half_us),
                        lap=official_string_or_none(h.lap_us),
                    )
                    for h in by_side[s.side]
                ],
                finished=len(s.crossings) == self.total,
                caught=s.caught,
                false_starts=s.false_starts,
                time=official_string_or_none(s.time_us),
                status=s.status,
                won=s.won,
            )
            for s in heat.sides
        ]
        done = all(side.finished or side.status is not Status.RANKED for side in sides)
        return PursuitBoard(
            half_laps=self.total,
            match=self.event.match,
            catch_ends=self.event.catch_ends,
            sides=sides,
            gaps=[
                PursuitGap(
                    half_lap=g.number,
                    ahead=number[g.ahead] if g.ahead is not None else None,
                    gap=gap_string(g.gap_us),
                )
                for g in board_gaps
            ],
            leader=(
                number[board_gaps[-1].ahead]
                if board_gaps and board_gaps[-1].ahead is not None
                else None
            ),
            catch_half_lap=heat.catch_half_lap,
            finished=ended or done,
        )
