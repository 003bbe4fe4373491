"""The meet file: who rides (bibs, names, nations, transponders) and what is raced.

A TOML file validated up front, so that a wrong bib or a misspelt discipline is found at the
desk before the session, with every problem named by its key (docs/meet-format.md).
"""

import re
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Literal

import msgspec

from velotime.config.problems import Problems, ProblemsError, load_toml, unknown_value
from velotime.protocols.p3.constants import U32_MAX
from velotime.scoring.rules.keirin_progression import (
    FORMATS,
    Competition,
    Format,
    RoundSpec,
    UnsupportedEntrantsError,
    plan,
)
from velotime.scoring.rules.omnium import FORMATS as OMNIUM_FORMATS
from velotime.scoring.rules.omnium import TIMED_KINDS, OmniumFormat
from velotime.scoring.rules.plausible import FLYING_200, Window, time_trial_window
from velotime.scoring.rules.sprint_tournament import Format as SprintFormat
from velotime.scoring.rules.sprint_tournament import RoundSpec as SprintRoundSpec
from velotime.scoring.rules.sprint_tournament import Tournament
from velotime.scoring.rules.sprint_tournament import plan as plan_sprint
from velotime.scoring.rules.sprint_tournament import table as sprint_table
from velotime.scoring.rules.timed_rounds import FORMATS as TIMED_FORMATS
from velotime.scoring.rules.timed_rounds import QUALIFYING_ROUND, check_format, qualifying_heats
from velotime.scoring.rules.timed_rounds import Format as TimedFormat
from velotime.scoring.rules.timed_rounds import RoundSpec as TimedRoundSpec
from velotime.times import parse_duration
from velotime.wire.results import Discipline

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")  # used in MQTT topics and file names


class MeetError(ProblemsError):
    """Every problem found, one line each: "FILE: events[2].start_order[4]: no rider 99"."""


