"""A sprint tournament as the engine runs it: races made as the matches are ridden, and the
standings (each match's riders, races won, races, the classification) published per tournament.

Seeding: the meet's `seeding`, or the ranking of the flying 200 m event named `qualifying`
once it is final (its top `qualifiers`, or the event's `qualify`). The first round's races
exist once the seeding is known. A match's race 2 is made once race 1 is final, its decider
(race 3) once races 1 and 2 are final and each rider has won one; a later round's races once
every match of the rounds feeding it is decided. Only final races count: the tournament never
draws from a provisional order. The rules are `velotime.scoring.rules.sprint_tournament`'s;
this module keeps track of what has been ridden.
"""

from collections.abc import Mapping, Sequence

import msgspec

from velotime.scoring.competition import HeatState, KeirinCompetition
from velotime.scoring.disciplines.base import EventState, Scorer
from velotime.scoring.drawn_rounds import competition_standings, heat_event
from velotime.scoring.meet import Meet, MeetCompetition, MeetEvent
from velotime.scoring.rules.sprint_tournament import (
    Match,
    Race,
    RoundSpec,
    classify,
    draw,
    match_state,
    race_start_list,
)
from velotime.wire.results import (
    EventStatus,
    ResultLine,
    Standings,
    StandingsHeat,
    StandingsRace,
    StandingsRound,
    Status,
)


