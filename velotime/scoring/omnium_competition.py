"""An omnium as the engine runs it (uci-rules.md §2.10): its races are events of the meet, made
from the omnium's declaration, and its standings (`standings/<omnium>`) are worked out from
their results by `velotime.scoring.rules.omnium`.

- The races: one event per race of the omnium's table that velotime scores as a discipline
  (scratch, tempo, elimination, points race), its id the omnium's and the race's name
  (`MeetOmnium.race_ids`), its riders the omnium's, its distance the omnium's `laps` for it
  and its laps between sprints the omnium's `sprint_every`.
  A race of a kind that is no discipline of velotime (a flying lap, an individual pursuit)
  has no event: the standings stop before it and say why.
- What is counted: the races in order, each once it is provisional (a commissaires' order
  stands; final again, and on every correction), the points race also while it is ridden
  (3.2.251: the standings live). The first race not counted ends the count.
- The line-up (3.2.249 bis): the first race in the omnium's `riders` order; each later race by
  the standings after the races before it, once they are all counted, riders out of the
  omnium left out; until then in the declared order. The engine applies it while the race is
  not armed.
- A race's result lines are read by two small functions (`placed_outcome`,
  `points_race_line`): the rank and status of each line, the laps gained or lost, and for the
  points race its points and final sprint place.
"""

from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple, cast, get_args

from velotime.scoring.meet import MeetEvent, MeetOmnium, slug
from velotime.scoring.rules import omnium as rules
from velotime.scoring.rules.omnium import OmniumFormat, OmniumRace
from velotime.wire.results import (
    Discipline,
    EventStatus,
    OmniumRaceScore,
    OmniumStandings,
    OmniumStandingsLine,
    OmniumStandingsRace,
    ResultLine,
    Status,
)

# An omnium's individual pursuit and time trial (2010-2013) are the whole field timed: not the
# one heat of two riders the pursuit's scorer takes, and the omnium gives neither a distance, so
# they have no event (the standings stop before them and say why).
_DISCIPLINES: frozenset[str] = frozenset(get_args(Discipline)) - {
    "individual_pursuit",
    "time_trial",
}
_OUT: dict[Status, Literal["DNS", "DNF", "DSQ"]] = {
    Status.DNS: "DNS",
    Status.DNF: "DNF",
    Status.DSQ: "DSQ",
}
LAPS_LOST_PULLED = 2  # 3.2.251 bis: taken off once a second lap is lost (scratch, tempo)


class RaceState(NamedTuple):
    """What the omnium needs of one of its races: its status and its result lines as they
    stand (none for a race that has no event)."""

    status: EventStatus
    lines: list[ResultLine]


def discipline_of(race: OmniumRace) -> Discipline | None:
    """The discipline velotime scores the race as, or None (a kind that is none)."""
    return cast(Discipline, race.kind) if race.kind in _DISCIPLINES else None


def placed_outcome(race: OmniumRace, line: ResultLine) -> rules.Outcome | None:
    """A race scored by place: the rider's place, or why not (None: the line has no place to
    read, e.g. a time under check). A rider two laps down in the scratch or tempo race is
    taken off at their place: the place they were given, among those still racing
    (3.2.251 bis). A rider who abandoned the elimination race is ranked in it (3.2.223) but
    out of the omnium, DNF (3.2.251 bis). A rider the commissaires say came down in the scratch
    race's last kilometre (status "crashed") gets the next free place (3.2.251 ter)."""
    if line.status is Status.CRASHED:
        return "crashed"
    out = _OUT.get(line.status)
    if out is not None:
        return out
    if line.out_by == "abandoned":  # ranked in the elimination (3.2.223), out of the omnium
        return "DNF"
    if line.rank is None:
        return None
    if race.kind in ("scratch", "tempo") and line.laps_gained <= -LAPS_LOST_PULLED:
        return rules.Pulled(racing=line.rank)
    return line.rank


def points_race_line(line: ResultLine) -> rules.PointsRaceLine | Literal["DNS", "DNF", "DSQ"]:
    """The points race as the omnium reads it: the rider's sprint points, laps gained less
    lost (`laps_gained`, as the commissaires confirmed) and final sprint place."""
    out = _OUT.get(line.status)
    if out is not None:
        return out
    # Its sprint points (the final sprint's doubled, as the race counts them), not its lap
    # points: the omnium's table says what a lap is worth.
    net = line.laps_gained
    sprints = sum(line.sprint_points)
    return rules.PointsRaceLine(sprints, max(net, 0), max(-net, 0), line.final_sprint_place)


