"""The points race (uci-rules.md §2.6, UCI 3.2.114-3.2.133) as pure functions: its sprint
schedule, and its standings from the judged sprints and the confirmed lap changes.

The tempo race (velotime.scoring.rules.tempo) and the Madison are points races with their own
points scale (`PointsScale`): they call `standings` with theirs.

**Inputs.** `standings` takes what the officials stand by (velotime.scoring.rules.bunch): each
sprint's placings as the sprint judge gave them (who took the points), each lap change as the
commissaires confirmed it, and the riders' statuses. A rider who gains a lap at the moment a
sprint is due still gets +20, and the sprint's points go to the riders the judge placed
(3.2.125): the inputs say both, a `LapChange` at that lap and the `Sprint` as judged, and they
simply add up here. Which riders the judge places in that case is the sprint judge's business.

**Live.** The function is pure and cheap: the live table during the race is the same call with
the sprints judged and the lap changes confirmed so far (`Standings.final` is False until the
final sprint is among them). The omnium adds a rider's `StandingLine.points` to the total of
the races before (3.2.251) and breaks its ties by `StandingLine.final_place` (3.2.252).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from velotime.scoring.rules.bunch import LapChange, Placing, Sprint
from velotime.wire.results import Status

# -- the sprint schedule (3.2.116) ---------------------------------------------------------------

# 3.2.116: every 10 laps on tracks of 250 m or less, about every 2 km on longer ones.
SHORT_TRACK_MAX_M = 250.0
SHORT_TRACK_SPRINT_EVERY = 10
LONG_TRACK_SPRINT_M = 2000.0


def sprint_every_laps(track_length_m: float) -> int:
    """The UCI default number of laps between the sprints of a points race (3.2.116): 10 on a
    track of 250 m or less, else the whole number of laps nearest 2 km (7 on 285.714 m, 6 on
    333.33 m, 5 on 400 m). A meet may set another interval; this is only the default."""
    if track_length_m <= 0:
        raise ValueError(f"a track length must be positive, not {track_length_m:g} m")
    if track_length_m <= SHORT_TRACK_MAX_M:
        return SHORT_TRACK_SPRINT_EVERY
    return max(1, round(LONG_TRACK_SPRINT_M / track_length_m))


@dataclass(frozen=True)
class SprintSchedule:
    """The laps that carry a sprint: `laps[i]` is the leader's laps completed when sprint i + 1
    is contested (`Sprint.lap`), ascending; the last one is the final sprint."""

    laps: tuple[int, ...]

    def __post_init__(self) -> None:
        if any(b <= a for a, b in pairwise(self.laps)):
            raise ValueError(f"sprint laps must be ascending and distinct: {self.laps}")
        if self.laps and self.laps[0] < 1:
            raise ValueError(f"a sprint is at a lap from 1 on, not {self.laps[0]}")

    @property
    def count(self) -> int:
        return len(self.laps)

    def number_at(self, lap: int) -> int | None:
        """The number (from 1) of the sprint contested when the leader completes `lap`, or None
        when that lap carries no sprint."""
        try:
            return self.laps.index(lap) + 1
        except ValueError:
            return None

    def is_final(self, number: int) -> bool:
        return number == len(self.laps)


def points_race_schedule(laps: int, every: int) -> SprintSchedule:
    """A points race of `laps` laps with a sprint every `every` laps (3.2.116): the sprints are
    counted back from the final sprint, on the last lap; the laps left over when `laps` is not
    a multiple of `every` are ridden before the first sprint, lengthening the run to it (25
    laps, every 10: sprints at laps 15 and 25, the first after 15 laps). Every distance in the
    rules' tables (3.2.117) is a multiple, leaving nothing over: 160 laps every 10 is 16
    sprints, at laps 10, 20, ... 160. We read "ridden before the first sprint" as added to the
    first interval, not as a sprint of their own after a few laps (a sprint at lap 1 of a
    21-lap race); where a meet wants otherwise, it gives the sprint laps themselves."""
    if laps < 1 or every < 1:
        raise ValueError(f"a points race needs laps and an interval from 1 on: {laps}, {every}")
    count = laps // every
    return SprintSchedule(tuple(laps - every * back for back in reversed(range(count))))


# -- the points (3.2.118-3.2.119) ----------------------------------------------------------------


@dataclass(frozen=True)
class PointsScale:
    """What a place in a sprint and a lap are worth. Places past a scale's length score 0."""

    intermediate: tuple[int, ...]
    final: tuple[int, ...]
    per_lap: int


