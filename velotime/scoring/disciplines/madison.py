"""The Madison's scorer (uci-rules.md §2.13): teams of two riders, each rider with their own
transponders, scored as a points race over the teams (`rules.madison`), the laps counted per
team by the scratch race's lap counter (`rules.laps`) fed as below.

**A team's laps.** The two partners alternate: one races, the other circulates slowly high on
the track until the racing partner comes round and slings them in. Both cross the line and
both are read. A team's laps are the racing partner's, so the counter is fed one passage a
team lap:

1. each rider's reads (finish, 200 m and 100 m lines) make their own finish-line passages, a
   missed finish read recovered from the other loops and a double read dropped, as in the
   scratch race (a rider rides round in one direction whether racing or resting);
2. a passage of either partner is the team's lap when it comes at least the shortest
   plausible lap (track length / `LapSettings.max_speed_mps`: 10 s on 250 m) after the team's
   previous lap; a passage sooner is the other partner's on the same lap (the resting partner
   passing the line a few seconds after the racing one, or the partner just relieved) and is
   counted, not used ("partner crossings" in the problems).

Why that is right: no team rides a lap in less than the shortest plausible lap, so two
passages closer than that are one lap; and a resting partner rides slower than the race, so
between two passages of the racing partner (one racing lap, L) they pass the line at most
once. Limits: when the resting partner passes the line more than 10 s after the team's lap but
before the racing partner completes the next (within the last L - 10 s of the lap: 6 s of a
16 s lap), that passage is taken as the team's lap and the racing partner's is the one left
out: the count is right, but the lap's time is the resting partner's, a few seconds early, so
that team may miss a bunch judgement of that lap, and if it happens on a sprint's lap the
sprint judges must place the team (the judges' word is the sprint's). Laps slower than twice
the shortest lap (a neutralised lap of more than 20 s on 250 m) could count a resting
partner's passage as a lap of its own: the commissaires set the team's laps (`laps`).

**Sprints** every `sprint_every` laps (default the UCI's for the track, 3.2.116), counted
back from the last lap (`points_race_schedule`), each judged from the loops when the leader
completes its lap (`rules.sprints.judge_sprint`, the first four, 5-3-2-1, the final doubled):
each team contests with the team passage that completes the sprint's lap plus its laps up or
down as confirmed before it (the racing partner's, as above). The judges' commands and the
photo-finish camera are the points race's (not wired here yet): until then the loops'
placings stand, and what the judges would have to look at (photo required, a team not read)
is in the problems. A score judges again only the sprints a team in the count has yet to
cross (every one after a command): the cost of a passing does not grow with the sprints run.

**Commands** name a team by its number or either rider's bib: `lap_change`, `laps`, `status`
apply to the team (a rider who abandons takes the team out: 3.2.156 gives the team one
result). `correct --place` is refused: a Madison's places come from its points.
"""

from bisect import bisect_left
from collections import Counter
from functools import partial

import msgspec

from velotime.scoring.disciplines.base import EventState, Scored, Venue
from velotime.scoring.disciplines.scratch import ScratchScorer
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.bunch import Sprint
from velotime.scoring.rules.laps import LapBoard as CountedBoard
from velotime.scoring.rules.laps import LapCounter
from velotime.scoring.rules.madison import Team, TeamDecisions, madison_result
from velotime.scoring.rules.points_race import points_race_schedule, sprint_every_laps
from velotime.scoring.rules.sprints import POINTS_SPRINT, Crossing, judge_sprint
from velotime.wire.commands import Command, Correct
from velotime.wire.results import Status


