"""The Madison (uci-rules.md §2.13, UCI 3.2.156-3.2.172): teams of two riders scored as a points
race (§2.6), the judged sprints and confirmed lap changes in, ranked team lines out.

A team races under its number; each of its two riders has their own bib (and transponder), so
a sprint placing or a lap change names either rider, or the team number: it counts for the
team. Only one rider of a team races at a time, so a team placed twice in one sprint is a
judging error and is refused. The scoring is the points race's (`points_race.standings` over
the team numbers, 3.2.118, 3.2.119): 5/3/2/1 in an intermediate sprint, 10/6/4/2 in the final
one, +20 a lap gained, -20 a lap lost; total points rank, a tie goes to the better place in the
final sprint, and teams it does not separate share the place, as in the points race.

Not ranked: DNF, DSQ, then DNS teams, each in start-list order, with the points they held.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec

from velotime.scoring.rules.bunch import LapChange, Sprint
from velotime.scoring.rules.points_race import StandingLine, standings
from velotime.wire.results import ResultLine, Status


class Team(msgspec.Struct, frozen=True, kw_only=True):
    """A Madison team: its number, its two riders' bibs, and its name and nation."""

    number: int
    bibs: tuple[int, int]
    name: str = ""
    nation: str = ""


class TeamDecisions(msgspec.Struct, frozen=True, kw_only=True):
    """The commissaires' word on teams, by team number."""

    dnf: frozenset[int] = frozenset()
    dsq: frozenset[int] = frozenset()
    dns: frozenset[int] = frozenset()


@dataclass(frozen=True)
class MadisonLine:
    """A team's line: the result line (its `bib` is the team number, `rank` its place), and its
    standing in the points race over the teams: total points, points by sprint, laps gained
    and lost."""

    line: ResultLine
    standing: StandingLine


def madison_result(
    teams: Sequence[Team],
    sprints: Sequence[Sprint],
    *,
    lap_changes: Sequence[LapChange] = (),
    decisions: TeamDecisions | None = None,
) -> list[MadisonLine]:
    """The Madison's ranked team lines, then DNF, DSQ and DNS teams (module docstring), live
    after the sprints so far or final after the final sprint.

    Sprint placings and lap changes name a rider's bib or a team number. Raises ValueError for
    a bib or number of no team, a team placed twice in one sprint, two teams sharing a bib, or
    what `points_race.standings` refuses (a DNS team placed, a sprint after the final...).
    """
    decisions = decisions or TeamDecisions()
    team_of = _team_of(teams)
    statuses: dict[int, Status] = {}
    for status, numbers in (
        (Status.DNF, decisions.dnf),
        (Status.DSQ, decisions.dsq),
        (Status.DNS, decisions.dns),
    ):
        for number in numbers:
            if statuses.setdefault(number, status) is not status:
                raise ValueError(f"Madison: team {number} is both {statuses[number]} and {status}")
    table = standings(
        [team.number for team in teams],
        [_team_sprint(sprint, team_of) for sprint in sprints],
        [
            LapChange(
                bib=_team(change.bib, team_of, "a lap change"),
                change=change.change,
                lap=change.lap,
            )
            for change in lap_changes
        ],
        statuses,
    )
    by_number = {team.number: team for team in teams}
    return [
        MadisonLine(
            line=ResultLine(
                rank=standing.place,
                bib=standing.bib,
                name=by_number[standing.bib].name,
                nation=by_number[standing.bib].nation,
                status=standing.status,
            ),
            standing=standing,
        )
        for standing in table.lines
    ]


def _team_of(teams: Sequence[Team]) -> dict[int, int]:
    """Rider bib or team number -> team number."""
    team_of: dict[int, int] = {}
    for team in teams:
        for bib in {team.number, *team.bibs}:
            if team_of.setdefault(bib, team.number) != team.number:
                raise ValueError(
                    f"Madison: {bib} belongs to teams {team_of[bib]} and {team.number}"
                )
    if len(set(team_of.values())) != len(teams):
        raise ValueError("Madison: a team number appears twice")
    return team_of


def _team(bib: int, team_of: Mapping[int, int], what: str) -> int:
    if bib not in team_of:
        raise ValueError(f"Madison: {what} names {bib}, of no team")
    return team_of[bib]


def _team_sprint(sprint: Sprint, team_of: Mapping[int, int]) -> Sprint:
    """The sprint with each placed rider replaced by their team (3.2.156: a rider's placing
    counts for the team)."""
    placings = tuple(
        tuple(_team(bib, team_of, f"sprint {sprint.number}") for bib in placing)
        for placing in sprint.placings
    )
    teams = [team for placing in placings for team in placing]
    if twice := sorted({team for team in teams if teams.count(team) > 1}):
        raise ValueError(f"Madison: sprint {sprint.number} places teams twice: {twice}")
    return Sprint(number=sprint.number, lap=sprint.lap, placings=placings, final=sprint.final)
