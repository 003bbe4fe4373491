"""The omnium's standings (uci-rules.md §2.10, 3.2.247-3.2.252): the races' results turned into
omnium points, added up, and ranked.

A format is a table, not code (`OmniumFormat`): the races in riding order, the omnium points
for each place, whether the highest or the lowest total wins, and the tie-break. The built-in
tables are the current UCI omnium (`UCI`, 2017 on), the 2014-2016 six events (`UCI_2014`) and
the 2010-2013 six events where place = points and the lowest total wins (`UCI_2010`); a meet
can give its own (docs/meet-format.md).

What this module is given of each race is what the officials stand by, rider by rider:

- a race scored by place (`PlacedResult`): each rider's place in it (ties share a place), or
  `"DNS"`, `"DNF"` (abandoned), `"DSQ"`, `Pulled` (taken off after losing a second lap,
  3.2.251 bis) or `"crashed"` (came down in the last kilometre of the scratch race,
  3.2.251 ter). The places are the race's own ranking (scratch: laps, then the line; tempo:
  its points; elimination: the reverse order of elimination; a timed event: its times);
- the points race, whose own points are added (`PointsResult`): each rider's sprint points
  (the final sprint doubled, as the points race counts them), laps gained and lost, and place
  in the final sprint once it is judged; or `"DNS"`, `"DNF"`, `"DSQ"` (`from_points_race`
  reads them off the points race's table, velotime.scoring.rules.points_race).

Conventions this module picks where the rules are silent:

- Riders taken off together (`Pulled` with the same number still racing) share that place.
- `"crashed"` riders share the place after every rider given a place (3.2.251 ter's "next
  free place"); one whose laps gained put them higher ("counting laps") is given that place
  by the scratch race's result instead, as a number.
- A tie stays a shared place until the tie-break can tell the riders apart: before the final
  sprint of the points race is judged (so in the standings after the first races, and live
  during the points race) riders on equal totals share their rank. A rider placed in the final
  sprint beats a tied rider who was not.
- Riders out of the omnium keep the points they had (shown, not ranked): those who abandoned
  come after the last classified rider, then those disqualified from a race, those who did not
  start one last (3.2.249, 3.2.251 bis; as a keirin heat lists DNF, DSQ, DNS), each by bib.
  A later race's result need not name them; where it does (a start list that still lists
  them), it does not bring them back.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import msgspec

from velotime.scoring.rules import points_race
from velotime.wire.results import Status

RaceKind = Literal[
    "scratch",
    "tempo",
    "elimination",
    "points_race",
    "flying_lap",
    "individual_pursuit",
    "time_trial",
]
TIMED_KINDS: frozenset[str] = frozenset({"flying_lap", "individual_pursuit", "time_trial"})


class OmniumRace(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One race of the omnium. `scoring`: "place" gives the omnium points of the rider's place
    (`OmniumFormat.place_points`); "race_points" adds the race's own points and
    `lap_points` a lap gained or lost (the points race since 2014, 3.2.251). Left out: the
    points race's own points, every other race by place."""

    name: str  # as the standings show it: "scratch", "points race"
    kind: RaceKind
    scoring: Literal["place", "race_points"] | None = None

    @property
    def adds_race_points(self) -> bool:
        if self.scoring is None:
            return self.kind == "points_race"
        return self.scoring == "race_points"