class _Table(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class MeetInfo(_Table, frozen=True, kw_only=True):
    id: str
    name: str = ""


class Rider(_Table, frozen=True, kw_only=True):
    bib: int
    name: str  # as printed: "Harrie LAVREYSEN"
    nation: str = ""  # or team
    transponders: tuple[int, ...] = ()
    # The name split, for the photo-finish camera and the riders' CSV, where `name` alone
    # does not split right (split_name): "Daoud Abdullah" is one last name.
    last_name: str = ""
    first_name: str = ""

    def last_and_first(self) -> tuple[str, str]:
        return (self.last_name, self.first_name) if self.last_name else split_name(self.name)


def split_name(name: str) -> tuple[str, str]:
    """(last name, first name) of a name as printed: the last name is the words in capitals at
    its end ("Harrie LAVREYSEN", the UCI's way) or at its start ("LAVREYSEN Harrie"), else its
    last word."""
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    capitals = [word.isupper() for word in words]
    end = len(words)
    while end > 1 and capitals[end - 1]:
        end -= 1
    if end < len(words):
        return " ".join(words[end:]), " ".join(words[:end])
    start = 0
    while start < len(words) - 1 and capitals[start]:
        start += 1
    if start > 0:
        return " ".join(words[:start]), " ".join(words[start:])
    return words[-1], " ".join(words[:-1])


class Plausible(_Table, frozen=True, kw_only=True):
    """An event's plausible window (velotime.scoring.rules.plausible), as official times;
    a bound left out is the discipline's."""

    fastest: str | None = None  # "8.500": a measured time under it is put under check
    slowest: str | None = None  # "20.000": a measured time over it is put under check


class PlausibleDefault(Plausible, frozen=True, kw_only=True):
    """The meet's window for every event of a discipline (a time trial: of a distance)."""

    discipline: Literal["flying200", "time_trial"]
    distance_m: int | None = None  # time_trial: required


class MeetTeam(_Table, frozen=True, kw_only=True):
    """A Madison team (3.2.156): its number, its two riders by bib (each with their own
    transponders, as [[riders]] has them), and its name and nation."""

    number: int
    riders: tuple[int, ...]
    name: str = ""
    nation: str = ""


class MeetEvent(_Table, frozen=True, kw_only=True):
    id: str
    discipline: Discipline
    category: str = ""
    round: str = ""
    heat: str = ""
    name: str = ""
    start_order: tuple[int, ...] = ()  # flying200, time_trial: bibs in riding order
    riders: tuple[int, ...] = ()  # keirin: the entrants, in seeding order; scratch: the field
    distance_m: int | None = None  # time_trial: required
    qualify: int | None = None  # flying200: how many go on to the sprint
    # keirin: the distance in laps (without, the latest crossing counts); scratch: required;
    # elimination: none, the sprints' schedule from the starters and `sprint_every`
    laps: int | None = None
    # points_race: laps between sprints (default: the UCI's by track length, 3.2.116);
    # elimination: 1 to 3 (default: the track's, 3.2.222)
    sprint_every: int | None = None
    # points_race, tempo: laps ridden neutral before the flying start (3.2.120, 3.2.177); with
    # them, a race the desk sends no `start` for starts as the first rider completes them
    neutral_laps: int | None = None
    plausible: Plausible | None = None  # flying200, time_trial: this event's window
    # madison, team_pursuit, team_sprint: the teams; the event's `riders` are then their
    # riders, in team order. In a pursuit or team sprint heat the first team (or rider) starts
    # on the home straight (red), the second on the back straight (green).
    teams: tuple[MeetTeam, ...] = ()
    # individual_pursuit, team_pursuit, team_sprint: the heat is a match, won by the faster
    # or by a catch (finals, first rounds), not only timed (qualifying, 3.2.056)
    match: bool = False
    # individual_pursuit, team_pursuit: a catch ends the race for both (finals, 3.2.057);
    # otherwise the caught rider or team rides on for a time (qualifying, 3.2.086)
    catch_ends: bool = False


TimedDiscipline = Literal["individual_pursuit", "team_pursuit", "team_sprint"]
TIMED_DISCIPLINES: tuple[TimedDiscipline, ...] = (
    "individual_pursuit",
    "team_pursuit",
    "team_sprint",
)


class MeetCompetition(_Table, frozen=True, kw_only=True):
    """A keirin competition from round 1 to the finals, a sprint tournament from the
    qualifying to the finals, or the qualifying and matches of a pursuit or team sprint
    (§2.11, §2.12): its heats are events the engine makes as the rounds are ridden (the first
    from the seeding, later rounds from the results)."""

    id: str
    discipline: Literal["keirin", "sprint"] | TimedDiscipline
    category: str = ""
    name: str = ""
    # the entrants, best first (e.g. the UCI ranking); a sprint: instead of `qualifying`;
    # individual_pursuit: the riders, team_pursuit and team_sprint: the team numbers, in
    # qualifying riding order
    seeding: tuple[int, ...] = ()
    rounds: tuple[RoundSpec, ...] = ()  # keirin: a table of its own; default: the UCI table (§2.5)
    # keirin: every heat's distance in laps, as MeetEvent.laps; team_sprint: 3 (the default)
    # or 2, one a rider (3.2.144)
    laps: int | None = None
    # sprint: seeded from this flying200 event's ranking once it is final; its top `qualifiers`
    # (default: the event's `qualify`) go on
    qualifying: str = ""
    qualifiers: int | None = None
    sprint_rounds: tuple[SprintRoundSpec, ...] = ()  # sprint: a table of its own (§2.3)
    teams: tuple[MeetTeam, ...] = ()  # team_pursuit, team_sprint: the teams, by number
    distance_m: int | None = None  # individual_pursuit, team_pursuit: required (3.2.052, 3.2.077)
    format: str = ""  # pursuits, team sprint: "uci" (the default) or "olympic" (5th-8th raced)
    # pursuits, team sprint: the qualifying heats, each one or two entrants, home side first;
    # default: pairs of the seeding in order (an odd one out rides alone)
    qualifying_heats: tuple[tuple[int, ...], ...] = ()
    # pursuits, team sprint: the rounds after the qualifying, a table of the meet's own
    # (velotime.scoring.rules.timed_rounds.RoundSpec); default: `format`'s
    matches: tuple[TimedRoundSpec, ...] = ()

    def sprint_plan(self, meet: "Meet") -> Tournament:
        """A sprint's table for its number of qualifiers; raises ValueError if none fits."""
        count = len(self.seeding) or self.qualifiers
        if count is None:
            qualifying = meet.event(self.qualifying)  # KeyError: refused by the meet check
            count = 28 if qualifying.qualify is None else qualifying.qualify  # 3.2.033
        if self.sprint_rounds:
            return plan_sprint(
                SprintFormat(name=self.id, qualifiers=count, rounds=self.sprint_rounds)
            )
        return plan_sprint(sprint_table(count))

    def race_id(self, round_name: str, heat: int, heats: int, race: int, best_of: int) -> str:
        """A sprint race's event id: "sprint-m-1-8-3", "sprint-m-1-4-2-r3", "sprint-m-final-r1"."""
        return self.heat_id(round_name, heat, heats) + (f"-r{race}" if best_of > 1 else "")

    def race_ids(self, tournament: Tournament) -> list[str]:
        return [
            self.race_id(r.name, heat, len(r.heats), race, r.best_of)
            for r in tournament.rounds
            for heat in range(1, len(r.heats) + 1)
            for race in range(1, r.best_of + 1)
        ]

    def timed_format(self) -> TimedFormat:
        """The table of a pursuit or team sprint; KeyError for a name the meet check refuses."""
        if self.matches:
            return TimedFormat(name=self.id, rounds=(QUALIFYING_ROUND, *self.matches))
        return TIMED_FORMATS[self.discipline][self.format or "uci"]

    def timed_heat_ids(self) -> list[str]:
        """The event ids every heat of a pursuit or team sprint may take, as the draw numbers
        them (a heat by its place in its round's table, even if an empty one is not ridden)."""
        rounds = self.timed_format().rounds
        counts = [len(qualifying_heats(self.seeding, self.qualifying_heats))]
        counts += [len(r.pairs) for r in rounds[1:]]
        return [
            self.heat_id(r.name, heat, count)
            for r, count in zip(rounds, counts, strict=True)
            for heat in range(1, count + 1)
        ]

    def plan(self) -> Competition:
        """The rounds and heats for this many entrants; raises ValueError if none fits."""
        formats = (Format(name=self.id, entrants=(1, 1000), rounds=self.rounds),)
        return plan(len(self.seeding), formats if self.rounds else FORMATS)

    def heat_id(self, round_name: str, heat: int, heats: int) -> str:
        """The event id of a heat: "keirin-m-round-1-2", "keirin-m-final-1-6" (one heat)."""
        return f"{self.id}-{slug(round_name)}" + (f"-{heat}" if heats > 1 else "")

    def heat_ids(self, competition: Competition) -> list[str]:
        return [
            self.heat_id(r.name, heat, r.heats)
            for r in competition.rounds
            for heat in range(1, r.heats + 1)
        ]


class MeetOmnium(_Table, frozen=True, kw_only=True):
    """An omnium (uci-rules.md §2.10): its races are events of their own, scored as
    `format` says (a built-in table, or one of the meet's `[[omnium_formats]]`)."""

    id: str
    category: str = ""
    name: str = ""
    riders: tuple[int, ...]  # the entrants, in the first race's line-up order (3.2.249 bis)
    format: str = "uci"
    # Each bunch race's distance in laps, by the race's name as in its id: "points-race" = 80.
    laps: dict[str, int] = {}
    # Laps between the sprints of a points or elimination race, by name as `laps` (the
    # event's `sprint_every`); left out: the race's default (3.2.116, 3.2.222).
    sprint_every: dict[str, int] = {}

    def race_ids(self, omnium: OmniumFormat) -> list[str]:
        """The event ids of its races: "omnium-m-scratch", "omnium-m-points-race"."""
        return [f"{self.id}-{slug(race.name)}" for race in omnium.races]


def slug(name: str) -> str:
    """A name as a part of an id: \"Points race\" -> \"points-race\"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Meet(_Table, frozen=True, kw_only=True, dict=True):
    """`dict=True` only holds the lookups below, built once: the scorers ask on every event."""

    meet: MeetInfo
    riders: tuple[Rider, ...]
    events: tuple[MeetEvent, ...] = ()
    competitions: tuple[MeetCompetition, ...] = ()
    plausible: tuple[PlausibleDefault, ...] = ()
    omniums: tuple[MeetOmnium, ...] = ()
    omnium_formats: tuple[OmniumFormat, ...] = ()  # the meet's own scoring tables

    def omnium_format(self, omnium: MeetOmnium) -> OmniumFormat:
        """The table `omnium` is scored by: the meet's own of that name, else a built-in."""
        for own in self.omnium_formats:
            if own.name == omnium.format:
                return own
        return OMNIUM_FORMATS[omnium.format]  # KeyError for a name the meet check refuses

    def window(self, event: MeetEvent) -> Window:
        """The event's plausible window: its own bounds, else the meet's for its discipline
        (and distance), else the rules' defaults (velotime.scoring.rules.plausible)."""
        if event.discipline == "time_trial":
            assert event.distance_m is not None  # the meet check requires it
            window = time_trial_window(event.distance_m)
        else:
            window = FLYING_200
        for table in self.plausible:
            if table.discipline == event.discipline and table.distance_m == event.distance_m:
                window = _bounded(window, table)
        return window if event.plausible is None else _bounded(window, event.plausible)

    def rider(self, bib: int) -> Rider:
        return self._rider_of_bib[bib]  # KeyError for a bib not in the meet

    def event(self, event_id: str) -> MeetEvent:
        for event in self.events:
            if event.id == event_id:
                return event
        raise KeyError(event_id)

    def bib_of_transponder(self) -> Mapping[int, int]:
        return self._bib_of_transponder

    @cached_property
    def _rider_of_bib(self) -> dict[int, Rider]:
        by_bib: dict[int, Rider] = {}
        for rider in self.riders:
            by_bib.setdefault(rider.bib, rider)  # the first, as a scan of `riders` finds it
        return by_bib

    @cached_property
    def _bib_of_transponder(self) -> dict[int, int]:
        return {t: rider.bib for rider in self.riders for t in rider.transponders}


def _bounded(window: Window, table: Plausible) -> Window:
    fastest, slowest = window
    if table.fastest is not None:
        fastest = parse_duration(table.fastest)
    if table.slowest is not None:
        slowest = parse_duration(table.slowest)
    return Window(fastest, slowest)


def load_meet(path: Path, named_by: str = "") -> Meet:
    return read_meet(path, named_by)[0]


def read_meet(path: Path, named_by: str = "") -> tuple[Meet, bytes]:
    """The meet file, validated, and its bytes (the scoring journal ties itself to their hash).
    MeetError with every problem, or with one line naming the file when it cannot be read, led
    by `named_by`, what named it ("velotime.toml: scoring.meet", "--meet")."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        by = f"{named_by}: " if named_by else ""
        raise MeetError(f"{by}{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MeetError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return parse_meet(text, source=str(path)), data


def parse_meet(text: str, source: str = "<meet>") -> Meet:
    """The meet in TOML `text`; MeetError with every problem, worded as the configuration's
    (velotime/config/problems.py)."""
    raw = load_toml(text, source, MeetError)
    problems = Problems(source)
    meet = problems.convert(raw, Meet, [])
    if problems or meet is None:
        raise MeetError(*problems.found)
    found = [f"{source}: {problem}" for problem in _check(meet)]
    if found:
        raise MeetError(*found)
    return _with_team_riders(meet)


def _with_team_riders(meet: Meet) -> Meet:
    """A Madison's `riders` are its teams' riders, in team order: the start list, the
    engine's check of a command's bib and the photo-finish camera's entrants read them there."""
    if not any(event.teams for event in meet.events):
        return meet
    events = tuple(
        msgspec.structs.replace(
            event, riders=tuple(bib for team in event.teams for bib in team.riders)
        )
        if event.teams
        else event
        for event in meet.events
    )
    return msgspec.structs.replace(meet, events=events)


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
        if rider.first_name and not rider.last_name:
            problems.append(f"riders[{i}].first_name: given without last_name")
        for j, t in enumerate(rider.transponders):
            if not 0 <= t <= U32_MAX:
                problems.append(
                    f"riders[{i}].transponders[{j}]: a transponder id is 0 to {U32_MAX} "
                    f"(32 bits), got {t}"
                )
            if t in transponders and transponders[t] != rider.bib:
                problems.append(f"riders[{i}].transponders: {t} is also rider {transponders[t]}'s")
            transponders.setdefault(t, rider.bib)
    problems += _check_plausible(meet)
    ids: dict[str, str] = {}  # event id -> where it comes from
    for i, event in enumerate(meet.events):
        at = f"events[{i}]"
        if not _ID.fullmatch(event.id):
            problems.append(f"{at}.id: lowercase letters, digits, '-' and '_', got {event.id!r}")
        if event.id in ids:
            problems.append(f"{at}.id: {event.id!r} is also {ids[event.id]}")
        ids.setdefault(event.id, at)
        problems += _check_event(at, event, bibs)
    for i, competition in enumerate(meet.competitions):
        at = f"competitions[{i}]"
        if not _ID.fullmatch(competition.id):
            problems.append(
                f"{at}.id: lowercase letters, digits, '-' and '_', got {competition.id!r}"
            )
        if competition.discipline in TIMED_DISCIPLINES:
            found = _check_timed_competition(at, competition, bibs)
            problems += found
            if found:
                continue
            heat_ids = competition.timed_heat_ids()
        else:
            problems += _check_entrants(f"{at}.seeding", competition.seeding, bibs)
            problems += _check_laps(f"{at}.laps", competition.laps)
            problems += _unused_by(at, competition, TIMED_KEYS)
        if competition.discipline == "sprint":
            sprint_problems, heat_ids = _check_sprint(at, competition, meet)
            problems += sprint_problems
            if sprint_problems:
                continue
        elif competition.discipline == "keirin":
            if not competition.seeding:
                problems.append(f"{at}.seeding: a keirin competition needs its entrants")
            if competition.qualifying or competition.qualifiers or competition.sprint_rounds:
                problems.append(f"{at}: qualifying, qualifiers and sprint_rounds are a sprint's")
            try:
                planned = competition.plan()
            except (UnsupportedEntrantsError, ValueError) as exc:
                problems.append(f"{at}: {exc}")
                continue
            heat_ids = competition.heat_ids(planned)
        # A competition's heats are events too: their ids must not be taken.
        for event_id in [competition.id, *heat_ids]:
            if event_id in ids:
                problems.append(f"{at}: the id {event_id!r} is also {ids[event_id]}'s")
            ids.setdefault(event_id, at)
    problems += _check_omniums(meet, bibs, ids)
    return problems


# The keys of a pursuit or team sprint competition only.
TIMED_KEYS = ("teams", "distance_m", "format", "qualifying_heats", "matches")


def _unused_by(at: str, competition: MeetCompetition, keys: tuple[str, ...]) -> list[str]:
    return [
        f"{at}.{key}: not used by a {competition.discipline} competition"
        for key in keys
        if getattr(competition, key)
    ]


# Riders a team starts with: team pursuit 4 (3.2.077; the women's was 3 until 2013, §2.16);
# team sprint one a lap (3.2.144): 3, or 2 for the women's format until 2020.
TEAM_RIDERS = {"team_pursuit": (3, 4), "team_sprint": (2, 3)}


def _check_timed_competition(
    at: str, competition: MeetCompetition, bibs: dict[int, int]
) -> list[str]:
    """A pursuit's or team sprint's entrants, distance, table and qualifying heats."""
    problems: list[str] = []
    discipline = competition.discipline
    if competition.rounds:
        problems.append(f"{at}.rounds: only a keirin takes a table of its own; use format")
    problems += _unused_by(at, competition, ("qualifying", "qualifiers", "sprint_rounds"))
    formats = list(TIMED_FORMATS[discipline])
    if competition.format and competition.format not in formats:
        problems.append(f"{at}.format: {unknown_value(repr(competition.format), formats)}")
    if competition.format and competition.matches:
        problems.append(f"{at}.matches: a table of its own, or format: not both")
    elif competition.matches:
        try:
            check_format(competition.timed_format())
        except ValueError as exc:
            problems.append(f"{at}.matches: {exc}")
    if discipline == "individual_pursuit":
        problems += _check_entrants(f"{at}.seeding", competition.seeding, bibs)
        if competition.teams:
            problems.append(f"{at}.teams: an individual pursuit has riders, not teams")
    else:
        problems += _check_competition_teams(at, competition, bibs)
    if len(competition.seeding) < 2:
        problems.append(f"{at}.seeding: at least 2 entrants, got {len(competition.seeding)}")
    if discipline == "team_sprint":
        if competition.distance_m is not None:
            problems.append(f"{at}.distance_m: a team sprint's distance is given in laps")
        if competition.laps not in (None, *TEAM_RIDERS["team_sprint"]):
            problems.append(f"{at}.laps: a team sprint is 3 laps (or 2), got {competition.laps}")
    else:
        if competition.laps is not None:
            problems.append(f"{at}.laps: a pursuit's distance is given in metres (distance_m)")
        if competition.distance_m is None or competition.distance_m <= 0:
            problems.append(f"{at}.distance_m: a pursuit needs its distance in metres (4000)")
    try:
        qualifying_heats(competition.seeding, competition.qualifying_heats)
    except ValueError as exc:
        problems.append(f"{at}.qualifying_heats: {exc}")
    return problems


def _check_competition_teams(
    at: str, competition: MeetCompetition, bibs: dict[int, int]
) -> list[str]:
    """The teams of a team pursuit or team sprint, and a seeding that names each once."""
    problems: list[str] = []
    low, high = TEAM_RIDERS[competition.discipline]
    numbers: set[int] = set()
    team_of: dict[int, int] = {}  # rider bib -> team number
    for j, team in enumerate(competition.teams):
        where = f"{at}.teams[{j}]"
        problems += _check_team_number(where, team, numbers)
        if competition.discipline == "team_sprint" and len(team.riders) != (competition.laps or 3):
            problems.append(
                f"{where}.riders: a team sprint team is one rider a lap, "
                f"{competition.laps or 3} (3.2.144), got {len(team.riders)}"
            )
        elif not low <= len(team.riders) <= high:
            problems.append(
                f"{where}.riders: a {competition.discipline} team is {low} or {high} riders, "
                f"got {len(team.riders)}"
            )
        problems += _check_team_riders(where, team, bibs, team_of)
    problems += _check_numbers_not_riders(at, competition.teams, team_of)
    seen: set[int] = set()
    for j, number in enumerate(competition.seeding):
        if number not in numbers:
            problems.append(f"{at}.seeding[{j}]: no team {number} in {at}.teams")
        if number in seen:
            problems.append(f"{at}.seeding[{j}]: team {number} twice")
        seen.add(number)
    if unseeded := sorted(numbers - seen):
        problems.append(f"{at}.seeding: teams {unseeded} are not in the riding order")
    return problems


def _check_sprint(at: str, competition: MeetCompetition, meet: Meet) -> tuple[list[str], list[str]]:
    """A sprint tournament's keys, and its races' event ids when they are right."""
    problems: list[str] = []
    if competition.rounds:
        problems.append(f"{at}.rounds: a keirin's table; a sprint's own is `sprint_rounds`")
    if bool(competition.seeding) == bool(competition.qualifying):
        problems.append(f"{at}: a sprint is seeded by `seeding` or by `qualifying`, one of them")
    if competition.seeding and competition.qualifiers is not None:
        problems.append(f"{at}.qualifiers: with `seeding`, its riders are the qualifiers")
    if competition.qualifying:
        try:
            qualifying = meet.event(competition.qualifying)
        except KeyError:
            problems.append(f"{at}.qualifying: no event {competition.qualifying!r} in [[events]]")
        else:
            if qualifying.discipline != "flying200":
                problems.append(
                    f"{at}.qualifying: {competition.qualifying!r} is a {qualifying.discipline}, "
                    "not a flying200"
                )
    if problems:
        return problems, []
    try:
        tournament = competition.sprint_plan(meet)
    except ValueError as exc:
        return [f"{at}: {exc}"], []
    return [], competition.race_ids(tournament)


def _check_entrants(at: str, entrants: tuple[int, ...], bibs: dict[int, int]) -> list[str]:
    problems: list[str] = []
    seen: set[int] = set()
    for j, bib in enumerate(entrants):
        if bib not in bibs:
            problems.append(f"{at}[{j}]: no rider with bib {bib} in [[riders]]")
        if bib in seen:
            problems.append(f"{at}[{j}]: bib {bib} twice")
        seen.add(bib)
    return problems


MAX_KEIRIN_LAPS = 20  # 1.5 km is 9 laps of a 166 m track; 20 laps of 250 m would be 5 km


def _check_laps(at: str, laps: int | None) -> list[str]:
    if laps is None or 1 <= laps <= MAX_KEIRIN_LAPS:
        return []
    return [f"{at}: a keirin's distance in laps, 1 to {MAX_KEIRIN_LAPS}, got {laps}"]


# 200 laps: a 50 km Madison on a 250 m track; a 30 km points race on a 166 m track is 180.
MAX_BUNCH_LAPS = 400
BUNCH_RACES = ("scratch", "madison", "elimination", "points_race", "tempo")
# The bunch races with a sprint every `sprint_every` laps (an elimination race's interval by
# default is the track's, 3.2.222: 1 to 3 laps).
SPRINTED = ("madison", "elimination", "points_race")
MAX_SPRINT_INTERVAL = 3
SPRINTED_RACES = ("points_race", "tempo")  # the races the judges score by sprints
MAX_NEUTRAL_LAPS = 5


def _check_bunch_race(at: str, event: MeetEvent, entrants: tuple[int, ...]) -> list[str]:
    problems: list[str] = []
    if event.discipline == "elimination":
        problems += _check_elimination_laps(at, event)
    elif event.laps is None:
        problems.append(f"{at}.laps: a {event.discipline} race needs its distance in laps")
    elif not 1 <= event.laps <= MAX_BUNCH_LAPS:
        problems.append(
            f"{at}.laps: a {event.discipline} race's distance in laps, 1 to {MAX_BUNCH_LAPS}, "
            f"got {event.laps}"
        )
    if event.distance_m is not None:
        problems.append(
            f"{at}.distance_m: a {event.discipline} race's distance is given in laps (laps = 40)"
        )
    if event.plausible is not None:
        problems.append(f"{at}.plausible: a {event.discipline} race has no timed effort to check")
    if entrants and len(entrants) < 2 and event.discipline != "madison":
        problems.append(f"{at}.riders: a {event.discipline} race needs at least 2 riders")
    if event.qualify is not None:
        problems.append(f"{at}.qualify: a number of riders, for a flying200 event only")
    if event.sprint_every is not None and event.discipline not in SPRINTED:
        problems.append(f"{at}.sprint_every: only a race with sprints ({', '.join(SPRINTED)})")
    elif event.discipline == "elimination":
        pass  # checked with its laps
    elif event.sprint_every is not None and not 1 <= event.sprint_every <= (event.laps or 1):
        problems.append(
            f"{at}.sprint_every: laps between sprints, 1 to the race's {event.laps or 1}, got "
            f"{event.sprint_every}"
        )
    if event.neutral_laps is not None and event.discipline not in SPRINTED_RACES:
        races = ", ".join(SPRINTED_RACES)
        problems.append(f"{at}.neutral_laps: only a bunch race with sprints ({races}) takes it")
    elif event.neutral_laps is not None and not 0 <= event.neutral_laps <= MAX_NEUTRAL_LAPS:
        problems.append(
            f"{at}.neutral_laps: laps ridden neutral before the flying start, 0 to "
            f"{MAX_NEUTRAL_LAPS}, got {event.neutral_laps}"
        )
    return problems


def _check_teams(at: str, event: MeetEvent, bibs: dict[int, int]) -> list[str]:
    """A Madison's teams (3.2.156): two riders each, every rider in one team, and a team
    number that names no other team's rider (a command may name a team by either)."""
    problems: list[str] = []
    if event.discipline == "team_sprint":
        return _check_team_sprint(at, event, bibs)
    if event.discipline != "madison":
        if event.teams:
            problems.append(f"{at}.teams: only a madison event has teams")
        return problems
    if not event.teams:
        problems.append(f"{at}.teams: a madison event needs its teams")
    elif len(event.teams) < 2:
        problems.append(f"{at}.teams: a madison race needs at least 2 teams")
    if event.riders:
        problems.append(f"{at}.riders: not used by madison; its teams name the riders")
    team_of: dict[int, int] = {}  # rider bib -> team number
    numbers: set[int] = set()
    for j, team in enumerate(event.teams):
        where = f"{at}.teams[{j}]"
        problems += _check_team_number(where, team, numbers)
        if len(team.riders) != 2:
            problems.append(f"{where}.riders: a Madison team is two riders, got {len(team.riders)}")
        problems += _check_team_riders(where, team, bibs, team_of)
    problems += _check_numbers_not_riders(at, event.teams, team_of)
    return problems


def _check_team_number(where: str, team: MeetTeam, numbers: set[int]) -> list[str]:
    """A team's number is positive and names no other team: `numbers` collects the numbers
    checked so far, this one's added."""
    problems: list[str] = []
    if team.number <= 0:
        problems.append(f"{where}.number: must be a positive number, got {team.number}")
    if team.number in numbers:
        problems.append(f"{where}.number: team {team.number} twice")
    numbers.add(team.number)
    return problems


def _check_team_riders(
    where: str, team: MeetTeam, bibs: dict[int, int], team_of: dict[int, int]
) -> list[str]:
    """A team's riders are riders of the meet, each in one team only: `team_of` (rider bib ->
    team number) collects the teams checked so far, this one's riders added."""
    problems: list[str] = []
    for k, bib in enumerate(team.riders):
        if bib not in bibs:
            problems.append(f"{where}.riders[{k}]: no rider with bib {bib} in [[riders]]")
        if bib in team_of:
            problems.append(f"{where}.riders[{k}]: bib {bib} is also in team {team_of[bib]}")
        team_of.setdefault(bib, team.number)
    return problems


def _check_numbers_not_riders(
    at: str, teams: Sequence[MeetTeam], team_of: Mapping[int, int]
) -> list[str]:
    """A team number that is another team's rider's bib would make a command naming either
    ambiguous."""
    problems: list[str] = []
    for j, team in enumerate(teams):
        other = team_of.get(team.number, team.number)
        if other != team.number:
            problems.append(
                f"{at}.teams[{j}].number: {team.number} is also a rider of team {other}"
            )
    return problems


TEAM_SPRINT_LAPS = (2, 3)  # 3.2.144: three; two for the women's format up to 2020


def _check_team_sprint(at: str, event: MeetEvent, bibs: dict[int, int]) -> list[str]:
    """A team sprint heat (3.2.144, 3.2.148 bis): one or two teams, each of as many riders as
    laps (each rider leads one), every rider in one team, distinct team numbers."""
    problems: list[str] = []
    laps = event.laps or 3
    if event.laps is not None and event.laps not in TEAM_SPRINT_LAPS:
        problems.append(f"{at}.laps: a team sprint is 3 laps (or 2), got {event.laps}")
    if not 1 <= len(event.teams) <= 2:
        problems.append(
            f"{at}.teams: a team sprint heat is two teams (or one alone), got {len(event.teams)}"
        )
    problems += [
        f"{at}.{name}: not used by team_sprint; its teams name the riders"
        for name in ("riders", "start_order")
        if getattr(event, name)
    ]
    if event.distance_m is not None:
        problems.append(f"{at}.distance_m: a team sprint's distance is its laps")
    team_of: dict[int, int] = {}
    riders = {bib for team in event.teams for bib in team.riders}
    numbers: set[int] = set()
    for j, team in enumerate(event.teams):
        where = f"{at}.teams[{j}]"
        if team.number <= 0 or team.number in numbers or team.number in riders:
            problems.append(
                f"{where}.number: a positive number, neither a rider's bib of the heat nor the "
                f"other team's (a command names the team by it), got {team.number}"
            )
        numbers.add(team.number)
        if len(team.riders) != laps:
            problems.append(
                f"{where}.riders: {laps} riders for {laps} laps, in riding order, got "
                f"{len(team.riders)}"
            )
        problems += _check_team_riders(where, team, bibs, team_of)
    return problems


def _check_elimination_laps(at: str, event: MeetEvent) -> list[str]:
    """An elimination race's laps follow from its starters and the track's sprint interval
    (3.2.222); `sprint_every` overrides the interval, with one of the rules' (1, 2 or 3)."""
    problems: list[str] = []
    if event.laps is not None:
        problems.append(
            f"{at}.laps: an elimination race's laps follow from its riders and the track "
            "(3.2.222: N - 1 sprints, one every 1, 2 or 3 laps); leave laps out, and give "
            "sprint_every to change the interval"
        )
    if event.sprint_every is not None and not 1 <= event.sprint_every <= MAX_SPRINT_INTERVAL:
        problems.append(
            f"{at}.sprint_every: an elimination race's laps between sprints, 1 to "
            f"{MAX_SPRINT_INTERVAL} (3.2.222), got {event.sprint_every}"
        )
    return problems


PURSUITS = ("individual_pursuit", "team_pursuit")
TEAM_PURSUIT_RIDERS = (3, 4)  # four since 2013; the women's team pursuit was three (§2.16)


def _check_pursuit(at: str, event: MeetEvent, bibs: dict[int, int]) -> list[str]:
    """A pursuit heat (uci-rules.md §2.12): one or two entrants (home side first; one rides
    alone), a rider's bib each, or a team of three or four riders; its distance in metres."""
    problems: list[str] = []
    kind = event.discipline
    if kind == "individual_pursuit":
        if event.teams:
            problems.append(f"{at}.teams: an individual pursuit's riders are its `riders`")
        if not 1 <= len(event.riders) <= 2:
            problems.append(
                f"{at}.riders: an individual pursuit heat is one or two riders (home side "
                f"first), got {len(event.riders)}"
            )
        problems += _check_entrants(f"{at}.riders", event.riders, bibs)
    else:
        if event.riders:
            problems.append(f"{at}.riders: not used by team_pursuit; its teams name the riders")
        if not 1 <= len(event.teams) <= 2:
            problems.append(
                f"{at}.teams: a team pursuit heat is one or two teams (home side first), got "
                f"{len(event.teams)}"
            )
        team_of: dict[int, int] = {}
        for j, team in enumerate(event.teams):
            where = f"{at}.teams[{j}]"
            if team.number <= 0:
                problems.append(f"{where}.number: must be a positive number, got {team.number}")
            if len(team.riders) not in TEAM_PURSUIT_RIDERS:
                problems.append(
                    f"{where}.riders: a team pursuit team is four riders (three before 2013), "
                    f"got {len(team.riders)}"
                )
            problems += _check_entrants(f"{where}.riders", team.riders, bibs)
            for k, bib in enumerate(team.riders):
                if team_of.setdefault(bib, team.number) != team.number:
                    problems.append(
                        f"{where}.riders[{k}]: bib {bib} is also in team {team_of[bib]}"
                    )
        numbers = [team.number for team in event.teams]
        if len(set(numbers)) != len(numbers):
            problems.append(f"{at}.teams: two teams with the same number")
        problems += [
            f"{at}.teams: number {n} is also a rider's bib in the heat"
            for n in numbers
            if n in team_of
        ]
    if event.start_order:
        problems.append(f"{at}.start_order: not used by {kind}; the home side comes first")
    if event.distance_m is None or event.distance_m <= 0:
        problems.append(f"{at}.distance_m: a pursuit needs its distance in metres (4000)")
    if event.catch_ends and not event.match:
        problems.append(
            f"{at}.catch_ends: only a match heat (match = true) ends at a catch; in qualifying "
            "the caught rider rides on for a time (3.2.056)"
        )
    for name in ("laps", "sprint_every", "neutral_laps", "qualify", "plausible"):
        if getattr(event, name) is not None:
            problems.append(f"{at}.{name}: not used by {kind}")
    return problems


def _check_event(at: str, event: MeetEvent, bibs: dict[int, int]) -> list[str]:
    if event.discipline in PURSUITS:
        return _check_pursuit(at, event, bibs)
    problems = _check_teams(at, event, bibs)
    if event.discipline == "team_sprint":
        return problems
    if event.discipline == "madison":
        riders = tuple(bib for team in event.teams for bib in team.riders)
        return problems + _check_bunch_race(at, event, riders)
    bunch = event.discipline in BUNCH_RACES
    raced = event.discipline in ("keirin", "sprint")  # riders together, over laps
    listed = "riders" if raced or bunch else "start_order"
    other = "start_order" if listed == "riders" else "riders"
    entrants: tuple[int, ...] = getattr(event, listed)
    if not entrants:
        problems.append(f"{at}.{listed}: a {event.discipline} event needs its {listed}")
    if getattr(event, other):
        problems.append(f"{at}.{other}: not used by {event.discipline}; use {listed}")
    problems += _check_entrants(f"{at}.{listed}", entrants, bibs)
    if bunch:
        return problems + _check_bunch_race(at, event, entrants)
    if event.neutral_laps is not None:
        races = ", ".join(SPRINTED_RACES)
        problems.append(f"{at}.neutral_laps: only a bunch race with sprints ({races}) takes it")
    if event.discipline == "time_trial" and (event.distance_m is None or event.distance_m <= 0):
        problems.append(f"{at}.distance_m: a time trial needs its distance in metres")
    if event.discipline == "keirin" and event.distance_m is not None:
        problems.append(f"{at}.distance_m: a keirin's distance is given in laps (laps = 6)")
    elif event.discipline != "time_trial" and event.distance_m is not None:
        problems.append(f"{at}.distance_m: only a time trial takes a distance")
    if event.sprint_every is not None:
        problems.append(f"{at}.sprint_every: only a race with sprints ({', '.join(SPRINTED)})")
    if not raced and event.laps is not None:
        races = ", ".join(BUNCH_RACES)
        problems.append(f"{at}.laps: only a keirin, a sprint or a bunch race ({races}) takes laps")
    else:
        problems += _check_laps(f"{at}.laps", event.laps)
    if event.qualify is not None and (event.discipline != "flying200" or event.qualify < 0):
        problems.append(f"{at}.qualify: a number of riders, for a flying200 event only")
    if event.plausible is not None:
        if raced:
            problems.append(f"{at}.plausible: a {event.discipline} has no timed effort to check")
        else:
            problems += _check_window(f"{at}.plausible", event.plausible)
    if event.discipline == "keirin" and entrants and not len(entrants) >= 6:
        problems.append(f"{at}.riders: a keirin needs at least 6 riders, got {len(entrants)}")
    if event.discipline == "sprint" and entrants and not 2 <= len(entrants) <= 4:
        problems.append(f"{at}.riders: a sprint race is 2 to 4 riders, got {len(entrants)}")
    return problems


def _check_plausible(meet: Meet) -> list[str]:
    problems: list[str] = []
    seen: dict[tuple[str, int | None], int] = {}
    for i, table in enumerate(meet.plausible):
        at = f"plausible[{i}]"
        if table.discipline == "time_trial" and (table.distance_m is None or table.distance_m <= 0):
            problems.append(
                f"{at}.distance_m: a time trial's window is for one distance, in metres"
            )
        if table.discipline != "time_trial" and table.distance_m is not None:
            problems.append(f"{at}.distance_m: only a time trial's window takes a distance")
        key = (table.discipline, table.distance_m)
        if key in seen:
            problems.append(f"{at}: the same discipline and distance as plausible[{seen[key]}]")
        seen.setdefault(key, i)
        problems += _check_window(at, table)
    return problems


def _check_window(at: str, table: Plausible) -> list[str]:
    """Bounds that are times ("8.500", "1:00.000"), above zero, fastest under slowest."""
    problems: list[str] = []
    bounds: dict[str, int] = {}
    for key in ("fastest", "slowest"):
        text = getattr(table, key)
        if text is None:
            continue
        try:
            bounds[key] = parse_duration(text)
        except ValueError as exc:
            problems.append(f"{at}.{key}: {exc}")
            continue
        if bounds[key] <= 0:
            problems.append(f"{at}.{key}: a time above zero, got {text!r}")
    if len(bounds) == 2 and bounds["fastest"] >= bounds["slowest"]:
        problems.append(f"{at}: fastest ({table.fastest}) must be under slowest ({table.slowest})")
    return problems


# The omnium (uci-rules.md §2.10): its entries and the meet's own scoring tables.


def _check_omniums(meet: Meet, bibs: dict[int, int], ids: dict[str, str]) -> list[str]:
    problems: list[str] = []
    names: dict[str, int] = {}
    for i, own in enumerate(meet.omnium_formats):
        at = f"omnium_formats[{i}]"
        if own.name in OMNIUM_FORMATS:
            problems.append(f"{at}.name: {own.name!r} is a built-in table's; choose another")
        elif own.name in names:
            problems.append(f"{at}.name: {own.name!r} is also omnium_formats[{names[own.name]}]")
        names.setdefault(own.name, i)
        problems += _check_omnium_format(at, own)
    formats = sorted({*OMNIUM_FORMATS, *names})
    for i, omnium in enumerate(meet.omniums):
        at = f"omniums[{i}]"
        if not _ID.fullmatch(omnium.id):
            problems.append(f"{at}.id: lowercase letters, digits, '-' and '_', got {omnium.id!r}")
        if not omnium.riders:
            problems.append(f"{at}.riders: an omnium needs its riders")
        problems += _check_entrants(f"{at}.riders", omnium.riders, bibs)
        if omnium.format not in formats:
            problems.append(f"{at}.format: {unknown_value(repr(omnium.format), formats)}")
            continue
        problems += _check_omnium_laps(at, omnium, meet.omnium_format(omnium))
        problems += _check_omnium_sprints(at, omnium, meet.omnium_format(omnium))
        # An omnium's races are events too: their ids must not be taken.
        # (dict.fromkeys: two races of one name are the format's problem, said above)
        for event_id in dict.fromkeys([omnium.id, *omnium.race_ids(meet.omnium_format(omnium))]):
            if event_id in ids:
                problems.append(f"{at}: the id {event_id!r} is also {ids[event_id]}'s")
            ids.setdefault(event_id, at)
    return problems


def _check_omnium_laps(at: str, omnium: MeetOmnium, table: OmniumFormat) -> list[str]:
    """Each bunch race's distance in laps (an elimination's follows from its riders), for the
    races the format has and no other."""
    problems: list[str] = []
    names = [slug(race.name) for race in table.races]
    for name, laps in omnium.laps.items():
        if name not in names:
            problems.append(f"{at}.laps.{name}: no such race: {unknown_value(repr(name), names)}")
        elif not 1 <= laps <= MAX_BUNCH_LAPS:
            problems.append(
                f"{at}.laps.{name}: a distance in laps, 1 to {MAX_BUNCH_LAPS}, got {laps}"
            )
    for race, name in zip(table.races, names, strict=True):
        if race.kind == "elimination" and name in omnium.laps:
            problems.append(
                f"{at}.laps.{name}: an elimination race's laps follow from its riders and the "
                "track (3.2.222); leave it out"
            )
        elif race.kind in BUNCH_RACES and race.kind != "elimination" and name not in omnium.laps:
            problems.append(f"{at}.laps: the {race.name} race needs its distance ({name} = 40)")
    return problems


def _check_omnium_sprints(at: str, omnium: MeetOmnium, table: OmniumFormat) -> list[str]:
    """The laps between sprints of a points race (1 to its laps) or an elimination race (1 to
    3, 3.2.222), as an event's `sprint_every`."""
    problems: list[str] = []
    kinds = {slug(race.name): race.kind for race in table.races}
    for name, every in omnium.sprint_every.items():
        kind = kinds.get(name)
        most = MAX_SPRINT_INTERVAL if kind == "elimination" else omnium.laps.get(name, 1)
        if kind is None:
            problems.append(
                f"{at}.sprint_every.{name}: no such race: {unknown_value(repr(name), list(kinds))}"
            )
        elif kind not in ("points_race", "elimination"):
            problems.append(
                f"{at}.sprint_every.{name}: only the points and elimination races have an "
                f"interval to set, not a {kind} race"
            )
        elif not 1 <= every <= most:
            problems.append(
                f"{at}.sprint_every.{name}: laps between sprints, 1 to {most}, got {every}"
            )
    return problems


def _check_omnium_format(at: str, own: OmniumFormat) -> list[str]:
    problems: list[str] = []
    if not _ID.fullmatch(own.name):
        problems.append(f"{at}.name: lowercase letters, digits, '-' and '_', got {own.name!r}")
    if not own.races:
        problems.append(f"{at}.races: an omnium needs its races, in riding order")
    seen: dict[str, int] = {}
    for j, race in enumerate(own.races):
        name = slug(race.name)
        if not name:
            problems.append(
                f"{at}.races[{j}].name: a name with letters or digits, got {race.name!r}"
            )
        elif name in seen:
            problems.append(f"{at}.races[{j}].name: {race.name!r} is also races[{seen[name]}]'s")
        seen.setdefault(name, j)
        if race.scoring == "race_points" and race.kind != "points_race":
            problems.append(
                f"{at}.races[{j}].scoring: only a points race adds its own points, "
                f"a {race.kind} is scored by place"
            )
    for j, points in enumerate(own.place_points):
        if points < 0:
            problems.append(f"{at}.place_points[{j}]: points are 0 or more, got {points}")
    problems += _check_place_order(at, own)
    for key in ("lap_points", "lapped_penalty"):
        if getattr(own, key) < 0:
            problems.append(f"{at}.{key}: 0 or more, got {getattr(own, key)}")
    if own.points_after is not None and own.points_after < 0:
        problems.append(f"{at}.points_after: points are 0 or more, got {own.points_after}")
    if own.tie_break == "final_sprint" and not any(
        race.kind == "points_race" and race.adds_race_points for race in own.races
    ):
        problems.append(
            f"{at}.tie_break: final_sprint needs a points race that adds its own points"
        )
    if own.tie_break == "timed_events" and not any(race.kind in TIMED_KINDS for race in own.races):
        problems.append(
            f"{at}.tie_break: timed_events needs a timed race ({', '.join(sorted(TIMED_KINDS))})"
        )
    return problems


def _check_place_order(at: str, own: OmniumFormat) -> list[str]:
    """A better place never scores worse: with the highest total winning, the points do not
    rise down the places (past the list too); with the lowest, they do not fall."""
    sign = 1 if own.wins == "highest" else -1
    table = own.place_points
    for j in range(1, len(table)):
        if sign * table[j] > sign * table[j - 1]:
            return [
                f"{at}.place_points[{j}]: {table[j]} for place {j + 1} is "
                f"{'more' if sign > 0 else 'less'} than {table[j - 1]} for place {j}, "
                f"and the {own.wins} total wins"
            ]
    after = own.points_after
    if after is None and sign > 0:
        return [
            f"{at}.points_after: left out, a place past place_points scores its own number, "
            "more the worse the place, and the highest total wins: give the points"
        ]
    if table and after is not None and sign * after > sign * table[-1]:
        return [
            f"{at}.points_after: {after} for a place past the list is "
            f"{'more' if sign > 0 else 'less'} than {table[-1]} for place {len(table)}, "
            f"and the {own.wins} total wins"
        ]
    return []
