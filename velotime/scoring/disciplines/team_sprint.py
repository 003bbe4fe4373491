"""The scorer of one team sprint heat (uci-rules.md §2.11; the rules in
velotime.scoring.rules.team_sprint): two teams (or one alone) from their gates on the pursuit
lines in the middle of the two straights, the first team on the home straight.

The timing: each side's start gate impulse (`Role.GATE_HOME`, `Role.GATE_BACK`), and the
reads and photocell impulses on each pursuit line (`Role.PURSUIT_HOME`, `Role.PURSUIT_BACK`):
a team's laps on its own line, its half laps on the other. Without a gate impulse a team's
start is the other side's (both gates are released together, 3.2.016), said in the problems
once the timing seen is `GATE_PAIR_US` past that gate or the heat is provisional (the two
impulses of one release may arrive one after the other), else the desk's `start`. A venue
without pursuit lines times a team alone from the start gate (`Role.START`) on the finish
line, without half laps; a heat of two teams there is refused when the engine is made
(check-config, `velotime score`, replay say why).

**Commands** name a team by its number: `status` (REL for a changeover fault, 3.2.153; DNS,
3.2.148 bis; DNF, DSQ), `correct --time` (the commissaires' time after a timing failure: no
splits, no last lap), `correct --place` (lots after a draw). A status on a rider's bib is
ignored and said so: the team has one result. `next_rider` and `confirm` are refused.
"""

from bisect import bisect_left, insort
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from velotime.scoring.disciplines.base import (
    GATE_PAIR_US,
    EventState,
    Role,
    Scored,
    Venue,
    bibs_by_transponder,
    latest_start,
    timing_past,
)
from velotime.scoring.meet import Meet, MeetEvent, MeetTeam
from velotime.scoring.rules.official import gap_string, official_string, official_string_or_none
from velotime.scoring.rules.team_sprint import (
    LAPS,
    MATCH_US,
    HeatLine,
    LineTiming,
    Read,
    TeamRun,
    gaps,
    heat_lines,
    line_passages,
    points,
)
from velotime.scoring.rules.time_trial import MAX_STARTS, exact_track_length
from velotime.scoring.rules.timed_heat import TimedHeatResult
from velotime.wire.commands import Command, Confirm, NextRider
from velotime.wire.results import (
    ResultLine,
    Status,
    TeamSprintBoard,
    TeamSprintPoint,
    TeamSprintTeam,
)

LINES = ((Role.GATE_HOME, Role.PURSUIT_HOME), (Role.GATE_BACK, Role.PURSUIT_BACK))
# A venue without pursuit lines: a team alone from the start gate on the finish line.
FINISH_LINE = ((Role.START, Role.FINISH),)
# Two gate impulses of one side closer than this are one release (a bounce of the contact).
GATE_BOUNCE_US = 1_000_000
_DECIDED = (Status.REL, Status.DNF, Status.DNS, Status.DSQ)