class OmniumCompetition:
    def __init__(self, spec: MeetOmnium, table: OmniumFormat) -> None:
        self.spec = spec
        self.table = table
        self.event_ids = spec.race_ids(table)

    def events(self) -> list[MeetEvent]:
        """The events of its races (those velotime scores as a discipline), in riding order,
        every one with the omnium's riders in their declared order."""
        return [
            self.race_event(index, self.spec.riders)
            for index, race in enumerate(self.table.races)
            if discipline_of(race) is not None
        ]

    def race_event(self, index: int, riders: Sequence[int]) -> MeetEvent:
        race = self.table.races[index]
        discipline = discipline_of(race)
        assert discipline is not None  # only races of a discipline are events
        spec = self.spec
        return MeetEvent(
            id=self.event_ids[index],
            discipline=discipline,
            category=spec.category,
            round=race.name,
            name=f"{spec.name or 'Omnium'}, {race.name}",
            riders=tuple(riders),
            laps=spec.laps.get(slug(race.name)),
            sprint_every=spec.sprint_every.get(slug(race.name)),
        )

    def line_up(self, index: int, races: Mapping[str, RaceState]) -> tuple[int, ...]:
        """Race `index`'s riders in line-up order (3.2.249 bis): the standings after the races
        before it once they are all counted, riders out of the omnium left out; else the
        declared order."""
        if index == 0:
            return self.spec.riders
        results, _ = self._results(races)
        if len(results) < index:
            return self.spec.riders
        lines = rules.standings(self.table, self.spec.riders, results[:index])
        return tuple(line.bib for line in lines if line.rank is not None)

    def made_of(self, races: Mapping[str, RaceState]) -> tuple[object, ...]:
        """What the standings are made of: each race's status and, where counted, its result
        as read. Equal for two moments, the standings are the same: a passing of the points
        race that changes no rider's points or laps (most of them) changes nothing here."""
        made: list[object] = []
        for index, race in enumerate(self.table.races):
            state = races.get(self.event_ids[index])
            if state is None:
                made.append(None)
                continue
            counted = self.counts(index, state.status)
            made.append((state.status, self._read(race, state.lines) if counted else None))
        return tuple(made)

    def counts(self, index: int, status: EventStatus) -> bool:
        """Whether the standings count race `index` in this status: from provisional on, the
        points race (adding its own points) as soon as it runs (3.2.251)."""
        if status in ("provisional", "final"):
            return True
        return status == "running" and self.table.races[index].adds_race_points

    def standings(
        self, races: Mapping[str, RaceState], names: Mapping[int, tuple[str, str]]
    ) -> OmniumStandings:
        """The standings after the races counted so far; `names`: bib -> (name, nation)."""
        results, problems = self._results(races)
        lines = rules.standings(self.table, self.spec.riders, results)
        statuses = [self._status(races, i) for i in range(len(self.table.races))]
        last = len(results) - 1
        live = last >= 0 and statuses[last] == "running"
        over = all(status == "final" for status in statuses)
        return OmniumStandings(
            competition=self.spec.id,
            discipline="omnium",
            name=self.spec.name,
            category=self.spec.category,
            format=self.table.name,
            status="final" if over and not problems else ("live" if live else "running"),
            races=[
                OmniumStandingsRace(
                    name=race.name,
                    event=self.event_ids[i],
                    kind=race.kind,
                    status=statuses[i],
                    counted=i < len(results),
                )
                for i, race in enumerate(self.table.races)
            ],
            lines=[_line(line, names) for line in lines],
            problems=problems,
        )

    def _status(self, races: Mapping[str, RaceState], index: int) -> EventStatus:
        state = races.get(self.event_ids[index])
        return "scheduled" if state is None else state.status

    def _results(self, races: Mapping[str, RaceState]) -> tuple[list[rules.RaceResult], list[str]]:
        """The results of the races counted, in order, up to the first that is not; and the
        problems that stopped the count early."""
        results: list[rules.RaceResult] = []
        for index, race in enumerate(self.table.races):
            event_id = self.event_ids[index]
            state = races.get(event_id)
            if state is None:
                if discipline_of(race) is None:
                    return results, [f"{event_id}: velotime does not score a {race.kind} race"]
                break
            if not self.counts(index, state.status):
                break
            read = self._read(race, state.lines)
            if isinstance(read, str):
                return results, [f"{event_id}: {read}"]
            try:  # a result that does not fit its race: counted up to the race before
                rules.standings(self.table, self.spec.riders, [*results, read])
            except ValueError as exc:
                return results, [str(exc)]
            results.append(read)
        return results, []

    @staticmethod
    def _read(race: OmniumRace, lines: list[ResultLine]) -> rules.RaceResult | str:
        if race.adds_race_points:
            return rules.PointsResult({line.bib: points_race_line(line) for line in lines})
        outcomes: dict[int, rules.Outcome] = {}
        for line in lines:
            outcome = placed_outcome(race, line)
            if outcome is None:
                return f"bib {line.bib} has no place yet"
            outcomes[line.bib] = outcome
        return rules.PlacedResult(outcomes)


def _line(line: rules.OmniumLine, names: Mapping[int, tuple[str, str]]) -> OmniumStandingsLine:
    name, nation = names.get(line.bib, ("", ""))
    return OmniumStandingsLine(
        rank=line.rank,
        bib=line.bib,
        name=name,
        nation=nation,
        total=line.total,
        races=[
            None
            if score is None
            else OmniumRaceScore(
                place=score.place, points=score.points, status=score.status, laps=score.laps
            )
            for score in line.races
        ],
        status=line.status,
    )