class SprintCompetition:
    def __init__(self, spec: MeetCompetition, meet: Meet) -> None:
        self.spec = spec
        self.meet = meet
        self.plan = spec.sprint_plan(meet)  # the meet file's checks made sure one fits
        self.qualifying = spec.qualifying  # the flying200 event seeding it, if any
        self.qualifiers: list[int] | None = list(spec.seeding) or None
        # round name -> every race made in it, for the engine (start lists, heat states)
        self.heats: dict[str, list[MeetEvent]] = {}
        self._matches: dict[str, list[list[int]]] = {}  # round -> each heat's riders
        self._races: dict[tuple[str, int], list[MeetEvent]] = {}  # (round, heat) -> its races
        self.problems: list[str] = []

    def start(self) -> list[MeetEvent]:
        """The first round's races, when the meet gives the seeding."""
        return self.progress({})

    @staticmethod
    def heat_state(state: EventState, scorer: Scorer | None) -> HeatState:
        """What the tournament needs of one of its races: a keirin heat's (`SprintScorer` is
        the keirin's scorer)."""
        return KeirinCompetition.heat_state(state, scorer)

    def qualified(self, status: EventStatus, lines: Sequence[ResultLine]) -> list[MeetEvent]:
        """The qualifying event changed: once final, its top riders seed the tournament."""
        if self._matches:
            return []  # drawn already (the engine refuses to reopen the qualifying then)
        if status != "final":
            self.qualifiers = None
            return []
        count = self.plan.qualifiers
        ranked = [line for line in lines if line.rank is not None]
        if len(ranked) < count:
            self.problems = [
                f"{self.qualifying}: {len(ranked)} riders ranked, the table takes {count}"
            ]
            return []
        # A tie among the qualifiers decides who meets whom (slot k against slot N + 1 - k),
        # one across the last place who goes on: the commissaires order the riders first.
        ranks = [line.rank for line in ranked[: count + 1]]
        tied = [line.bib for line in ranked[: count + 1] if ranks.count(line.rank) > 1]
        if any(ranks.count(rank) > 1 for rank in ranks[:count]):
            self.problems = [
                f"{self.qualifying}: riders {tied} tie in the qualifying ranking: a commissaire "
                "must order them (correct --place)"
            ]
            return []
        self.problems = []
        self.qualifiers = [line.bib for line in ranked[:count]]
        return self.progress({})

    def progress(self, heats: Mapping[str, HeatState]) -> list[MeetEvent]:
        """The races now due: a match's next race, and the rounds whose feeders are decided."""
        if self.qualifiers is None:
            return []
        made: list[MeetEvent] = []
        decided, matches = self._decided(heats)
        self.problems = [problem for match in matches.values() if (problem := match.problem)]
        for (round_name, heat), match in matches.items():
            # `next_race` counts final races only: past the races made, all are final.
            if match.next_race is not None and match.next_race > len(
                self._races[(round_name, heat)]
            ):
                made.append(self._make_race(round_name, heat, match.next_race))
        try:
            drawn = draw(self.plan, self.qualifiers, decided)
        except ValueError as exc:
            self.problems.append(str(exc))
            return made
        for spec in self.plan.rounds:
            if spec.name in drawn and spec.name not in self._matches:
                self._matches[spec.name] = drawn[spec.name]
                self.heats[spec.name] = []
                for heat, riders in enumerate(drawn[spec.name], 1):
                    self._races[(spec.name, heat)] = []
                    if len(riders) > 1:  # a rider alone (the other disqualified) rides no race
                        made.append(self._make_race(spec.name, heat, 1))
        return made

    def drawn_after(self, event_id: str) -> list[str]:
        """The races drawn from this race's result (its match's later races, later rounds'),
        or from the qualifying's: reopening it would leave them standing."""
        if event_id == self.qualifying:
            return [event.id for events in self.heats.values() for event in events]
        for (round_name, _), races in self._races.items():
            ids = [race.id for race in races]
            if event_id in ids:
                later = ids[ids.index(event_id) + 1 :]
                names = [spec.name for spec in self.plan.rounds]
                rounds = [n for n in names[names.index(round_name) + 1 :] if n in self.heats]
                return later + [event.id for n in rounds for event in self.heats[n]]
        return []

    def standings(self, heats: Mapping[str, HeatState]) -> Standings:
        decided, matches = self._decided(heats) if self.qualifiers is not None else ({}, {})
        classification: list[ResultLine] = []
        if self.qualifiers is not None and len(decided) == len(self.plan.rounds):
            out = [bib for match in matches.values() for bib in match.out]
            lines = classify(self.plan, self.qualifiers, decided, out)
            classification = [self._named(line) for line in lines]
        rounds = [
            StandingsRound(
                name=spec.name,
                heats=[
                    self._heat(spec, heat, riders, matches[(spec.name, heat)], heats)
                    for heat, riders in enumerate(self._matches.get(spec.name, []), 1)
                ],
                best_of=spec.best_of,
                slots=[list(row) for row in spec.heats],
            )
            for spec in self.plan.rounds
        ]
        return competition_standings(
            self.spec,
            self.plan.format,
            rounds,
            classification,
            self.problems,
            qualifiers=self.qualifiers or [],
        )

    def _heat(
        self,
        spec: RoundSpec,
        heat: int,
        riders: list[int],
        match: Match,
        heats: Mapping[str, HeatState],
    ) -> StandingsHeat:
        races = self._races[(spec.name, heat)]
        statuses = [heats[race.id].status for race in races]
        status: EventStatus = "scheduled"
        if match.decided:
            status = "final"
        elif any(s != "scheduled" for s in statuses):
            status = "running"
        return StandingsHeat(
            event=self.spec.heat_id(spec.name, heat, len(spec.heats)),
            status=status,
            riders=riders,
            order=match.places,
            wins=match.wins,
            races=[
                StandingsRace(
                    event=race.id,
                    status=heats[race.id].status,
                    winner=result.order[0] if result.order else None,
                    winner_last_200=result.winner_last_200,
                )
                for race in races
                for result in [heats[race.id].result]
            ],
        )

    def _decided(
        self, heats: Mapping[str, HeatState]
    ) -> tuple[dict[str, list[list[int]]], dict[tuple[str, int], Match]]:
        """Each match's state from its final races; the places of the rounds all decided."""
        decided: dict[str, list[list[int]]] = {}
        matches: dict[tuple[str, int], Match] = {}
        for spec in self.plan.rounds:
            if spec.name not in self._matches:
                continue
            places = []
            for heat, riders in enumerate(self._matches[spec.name], 1):
                final = []
                for race in self._races[(spec.name, heat)]:
                    state = heats.get(race.id)
                    if state is None or state.status != "final":
                        break
                    final.append(_race(state))
                match = match_state(riders, final, spec.best_of)
                matches[(spec.name, heat)] = match
                places.append(match.places)
            if all(matches[(spec.name, heat)].decided for heat in range(1, len(places) + 1)):
                decided[spec.name] = places
        return decided, matches

    def _make_race(self, round_name: str, heat: int, race: int) -> MeetEvent:
        spec = self.spec
        planned = self.plan.round(round_name)
        heats = len(planned.heats)
        riders = race_start_list(self._matches[round_name][heat - 1], race)
        match = heat_event(spec, round_name, heat, heats, tuple(riders))
        event = msgspec.structs.replace(
            match,
            id=spec.race_id(round_name, heat, heats, race, planned.best_of),
            name=match.name + (f", race {race}" if planned.best_of > 1 else ""),
        )
        self._races[(round_name, heat)].append(event)
        self.heats[round_name].append(event)
        return event

    def _named(self, line: ResultLine) -> ResultLine:
        rider = self.meet.rider(line.bib)
        return ResultLine(
            rank=line.rank, bib=line.bib, name=rider.name, nation=rider.nation, status=line.status
        )


def _race(state: HeatState) -> Race:
    lines = state.result.lines
    return Race(
        order=list(state.result.order),
        disqualified=frozenset(line.bib for line in lines if line.status is Status.DSQ),
        unranked=tuple(
            line.bib for line in lines if line.rank is None and line.status is not Status.DSQ
        ),
        dead_heat=sum(line.rank == 1 for line in lines) > 1,
    )