class MadisonScorer(ScratchScorer):
    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        assert event.laps is not None  # the meet check requires it
        self._teams = [
            Team(number=t.number, bibs=(t.riders[0], t.riders[1]), name=t.name, nation=t.nation)
            for t in event.teams
        ]
        # A rider's bib or the team's number -> the team's number.
        self._team_of = {
            bib: team.number for team in self._teams for bib in (team.number, *team.bibs)
        }
        every = event.sprint_every or sprint_every_laps(venue.track_length_m)
        self._schedule = points_race_schedule(event.laps, every)
        super().__init__(event, meet, venue)
        self.race = frozenset(self._team_of)

    def _riders_bibs(self) -> list[int]:
        return [team.number for team in self._teams]  # the lap counter counts teams

    def _start(self, abandons: int) -> None:
        super()._start(abandons)
        settings = self._settings
        self._shortest_lap_us = round(settings.track_length_m / settings.max_speed_mps * 1e6)
        # Each rider's own finish-line passages (never started: it counts no laps).
        riders = [bib for team in self._teams for bib in team.bibs]
        self._reader = LapCounter(riders, self._distance, settings)
        self._team_passages: dict[int, list[int]] = {team.number: [] for team in self._teams}
        self._partner_crossings: Counter[int] = Counter()
        # Sprints every team in the count has crossed, as judged: new passages come later and
        # cannot change them; a command (a count set, a lap change, a status) may, and clears it.
        self._settled: dict[int, tuple[Sprint, list[str]]] = {}

    def refuses(self, command: Command) -> str | None:
        if isinstance(command, Correct):
            return (
                f"{self._event}: a Madison's places come from its points; correct a sprint "
                "(not wired yet) or a lap change instead"
            )
        return super().refuses(command)

    def _crossing(self, bib: int, distance_to_finish_m: int, t_us: int) -> None:
        """A rider's read: their passage (if it makes one) is the team's lap, or their
        partner's on the same lap (module docstring)."""
        reader = self._reader
        before = reader.latest_passage(bib)
        reader.crossing(bib, distance_to_finish_m, t_us)
        passage = reader.latest_passage(bib)
        if passage is None or passage == before:
            return
        team = self._team_of[bib]
        passages = self._team_passages[team]
        if passages and passage - passages[-1] < self._shortest_lap_us:
            self._partner_crossings[team] += 1
            return
        passages.append(passage)
        self._counter.crossing(team, 0, passage)

    def _command(self, t_us: int | None, command: Command) -> None:
        bib = getattr(command, "bib", None)
        if bib is not None:  # a rider's bib or the team's number: the team
            command = msgspec.structs.replace(command, bib=self._team_of[bib])
        self._settled.clear()
        super()._command(t_us, command)

    def score(self, state: EventState) -> Scored:
        self._read_evidence(state)
        counter = self._counter
        board = counter.board()
        out = {
            status: frozenset(t for t, s in self._out.items() if s is status) for status in Status
        }
        sprints, attention = self._sprints(board, out[Status.DNS])
        finish = counter.finish() if board.finished else {}
        lines = []
        for madison_line in madison_result(
            self._teams,
            sprints,
            # A team that did not start has no lap change (the rules refuse one): the commissaires'
            # DNS stands over a lap change confirmed before it.
            lap_changes=[c for c in counter.confirmed if c.bib not in out[Status.DNS]],
            decisions=TeamDecisions(dnf=out[Status.DNF], dsq=out[Status.DSQ], dns=out[Status.DNS]),
        ):
            standing, team = madison_line.standing, madison_line.line.bib
            at_finish = finish[team][0] if team in finish else None  # a cool-down lap is none
            lines.append(
                msgspec.structs.replace(
                    madison_line.line,
                    laps=counter.laps(team, at_finish),
                    laps_gained=standing.laps,
                    points=standing.points,
                    sprint_points=list(standing.sprint_points),
                    lap_points=standing.lap_points,
                    final_sprint_place=standing.final_place,
                )
            )
        partners = [
            f"team {team}: {count} crossing(s) of the partner on the team's lap, not counted"
            for team, count in sorted(self._partner_crossings.items())
        ]
        problems = self._reader.problems() + partners + attention + self._notes
        return Scored(lines, self._lap_extra(board, problems))

    def _sprints(self, board: CountedBoard, dns: frozenset[int]) -> tuple[list[Sprint], list[str]]:
        """The sprints whose lap the leader has completed, judged from the team passages
        (module docstring), and what the judges would have to look at."""
        sprints: list[Sprint] = []
        attention: list[str] = []
        if not board.started:
            return sprints, attention
        teams = [team.number for team in self._teams if team.number not in dns]
        for number, lap in enumerate(self._schedule.laps, start=1):
            if lap > board.leader_laps:
                break
            sprint, notes = self._settled.get(number) or self._judge(number, lap, teams)
            sprints.append(sprint)
            attention += notes
        return sprints, attention

    def _judge(self, number: int, lap: int, teams: list[int]) -> tuple[Sprint, list[str]]:
        """Sprint `number` on lap `lap` as the team passages judge it, and what the judges
        would have to look at; kept once every team in the count has crossed."""
        counter = self._counter
        standing = dict.fromkeys(teams, 0)
        for change in counter.confirmed:
            if change.lap < lap and change.bib in standing:
                standing[change.bib] += change.change
        crossings = []
        for team in teams:
            target = lap + standing[team]
            passages = self._team_passages[team]
            i = bisect_left(passages, target, key=partial(counter.laps, team))
            if i < len(passages) and counter.laps(team, passages[i]) == target:
                crossings.append(Crossing(bib=team, t_us=passages[i], laps=target))
        judgement = judge_sprint(
            number,
            lap,
            POINTS_SPRINT,
            riders=teams,
            crossings=crossings,
            standing=standing,
            final=self._schedule.is_final(number),
        )
        notes = [
            f"sprint {number}: team(s) {', '.join(map(str, item.bibs))}: {item.detail}"
            for item in judgement.attention
        ]
        if set(counter.counted()) <= {crossing.bib for crossing in crossings}:
            self._settled[number] = (judgement.sprint, notes)
        return judgement.sprint, notes
