"""A pursuit or team sprint competition as the engine runs it: the qualifying heats from the
riding order, the later rounds drawn as the rounds feeding them become final, and the
standings (each heat's entrants, times and winner; the final classification) published.

The rules are those of `velotime.scoring.rules.timed_rounds`; a heat is read only through its
scorer's `result(state)` (a `TimedHeatResult`), whichever of the three disciplines it is. A
round counts for the draw only when every heat of it is final, never from a provisional result.
"""

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import msgspec
from msgspec import UNSET

from velotime.scoring.disciplines.base import EventState, Scorer
from velotime.scoring.drawn_rounds import competition_standings, drawn_after, heat_event
from velotime.scoring.drawn_rounds import ridden as ridden_rounds
from velotime.scoring.meet import Meet, MeetCompetition, MeetEvent, MeetTeam
from velotime.scoring.rules.official import (
    gap_string,
    gap_us,
    official_string_or_none,
    official_us,
)
from velotime.scoring.rules.timed_heat import TimedHeatResult
from velotime.scoring.rules.timed_rounds import (
    RoundSpec,
    classify,
    numbered_draw,
    rank_by_time,
    round_pools,
    winner,
)
from velotime.wire.results import (
    EventStatus,
    ResultLine,
    Standings,
    StandingsEntrant,
    StandingsHeat,
    StandingsRank,
    StandingsRound,
    Status,
)


@runtime_checkable
class GivesTimedHeat(Protocol):
    """A scorer of a pursuit or team sprint heat."""

    def result(self, state: EventState) -> TimedHeatResult: ...


class TimedHeatState(msgspec.Struct, frozen=True, kw_only=True):
    """What the competition needs of one heat: its status and its result as it stands."""

    status: EventStatus
    result: TimedHeatResult


