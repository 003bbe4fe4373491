"""The scoring engine, without I/O: timing events and operator commands in, results out.

The MQTT service, the offline replay and the tests all drive the same engine, so the results
of a replay are those of the live session. Each discipline has its scorer
(`velotime.scoring.disciplines`), built on the rules in `velotime.scoring.rules`.

Timing lines are recognised by their distance to the finish (venue configuration), not by
their names: 0 is the finish, 100 and 200 are the flying 200 m's lines. Photocell impulses time
a line where the venue has them; transponder passings time it otherwise.
"""

from collections.abc import Collection, Mapping
from typing import Any

import msgspec

from velotime.scoring.competition import HeatState, KeirinCompetition
from velotime.scoring.disciplines.base import Crossing, EventState, Role, Scorer
from velotime.scoring.disciplines.flying200 import Flying200Scorer
from velotime.scoring.disciplines.keirin import KeirinScorer
from velotime.scoring.disciplines.time_trial import TimeTrialScorer
from velotime.scoring.meet import Meet, MeetEvent
from velotime.wire.commands import (
    Abandon,
    Arm,
    Command,
    Correct,
    Final,
    NextRider,
    Provisional,
    SetStatus,
    Start,
)
from velotime.wire.events import Envelope, Event, EventData
from velotime.wire.results import (
    Current,
    EventResult,
    NothingOnTrack,
    OnTrackNow,
    Status,
    audit_entry,
)

_ROLE_OF_DISTANCE = {0: Role.FINISH, 100: Role.LINE_100, 200: Role.LINE_200}


class Publication(msgspec.Struct, frozen=True):
    """A retained state to publish: `key` is the topic below the venue ("results/<event>")."""

    key: str
    payload: dict[str, Any]  # a velotime.wire.results type as JSON: EventResult, Current...

    def encoded(self) -> bytes:
        """The bytes on MQTT and in `replay --results` files alike: the same every time."""
        return _json.encode(self.payload)


_json = msgspec.json.Encoder()


