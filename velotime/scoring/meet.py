"""The meet file: who rides (bibs, names, nations, transponders) and what is raced.

A TOML file validated up front, so that a wrong bib or a misspelt discipline is found at the
desk before the session, with every problem named by its key (docs/meet-format.md).
"""

import re
import tomllib
from pathlib import Path
from typing import Literal

import msgspec

Discipline = Literal["flying200", "time_trial", "keirin"]
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")  # used in MQTT topics and file names


class MeetError(Exception):
    """Every problem found, one line each: "FILE: events[2].start_order[4]: no rider 99"."""

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


class _Table(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class MeetInfo(_Table, frozen=True, kw_only=True):
    id: str
    name: str = ""


class Rider(_Table, frozen=True, kw_only=True):
    bib: int
    name: str
    nation: str = ""  # or team
    transponders: tuple[int, ...] = ()


class MeetEvent(_Table, frozen=True, kw_only=True):
    id: str
    discipline: Discipline
    category: str = ""
    round: str = ""
    heat: str = ""
    name: str = ""
    start_order: tuple[int, ...] = ()  # flying200, time_trial: bibs in riding order
    riders: tuple[int, ...] = ()  # keirin: the entrants, in seeding order
    distance_m: int | None = None  # time_trial: required
    qualify: int | None = None  # flying200: how many go on to the sprint


class Meet(_Table, frozen=True, kw_only=True):
    meet: MeetInfo
    riders: tuple[Rider, ...]
    events: tuple[MeetEvent, ...]

    def rider(self, bib: int) -> Rider:
        for rider in self.riders:
            if rider.bib == bib:
                return rider
        raise KeyError(bib)

    def event(self, event_id: str) -> MeetEvent:
        for event in self.events:
            if event.id == event_id:
                return event
        raise KeyError(event_id)

    def bib_of_transponder(self) -> dict[int, int]:
        return {t: rider.bib for rider in self.riders for t in rider.transponders}


def load_meet(path: Path) -> Meet:
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MeetError(f"{path}: cannot read: {exc}") from None
    return parse_meet(text, source=str(path))


def parse_meet(text: str, source: str = "<meet>") -> Meet:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MeetError(f"{source}: invalid TOML: {exc}") from None
    try:
        meet = msgspec.convert(raw, Meet)
    except msgspec.ValidationError as exc:
        raise MeetError(f"{source}: {_where(exc)}") from None
    problems = [f"{source}: {problem}" for problem in _check(meet)]
    if problems:
        raise MeetError(*problems)
    return meet


def _where(exc: msgspec.ValidationError) -> str:
    """msgspec says "Expected `int`, got `str` - at `$.riders[3].bib`": key path first."""
    message, _, path = str(exc).partition(" - at `$")
    return f"{path.rstrip('`').lstrip('.')}: {message}" if path else message


def _check(meet: Meet) -> list[str]:
    problems: list[str] = []
    if not _ID.fullmatch(meet.meet.id):
        problems.append(f"meet.id: lowercase letters, digits, '-' and '_', got {meet.meet.id!r}")
    bibs: dict[int, int] = {}
    transponders: dict[int, int] = {}
    for i, rider in enumerate(meet.riders):
        if rider.bib <= 0:
            problems.append(f"riders[{i}].bib: must be a positive number, got {rider.bib}")
        if rider.bib in bibs:
            problems.append(f"riders[{i}].bib: {rider.bib} is also riders[{bibs[rider.bib]}]")
        bibs.setdefault(rider.bib, i)
        for t in rider.transponders:
            if t in transponders and transponders[t] != rider.bib:
                problems.append(f"riders[{i}].transponders: {t} is also rider {transponders[t]}'s")
            transponders.setdefault(t, rider.bib)
    ids: dict[str, int] = {}
    for i, event in enumerate(meet.events):
        at = f"events[{i}]"
        if not _ID.fullmatch(event.id):
            problems.append(f"{at}.id: lowercase letters, digits, '-' and '_', got {event.id!r}")
        if event.id in ids:
            problems.append(f"{at}.id: {event.id!r} is also events[{ids[event.id]}]")
        ids.setdefault(event.id, i)
        problems += _check_event(at, event, bibs)
    return problems


def _check_event(at: str, event: MeetEvent, bibs: dict[int, int]) -> list[str]:
    problems: list[str] = []
    listed = "riders" if event.discipline == "keirin" else "start_order"
    other = "start_order" if listed == "riders" else "riders"
    entrants: tuple[int, ...] = getattr(event, listed)
    if not entrants:
        problems.append(f"{at}.{listed}: a {event.discipline} event needs its {listed}")
    if getattr(event, other):
        problems.append(f"{at}.{other}: not used by {event.discipline}; use {listed}")
    seen: set[int] = set()
    for j, bib in enumerate(entrants):
        if bib not in bibs:
            problems.append(f"{at}.{listed}[{j}]: no rider with bib {bib} in [[riders]]")
        if bib in seen:
            problems.append(f"{at}.{listed}[{j}]: bib {bib} twice")
        seen.add(bib)
    if event.discipline == "time_trial" and (event.distance_m is None or event.distance_m <= 0):
        problems.append(f"{at}.distance_m: a time trial needs its distance in metres")
    if event.discipline != "time_trial" and event.distance_m is not None:
        problems.append(f"{at}.distance_m: only a time trial takes a distance")
    if event.qualify is not None and (event.discipline != "flying200" or event.qualify < 0):
        problems.append(f"{at}.qualify: a number of riders, for a flying200 event only")
    if event.discipline == "keirin" and entrants and not len(entrants) >= 6:
        problems.append(f"{at}.riders: a keirin needs at least 6 riders, got {len(entrants)}")
    return problems
