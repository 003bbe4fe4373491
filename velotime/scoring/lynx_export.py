"""A meet as the FinishLynx camera's input files (lynx.ppl, lynx.evt, lynx.sch), so that the
camera operator picks the heat instead of typing bibs.

FinishLynx numbers its events; a meet names them. The meet's `[[events]]` are numbered 1, 2, ...
in file order, then its `[[competitions]]`: each competition is one FinishLynx event, its rounds
numbered in riding order (round 1, repechage, ...: 1, 2, ...), their heats 1, 2, ... Round 1's
heats have their riders from the seeding (serpentine, as the engine draws them); a later round's
have theirs once it is drawn up (`draws`, the competitions' standings), else none yet. Each
entrant's lane is its place in the start list. The event name is the meet's (with the category
first), the distance the event's where the meet gives one (a time trial's, 200 for a flying
200 m).
"""

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from velotime.protocols.lynx_exchange import (
    LynxEntrant,
    LynxHeat,
    LynxPerson,
    encode_evt,
    encode_ppl,
    encode_sch,
    windows_1252_text,
)
from velotime.scoring.competition import KeirinCompetition
from velotime.scoring.meet import Meet, Rider
from velotime.wire.results import Standings

FLYING_200_M = 200


class LynxFiles(NamedTuple):
    ppl: bytes
    evt: bytes
    sch: bytes
    heats: list[tuple[LynxHeat, str]]  # each heat, with the meet's id of it
    changed: list[str]  # "bib 12: 'Łukasz' as 'Lukasz'": text the camera cannot hold, replaced


def lynx_files(meet: Meet, draws: Mapping[str, Standings]) -> LynxFiles:
    """The three files of `meet`; `draws`: the standings of its competitions, by id, where
    later rounds have been drawn up. ValueError when they name a bib the meet lacks."""
    writer = _Writer()
    people = {rider.bib: writer.person(rider) for rider in meet.riders}
    heats: list[tuple[LynxHeat, str]] = []
    for number, event in enumerate(meet.events, 1):
        entrants = event.riders or event.start_order  # a keirin heat's or a bunch race's riders
        distance = FLYING_200_M if event.discipline == "flying200" else event.distance_m
        heat = LynxHeat(
            event=str(number),
            round=1,
            heat=1,
            name=writer.event_name(event.id, event.category, event.name or event.id),
            distance_m=distance,
            entrants=_entrants(entrants, people),
        )
        heats.append((heat, event.id))
    for number, spec in enumerate(meet.competitions, len(meet.events) + 1):
        if spec.discipline != "keirin":
            continue  # a pursuit's or team sprint's heats are timed on the pursuit lines
        competition = KeirinCompetition(spec)
        drawn = _drawn(draws[spec.id], competition, people) if spec.id in draws else {}
        drawn[competition.plan.rounds[0].name] = [list(e.riders) for e in competition.start()]
        for round_number, planned in enumerate(competition.plan.rounds, 1):
            startlists = drawn.get(planned.name, [])
            for heat_number in range(1, planned.heats + 1):
                event_id = spec.heat_id(planned.name, heat_number, planned.heats)
                # As the engine names its heats (velotime.scoring.competition).
                name = f"{spec.name or 'Keirin'}, {planned.name}" + (
                    f", heat {heat_number}" if planned.heats > 1 else ""
                )
                riders = startlists[heat_number - 1] if heat_number <= len(startlists) else []
                heat = LynxHeat(
                    event=str(number),
                    round=round_number,
                    heat=heat_number,
                    name=writer.event_name(event_id, spec.category, name),
                    entrants=_entrants(riders, people),
                )
                heats.append((heat, event_id))
    title = writer.text("the meet's name", meet.meet.name or meet.meet.id)
    return LynxFiles(
        ppl=encode_ppl(
            [people[bib] for bib in sorted(people)],
            f"Riders of {title} in bib order - written by velotime",
        ),
        evt=encode_evt(heat for heat, _ in heats),
        sch=encode_sch((heat.key for heat, _ in heats), f"Heats of {title} - written by velotime"),
        heats=heats,
        changed=writer.changed,
    )


class _Writer:
    """Text as the camera holds it, each change said (`changed`)."""

    def __init__(self) -> None:
        self.changed: list[str] = []

    def text(self, what: str, text: str) -> str:
        camera = windows_1252_text(text)
        if camera != text:
            self.changed.append(f"{what}: {text!r} as {camera!r}")
        return camera

    def person(self, rider: Rider) -> LynxPerson:
        last, first = rider.last_and_first()
        at = f"bib {rider.bib}"
        return LynxPerson(
            id=str(rider.bib),
            last_name=self.text(at, last),
            first_name=self.text(at, first),
            affiliation=self.text(at, rider.nation),
        )

    def event_name(self, event_id: str, category: str, name: str) -> str:
        return self.text(event_id, f"{category} {name}" if category else name)


def _drawn(
    standings: Standings, competition: KeirinCompetition, people: Mapping[int, LynxPerson]
) -> dict[str, list[list[int]]]:
    """The start lists of the rounds drawn up so far; ValueError where the standings are not
    this competition's (another meet's, or an older table's): a round it does not have, more
    heats than it plans, a bib the meet lacks."""
    planned = {r.name: r.heats for r in competition.plan.rounds}
    drawn = {r.name: [heat.riders for heat in r.heats] for r in standings.rounds if r.heats}
    of = f"the standings of {standings.competition}"
    for name, startlists in drawn.items():
        if name not in planned:
            raise ValueError(f"{of} have a round {name!r} the meet's competition has not")
        if len(startlists) > planned[name]:
            raise ValueError(f"{of}: {name} has {len(startlists)} heats, the meet plans "
                             f"{planned[name]}")  # fmt: skip
        for bib in (bib for riders in startlists for bib in riders):
            if bib not in people:
                raise ValueError(f"{of} name bib {bib}, not in the meet")
    return drawn


def _entrants(bibs: Sequence[int], people: Mapping[int, LynxPerson]) -> tuple[LynxEntrant, ...]:
    """The riders in start order, each in the lane of its place in it."""
    return tuple(
        LynxEntrant(
            id=person.id,
            lane=lane,
            last_name=person.last_name,
            first_name=person.first_name,
            affiliation=person.affiliation,
        )
        for lane, person in enumerate((people[bib] for bib in bibs), 1)
    )
