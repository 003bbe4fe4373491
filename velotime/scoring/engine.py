"""The scoring engine, without I/O: timing events and operator commands in, results out.

The MQTT service, the offline replay and the tests all drive the same engine, so the results
of a replay are those of the live session. Each event has its scorer, from the registry of
disciplines (`velotime.scoring.disciplines`), built on the rules in `velotime.scoring.rules`;
the engine knows no discipline by name. A scorer keeps what it worked out, so an event costs
what each timing event changes, not its whole history again.

Timing lines are recognised by their role (the pursuit lines) or else by their distance to the
finish (venue configuration), not by their names: 0 is the finish, 100 and 200 are the flying
200 m's lines. Photocell impulses time a line where the venue has them; transponder passings
time it otherwise. Impulse channels wired to "start", "gate-home" or "gate-back" are the gates.
"""

import difflib
from collections.abc import Callable, Collection, Mapping
from functools import partial
from typing import Any, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from velotime.families.base import GATE_BACK, GATE_HOME, START
from velotime.scoring.competition import KeirinCompetition
from velotime.scoring.disciplines import DISCIPLINES
from velotime.scoring.disciplines.base import (
    CountsLaps,
    Crossing,
    Eliminates,
    EventState,
    JudgesSprints,
    Role,
    Scored,
    Scorer,
    Venue,
)
from velotime.scoring.drawn_rounds import DrivenCompetition
from velotime.scoring.meet import TIMED_DISCIPLINES, Meet, MeetCompetition, MeetError, MeetEvent
from velotime.scoring.omnium_competition import OmniumCompetition, RaceState
from velotime.scoring.rules.official import official_string
from velotime.scoring.seen import SeenIds
from velotime.scoring.sprint_competition import SprintCompetition
from velotime.scoring.timed_competition import TimedCompetition
from velotime.wire.commands import (
    Abandon,
    Arm,
    Command,
    Confirm,
    Correct,
    Eliminate,
    Final,
    GreenFlag,
    LapChangeDecision,
    Neutralise,
    NextRider,
    Provisional,
    Reopen,
    SetLaps,
    SetStatus,
    SprintDecision,
    Start,
)
from velotime.wire.events import (
    CommandData,
    Envelope,
    Event,
    EventData,
    GapData,
    ImpulseData,
    PassingData,
    PhotoFinishData,
)
from velotime.wire.results import (
    Current,
    EventResult,
    Flag,
    NothingOnTrack,
    OmniumStandings,
    OnTrackNow,
    RefusedAudit,
    ResultLine,
    Standings,
    StartList,
    StartListRider,
    Status,
    audit_entry,
)

_ROLE_OF_DISTANCE = {0: Role.FINISH, 100: Role.LINE_100, 200: Role.LINE_200}
_LINE_ROLES = {role.value: role for role in (Role.PURSUIT_HOME, Role.PURSUIT_BACK)}
# The lines an impulse timer's channels wired to a start gate are mapped to.
_GATE_ROLES = {START: Role.START, GATE_HOME: Role.GATE_HOME, GATE_BACK: Role.GATE_BACK}

Message = EventResult | Current | Standings | OmniumStandings | StartList
# A keirin, sprint tournament or timed rounds competition: each reads its own kind of heat state.
Competition = DrivenCompetition[Any]
State = TypeVar("State")  # what a competition needs of each of its heats


def _competition(spec: MeetCompetition, meet: Meet) -> Competition:
    if spec.discipline == "sprint":
        return SprintCompetition(spec, meet)
    if spec.discipline in TIMED_DISCIPLINES:
        return TimedCompetition(spec, meet)
    return KeirinCompetition(spec)


class Publication(msgspec.Struct, frozen=True):
    """A retained state to publish: `key` is the topic below the venue ("results/<event>")."""

    key: str
    message: Message

    def encoded(self) -> bytes:
        """The bytes on MQTT and in `replay --results` files alike: the same every time."""
        return _json.encode(self.message)


_json = msgspec.json.Encoder()


