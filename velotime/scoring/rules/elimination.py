"""The elimination race (uci-rules.md §2.8, UCI 3.2.218-3.2.226): the judged sprints, the
confirmed lap changes and the commissaires' decisions in; who is still in, who went out at which
sprint, and the places, out.

The sprints are `bunch.Sprint` values in race order. An elimination sprint names, as its last
placing, the last rider over the line judged by the rear wheel (3.2.223); the sprint marked
`final` is the sprint of the riders left for 1st, 2nd... judged by the front wheel (3.2.224), its
placings from first. Who goes out at an elimination sprint, in this order of authority:

1. **green flag** (`Decisions.green_flags`): the commissaires' decision was not announced before
   the riders reached the far pursuit line, so nobody goes out at that sprint (3.2.223). Riders
   lapped or abandoning before it stay due, and go out at the next sprint;
2. riders **lapped** (a confirmed `LapChange` of -1) or **abandoning** (`Decisions.abandoned`)
   since the previous sprint go out at this one (3.2.223), all of them, *instead of* the last
   rider over the line: the rules eliminate them "at the next sprint", and eliminating the last
   rider as well would take two places for one sprint;
3. the rider the **commissaires eliminate** at this sprint (`Decisions.eliminated`, for example
   for riding on the blue band), instead of the last rider; with riders lapped or abandoning
   due at the same sprint, they go out together;
4. otherwise the **last placing** of the sprint: one rider (a dead heat for last is no judgement
   and is refused).

A lap change or abandon at the leader's lap L is due at the first sprint contested after it, the
first with `lap` > L: a change confirmed as the leader completes the sprint lap came after that
sprint. Laps gained do not count (3.2.225): +1 changes are ignored, and so is any lap change of
a rider already out.

**Places (3.2.223 bis, 3.2.224).** The eliminated riders in reverse order of elimination, the
riders of the final sprint above them in its order. Riders going out at the same sprint are
ordered among themselves by when they left the race: a rider lapped or abandoning earlier is
placed lower, riders gone at the same leader's lap share a place (the next place is skipped, as
for a dead heat), and a rider eliminated at the sprint itself (last over the line, or by the
commissaires) left after them all. Riders still in (the race is running) have no place yet: the
places of the riders out are already final, as every rider still in will finish above them.

**Not ranked.** DNS riders never started; DSQ riders are disqualified: the race is judged as it
was ridden (a rider disqualified after going out still went out at that sprint), and their place
is left out of the ranking, the others closing up. The commissaires pull a rider disqualified
during the race by eliminating them (`Decisions.eliminated`) at the next sprint.

**Schedule (3.2.222).** A sprint every 2 laps on tracks from 200 m to under 333.33 m, every lap
on 333.33 m and over, every 3 laps under 200 m, counted from the flying start after the neutral
lap. N starters make N - 2 eliminations and the final: with a green flag, or several riders out
at one sprint, the race is as many sprints longer or shorter (`sprints_to_go` counts from the
riders still in).
"""

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Literal

import msgspec

from velotime.scoring.rules.bunch import LapChange, Sprint
from velotime.scoring.rules.keirin import Rider
from velotime.scoring.rules.time_trial import exact_track_length
from velotime.wire.results import ResultLine, Status

OutBy = Literal["last", "lapped", "abandoned", "commissaires", "final"]
"""Why a rider's race ended where it did: last over the line at an elimination sprint, lapped or
abandoning between sprints, eliminated by the commissaires, or placed in the final sprint."""


class Decisions(msgspec.Struct, frozen=True, kw_only=True):
    """The commissaires' word.

    `abandoned`: bib -> the leader's laps completed when the rider abandoned (they go out at the
    next sprint and are ranked, 3.2.223). `eliminated`: sprint number -> the bib the
    commissaires eliminate at that sprint instead of the last rider. `green_flags`: the numbers
    of the sprints at which nobody goes out.
    """

    dns: frozenset[int] = frozenset()
    dsq: frozenset[int] = frozenset()
    abandoned: dict[int, int] = {}
    eliminated: dict[int, int] = {}
    green_flags: frozenset[int] = frozenset()


class EliminationLine(msgspec.Struct, frozen=True, kw_only=True):
    """One rider's line: `sprint` is the number of the sprint the rider went out at (the final's
    for its riders), None for a rider still in or never in the race; `out_by` says how."""

    line: ResultLine
    sprint: int | None = None
    out_by: OutBy | None = None


class EliminationResult(msgspec.Struct, frozen=True, kw_only=True):
    """The race as it stands.

    `lines`: the riders still in (rank None, start-list order), then the riders out by place,
    then DSQ and DNS riders (rank None). `still_in`: the bibs still racing, start-list order.
    `due`: the riders lapped or abandoning since the last sprint, who go out at the next one.
    `sprints_to_go`: the sprints still to ride, the final included (0 once it is ridden).
    """

    lines: list[EliminationLine]
    still_in: list[int]
    due: list[int]
    sprints_to_go: int
    finished: bool


