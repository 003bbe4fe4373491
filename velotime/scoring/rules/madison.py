"""The Madison (uci-rules.md §2.13, UCI 3.2.156-3.2.172): teams of two riders scored as a points
race (§2.6), the judged sprints and confirmed lap changes in, ranked team lines out.

A team races under its number; each of its two riders has their own bib (and transponder), so
a sprint placing or a lap change names either rider, or the team number: it counts for the
team. Only one rider of a team races at a time, so a team placed twice in one sprint is a
judging error and is refused. The scoring is the points race's (3.2.118, 3.2.119), applied to
teams (`points_tally` over the team numbers): 5/3/2/1 in an intermediate sprint, 10/6/4/2 in
the final one, +20 a lap gained, -20 a lap lost; total points rank, a tie goes to the better
place in the final sprint. Teams the final sprint does not separate share their place, flagged
"draw required" (the rules do not break that tie).

Not ranked: DNF, DSQ, then DNS teams, each in start-list order, with the points they held.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import msgspec

from velotime.scoring.rules.bunch import LapChange, Sprint
from velotime.wire.results import Flag, ResultLine, Status

INTERMEDIATE_SPRINT_POINTS = (5, 3, 2, 1)
"""Points for places 1-4 of an intermediate sprint (3.2.118); the final sprint's are doubled."""
LAP_POINTS = 20  # gained: +20, lost: -20 (3.2.119)


# -- the points race's scoring, for any competitor: a rider's bib or a team's number ------------
# The points race (velotime.scoring.rules.points_race) is written apart; these are the pieces the
# Madison needs, to be merged with it into one.


def sprint_points(sprint: Sprint) -> dict[int, int]:
    """The points each competitor placed in `sprint` scores (3.2.118): 5/3/2/1 for places 1-4,
    doubled in the final sprint; a dead heat shares the place and its points, and the next place
    is skipped (two tied for 1st both score 5, the next is 3rd and scores 2)."""
    factor = 2 if sprint.final else 1
    table = [factor * points for points in INTERMEDIATE_SPRINT_POINTS]
    points: dict[int, int] = {}
    place = 1
    for placing in sprint.placings:
        for competitor in placing:
            points[competitor] = table[place - 1] if place <= len(table) else 0
        place += len(placing)
    return points


def final_places(sprint: Sprint) -> dict[int, int]:
    """The place of each competitor in the final sprint, a dead heat sharing it."""
    places: dict[int, int] = {}
    place = 1
    for placing in sprint.placings:
        places |= dict.fromkeys(placing, place)
        place += len(placing)
    return places


@dataclass(frozen=True)
class Tally:
    """A competitor's points race so far: points by sprint (in sprint order, 0 where not placed),
    laps gained less laps lost, the total with 20 points a lap, the place in the final sprint
    (None before it or when not placed), and the rank (ties share it; `draw`: a tie the final
    sprint does not break)."""

    competitor: int
    by_sprint: tuple[int, ...]
    laps: int
    points: int
    final_place: int | None
    rank: int
    draw: bool


def points_tally(
    competitors: Sequence[int], sprints: Sequence[Sprint], lap_changes: Iterable[LapChange]
) -> list[Tally]:
    """Every competitor's tally, ranked (3.2.118, 3.2.119): total points, then the better place
    in the final sprint (a competitor placed there ahead of one who is not); competitors still
    level share the rank and are flagged `draw`. Ties are in `competitors` order."""
    scored = [sprint_points(sprint) for sprint in sprints]
    laps = dict.fromkeys(competitors, 0)
    for change in lap_changes:
        laps[change.bib] += change.change
    final = next((sprint for sprint in sprints if sprint.final), None)
    places = final_places(final) if final is not None else {}
    no_place = len(competitors) + 1

    def key(competitor: int) -> tuple[int, int]:
        total = sum(points.get(competitor, 0) for points in scored)
        return (-(total + LAP_POINTS * laps[competitor]), places.get(competitor, no_place))

    keys = {competitor: key(competitor) for competitor in competitors}
    order = sorted(competitors, key=keys.__getitem__)
    return [
        Tally(
            competitor=competitor,
            by_sprint=tuple(points.get(competitor, 0) for points in scored),
            laps=laps[competitor],
            points=-keys[competitor][0],
            final_place=places.get(competitor),
            rank=1 + sum(1 for other in competitors if keys[other] < keys[competitor]),
            draw=sum(1 for other in competitors if keys[other] == keys[competitor]) > 1,
        )
        for competitor in order
    ]


# -- the Madison: teams of two ------------------------------------------------------------------


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


class MadisonLine(msgspec.Struct, frozen=True, kw_only=True):
    """A team's line: the result line (its bib is the team number), the points by sprint in
    sprint order, the laps gained less laps lost, and the total points."""

    line: ResultLine
    sprints: list[int]
    laps: int
    points: int


def madison_result(
    teams: Sequence[Team],
    sprints: Sequence[Sprint],
    *,
    lap_changes: Sequence[LapChange] = (),
    decisions: TeamDecisions | None = None,
) -> list[MadisonLine]:
    """The Madison's ranked team lines, then DNF, DSQ and DNS teams (module docstring).

    Sprint placings and lap changes name a rider's bib or a team number. Raises ValueError for
    a bib or number of no team, a team placed twice in one sprint, or two teams sharing a bib.
    """
    decisions = decisions or TeamDecisions()
    team_of = _team_of(teams)
    numbers = [team.number for team in teams]
    if unknown := (decisions.dnf | decisions.dsq | decisions.dns) - set(numbers):
        raise ValueError(f"Madison: decisions name no team: {sorted(unknown)}")
    team_sprints = [_team_sprint(sprint, team_of) for sprint in sprints]
    team_changes = [
        LapChange(
            bib=_team(change.bib, team_of, "a lap change"), change=change.change, lap=change.lap
        )
        for change in lap_changes
    ]
    unranked = decisions.dnf | decisions.dsq | decisions.dns
    tallies = {
        tally.competitor: tally
        for tally in points_tally(
            [number for number in numbers if number not in unranked], team_sprints, team_changes
        )
    }
    held = {tally.competitor: tally for tally in points_tally(numbers, team_sprints, team_changes)}
    by_number = {team.number: team for team in teams}

    def line(number: int, tally: Tally, status: Status) -> MadisonLine:
        team = by_number[number]
        ranked = status is Status.RANKED
        return MadisonLine(
            line=ResultLine(
                rank=tally.rank if ranked else None,
                bib=number,
                name=team.name,
                nation=team.nation,
                status=status,
                flags=[Flag.DRAW_REQUIRED] if ranked and tally.draw else [],
            ),
            sprints=list(tally.by_sprint),
            laps=tally.laps,
            points=tally.points,
        )

    lines = [line(number, tally, Status.RANKED) for number, tally in tallies.items()]
    for status, unranked_teams in (
        (Status.DNF, decisions.dnf),
        (Status.DSQ, decisions.dsq),
        (Status.DNS, decisions.dns),
    ):
        lines += [
            line(number, held[number], status) for number in numbers if number in unranked_teams
        ]
    return lines


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
