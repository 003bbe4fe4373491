"""What every competition the engine runs has in common (keirin, sprint tournament, pursuit or
team sprint rounds): heats made round by round, as the rounds feeding them become final.

`DrivenCompetition` is the engine's view of one; `heat_event` makes a heat's event as all three
name and number it, `competition_standings` their payload; `ridden` and `drawn_after` are the
bookkeeping the keirin and the timed rounds share (a sprint's races hang off matches, and keep
their own).
"""

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from msgspec import UNSET, UnsetType

from velotime.scoring.disciplines.base import EventState, Scorer
from velotime.scoring.meet import MeetCompetition, MeetEvent
from velotime.wire.results import EventStatus, ResultLine, Standings, StandingsRound

Result_co = TypeVar("Result_co", covariant=True)
Result = TypeVar("Result")
State = TypeVar("State")


class HeatOfRound(Protocol[Result_co]):
    """One heat as its competition reads it: its status and its result as it stands."""

    @property
    def status(self) -> EventStatus: ...

    @property
    def result(self) -> Result_co: ...


class DrivenCompetition(Protocol[State]):
    """A competition the engine drives: `State` is what it needs of each of its heats."""

    spec: MeetCompetition
    # round name -> the heats (races) made in it so far, for the engine to score and publish
    heats: dict[str, list[MeetEvent]]

    def start(self) -> list[MeetEvent]: ...

    def heat_state(self, state: EventState, scorer: Scorer | None) -> State: ...

    def progress(self, heats: Mapping[str, State]) -> list[MeetEvent]: ...

    def standings(self, heats: Mapping[str, State]) -> Standings: ...

    def drawn_after(self, event_id: str) -> list[str]: ...


# A heat's name when the meet gives the competition none.
_DEFAULT_NAMES = {
    "keirin": "Keirin",
    "sprint": "Sprint",
    "individual_pursuit": "Individual pursuit",
    "team_pursuit": "Team pursuit",
    "team_sprint": "Team sprint",
}


def heat_event(
    spec: MeetCompetition, round_name: str, heat: int, heats: int, riders: tuple[int, ...]
) -> MeetEvent:
    """Heat `heat` of a round of `heats`: "keirin-m-round-1-2", "Keirin, round 1, heat 2"; a
    round of one heat is not numbered. Every heat is over the competition's laps, if any."""
    numbered = heats > 1
    name = f"{spec.name or _DEFAULT_NAMES[spec.discipline]}, {round_name}"
    return MeetEvent(
        id=spec.heat_id(round_name, heat, heats),
        discipline=spec.discipline,
        category=spec.category,
        round=round_name,
        heat=str(heat) if numbered else "",
        name=name + (f", heat {heat}" if numbered else ""),
        riders=riders,
        laps=spec.laps,
    )


def competition_standings(
    spec: MeetCompetition,
    table: str,
    rounds: list[StandingsRound],
    classification: list[ResultLine],
    problems: list[str],
    qualifiers: list[int] | UnsetType = UNSET,
) -> Standings:
    """The competition's standings by its `table` (format): final once it is classified."""
    return Standings(
        competition=spec.id,
        discipline=spec.discipline,
        name=spec.name,
        category=spec.category,
        format=table,
        status="final" if classification else "running",
        rounds=rounds,
        classification=classification,
        problems=problems,
        qualifiers=qualifiers,
    )


def ridden(
    rounds: Mapping[str, list[MeetEvent]], heats: Mapping[str, HeatOfRound[Result]]
) -> dict[str, list[Result]]:
    """The results of the rounds whose every heat is final: only those count for a draw,
    never a provisional order."""
    return {
        name: [heats[event.id].result for event in events]
        for name, events in rounds.items()
        if all(heats[event.id].status == "final" for event in events)
    }


def drawn_after(
    order: Sequence[str], rounds: Mapping[str, list[MeetEvent]], event_id: str
) -> list[str]:
    """The heats of the rounds after this heat's (rounds in riding `order`), drawn already:
    drawn from its result."""
    for name, events in rounds.items():
        if event_id in [event.id for event in events]:
            later = order[order.index(name) + 1 :]
            return [event.id for n in later for event in rounds.get(n, [])]
    return []