def sprint_interval_laps(track_length_m: float) -> int:
    """The laps between two sprints on a track of this length (3.2.222): 3 under 200 m, 2 from
    200 m to under 333.33 m, 1 on 333.33 m and over. The length is read as the track was built
    (`exact_track_length`: 333.33 is 2000/6, so the 333.33 m track has a sprint every lap)."""
    length = exact_track_length(track_length_m)  # the configured venue.track_length_m
    if length < 200:
        return 3
    if length < Fraction(1000, 3):
        return 2
    return 1


def sprint_laps(starters: int, track_length_m: float) -> list[int]:
    """The leader's laps, counted from the flying start after the neutral lap, at which the
    sprints of an elimination race with this many starters fall (3.2.222, uci-rules.md §2.8
    "Arithmetic"): N - 2 eliminations and the final, one every `sprint_interval_laps`. 21
    riders on a 250 m track: laps 2, 4, ... 40, the final at lap 40."""
    if starters < 2:
        raise ValueError(f"an elimination race needs 2 starters at least, not {starters}")
    interval = sprint_interval_laps(track_length_m)
    return [interval * number for number in range(1, starters)]


def laps_to_go(
    result: EliminationResult, leader_laps: int, last_sprint_lap: int, interval: int
) -> int:
    """The laps the leader has still to ride: the sprints to go, one every `interval` laps after
    the last sprint contested (at `last_sprint_lap`; 0 before the first), so that a green flag
    makes the race an interval longer (3.2.222, 3.2.223)."""
    return max(0, last_sprint_lap + interval * result.sprints_to_go - leader_laps)


def elimination_result(
    riders: Sequence[Rider],
    sprints: Sequence[Sprint],
    *,
    lap_changes: Sequence[LapChange] = (),
    decisions: Decisions | None = None,
) -> EliminationResult:
    """The race after these sprints (module docstring; 3.2.223-3.2.225).

    `riders`: the start list. `sprints`: numbered 1, 2, ... in order, their laps increasing,
    only the last one `final`. Raises ValueError, naming what is wrong, for a bib not in the
    race, a sprint whose rider to eliminate is not known (no last placing, a dead heat for last,
    a rider already out) or a final that does not place every rider still in.
    """
    decisions = decisions or Decisions()
    by_bib = {rider.bib: rider for rider in riders}
    if len(by_bib) != len(riders):
        raise ValueError("elimination race: a bib appears twice in the start list")
    _check(decisions, by_bib, sprints, lap_changes)

    still_in = [rider.bib for rider in riders if rider.bib not in decisions.dns]
    # Who left the race between sprints, and at which leader's lap (the first time only).
    leaving: dict[int, tuple[int, OutBy]] = {}
    for change in sorted(lap_changes, key=lambda change: change.lap):
        if change.change == -1:
            leaving.setdefault(change.bib, (change.lap, "lapped"))
    for bib, lap in decisions.abandoned.items():
        if bib not in leaving or lap < leaving[bib][0]:
            leaving[bib] = (lap, "abandoned")

    # bib -> (sprint number, order key within it: higher is better), why
    out: dict[int, tuple[int, tuple[int, ...], OutBy]] = {}
    finished = False
    for sprint in sprints:
        due = [bib for bib in still_in if bib in leaving and leaving[bib][0] < sprint.lap]
        if sprint.number in decisions.green_flags:
            continue
        for bib in due:
            lap, why = leaving[bib]
            out[bib] = (sprint.number, (0, lap), why)
        if sprint.final:
            _final(sprint, [bib for bib in still_in if bib not in due], out)
            finished = True
        else:
            for bib, why in _eliminated_at(sprint, decisions, still_in, due):
                out[bib] = (sprint.number, (1, sprint.lap), why)
        still_in = [bib for bib in still_in if bib not in out]

    due = [bib for bib in still_in if bib in leaving]
    return EliminationResult(
        lines=_lines(riders, decisions, still_in, out),
        still_in=still_in,
        due=due,
        sprints_to_go=0 if finished else max(0, len(still_in) - max(len(due), 1)),
        finished=finished,
    )