# 3.2.118-3.2.119: 5-3-2-1 at each intermediate sprint, the final sprint doubled, 20 a lap.
POINTS_RACE = PointsScale(intermediate=(5, 3, 2, 1), final=(10, 6, 4, 2), per_lap=20)


def sprint_places(placings: Sequence[Placing]) -> dict[int, int]:
    """Each bib's place in a sprint: riders tied share a place and the next place is skipped
    (§2.6: two riders tied for 1st are both 1st, and the next rider is 3rd)."""
    places: dict[int, int] = {}
    place = 1
    for placing in placings:
        for bib in placing:
            places[bib] = place
        place += len(placing)
    return places


def sprint_points(sprint: Sprint, scale: PointsScale) -> dict[int, int]:
    """The points each placed bib wins in `sprint` (3.2.118-3.2.119): the place's points of the
    final or intermediate table, the same for riders tied on a place (each gets it in full)."""
    table = scale.final if sprint.final else scale.intermediate
    return {
        bib: table[place - 1] if place <= len(table) else 0
        for bib, place in sprint_places(sprint.placings).items()
    }


# -- the standings (3.2.119, 3.2.125) ------------------------------------------------------------

# The unranked lines at the foot of the table, in this order (as in a keirin heat's result).
UNRANKED_ORDER = (Status.DNF, Status.DSQ, Status.DNS)


@dataclass(frozen=True)
class StandingLine:
    """One rider's (or Madison team's) line of the standings.

    `place`: None for a rider not classified (DNF, DSQ, DNS); riders tied share it.
    `points`: the total, sprint points and lap points. `sprint_points[i]`: the points won in
    the i-th sprint of `Standings.sprints` (0 where none). `final_place`: the place in the final
    sprint as judged, None when not placed there or before the final sprint.
    """

    place: int | None
    bib: int
    status: Status
    points: int
    sprint_points: tuple[int, ...]
    laps_gained: int
    laps_lost: int
    lap_points: int
    final_place: int | None

    @property
    def laps(self) -> int:
        """Laps up (positive) or down (negative) on the field."""
        return self.laps_gained - self.laps_lost


@dataclass(frozen=True)
class Standings:
    """The table: classified riders by place (tied riders in start-list order), then DNF, DSQ
    and DNS riders, each in start-list order. `sprints`: the sprints counted, by number (the
    columns of `StandingLine.sprint_points`). `final`: the final sprint is among them, so this
    is the race's result rather than a live table."""

    lines: tuple[StandingLine, ...]
    sprints: tuple[Sprint, ...]
    final: bool

    def line(self, bib: int) -> StandingLine:
        for line in self.lines:
            if line.bib == bib:
                return line
        raise KeyError(bib)


