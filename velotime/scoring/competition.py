"""A keirin competition as the engine runs it: heats made as the rounds are ridden, and the
standings (start lists, heat orders, the final classification) published per competition.

Round 1's heats exist from the start, seeded from the meet's `seeding`. A later round's heats
are made once every heat of the rounds feeding it is final: a heat counts for progression only
when the commissaires have said so, never from a provisional order. The rules are those of
`velotime.scoring.rules.keirin_progression`; this module keeps track of what has been ridden.
"""

from collections.abc import Mapping

import msgspec

from velotime.scoring.disciplines.base import EventState, Scorer
from velotime.scoring.disciplines.keirin import KeirinScorer
from velotime.scoring.drawn_rounds import competition_standings, drawn_after, heat_event
from velotime.scoring.drawn_rounds import ridden as ridden_rounds
from velotime.scoring.meet import MeetCompetition, MeetEvent
from velotime.scoring.rules.keirin import HeatResult
from velotime.scoring.rules.keirin_progression import advance, classify, seed_round_1
from velotime.wire.results import EventStatus, Standings, StandingsHeat, StandingsRound


class HeatState(msgspec.Struct, frozen=True, kw_only=True):
    """What the competition needs of one heat: its status and, once final, its result."""

    status: EventStatus
    result: HeatResult


class KeirinCompetition:
    def __init__(self, spec: MeetCompetition) -> None:
        self.spec = spec
        self.plan = spec.plan()  # the meet file's checks made sure one fits
        self.heats: dict[str, list[MeetEvent]] = {}  # round name -> its heats, once known
        self.problems: list[str] = []  # why the next round cannot be drawn up, if it cannot

    def start(self) -> list[MeetEvent]:
        """Round 1's heats, from the seeding."""
        first = self.plan.rounds[0]
        return self._make(first.name, seed_round_1(self.plan, self.spec.seeding))

    @staticmethod
    def heat_state(state: EventState, scorer: Scorer | None) -> HeatState:
        """What the competition needs of one of its heats, from the heat's scorer."""
        if not isinstance(scorer, KeirinScorer):
            raise TypeError(f"{state.event.id}: a keirin heat scored as {type(scorer).__name__}")
        return HeatState(status=state.status, result=scorer.result(state))

    def progress(self, heats: Mapping[str, HeatState]) -> list[MeetEvent]:
        """The heats of every round whose feeding rounds are now all final (new ones only)."""
        ridden = ridden_rounds(self.heats, heats)
        try:
            startlists = advance(self.plan, ridden)
        except ValueError as exc:  # e.g. a dead heat across a qualifying place
            self.problems = [str(exc)]
            return []
        self.problems = []
        made: list[MeetEvent] = []
        for name, lists in startlists.items():
            if name not in self.heats:
                made += self._make(name, lists)
        return made

    def standings(self, heats: Mapping[str, HeatState]) -> Standings:
        ridden = ridden_rounds(self.heats, heats)
        over = len(ridden) == len(self.plan.rounds)
        classification = []
        if over:
            try:
                classification = classify(self.plan, ridden)
            except ValueError as exc:
                self.problems = [str(exc)]
        rounds = [
            StandingsRound(
                name=planned.name,
                heats=[
                    StandingsHeat(
                        event=event.id,
                        status=heats[event.id].status,
                        riders=list(event.riders),  # the start list, in seeding order
                        order=heats[event.id].result.order,
                    )
                    for event in self.heats.get(planned.name, [])
                ],
            )
            for planned in self.plan.rounds
        ]
        return competition_standings(
            self.spec, self.plan.format, rounds, classification, self.problems
        )

    def drawn_after(self, event_id: str) -> list[str]:
        """The heats of the rounds after this heat's, drawn already: drawn from its result."""
        return drawn_after([planned.name for planned in self.plan.rounds], self.heats, event_id)

    def _make(self, round_name: str, startlists: list[list[int]]) -> list[MeetEvent]:
        events = [
            heat_event(self.spec, round_name, heat, len(startlists), tuple(riders))
            for heat, riders in enumerate(startlists, 1)
        ]
        self.heats[round_name] = events
        return events
