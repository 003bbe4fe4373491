"""The Madison's scorer (uci-rules.md §2.13): teams of two riders, each rider with their own
transponders, scored as a points race over the team numbers (uci-rules.md §2.13; the points
race's scorer, `SprintRaceScorer`, with its sprints and standings), the laps counted per team
by the scratch race's lap counter (`rules.laps`) fed as below.

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
back from the last lap (`points_race_schedule`), 5-3-2-1, the final doubled: judged, confirmed
and corrected as in the points race (`SprintRaceScorer`, whose docstring says how), over the
teams. Each team contests with the team passage that completes the sprint's lap, less its laps
up or down as confirmed (the racing partner's, as above). The photo-finish camera's rows name
riders: each row counts for its rider's team, and a team placed twice in one block (both
partners in the picture) keeps its better place, the other row left out and said in the
problems. The judges' `sprint` command places teams by their numbers or a rider's bib.

**Commands** name a team by its number or either rider's bib: `lap_change`, `laps`, `status`
and the placings of `sprint` apply to the team (a rider who abandons takes the team out:
3.2.156 gives the team one result). `correct --place` is refused, as in the points race: a
Madison's places come from its points.
"""

from collections import Counter

import msgspec

from velotime.scoring.disciplines.base import Venue
from velotime.scoring.disciplines.points_race import SprintRaceScorer, SprintState
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.keirin import PhotoPlace, Rider
from velotime.scoring.rules.laps import LapCounter
from velotime.scoring.rules.madison import Team
from velotime.scoring.rules.points_race import points_race_schedule, sprint_every_laps
from velotime.scoring.rules.sprints import Judgement
from velotime.wire.commands import Command, SprintDecision


class MadisonScorer(SprintRaceScorer):
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
        super().__init__(event, meet, venue, points_race_schedule(event.laps, every))
        self.race = frozenset(self._team_of)
        # The result lines are the teams' (the transponders stay the riders': `_bib_of`).
        self._riders = [
            Rider(bib=team.number, name=team.name, nation=team.nation) for team in self._teams
        ]

    def _riders_bibs(self) -> list[int]:
        return [team.number for team in self._teams]  # the lap counter counts teams

    def _start(self, abandons: int) -> None:
        super()._start(abandons)
        settings = self._settings
        self._shortest_lap_us = round(settings.track_length_m / settings.max_speed_mps * 1e6)
        # Each rider's own finish-line passages (never started: it counts no laps).
        riders = [bib for team in self._teams for bib in team.bibs]
        self._reader = LapCounter(riders, self._distance, settings)
        self._team_lap_us: dict[int, int] = {}  # each team's latest lap
        self._partner_crossings: Counter[int] = Counter()

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
        latest = self._team_lap_us.get(team)
        if latest is not None and passage - latest < self._shortest_lap_us:
            self._partner_crossings[team] += 1
            return
        self._team_lap_us[team] = passage
        super()._crossing(team, 0, passage)  # the team's lap, and its sprint's crossing

    def _command(self, t_us: int | None, command: Command) -> None:
        bib = getattr(command, "bib", None)
        if bib is not None:  # a rider's bib or the team's number: the team
            command = msgspec.structs.replace(command, bib=self._team_of[bib])
        super()._command(t_us, command)

    def _decided(self, sprint: SprintState, command: SprintDecision) -> Judgement:
        """The judges' word with each placing's rider bibs as their teams (a bib of no team is
        left for the judge to refuse). Raises ValueError for a team placed twice."""
        team_of = self._team_of
        placings = [[team_of.get(bib, bib) for bib in placing] for placing in command.placings]
        teams = [team for placing in placings for team in placing]
        if twice := sorted({team for team in teams if teams.count(team) > 1}):
            raise ValueError(
                f"sprint {command.number}: the judges place team(s) {twice} twice "
                "(by its number or both riders' bibs)"
            )
        return super()._decided(sprint, msgspec.structs.replace(command, placings=placings))

    def _camera_rows(self, rows: list[PhotoPlace]) -> list[PhotoPlace]:
        """The block's rows by team, in the camera's order (module docstring): of a team's
        placed rows the better place stands; a bib of no team is left for the judge to show."""
        best: dict[int, PhotoPlace] = {}
        for row in rows:
            team = self._team_of.get(row.bib, row.bib)
            if row.place is not None and (team not in best or row.place < (best[team].place or 0)):
                best[team] = row
        kept = []
        for row in rows:
            team = self._team_of.get(row.bib, row.bib)
            if row.place is not None and best[team] is not row:
                self._notes.append(
                    f"camera: rider {row.bib} of team {team} placed {row.place}, behind "
                    f"partner {best[team].bib}: not used"
                )
                continue
            kept.append(msgspec.structs.replace(row, bib=team))
        return kept

    def _loop_problems(self) -> list[str]:
        partners = [
            f"team {team}: {count} crossing(s) of the partner on the team's lap, not counted"
            for team, count in sorted(self._partner_crossings.items())
        ]
        return self._reader.problems() + partners