def standings(
    riders: Sequence[int],
    sprints: Iterable[Sprint],
    lap_changes: Iterable[LapChange] = (),
    statuses: Mapping[int, Status] | None = None,
    scale: PointsScale = POINTS_RACE,
) -> Standings:
    """The points race table after `sprints` (any of them so far, in any order: they are
    counted by `Sprint.number`) and `lap_changes` (3.2.118-3.2.119, 3.2.125).

    `riders`: the bibs in start-list order. `statuses`: bib -> DNS, DNF or DSQ; every other
    rider is classified. Each rider's points are the points of their places in the sprints
    (ties share a place and its points, the next place is skipped) plus `scale.per_lap` for
    each lap gained, minus as much for each lap lost. Classified riders are ranked by points;
    riders on equal points by the better place in the final sprint (3.2.119), a rider placed
    there ahead of one who was not. The rules say nothing more: riders still level (neither
    placed in the final sprint, or a dead heat in it, or no final sprint yet in a live table)
    share the place, and the next place is skipped (12, 12, 14).

    A rider who abandoned (DNF) or was disqualified (DSQ) is not classified but listed with the
    points held, for the sheet (uci-rules.md gives the points race no rule of its own here; we
    follow the scratch race's, 3.2.182: a rider who does not finish is not classified). A
    rider neutralised who cannot come back before the last kilometre is classified on the
    points and laps held (3.2.021): no status, just no more sprints. A DNS rider can have no
    placing and no lap change. A DSQ rider's sprint points are not handed on to the others:
    where the commissaires re-award a sprint, they correct its placings.

    Raises ValueError, naming the problem, for a bib not in `riders`, a bib twice, two sprints
    with one number, a final sprint that is not the last, or a status other than DNS, DNF, DSQ.
    """
    statuses = statuses or {}
    _check_riders(riders, statuses)
    counted = _checked_sprints(sprints, set(riders))
    changes = list(lap_changes)
    start_order = {bib: i for i, bib in enumerate(riders)}
    for change in changes:
        if change.bib not in start_order:
            raise ValueError(f"lap change at lap {change.lap}: bib {change.bib} is not a rider")
    scored = {bib for s in counted for placing in s.placings for bib in placing}
    scored.update(change.bib for change in changes)
    for bib, status in statuses.items():
        if status is Status.DNS and bib in scored:
            raise ValueError(f"bib {bib} is DNS but has a sprint placing or a lap change")

    won = [sprint_points(sprint, scale) for sprint in counted]
    final = counted[-1] if counted and counted[-1].final else None
    final_places = sprint_places(final.placings) if final is not None else {}
    lines: list[StandingLine] = []
    for bib in riders:
        gained = sum(1 for c in changes if c.bib == bib and c.change == 1)
        lost = sum(1 for c in changes if c.bib == bib and c.change == -1)
        by_sprint = tuple(points.get(bib, 0) for points in won)
        lap_points = scale.per_lap * (gained - lost)
        lines.append(
            StandingLine(
                place=None,
                bib=bib,
                status=statuses.get(bib, Status.RANKED),
                points=sum(by_sprint) + lap_points,
                sprint_points=by_sprint,
                laps_gained=gained,
                laps_lost=lost,
                lap_points=lap_points,
                final_place=final_places.get(bib),
            )
        )
    return Standings(
        lines=tuple(_ranked(lines, start_order)), sprints=counted, final=final is not None
    )


def _rank_key(line: StandingLine) -> tuple[int, bool, int]:
    """Most points first; on equal points the better final sprint place, placed before not."""
    placed = line.final_place is not None
    return (-line.points, not placed, line.final_place or 0)


def _ranked(lines: list[StandingLine], start_order: Mapping[int, int]) -> list[StandingLine]:
    classified = sorted(
        (line for line in lines if line.status is Status.RANKED),
        key=lambda line: (_rank_key(line), start_order[line.bib]),
    )
    out: list[StandingLine] = []
    for i, line in enumerate(classified):
        level = i > 0 and _rank_key(classified[i - 1]) == _rank_key(line)
        place = out[-1].place if level else i + 1
        out.append(replace(line, place=place))
    for status in UNRANKED_ORDER:
        out.extend(line for line in lines if line.status is status)
    return out


def _check_riders(riders: Sequence[int], statuses: Mapping[int, Status]) -> None:
    if len(set(riders)) != len(riders):
        twice = sorted({bib for bib in riders if riders.count(bib) > 1})
        raise ValueError(f"bib {twice[0]} is twice in the start list")
    for bib, status in statuses.items():
        if bib not in riders:
            raise ValueError(f"status {status.value or 'ranked'} for bib {bib}: not a rider")
        if status not in (Status.RANKED, *UNRANKED_ORDER):
            raise ValueError(f"bib {bib}: a bunch race has no status {status.value}")


def _checked_sprints(sprints: Iterable[Sprint], riders: set[int]) -> tuple[Sprint, ...]:
    ordered = tuple(sorted(sprints, key=lambda sprint: sprint.number))
    for before, after in pairwise(ordered):
        if before.number == after.number:
            raise ValueError(f"sprint {after.number} is given twice")
        if before.final:
            raise ValueError(f"sprint {after.number} follows the final sprint {before.number}")
    for sprint in ordered:
        seen: set[int] = set()
        for placing in sprint.placings:
            if not placing:
                raise ValueError(f"sprint {sprint.number}: an empty placing")
            for bib in placing:
                if bib not in riders:
                    raise ValueError(f"sprint {sprint.number}: bib {bib} is not a rider")
                if bib in seen:
                    raise ValueError(f"sprint {sprint.number}: bib {bib} is placed twice")
                seen.add(bib)
    return ordered