class ScoringEngine:
    def __init__(
        self,
        meet: Meet,
        line_distances: Mapping[str, float],
        track_length_m: float = 250,
        photocell_lines: Collection[str] = (),
        line_roles: Mapping[str, str] = {},
    ) -> None:
        """`photocell_lines`: the lines an impulse timer's channels are wired to (the venue's
        configuration, or a capture's header), known before any impulse arrives.
        `line_roles`: line name -> role ("pursuit-home", "pursuit-back"), for the lines that
        have one; a role this version does not know leaves the line to its distance."""
        self.meet = meet
        self._line_roles: dict[str, Role] = {}
        for name, distance in line_distances.items():
            role = _LINE_ROLES.get(line_roles.get(name, ""))
            if role is None and distance in _ROLE_OF_DISTANCE:
                role = _ROLE_OF_DISTANCE[int(distance)]
            if role is not None:
                self._line_roles[name] = role
        self._line_roles.update(_GATE_ROLES)
        photocell_roles = {self._line_roles[n] for n in photocell_lines if n in self._line_roles}
        pursuit = {role: line_distances[name] for name, role in self._line_roles.items()
                   if role in (Role.PURSUIT_HOME, Role.PURSUIT_BACK)}  # fmt: skip
        pursuit_lines_m = (
            (pursuit[Role.PURSUIT_HOME], pursuit[Role.PURSUIT_BACK]) if len(pursuit) == 2 else None
        )
        self._venue = Venue(track_length_m, frozenset(photocell_roles), pursuit_lines_m)
        self._events: dict[str, EventState] = {}
        self._programme: dict[str, int] = {}  # event id -> `StartList.programme`
        self._scorers: dict[str, Scorer] = {}  # event id -> its scorer, for disciplines scored
        self._riders: dict[str, frozenset[int]] = {}  # event id -> the bibs it names, if any
        for event in meet.events:
            self._add_event(event)
        self._competitions = {spec.id: _competition(spec, meet) for spec in meet.competitions}
        self._competition_of: dict[str, Competition] = {}
        # A sprint's qualifying event id -> the tournaments it seeds once final.
        self._seeds: dict[str, list[SprintCompetition]] = {}
        for competition in self._competitions.values():
            self._add_heats(competition, competition.start())
            if isinstance(competition, SprintCompetition) and competition.qualifying:
                self._seeds.setdefault(competition.qualifying, []).append(competition)
        self._omniums = {
            spec.id: OmniumCompetition(spec, meet.omnium_format(spec)) for spec in meet.omniums
        }
        self._omnium_of: dict[str, OmniumCompetition] = {}  # a race's event id -> its omnium
        # What each omnium's standings were last built from (OmniumCompetition.made_of).
        self._standings_made_of: dict[str, tuple[object, ...]] = {}
        for omnium in self._omniums.values():
            for event in omnium.events():
                self._add_event(event)
                self._omnium_of[event.id] = omnium
        self.current: str | None = None
        self.skipped_commands: list[str] = []  # each refused command, and why, for a person
        self.refused: list[RefusedAudit] = []  # the same, as data (replay writes them)
        # A Madison team's number names the team in a command, as a rider's bib names them.
        teams = {team.number for event in meet.events for team in event.teams}
        teams |= {team.number for spec in meet.competitions for team in spec.teams}
        self._bibs = {rider.bib for rider in meet.riders} | teams
        self._seen_ids = SeenIds()  # delivery is at least once: drop repeats by id
        self.duplicates = 0  # events fed again (same id), dropped
        # Timing the engine does not use, and why: a passing the daemon flagged as absurd.
        self.skipped_timing: list[str] = []
        # Retained states changed since `changes()` last built them: key -> how to build it,
        # in the order first changed (that of the publications of one event).
        self._changed: dict[str, Callable[[], Publication]] = {}

    def seen(self, event_id: str) -> bool:
        """Whether an event of this id was fed already: the one record of what was applied."""
        return event_id in self._seen_ids

    def feed(self, event: Event | Envelope[EventData]) -> list[Publication]:
        """One event of the daemon's stream (`take`), and the retained states it changed,
        built now (`changes`): what the live service publishes."""
        self.take(event)
        return self.changes()

    def command(self, command: Command, t_us: int | None = None) -> list[Publication]:
        """An operator command (`take_command`), and the retained states it changed."""
        self.take_command(command, t_us)
        return self.changes()

    def changes(self) -> list[Publication]:
        """The retained states changed since the last call (or `snapshot`), built now, in the
        order they first changed. Feeding with `take` and asking once at the end builds each
        result once, however many events changed it."""
        changed, self._changed = self._changed, {}
        return [build() for build in changed.values()]

    def take_command(self, command: Command, t_us: int | None = None) -> str | None:
        """An operator command; `t_us` is when the daemon received it (venue clock), for the
        audit trail and a Start. The states it changes are built by `changes`. Returns why it
        was refused, for a person to read (None: applied): a refusal changes nothing but the
        event's audit trail, where it is kept with its reason."""
        state = self._events.get(command.event)
        reason = self._refusal(command, state)
        if reason is not None:
            self.skipped_commands.append(reason)
            refused = RefusedAudit(command=command, reason=reason, at_us=_unset(t_us))
            self.refused.append(refused)
            if state is not None:  # its result changes by its audit trail only
                state.audit.append(refused)
                key = f"results/{state.event.id}"
                self._changed.setdefault(key, partial(self._result, state))
            return reason
        assert state is not None  # else refused
        self._apply(state, command, t_us)
        return None

    def _refusal(self, command: Command, state: EventState | None) -> str | None:
        """Why `command` cannot be applied now, in words a person at the desk understands."""
        if state is None:
            return f"no event {command.event}; {self._known_events(command.event)}"
        event = state.event
        scorer = self._scorers.get(event.id)
        if scorer is None:
            return f"{event.id} is a {event.discipline}, which velotime does not score yet"
        if isinstance(command, Reopen):
            if state.status != "final":
                return f"{event.id} is not final (it is {state.status}): there is nothing to reopen"
            return self._drawn_from(state)
        if state.status == "final" and not isinstance(command, Final):
            return (
                f"{event.id} is final: reopen it first "
                f"(velotime ctl reopen {event.id} --reason ...)"
            )
        bib = getattr(command, "bib", None)
        if bib is not None:
            riders = self._riders[event.id]
            if riders and bib not in riders:
                return f"no rider with bib {bib} in {event.id} ({_listed(riders)})"
            if bib not in self._bibs:
                return f"no rider with bib {bib} in the meet"
        lap_board = isinstance(command, Neutralise | SetLaps | LapChangeDecision)
        if lap_board and not isinstance(scorer, CountsLaps):
            return f"{event.id} is a {event.discipline}: it has no lap board (a bunch race has)"
        if isinstance(command, SprintDecision):
            if not isinstance(scorer, JudgesSprints):
                return (
                    f"{event.id} is a {event.discipline}: it takes no judges' word on sprints "
                    "(a points race, a tempo race or a Madison does)"
                )
            scorer.score(state)  # its sprints as they stand, for the judges' word on one
        if isinstance(command, SetStatus) and command.status == "crashed":
            if event.discipline != "scratch":
                return (
                    f"{event.id} is a {event.discipline}: a crash in the last kilometre "
                    "(3.2.251 ter) is a scratch race's; the others take DNF"
                )
            scorer.score(state)  # the lap board as it stands, for the last kilometre
        eliminating = isinstance(command, Eliminate | GreenFlag)
        if eliminating and not isinstance(scorer, Eliminates):
            return f"{event.id} is a {event.discipline}: it has no elimination sprints"
        refused = scorer.refuses(command)
        if refused is None and isinstance(scorer, Eliminates):
            refused = scorer.refuses_now(command, state)
        if refused is not None or not isinstance(command, Confirm):
            return refused
        if self._under_check(state, command.bib) is None:
            return f"{command.event}: bib {command.bib} has no time under check to confirm"
        return None

    def _under_check(self, state: EventState, bib: int) -> int | None:
        return _time_under_check(self._scorers[state.event.id].score(state).lines, bib)

    def _known_events(self, wrong: str) -> str:
        ids = list(self._events)
        if len(ids) <= _EVENTS_LISTED:
            return "known: " + ", ".join(ids)
        close = difflib.get_close_matches(wrong, ids, n=3)
        return (f"did you mean {' or '.join(close)}? " if close else "") + (
            f"the meet has {len(ids)} events (velotime ctl takes their ids)"
        )

    def _drawn_from(self, state: EventState) -> str | None:
        """Why a final competition heat cannot be reopened: its round drew the next rounds,
        whose start lists would no longer follow from its result (None if none is drawn)."""
        competition = self._competition_of.get(state.event.id)
        seeded = self._seeds.get(state.event.id, [])
        drawn = [] if competition is None else competition.drawn_after(state.event.id)
        drawn += [event_id for sprint in seeded for event_id in sprint.drawn_after(state.event.id)]
        if not drawn:
            return None
        return (
            f"{state.event.id} is final and its round already drew the next heats "
            f"({', '.join(drawn)}): reopening it would leave that draw standing; a protest "
            "that changes who goes on must be settled before those heats are drawn"
        )

    def _apply(self, state: EventState, command: Command, t_us: int | None) -> None:
        if isinstance(command, Arm):
            self.current = state.event.id
            state.status = "running"
        elif isinstance(command, NextRider):
            state.on_track = command.bib
            state.marks.append((len(state.crossings), command.bib))
            state.audit.append(audit_entry(command, t_us))
        elif isinstance(command, SetStatus):
            if command.status:
                state.decisions[command.bib] = Status(command.status)
            else:
                state.decisions.pop(command.bib, None)
            state.audit.append(audit_entry(command, t_us))
        elif isinstance(command, Correct):
            if command.place is not None:
                state.places[command.bib] = command.place
            elif command.time_us is not None:
                state.times[command.bib] = command.time_us
            else:  # withdrawn: the evidence decides again
                state.places.pop(command.bib, None)
                state.times.pop(command.bib, None)
            state.audit.append(audit_entry(command, t_us))
        elif isinstance(command, Confirm):
            checked = self._under_check(state, command.bib)
            assert checked is not None  # else refused
            state.confirmed[command.bib] = checked
            state.audit.append(audit_entry(command, t_us, time=official_string(checked)))
        elif isinstance(command, Start):
            state.start_us = t_us
            state.audit.append(audit_entry(command, t_us))
        elif isinstance(command, Abandon):
            discarded = len(state.crossings) + len(state.photo_finish)
            state.crossings.clear()
            state.photo_finish.clear()
            state.marks.clear()
            state.abandons += 1
            state.on_track = None
            state.start_us = None
            state.audit.append(audit_entry(command, t_us, discarded))
            # Decisions stay (they are the riders'); the rest was the stopped race's.
            kept = [c for _, _, c in state.commands if isinstance(c, SetStatus | Correct)]
            state.commands = [(0, t_us, c) for c in kept]
        elif isinstance(
            command,
            Neutralise | SetLaps | LapChangeDecision | SprintDecision | Eliminate | GreenFlag,
        ):
            state.audit.append(audit_entry(command, t_us))
        elif isinstance(command, Provisional):
            state.status = "provisional"
        elif isinstance(command, Final):
            state.status = "final"
            if self.current == state.event.id:
                self.current = None
        elif isinstance(command, Reopen):
            self._reopen(state)
            state.status = "provisional"
            state.audit.append(audit_entry(command, t_us))
        if not isinstance(command, Abandon):
            state.commands.append((len(state.crossings), t_us, command))
        competition = self._competition_of.get(state.event.id)
        if state.status == "final" and competition is None:
            self._settle(state)
        self._changed_event(state)
        if competition is not None:
            self._drawn(competition, self._progress(competition))
        for sprint in self._seeds.get(state.event.id, []):  # a sprint's qualifying
            scored = self._scorers[state.event.id].score(state)
            self._drawn(sprint, sprint.qualified(state.status, scored.lines))
        omnium = self._omnium_of.get(state.event.id)
        if omnium is not None:  # a race's status or result changed: the standings may have
            self._line_up(omnium)
            key = f"standings/{omnium.spec.id}"
            self._changed.setdefault(key, partial(self._omnium_standings, omnium))

    def take(self, event: Event | Envelope[EventData]) -> None:
        """One event of the daemon's stream, as decoded at its boundary (velotime.wire): timing,
        counted for the event on the track if any, or an operator command the daemon sequenced
        among them (velotime.daemon.control). The states it changes are built by `changes`."""
        if not self._first_time(event.id):
            return
        data = event.data
        if isinstance(data, CommandData):
            self.take_command(data.command, data.received_us)
            return
        if isinstance(data, GapData):
            return  # passings that will not come: nothing to score
        if isinstance(data, PassingData) and data.flag is not None:
            self.skipped_timing.append(f"passing {event.id} not used: flagged {data.flag}")
            return
        state = self._events.get(self.current) if self.current else None
        if state is None or state.status != "running":
            return
        if isinstance(data, PhotoFinishData):
            state.photo_finish.append(data)
            self._changed_event(state)
            return
        self._timing(state, data)

    def _timing(self, state: EventState, timing: PassingData | ImpulseData) -> None:
        role = self._line_roles.get(timing.line)
        if role is None:
            return
        if isinstance(timing, ImpulseData):
            if timing.flag or timing.manual:
                return  # cleared, invalid or keypad lines do not time a rider
            state.crossings.append(Crossing(role=role, t_us=timing.t_us, photocell=True))
        else:
            crossing = Crossing(role=role, t_us=timing.t_us, transponder=timing.transponder)
            state.crossings.append(crossing)
        self._changed_event(state)

    def _settle(self, state: EventState) -> None:
        """A final event takes no timing (it is not on the track) and no command but Final
        and Reopen: its result is worked out once more, and its scorer's workings are let
        go and its evidence packed, so that a programme's memory is mostly that of the events
        still open. A competition's heats are kept: its progression reads their scorers."""
        scorer = self._scorers[state.event.id]
        if isinstance(scorer, _Settled):
            return
        settled = self._scorers[state.event.id] = _Settled(scorer.score(state))
        del scorer  # its workings go before the evidence is packed: a lower peak of memory
        evidence = (state.crossings, state.photo_finish, state.marks, state.commands)
        settled.evidence = _evidence.encode(evidence)
        state.crossings, state.photo_finish, state.marks, state.commands = [], [], [], []

    def _reopen(self, state: EventState) -> None:
        """A settled event's evidence unpacked, and a new scorer that works it out again."""
        settled = self._scorers[state.event.id]
        if not isinstance(settled, _Settled):
            return  # a competition's heat: never settled
        evidence = _unpack_evidence(settled.evidence)
        state.crossings, state.photo_finish, state.marks, state.commands = evidence
        del self._scorers[state.event.id]
        discipline = DISCIPLINES[state.event.discipline]  # it was scored: it has one
        self._scorers[state.event.id] = discipline(state.event, self.meet, self._venue)

    def _changed_event(self, state: EventState) -> None:
        """The event's result and what is on the track are to be published again; an
        omnium's standings too, where they count the race as it is ridden (the points race)."""
        self._changed.setdefault(f"results/{state.event.id}", partial(self._result, state))
        self._changed.setdefault("current", self._current)
        omnium = self._omnium_of.get(state.event.id)
        key = "" if omnium is None else f"standings/{omnium.spec.id}"
        if omnium is not None and key not in self._changed:
            made_of = omnium.made_of(self._race_states(omnium))
            if made_of != self._standings_made_of.get(omnium.spec.id):
                self._changed[key] = partial(self._omnium_standings, omnium)

    def _first_time(self, event_id: str) -> bool:
        """Delivery is at least once: an event seen before (by id) is dropped."""
        if not self._seen_ids.add(event_id):
            self.duplicates += 1
            return False
        return True

    def snapshot(self) -> list[Publication]:
        """Every retained state as it stands: each event's start list, each event run so far,
        and what is on the track. A service publishes these after rebuilding its state, and
        after a reconnect; the changes until now are in it."""
        self._changed.clear()
        start_lists = [self._start_list(state) for state in self._events.values()]
        run = [state for state in self._events.values() if state.status != "scheduled"]
        standings = [self._standings(c) for c in self._competitions.values()]
        standings += [self._omnium_standings(omnium) for omnium in self._omniums.values()]
        results = [self._result(state) for state in run]
        return start_lists + results + standings + [self._current()]

    def results(self, event_id: str) -> dict[str, Any]:
        """The event's result as JSON types (what a consumer of its topic decodes)."""
        result: dict[str, Any] = msgspec.to_builtins(self._result(self._events[event_id]).message)
        return result

    def _add_event(self, event: MeetEvent) -> None:
        self._events[event.id] = EventState(event)
        self._riders[event.id] = frozenset(event.riders or event.start_order).union(
            team.number for team in event.teams
        )  # () : any
        self._programme.setdefault(event.id, len(self._programme) + 1)
        discipline = DISCIPLINES.get(event.discipline)
        if discipline is not None:
            try:
                self._scorers[event.id] = discipline(event, self.meet, self._venue)
            except ValueError as exc:  # an event this venue cannot run: 4100 m of pursuit
                reason = str(exc).removeprefix(f"{event.id}: ")
                raise MeetError(f"event {event.id}: {reason}") from None

    def _result(self, state: EventState) -> Publication:
        scored = self._scorers[state.event.id].score(state)
        result = EventResult(
            event=state.event.id,
            discipline=state.event.discipline,
            name=state.event.name,
            category=state.event.category,
            round=state.event.round,
            status=state.status,
            lines=scored.lines,
            **scored.extra,
            audit=list(state.audit),  # a publication is the state of its moment
        )
        return Publication(f"results/{state.event.id}", result)

    def _start_list(self, state: EventState) -> Publication:
        """Who rides the event, in start order, with the names and nations of the meet."""
        event = state.event
        competition = self._competition_of.get(event.id) or self._omnium_of.get(event.id)
        riders = [
            StartListRider(bib=bib, name=rider.name, nation=rider.nation)
            for bib in event.riders or event.start_order
            for rider in [self.meet.rider(bib)]
        ]
        payload = StartList(
            event=event.id,
            discipline=event.discipline,
            name=event.name,
            category=event.category,
            round=event.round,
            heat=event.heat,
            competition=competition.spec.id if competition is not None else "",
            programme=self._programme[event.id],
            riders=riders,
        )
        return Publication(f"startlists/{event.id}", payload)

    def _drawn(self, competition: Competition, drawn: list[MeetEvent]) -> None:
        """Heats (races) a competition drew up: scored, their start lists and the standings
        published."""
        self._add_heats(competition, drawn)
        for heat in drawn:  # a round drawn up: its heats' start lists are news
            start_list = partial(self._start_list, self._events[heat.id])
            self._changed.setdefault(f"startlists/{heat.id}", start_list)
        key = f"standings/{competition.spec.id}"
        self._changed.setdefault(key, partial(self._standings, competition))

    def _add_heats(self, competition: Competition, heats: list[MeetEvent]) -> None:
        for event in heats:
            self._add_event(event)
            self._competition_of[event.id] = competition

    def _heat_states(self, competition: DrivenCompetition[State]) -> dict[str, State]:
        """What the competition needs of each of its heats, from the heats' scorers (a heat of
        a discipline velotime does not score has none)."""
        return {
            event.id: competition.heat_state(self._events[event.id], self._scorers.get(event.id))
            for heats in competition.heats.values()
            for event in heats
        }

    def _progress(self, competition: DrivenCompetition[State]) -> list[MeetEvent]:
        return competition.progress(self._heat_states(competition))

    def _standings(self, competition: DrivenCompetition[State]) -> Publication:
        payload = competition.standings(self._heat_states(competition))
        return Publication(f"standings/{competition.spec.id}", payload)

    def _race_states(self, omnium: OmniumCompetition) -> dict[str, RaceState]:
        return {
            event_id: RaceState(state.status, self._scorers[event_id].score(state).lines)
            for event_id in omnium.event_ids
            if (state := self._events.get(event_id)) is not None and event_id in self._scorers
        }

    def _omnium_standings(self, omnium: OmniumCompetition) -> Publication:
        races = self._race_states(omnium)
        self._standings_made_of[omnium.spec.id] = omnium.made_of(races)
        names = {
            bib: (rider.name, rider.nation)
            for bib in omnium.spec.riders
            for rider in [self.meet.rider(bib)]
        }
        payload = omnium.standings(races, names)
        return Publication(f"standings/{omnium.spec.id}", payload)

    def _line_up(self, omnium: OmniumCompetition) -> None:
        """Each race not armed yet lined up by the standings as they now stand (3.2.249 bis):
        its event made again with its riders in that order, its start list published again."""
        races = self._race_states(omnium)
        for index, event_id in enumerate(omnium.event_ids):
            state = self._events.get(event_id)
            if state is None or state.status != "scheduled" or index == 0:
                continue
            riders = omnium.line_up(index, races)
            if riders == state.event.riders:
                continue
            state.event = omnium.race_event(index, riders)
            self._riders[event_id] = frozenset(riders)
            discipline = DISCIPLINES.get(state.event.discipline)
            if discipline is not None:  # a scorer of the new line-up reads the state afresh
                self._scorers[event_id] = discipline(state.event, self.meet, self._venue)
            self._changed.setdefault(f"startlists/{event_id}", partial(self._start_list, state))

    def _current(self) -> Publication:
        """What is on the track, for scoreboards: they run the clock from `start_us`."""
        state = self._events.get(self.current) if self.current else None
        payload: Current = NothingOnTrack()
        if state is not None:
            event = state.event
            payload = OnTrackNow(
                event=event.id,
                name=event.name,
                discipline=event.discipline,
                category=event.category,
                round=event.round,
                status=state.status,
                riders=list(event.riders or event.start_order),
                on_track=state.on_track,
                start_us=self._scorers[event.id].start_us(state),
            )
        return Publication("current", payload)