class TimedCompetition:
    def __init__(self, spec: MeetCompetition, meet: Meet) -> None:
        self.spec = spec
        self.meet = meet
        self.plan = spec.timed_format()  # the meet file's checks made sure it exists
        self.teams: dict[int, MeetTeam] = {team.number: team for team in spec.teams}
        self.heats: dict[str, list[MeetEvent]] = {}  # round name -> its heats, once drawn
        self.problems: list[str] = []  # why the next round cannot be drawn up, if it cannot

    def start(self) -> list[MeetEvent]:
        """The qualifying heats, from the riding order (or the meet's own pairing)."""
        return self._made(self._draw({}))

    @staticmethod
    def heat_state(state: EventState, scorer: Scorer | None) -> TimedHeatState:
        """A heat of a discipline velotime does not score yet (no scorer) has no result: its
        round is never ridden, and the standings show its start list only."""
        if scorer is None:
            return TimedHeatState(status=state.status, result=TimedHeatResult())
        if not isinstance(scorer, GivesTimedHeat):
            raise TypeError(f"{state.event.id}: a timed heat scored as {type(scorer).__name__}")
        return TimedHeatState(status=state.status, result=scorer.result(state))

    def progress(self, heats: Mapping[str, TimedHeatState]) -> list[MeetEvent]:
        """The heats of every round whose feeding rounds are now all final (new ones only)."""
        try:
            drawn = self._draw(ridden_rounds(self.heats, heats))
        except ValueError as exc:  # e.g. a dead heat deciding who rides a final
            self.problems = [str(exc)]
            return []
        self.problems = []
        return self._made({name: lists for name, lists in drawn.items() if name not in self.heats})

    def standings(self, heats: Mapping[str, TimedHeatState]) -> Standings:
        ridden = ridden_rounds(self.heats, heats)
        classification: list[ResultLine] = []
        if len(ridden) == len(self.plan.rounds):
            try:
                classification = self._named(
                    classify(self.plan, self.spec.seeding, ridden, self.spec.qualifying_heats)
                )
            except ValueError as exc:
                self.problems = [str(exc)]
        rounds = [
            StandingsRound(
                name=spec.name,
                heats=[
                    self._heat(event, heats[event.id]) for event in self.heats.get(spec.name, [])
                ],
                ranking=self._ranking(spec, heats) if spec.pools else UNSET,
            )
            for spec in self.plan.rounds
        ]
        return competition_standings(
            self.spec, self.plan.name, rounds, classification, self.problems
        )

    def drawn_after(self, event_id: str) -> list[str]:
        """The heats of the rounds after this heat's, drawn already: drawn from its result."""
        return drawn_after([r.name for r in self.plan.rounds], self.heats, event_id)

    def entrants(self, event: MeetEvent) -> list[int]:
        """A heat's entrants, home side first: riders' bibs, or teams' numbers."""
        return [team.number for team in event.teams] if event.teams else list(event.riders)

    def _heat(self, event: MeetEvent, heat: TimedHeatState) -> StandingsHeat:
        lines = heat.result.lines
        spec = self._round(event.round)
        won = winner(heat.result) if spec.match and lines else None
        if won is not None:
            order = [won] + [line.entrant for line in lines if line.entrant != won]
        else:
            order = [r.line.entrant for r in rank_by_time(lines, spec.dns_placed) if r.rank]
        return StandingsHeat(
            event=event.id,
            status=heat.status,
            riders=self.entrants(event),
            order=order if lines else [],
            entrants=[
                StandingsEntrant(
                    entrant=line.entrant,
                    time=official_string_or_none(line.time_us),
                    time_us=line.time_us,
                    status=line.status,
                    won=line.won,
                    caught=line.caught,
                )
                for line in lines
            ],
            winner=won if spec.match else UNSET,
        )

    def _ranking(self, spec: RoundSpec, heats: Mapping[str, TimedHeatState]) -> list[StandingsRank]:
        """The round ranked by time, group by group, from its final heats (never a provisional
        result); where each goes once the rounds it feeds are drawn."""
        events = self.heats.get(spec.name, [])
        final = [
            (int(event.heat or 1), heats[event.id].result)
            for event in events
            if heats[event.id].status == "final"
        ]
        try:
            groups = round_pools(self.plan, spec.name, final)
        except ValueError:  # a final match heat without a winner: said by `progress`
            return []
        goes_to = self._goes_to(spec) if events and len(final) == len(events) else {}
        out = []
        for group, ranked in groups:
            fastest = ranked[0].line.time_us if ranked else None
            for entry in ranked:
                assert entry.rank is not None  # a pool holds the ranked only
                line = entry.line
                timed = line.time_us is not None and line.status is Status.RANKED
                gap = None
                if timed and entry.rank > 1 and fastest is not None and line.time_us is not None:
                    gap = gap_string(gap_us(official_us(line.time_us), official_us(fastest)))
                out.append(
                    StandingsRank(
                        rank=entry.rank,
                        entrant=line.entrant,
                        group=group,
                        time=official_string_or_none(line.time_us),
                        time_us=line.time_us,
                        gap=gap,
                        status=line.status,
                        tied=entry.tied,
                        to=goes_to.get(line.entrant, "out" if goes_to else None),
                    )
                )
        return out

    def _goes_to(self, spec: RoundSpec) -> dict[int, str]:
        """Entrant -> the heat of a later round this round's ranking drew them into ("final
        1-2", "first round, heat 4"); empty until every round it feeds is drawn."""
        groups = {pool.name for pool in spec.pools}
        fed = [
            later
            for later in self.plan.rounds
            if any(seat.pool in groups for pair in later.pairs for seat in pair)
        ]
        if not fed or any(later.name not in self.heats for later in fed):
            return {}
        out: dict[int, str] = {}
        for later in fed:
            for event in self.heats[later.name]:
                heat = f"{later.name}, heat {event.heat}" if event.heat else later.name
                for entrant in self.entrants(event):
                    out.setdefault(entrant, heat)
        return out

    def _draw(
        self, ridden: Mapping[str, list[TimedHeatResult]]
    ) -> dict[str, list[tuple[int, list[int]]]]:
        return numbered_draw(self.plan, self.spec.seeding, ridden, self.spec.qualifying_heats)

    def _named(self, lines: list[ResultLine]) -> list[ResultLine]:
        """The classification with the riders' or teams' names and nations."""
        out = []
        for line in lines:
            if self.teams:
                team = self.teams[line.bib]
                name, nation = team.name, team.nation
            else:
                rider = self.meet.rider(line.bib)
                name, nation = rider.name, rider.nation
            out.append(msgspec.structs.replace(line, name=name, nation=nation))
        return out

    def _made(self, drawn: Mapping[str, list[tuple[int, list[int]]]]) -> list[MeetEvent]:
        """The events of the rounds drawn: a heat keeps its number in the round's table (one
        not ridden for want of entrants leaves its number unused)."""
        made: list[MeetEvent] = []
        for round_name, numbered in drawn.items():
            rules = self._round(round_name)
            planned = len(rules.pairs) if rules.pairs else len(numbered)
            events = [
                self._event(rules, number, planned, entrants) for number, entrants in numbered
            ]
            self.heats[round_name] = events
            made += events
        return made

    def _round(self, name: str) -> RoundSpec:
        return next(r for r in self.plan.rounds if r.name == name)

    def _event(self, rules: RoundSpec, heat: int, heats: int, entrants: list[int]) -> MeetEvent:
        teams = tuple(self.teams[number] for number in entrants) if self.teams else ()
        riders = tuple(bib for team in teams for bib in team.riders) if teams else tuple(entrants)
        return msgspec.structs.replace(
            heat_event(self.spec, rules.name, heat, heats, riders),
            teams=teams,
            distance_m=self.spec.distance_m,
            match=rules.match,
            catch_ends=rules.catch_ends,
        )