class TeamSprintScorer:
    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        self.event = event
        self.meet = meet
        self.laps = event.laps or LAPS
        self.track_length_m = exact_track_length(venue.track_length_m)
        self._photocell_roles = venue.photocell_roles
        self._lines = LINES if venue.pursuit_lines_m is not None else FINISH_LINE
        if len(event.teams) > len(self._lines):  # the engine refuses the meet with this
            raise ValueError(
                f"{event.id}: two teams need the venue's pursuit lines ([[lines]] roles "
                "pursuit-home, pursuit-back); without them a team rides alone, from the start "
                "gate on the finish line"
            )
        riders = {bib for team in event.teams for bib in team.riders}
        self._transponders = bibs_by_transponder(meet, riders)
        self._scored: tuple[Any, Scored, list[HeatLine]] | None = None
        # The crossings read so far, by role, each list in time order: a score looks at the
        # timing after a team's start only, not at the whole session's (warm-up laps).
        self._abandons = 0
        self._read = 0
        self._reads: dict[Role, list[Read]] = {}
        self._impulses: dict[Role, list[int]] = {}
        self._seen_us: int | None = None  # the latest crossing's time, on any line

    def refuses(self, command: Command) -> str | None:
        if isinstance(command, NextRider):
            return "a team sprint heat has no rider to name: its teams start from their gates"
        if isinstance(command, Confirm):
            return "a team sprint heat has no plausible window to confirm a time against"
        return None

    def _index(self, state: EventState) -> None:
        """Reads the crossings added since (all again after an Abandon)."""
        if state.abandons != self._abandons:
            self._abandons, self._read, self._reads, self._impulses = state.abandons, 0, {}, {}
            self._seen_us = None
        for crossing in state.crossings[self._read :]:
            self._seen_us = max(crossing.t_us, self._seen_us or crossing.t_us)
            if crossing.transponder is not None:
                bib = self._transponders.get(crossing.transponder)
                read = Read(crossing.t_us, bib)
                insort(self._reads.setdefault(crossing.role, []), read, key=_time)
            else:  # a photocell or a gate: an impulse timer's
                insort(self._impulses.setdefault(crossing.role, []), crossing.t_us)
        self._read = len(state.crossings)

    def start_us(self, state: EventState) -> int | None:
        self._index(state)
        gates = [start for start, _ in (self._start(state, side) for side in (0, 1))]
        known = [t for t in gates if t is not None]
        return latest_start(state, max(known) if known else None)

    def score(self, state: EventState) -> Scored:
        return self._made(state)[0]

    def result(self, state: EventState) -> TimedHeatResult:
        """What the rounds read: each team's official time, last lap, status, and the winner of
        a match, in start-list order (home side first)."""
        lines = self._made(state)[1]
        by_team = {entry.timed.entrant: entry.timed for entry in lines}
        return TimedHeatResult(
            lines=tuple(by_team[team.number] for team in self.event.teams if team.number in by_team)
        )

    def _made(self, state: EventState) -> tuple[Scored, list[HeatLine]]:
        self._index(state)
        made_of = (
            state.abandons,
            len(state.crossings),
            state.status,
            state.start_us,
            tuple(state.decisions.items()),
            tuple(state.times.items()),
            tuple(state.places.items()),
        )
        if self._scored is None or self._scored[0] != made_of:
            scored, lines = self._sheet(state)
            self._scored = (made_of, scored, lines)
        return self._scored[1], self._scored[2]

    def _sheet(self, state: EventState) -> tuple[Scored, list[HeatLine]]:
        problems: list[str] = []
        teams = {team.number for team in self.event.teams}
        for bib, decision in state.decisions.items():
            if bib not in teams:
                problems.append(
                    f"bib {bib}: {decision} ignored: a team sprint team has one result; give "
                    "the team's number"
                )
        runs = [
            self._run(state, side, team, problems) for side, team in enumerate(self.event.teams)
        ]
        lines = heat_lines(
            runs,
            self.laps,
            self.track_length_m,
            match=self.event.match,
            places={bib: place for bib, place in state.places.items() if bib in teams},
        )
        if state.status in ("provisional", "final"):
            timed = {entry.line.bib for entry in lines if entry.line.time_us is not None}
            problems += [
                f"team {run.number}: no finish: set its time (correct --time) or its status"
                for run in runs
                if run.status is Status.RANKED and run.number not in timed
            ]
        board = self._board(runs)
        result_lines: list[ResultLine] = [entry.line for entry in lines]
        return Scored(result_lines, {"team_sprint": board, "problems": problems}), lines

    def _run(self, state: EventState, side: int, team: MeetTeam, problems: list[str]) -> TeamRun:
        start_us, starts = self._start(state, side)
        where = f"team {team.number}"
        if start_us is None and len(self.event.teams) == len(self._lines) == 2:
            other, _ = self._start(state, 1 - side)
            if other is not None:
                start_us = other
            if other is not None and timing_past(state, self._seen_us, other, GATE_PAIR_US):
                problems.append(
                    f"{where}: no gate impulse on its side: timed from the other side's gate "
                    "(released together)"
                )
        if start_us is None:
            start_us = state.start_us
        laps: list[int | None] = []
        half_laps: list[int | None] = []
        if start_us is not None and side < len(self._lines):
            timing = self._passages(state, team, start_us, self._lines[side][1], Fraction(1))
            laps = [p.t_us for p in timing.passages]
            problems += [f"{where}: {problem}" for problem in timing.problems]
        if start_us is not None and len(self._lines) == 2:
            other_line = self._lines[1 - side][1]
            half = self._passages(state, team, start_us, other_line, Fraction(1, 2))
            half_laps = [p.t_us for p in half.passages]
            problems += [f"{where}: {problem}" for problem in half.problems]
        if starts > MAX_STARTS:
            problems.append(
                f"{where}: {starts} gate releases: a standing start allows two (3.2.021 ter); "
                "the last is timed: the commissaires decide (status)"
            )
        decision = state.decisions.get(team.number)
        return TeamRun(
            number=team.number,
            riders=team.riders,
            side=side,
            name=team.name,
            nation=team.nation,
            start_us=start_us,
            laps_us=laps,
            half_laps_us=half_laps,
            status=decision if decision in _DECIDED else Status.RANKED,
            starts=starts,
            corrected_us=state.times.get(team.number),
        )

    def _passages(
        self,
        state: EventState,
        team: MeetTeam,
        start_us: int,
        role: Role,
        first_fraction: Fraction,
    ) -> LineTiming:
        since = start_us - MATCH_US
        all_reads = self._reads.get(role, [])
        reads = all_reads[bisect_left(all_reads, since, key=_time) :]
        # The line has a photocell when the venue says so, or when one has sent an impulse (a
        # scoring service whose configuration does not list the impulse timer scores the same).
        all_impulses = self._impulses.get(role, [])
        impulses = all_impulses[bisect_left(all_impulses, since) :]
        photocells = impulses if all_impulses or role in self._photocell_roles else None
        # While the heat is ridden a read may still be on its way; once provisional (or
        # final), all the timing is in and every impulse is decided.
        over = state.status in ("provisional", "final")
        return line_passages(
            team.riders,
            start_us,
            reads,
            photocells,
            self.laps,
            first_fraction=first_fraction,
            seen_us=None if over else self._seen_us,
        )

    def _start(self, state: EventState, side: int) -> tuple[int | None, int]:
        """The side's counting gate release and how many releases there were: a release while
        the team has not finished its laps is a restart (3.2.021 ter); one after its finish, or
        a bounce within `GATE_BOUNCE_US`, is not a start."""
        if side >= len(self.event.teams) or side >= len(self._lines):
            return None, 0
        gate, line = self._lines[side]
        team = self.event.teams[side]
        # A gate is an impulse channel: a read of a loop under the gate (on its line) is no start.
        impulses = self._impulses.get(gate, [])
        counting: int | None = None
        starts = 0
        for t_us in impulses:
            if counting is not None:
                if t_us - counting < GATE_BOUNCE_US:
                    continue
                if self._finished_before(state, team, counting, line, t_us):
                    break
            counting = t_us
            starts += 1
        return counting, starts

    def _finished_before(
        self, state: EventState, team: MeetTeam, start_us: int, line: Role, t_us: int
    ) -> bool:
        timing = self._passages(state, team, start_us, line, Fraction(1))
        passages = timing.passages
        return (
            len(passages) == self.laps
            and passages[-1].t_us is not None
            and passages[-1].t_us < t_us
        )

    def _board(self, runs: Sequence[TeamRun]) -> TeamSprintBoard:
        gap_of = gaps(runs)
        return TeamSprintBoard(
            laps=self.laps,
            teams=[
                TeamSprintTeam(
                    team=run.number,
                    side=run.side,
                    riders=list(run.riders),
                    starts=run.starts,
                    points=[
                        TeamSprintPoint(
                            half_laps=p.half_laps,
                            rider=p.rider,
                            cumulative=official_string(p.cumulative_us),
                            lap=official_string_or_none(p.lap_us),
                            gap=None
                            if (g := gap_of.get((run.number, p.half_laps))) is None
                            else gap_string(g),
                        )
                        for p in points(run)
                    ],
                )
                for run in runs
            ],
        )


def _time(read: Read) -> int:
    return read.t_us