_EVENTS_LISTED = 8  # a meet with more events is not listed whole in a refusal
_RIDERS_LISTED = 12  # nor an event with more riders


def _listed(riders: frozenset[int]) -> str:
    if len(riders) > _RIDERS_LISTED:
        return f"it has {len(riders)} riders"
    return "its riders: " + ", ".join(map(str, sorted(riders)))


_evidence = msgspec.msgpack.Encoder()
_unpack_evidence = msgspec.msgpack.Decoder(
    tuple[
        list[Crossing],
        list[PhotoFinishData],
        list[tuple[int, int]],
        list[tuple[int, int | None, Command]],
    ]
).decode


def command_text(command: Command) -> str:
    """A command as the desk typed it, for a person: "arm f201", "correct f200 bib 7"."""
    bib = getattr(command, "bib", None)
    kind = str(command.__struct_config__.tag).replace("_", "-")
    return f"{kind} {command.event}" + (f" bib {bib}" if bib is not None else "")


def _unset(t_us: int | None) -> int | UnsetType:
    return UNSET if t_us is None else t_us


def _time_under_check(lines: list[ResultLine], bib: int) -> int | None:
    """The rider's measured time flagged "check" (outside the plausible window), if any."""
    for line in lines:
        if line.bib == bib and Flag.CHECK in line.flags:
            return line.time_us
    return None


class _Settled:
    """The scorer of a final event (`ScoringEngine._settle`): what it last worked out, and
    its evidence packed (msgpack), for a Reopen to unpack."""

    def __init__(self, scored: Scored) -> None:
        self._scored = scored
        self.evidence = b""

    def score(self, state: EventState) -> Scored:
        return self._scored

    def start_us(self, state: EventState) -> int | None:
        return None  # never asked: a final event is not on the track (Final ends `current`)

    def refuses(self, command: Command) -> str | None:
        return None  # a final event takes Final and Reopen only, which every scorer takes