class ScoringEngine:
    def __init__(
        self,
        meet: Meet,
        line_distances: Mapping[str, float],
        track_length_m: float = 250,
        photocell_lines: Collection[str] = (),
    ) -> None:
        """`photocell_lines`: the lines an impulse timer's channels are wired to (the venue's
        configuration, or a capture's header), known before any impulse arrives."""
        self.meet = meet
        self._line_roles = {
            name: _ROLE_OF_DISTANCE[int(distance)]
            for name, distance in line_distances.items()
            if distance in _ROLE_OF_DISTANCE
        }
        self._line_roles["start"] = Role.START  # an impulse timer channel wired to the gate
        photocell_roles = [self._line_roles[n] for n in photocell_lines if n in self._line_roles]
        self._keirin = KeirinScorer()
        self.scorers: dict[str, Scorer] = {
            "flying200": Flying200Scorer(photocell_roles),
            "time_trial": TimeTrialScorer(track_length_m),
            "keirin": self._keirin,
        }
        self._events = {event.id: EventState(event) for event in meet.events}
        self._competitions = {spec.id: KeirinCompetition(spec) for spec in meet.competitions}
        self._competition_of: dict[str, KeirinCompetition] = {}
        for competition in self._competitions.values():
            self._add_heats(competition, competition.start())
        self.current: str | None = None
        self.skipped_commands: list[str] = []
        self._bibs = {rider.bib for rider in meet.riders}
        self._seen_ids: set[str] = set()  # delivery is at least once: drop repeats by id
        self.duplicates = 0  # events fed again (same id), dropped

    def seen(self, event_id: str) -> bool:
        """Whether an event of this id was fed already: the one record of what was applied."""
        return event_id in self._seen_ids

    def command(self, command: Command, t_us: int | None = None) -> list[Publication]:
        """An operator command; `t_us` is when the daemon received it (venue clock), for the
        audit trail and a Start."""
        state = self._events.get(command.event)
        if state is not None and state.event.discipline not in self.scorers:
            self.skipped_commands.append(f"{state.event.discipline} is not scored yet")
            return []
        if state is None:
            self.skipped_commands.append(f"no event {command.event!r} in the meet")
            return []
        if state.status == "final" and not isinstance(command, Final):
            self.skipped_commands.append(f"{command.event} is final: {command!r} ignored")
            return []
        bib = getattr(command, "bib", None)
        if bib is not None and bib not in self._bibs:
            self.skipped_commands.append(f"no rider with bib {bib} in the meet: {command!r}")
            return []
        if isinstance(command, Correct) and command.time and state.event.discipline == "keirin":
            self.skipped_commands.append(f"a keirin has no times to correct: {command!r}")
            return []
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
        elif isinstance(command, Start):
            state.start_us = t_us
            state.audit.append(audit_entry(command, t_us))
        elif isinstance(command, Abandon):
            discarded = len(state.crossings) + len(state.photo_finish)
            state.crossings.clear()
            state.photo_finish.clear()
            state.marks.clear()
            state.on_track = None
            state.start_us = None
            state.audit.append(audit_entry(command, t_us, discarded))
        elif isinstance(command, Provisional):
            state.status = "provisional"
        elif isinstance(command, Final):
            state.status = "final"
            if self.current == state.event.id:
                self.current = None
        published = [self._result(state), self._current()]
        competition = self._competition_of.get(state.event.id)
        if competition is not None:
            self._add_heats(competition, competition.progress(self._heat_states(competition)))
            published.append(self._standings(competition))
        return published

    def feed(self, envelope: Event | Envelope[EventData] | Mapping[str, Any]) -> list[Publication]:
        """One event of the daemon's stream, as its MQTT envelope: timing, or an operator
        command the daemon sequenced among them (velotime.daemon.control)."""
        if isinstance(envelope, Event | Envelope):  # the scorers still read JSON-like data
            envelope = _builtins(envelope)
        if envelope.get("kind") != "command":
            return self.timing(envelope)
        if not self._first_time(envelope):
            return []
        try:
            command = msgspec.convert(envelope.get("data", {}).get("command"), Command)
        except msgspec.ValidationError as exc:
            self.skipped_commands.append(f"unreadable command {envelope.get('id')}: {exc}")
            return []
        return self.command(command, envelope.get("data", {}).get("received_us"))

    def timing(self, envelope: Mapping[str, Any]) -> list[Publication]:
        """A timing event (the MQTT envelope): counted for the event on the track, if any."""
        if not self._first_time(envelope):
            return []
        state = self._events.get(self.current) if self.current else None
        if state is None or state.status != "running":
            return []
        data = envelope.get("data", {})
        if envelope.get("kind") == "photofinish":
            state.photo_finish.append(data)
            return [self._result(state), self._current()]
        role = self._line_roles.get(data.get("line", ""))
        if role is None:
            return []
        if envelope.get("kind") == "impulse":
            if data.get("flag") or data.get("manual"):
                return []  # cleared, invalid or keypad lines do not time a rider
            state.crossings.append(Crossing(role=role, t_us=data["t_us"], photocell=True))
        elif envelope.get("kind") == "passing":
            transponder = data.get("transponder")
            state.crossings.append(Crossing(role=role, t_us=data["t_us"], transponder=transponder))
        else:
            return []
        return [self._result(state), self._current()]

    def _first_time(self, envelope: Mapping[str, Any]) -> bool:
        """Delivery is at least once: an event seen before (by id) is dropped."""
        event_id = envelope.get("id")
        if event_id is None:
            return True
        if event_id in self._seen_ids:
            self.duplicates += 1
            return False
        self._seen_ids.add(event_id)
        return True

    def snapshot(self) -> list[Publication]:
        """Every retained state as it stands: each event run so far, and what is on the track.
        A service publishes these after rebuilding its state, and after a reconnect."""
        run = [state for state in self._events.values() if state.status != "scheduled"]
        standings = [self._standings(c) for c in self._competitions.values()]
        return [self._result(state) for state in run] + standings + [self._current()]

    def results(self, event_id: str) -> dict[str, Any]:
        return self._result(self._events[event_id]).payload

    def _result(self, state: EventState) -> Publication:
        scorer = self.scorers[state.event.discipline]
        scored = scorer.score(state, self.meet)
        result = EventResult(
            event=state.event.id,
            discipline=state.event.discipline,
            name=state.event.name,
            category=state.event.category,
            round=state.event.round,
            status=state.status,
            lines=scored.lines,
            **scored.extra,
            audit=state.audit,
        )
        return Publication(f"results/{state.event.id}", msgspec.to_builtins(result))

    def _add_heats(self, competition: KeirinCompetition, heats: list[MeetEvent]) -> None:
        for event in heats:
            self._events[event.id] = EventState(event)
            self._competition_of[event.id] = competition

    def _heat_states(self, competition: KeirinCompetition) -> dict[str, HeatState]:
        return {
            event.id: HeatState(
                status=self._events[event.id].status,
                result=self._keirin.result(self._events[event.id], self.meet),
            )
            for heats in competition.heats.values()
            for event in heats
        }

    def _standings(self, competition: KeirinCompetition) -> Publication:
        payload = competition.standings(self._heat_states(competition))
        return Publication(f"standings/{competition.spec.id}", msgspec.to_builtins(payload))

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
                start_us=_start_us(state),
            )
        return Publication("current", msgspec.to_builtins(payload))


def _builtins(envelope: Event | Envelope[EventData]) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(envelope)
    return data


def _start_us(state: EventState) -> int | None:
    """When the race (or the rider on the track) started, venue clock: the latest of the
    operator's Start and what the devices say: a time trial's gate impulse after the rider was
    named, the camera's start, a flying 200 m's latest 200 m line crossing not yet followed by a
    finish. None before a start, and once a flying 200 m effort has finished."""
    candidates = [state.start_us] if state.start_us is not None else []
    discipline = state.event.discipline
    if discipline == "time_trial" and state.marks:
        segment = state.crossings[state.marks[-1][0] :]
        candidates += [c.t_us for c in segment if c.role is Role.START][:1]
    elif discipline == "keirin":
        candidates += [
            t_us
            for entry in state.photo_finish
            if entry.get("phase") == "started" and isinstance(t_us := entry.get("t_us"), int)
        ]
    elif discipline == "flying200":
        lines = [c for c in state.crossings if c.role in (Role.LINE_200, Role.FINISH)]
        if lines and lines[-1].role is Role.LINE_200:
            candidates.append(lines[-1].t_us)
        elif lines:
            return None
    return max(candidates, default=None)