def _check(
    decisions: Decisions,
    by_bib: Mapping[int, Rider],
    sprints: Sequence[Sprint],
    lap_changes: Sequence[LapChange],
) -> None:
    named = (
        set(decisions.dns)
        | decisions.dsq
        | decisions.abandoned.keys()
        | set(decisions.eliminated.values())
        | {change.bib for change in lap_changes}
        | {bib for sprint in sprints for placing in sprint.placings for bib in placing}
    )
    if unknown := named - by_bib.keys():
        raise ValueError(f"elimination race: bibs not in the start list: {sorted(unknown)}")
    for index, sprint in enumerate(sprints):
        if sprint.number != index + 1:
            raise ValueError(
                f"elimination race: sprint {sprint.number} given as sprint {index + 1}"
            )
        if index and sprint.lap <= sprints[index - 1].lap:
            raise ValueError(
                f"elimination race: sprint {sprint.number} at lap {sprint.lap}, not after "
                f"sprint {index} at lap {sprints[index - 1].lap}"
            )
        if sprint.final and index != len(sprints) - 1:
            raise ValueError(f"elimination race: sprint {sprint.number} after the final")
    numbers = {sprint.number for sprint in sprints}
    if stray := (decisions.eliminated.keys() | decisions.green_flags) - numbers:
        raise ValueError(f"elimination race: decisions for sprints not ridden: {sorted(stray)}")
    if both := decisions.eliminated.keys() & decisions.green_flags:
        raise ValueError(
            f"elimination race: sprints both green-flagged and with an elimination: {sorted(both)}"
        )
    if any(sprint.final and sprint.number in decisions.green_flags for sprint in sprints):
        raise ValueError("elimination race: a green flag at the final, where nobody goes out")
    if started := decisions.dns & (decisions.abandoned.keys() | set(decisions.eliminated.values())):
        raise ValueError(f"elimination race: DNS riders decided on in the race: {sorted(started)}")


def _eliminated_at(
    sprint: Sprint, decisions: Decisions, still_in: Sequence[int], due: Sequence[int]
) -> list[tuple[int, OutBy]]:
    """Who goes out at this elimination sprint besides the riders `due` (module docstring)."""
    chosen = decisions.eliminated.get(sprint.number)
    if chosen is not None:
        if chosen not in still_in or chosen in due:
            raise ValueError(
                f"elimination race: sprint {sprint.number}: the commissaires eliminate "
                f"{chosen}, who is no longer in the race"
            )
        return [(chosen, "commissaires")]
    if due:
        return []
    if not sprint.placings:
        raise ValueError(f"elimination race: sprint {sprint.number} names no last rider")
    last = sprint.placings[-1]
    if len(last) != 1:
        raise ValueError(
            f"elimination race: sprint {sprint.number}: a dead heat for last "
            f"({', '.join(map(str, last))}); the judges name the one rider who goes out"
        )
    if last[0] not in still_in:
        raise ValueError(
            f"elimination race: sprint {sprint.number}: {last[0]} is last but no longer in the race"
        )
    return [(last[0], "last")]


def _final(
    sprint: Sprint, riders: Sequence[int], out: dict[int, tuple[int, tuple[int, ...], OutBy]]
) -> None:
    """The riders left, placed by the final sprint from first (front wheel, 3.2.224); a dead
    heat shares its place."""
    placed = [bib for placing in sprint.placings for bib in placing]
    if sorted(placed) != sorted(riders):
        raise ValueError(
            f"elimination race: the final sprint places {sorted(placed)}, "
            f"the riders left are {sorted(riders)}"
        )
    for index, placing in enumerate(sprint.placings):
        for bib in placing:
            out[bib] = (sprint.number, (2, -index), "final")


def _lines(
    riders: Sequence[Rider],
    decisions: Decisions,
    still_in: Sequence[int],
    out: Mapping[int, tuple[int, tuple[int, ...], OutBy]],
) -> list[EliminationLine]:
    by_bib = {rider.bib: rider for rider in riders}
    racing = [bib for bib in still_in if bib not in decisions.dsq]
    ranked = [bib for bib in out if bib not in decisions.dsq]
    keys = {bib: (out[bib][0], out[bib][1]) for bib in ranked}
    # Standard competition ranking: one place more for every rider ahead; riders still in are
    # ahead of every rider out.
    ahead = {bib: sum(1 for other in ranked if keys[other] > keys[bib]) for bib in ranked}
    rank = {bib: 1 + len(racing) + ahead[bib] for bib in ranked}

    def line(bib: int, rank: int | None, status: Status) -> ResultLine:
        rider = by_bib[bib]
        return ResultLine(rank=rank, bib=bib, name=rider.name, nation=rider.nation, status=status)

    lines = [EliminationLine(line=line(bib, None, Status.RANKED)) for bib in racing]
    lines += [
        EliminationLine(
            line=line(bib, rank[bib], Status.RANKED), sprint=out[bib][0], out_by=out[bib][2]
        )
        for bib in sorted(ranked, key=lambda bib: (rank[bib], ranked.index(bib)))
    ]
    for status, bibs in ((Status.DSQ, decisions.dsq), (Status.DNS, decisions.dns)):
        lines += [
            EliminationLine(
                line=line(rider.bib, None, status),
                sprint=out[rider.bib][0] if rider.bib in out else None,
                out_by=out[rider.bib][2] if rider.bib in out else None,
            )
            for rider in riders
            if rider.bib in bibs
        ]
    return lines