class OmniumFormat(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How an omnium is scored. `place_points[k - 1]` is the omnium points for place k;
    `points_after` those for every place past the list, left out: the place itself (1st = 1
    point, as in 2010-2013). `tie_break`: "final_sprint", the better place in the final sprint
    of the points race (3.2.252); "timed_events", the lower combined time of the timed races
    (2010-2013); "none", a shared place. `lapped_penalty`: docked from a rider taken off after
    losing a second lap in the scratch or tempo race (3.2.251 bis)."""

    name: str
    races: tuple[OmniumRace, ...]
    place_points: tuple[int, ...] = ()
    points_after: int | None = None
    wins: Literal["highest", "lowest"] = "highest"
    tie_break: Literal["final_sprint", "timed_events", "none"] = "final_sprint"
    lap_points: int = 20
    lapped_penalty: int = 0

    def points_for(self, place: int) -> int:
        """The omnium points for a place in a race scored by place (3.2.250)."""
        if place < 1:
            raise ValueError(f"a place counts from 1, not {place}")
        if place <= len(self.place_points):
            return self.place_points[place - 1]
        return place if self.points_after is None else self.points_after


# 3.2.250: 40 for 1st, 2 less a place to 2 for 20th (42 - 2k), 1 from 21st on.
UCI_PLACE_POINTS = tuple(42 - 2 * place for place in range(1, 21))

UCI = OmniumFormat(
    name="uci",
    races=(
        OmniumRace(name="scratch", kind="scratch"),
        OmniumRace(name="tempo", kind="tempo"),
        OmniumRace(name="elimination", kind="elimination"),
        OmniumRace(name="points race", kind="points_race"),
    ),
    place_points=UCI_PLACE_POINTS,
    points_after=1,
    lapped_penalty=40,
)
UCI_2014 = OmniumFormat(
    name="uci-2014",
    races=(
        OmniumRace(name="scratch", kind="scratch"),
        OmniumRace(name="individual pursuit", kind="individual_pursuit"),
        OmniumRace(name="elimination", kind="elimination"),
        OmniumRace(name="time trial", kind="time_trial"),
        OmniumRace(name="flying lap", kind="flying_lap"),
        OmniumRace(name="points race", kind="points_race"),
    ),
    place_points=UCI_PLACE_POINTS,
    points_after=1,
)
UCI_2010 = OmniumFormat(
    name="uci-2010",
    races=(
        OmniumRace(name="flying lap", kind="flying_lap"),
        OmniumRace(name="points race", kind="points_race", scoring="place"),
        OmniumRace(name="elimination", kind="elimination"),
        OmniumRace(name="individual pursuit", kind="individual_pursuit"),
        OmniumRace(name="scratch", kind="scratch"),
        OmniumRace(name="time trial", kind="time_trial"),
    ),
    wins="lowest",
    tie_break="timed_events",
)
FORMATS: dict[str, OmniumFormat] = {f.name: f for f in (UCI, UCI_2014, UCI_2010)}


@dataclass(frozen=True)
class Pulled:
    """Taken off after losing a second lap, with `racing` riders (this one included) still in
    the race: placed `racing`th, the first free place counted from the riders still racing
    (3.2.251 bis)."""

    racing: int


PlacedStatus = Literal["DNS", "DNF", "DSQ", "crashed"]
Outcome = int | PlacedStatus | Pulled


@dataclass(frozen=True)
class PlacedResult:
    """A race scored by place: bib -> place (1 = first) or what happened instead. `times`: the
    timed races' official times in µs, for the "timed_events" tie-break."""

    outcomes: Mapping[int, Outcome]
    times: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PointsRaceLine:
    """One rider in the points race, as it stands: `sprint_points` from the sprints (the final
    sprint doubled, 3.2.118-3.2.119), the laps the commissaires confirmed, and the place in
    the final sprint once it is judged (None before, or when not placed)."""

    sprint_points: int = 0
    laps_gained: int = 0
    laps_lost: int = 0
    final_place: int | None = None


@dataclass(frozen=True)
class PointsResult:
    """A race whose own points are added: bib -> the rider's line, or "DNS" / "DNF"."""

    lines: Mapping[int, PointsRaceLine | Literal["DNS", "DNF", "DSQ"]]


RaceResult = PlacedResult | PointsResult

RaceStatus = Literal["", "DNS", "DNF", "DSQ", "lapped", "crashed"]
OUT: tuple[RaceStatus, ...] = ("DNF", "DSQ", "DNS")  # out of the omnium, listed in this order


@dataclass(frozen=True)
class RaceScore:
    """What one race gave a rider: `place` the one its points are for (None in a race adding
    its own points, or out), `points` the omnium points (a penalty included), `laps` the laps
    gained less lost where the race's own points count."""

    place: int | None
    points: int
    status: RaceStatus = ""
    laps: int = 0


@dataclass(frozen=True)
class OmniumLine:
    """A rider in the standings: `races` in the format's order, None where not ridden (yet, or
    after going out); `rank` None for a rider out of the omnium (`status` "DNF")."""

    bib: int
    rank: int | None
    total: int
    races: tuple[RaceScore | None, ...]
    status: Literal["", "DNF", "DSQ"] = ""


def standings(
    omnium: OmniumFormat, riders: Sequence[int], results: Sequence[RaceResult]
) -> list[OmniumLine]:
    """The standings of `riders` after the races of `results` (the first `len(results)` races
    of the format, in order; the last may be under way): live, after every race and during the
    points race (3.2.251). Ranked by total, highest or lowest first as the format says, ties
    by its tie-break (3.2.252), else shared. Riders out of the omnium follow, unranked: those
    who abandoned a race after the last classified rider, those who did not start one last
    (3.2.249, 3.2.251 bis). ValueError for a result that does not fit its race."""
    if len(results) > len(omnium.races):
        raise ValueError(f"{len(results)} results for {len(omnium.races)} races")
    if len(set(riders)) != len(riders):
        raise ValueError("a bib is entered twice")
    scores: dict[int, list[RaceScore | None]] = {bib: [] for bib in riders}
    out: dict[int, RaceStatus] = {}  # bib -> "DNS", "DNF" or "DSQ": why it went out
    for race, result in zip(omnium.races, results, strict=False):
        given = result.outcomes if isinstance(result, PlacedResult) else result.lines
        strangers = sorted(set(given) - set(riders))
        if strangers:
            raise ValueError(f"{race.name}: not entered: {', '.join(map(str, strangers))}")
        in_race = [bib for bib in riders if bib not in out]
        race_scores = _score(omnium, race, result, in_race)
        for bib in riders:
            score = race_scores.get(bib)
            scores[bib].append(score)
            if score is not None and score.status in OUT:
                out.setdefault(bib, score.status)
    for bib in riders:
        scores[bib] += [None] * (len(omnium.races) - len(results))
    totals = {bib: sum(s.points for s in scores[bib] if s is not None) for bib in riders}
    tie_break = _tie_break(omnium, results, riders)
    sign = -1 if omnium.wins == "highest" else 1

    def key(bib: int) -> tuple[int, float]:
        return (sign * totals[bib], tie_break.get(bib, float("inf")))

    classified = sorted((bib for bib in riders if bib not in out), key=lambda b: (key(b), b))
    lines: list[OmniumLine] = []
    for i, bib in enumerate(classified):
        tied = i > 0 and key(classified[i - 1]) == key(bib)
        rank = lines[-1].rank if tied else i + 1
        lines.append(OmniumLine(bib, rank, totals[bib], tuple(scores[bib])))
    for status in OUT:
        lines += [
            OmniumLine(bib, None, totals[bib], tuple(scores[bib]), _listed_as(status))
            for bib in sorted(bib for bib, why in out.items() if why == status)
        ]
    return lines


def _listed_as(status: RaceStatus) -> Literal["DNF", "DSQ"]:
    """3.2.249: a rider who did not start a race is listed DNF, as one who abandoned."""
    return "DSQ" if status == "DSQ" else "DNF"


def from_points_race(table: points_race.Standings) -> PointsResult:
    """The points race's table as the omnium reads it: each rider's sprint points (the sum of
    the sprint columns), laps gained and lost, and final sprint place; DNS, DNF and DSQ as
    they are. Its own lap points are not read: the omnium's table says what a lap is worth."""
    lines: dict[int, PointsRaceLine | Literal["DNS", "DNF", "DSQ"]] = {}
    for line in table.lines:
        if line.status is Status.DNS:
            lines[line.bib] = "DNS"
        elif line.status is Status.DNF:
            lines[line.bib] = "DNF"
        elif line.status is Status.DSQ:
            lines[line.bib] = "DSQ"
        else:
            lines[line.bib] = PointsRaceLine(
                sum(line.sprint_points), line.laps_gained, line.laps_lost, line.final_place
            )
    return PointsResult(lines)


def _score(
    omnium: OmniumFormat, race: OmniumRace, result: RaceResult, riders: Sequence[int]
) -> dict[int, RaceScore]:
    """Each rider's score in one race; riders already out are not in `riders` and score none."""
    if race.adds_race_points:
        if not isinstance(result, PointsResult):
            raise ValueError(f"{race.name}: adds its own points; give each rider's line")
        return _score_points(omnium, race, result, riders)
    if not isinstance(result, PlacedResult):
        raise ValueError(f"{race.name}: scored by place; give each rider's place")
    return _score_places(omnium, race, result, riders)


def _missing(race: OmniumRace, given: Mapping[int, object], riders: Sequence[int]) -> None:
    missing = [bib for bib in riders if bib not in given]
    if missing:
        raise ValueError(f"{race.name}: no result for {', '.join(map(str, missing))}")


def _score_points(
    omnium: OmniumFormat, race: OmniumRace, result: PointsResult, riders: Sequence[int]
) -> dict[int, RaceScore]:
    """3.2.251: the points race's own points and `lap_points` a lap, added to the total."""
    _missing(race, result.lines, riders)
    scores: dict[int, RaceScore] = {}
    for bib in riders:
        line = result.lines[bib]
        if isinstance(line, str):
            scores[bib] = RaceScore(None, 0, line)
            continue
        laps = line.laps_gained - line.laps_lost
        scores[bib] = RaceScore(None, line.sprint_points + omnium.lap_points * laps, laps=laps)
    return scores


def _score_places(
    omnium: OmniumFormat, race: OmniumRace, result: PlacedResult, riders: Sequence[int]
) -> dict[int, RaceScore]:
    """3.2.250: the points for each place. 3.2.251 bis: a rider taken off after losing a second
    lap (scratch, tempo) is placed at the number still racing and docked `lapped_penalty`.
    3.2.251 ter: riders who came down in the last kilometre of the scratch race share the next
    free place after the riders who finished, and its points."""
    _missing(race, result.outcomes, riders)
    finished = sum(1 for bib in riders if isinstance(result.outcomes[bib], int))
    scores: dict[int, RaceScore] = {}
    for bib in riders:
        outcome = result.outcomes[bib]
        if outcome == "DNS" or outcome == "DNF" or outcome == "DSQ":
            scores[bib] = RaceScore(None, 0, outcome)
        elif outcome == "crashed":
            if race.kind != "scratch":
                raise ValueError(f"{race.name}: bib {bib}: a crash in the last km is a scratch's")
            scores[bib] = RaceScore(finished + 1, omnium.points_for(finished + 1), "crashed")
        elif isinstance(outcome, Pulled):
            if race.kind not in ("scratch", "tempo"):
                raise ValueError(f"{race.name}: bib {bib}: only the scratch and tempo pull")
            if not 1 <= outcome.racing <= len(riders):
                raise ValueError(
                    f"{race.name}: bib {bib}: taken off with {outcome.racing} racing, "
                    f"of {len(riders)} riders"
                )
            points = omnium.points_for(outcome.racing) - omnium.lapped_penalty
            scores[bib] = RaceScore(outcome.racing, points, "lapped")
        elif isinstance(outcome, int) and not isinstance(outcome, bool):
            if not 1 <= outcome <= len(riders):
                raise ValueError(f"{race.name}: bib {bib}: place {outcome} of {len(riders)} riders")
            scores[bib] = RaceScore(outcome, omnium.points_for(outcome))
        else:
            raise ValueError(f"{race.name}: bib {bib}: not a place or status: {outcome!r}")
    return scores


def _tie_break(
    omnium: OmniumFormat, results: Sequence[RaceResult], riders: Sequence[int]
) -> dict[int, float]:
    """Each rider's tie-break value, lower better, where it can be told (3.2.252)."""
    if omnium.tie_break == "final_sprint":
        for race, result in zip(omnium.races, results, strict=False):
            if race.kind == "points_race" and isinstance(result, PointsResult):
                return {
                    bib: line.final_place
                    for bib, line in result.lines.items()
                    if isinstance(line, PointsRaceLine) and line.final_place is not None
                }
    if omnium.tie_break == "timed_events":
        timed = [
            result
            for race, result in zip(omnium.races, results, strict=False)
            if race.kind in TIMED_KINDS and isinstance(result, PlacedResult)
        ]
        if len(timed) == sum(1 for race in omnium.races if race.kind in TIMED_KINDS):
            return {
                bib: sum(result.times[bib] for result in timed)
                for bib in riders
                if all(bib in result.times for result in timed)
            }
    return {}
