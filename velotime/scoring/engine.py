"""The scoring engine, without I/O: timing events and operator commands in, results out.

The MQTT service, the offline replay and the tests all drive the same engine, so the results
of a replay are those of the live session. Each discipline has its scorer
(`velotime.scoring.disciplines`), built on the rules in `velotime.scoring.rules`.

Timing lines are recognised by their distance to the finish (venue configuration), not by
their names: 0 is the finish, 100 and 200 are the flying 200 m's lines. Photocell impulses time
a line where the venue has them; transponder passings time it otherwise.
"""

from collections.abc import Mapping
from typing import Any

import msgspec

from velotime.scoring.commands import Arm, Command, Final, NextRider, Provisional, SetStatus
from velotime.scoring.disciplines.base import Crossing, EventState, Role, Scorer
from velotime.scoring.disciplines.flying200 import Flying200Scorer
from velotime.scoring.disciplines.keirin import KeirinScorer
from velotime.scoring.disciplines.time_trial import TimeTrialScorer
from velotime.scoring.meet import Meet
from velotime.scoring.rules.results import Status

_ROLE_OF_DISTANCE = {0: Role.FINISH, 100: Role.LINE_100, 200: Role.LINE_200}


class Publication(msgspec.Struct, frozen=True):
    """A retained state to publish: `key` is the topic below the venue ("results/<event>")."""

    key: str
    payload: dict[str, Any]

    def encoded(self) -> bytes:
        """The bytes on MQTT and in `replay --results` files alike: the same every time."""
        return _json.encode(self.payload)


_json = msgspec.json.Encoder()


class ScoringEngine:
    def __init__(
        self, meet: Meet, line_distances: Mapping[str, float], track_length_m: float = 250
    ) -> None:
        self.meet = meet
        self.scorers: dict[str, Scorer] = {
            "flying200": Flying200Scorer(),
            "time_trial": TimeTrialScorer(track_length_m),
            "keirin": KeirinScorer(),
        }
        self._line_roles = {
            name: _ROLE_OF_DISTANCE[int(distance)]
            for name, distance in line_distances.items()
            if distance in _ROLE_OF_DISTANCE
        }
        self._line_roles["start"] = Role.START  # an impulse timer channel wired to the gate
        self._events = {event.id: EventState(event) for event in meet.events}
        self.current: str | None = None
        self.skipped_commands: list[str] = []
        self._seen_ids: set[str] = set()  # delivery is at least once: drop repeats by id

    def command(self, command: Command) -> list[Publication]:
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
        if isinstance(command, Arm):
            self.current = state.event.id
            state.status = "running"
        elif isinstance(command, NextRider):
            state.on_track = command.bib
            state.marks.append((len(state.crossings), command.bib))
            state.audit.append(msgspec.to_builtins(command))
        elif isinstance(command, SetStatus):
            if command.status:
                state.decisions[command.bib] = Status(command.status)
            else:
                state.decisions.pop(command.bib, None)
            state.audit.append(msgspec.to_builtins(command))
        elif isinstance(command, Provisional):
            state.status = "provisional"
        elif isinstance(command, Final):
            state.status = "final"
            if self.current == state.event.id:
                self.current = None
        return [self._result(state), self._current()]

    def feed(self, envelope: Mapping[str, Any]) -> list[Publication]:
        """One event of the daemon's stream, as its MQTT envelope: timing, or an operator
        command the daemon sequenced among them (velotime.daemon.control)."""
        if envelope.get("kind") != "command":
            return self.timing(envelope)
        if not self._first_time(envelope):
            return []
        try:
            command = msgspec.convert(envelope.get("data", {}).get("command"), Command)
        except msgspec.ValidationError as exc:
            self.skipped_commands.append(f"unreadable command {envelope.get('id')}: {exc}")
            return []
        return self.command(command)

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
            return [self._result(state)]
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
        return [self._result(state)]

    def _first_time(self, envelope: Mapping[str, Any]) -> bool:
        """Delivery is at least once: an event seen before (by id) is dropped."""
        event_id = envelope.get("id")
        if event_id is None:
            return True
        if event_id in self._seen_ids:
            return False
        self._seen_ids.add(event_id)
        return True

    def snapshot(self) -> list[Publication]:
        """Every retained state as it stands: each event run so far, and what is on the track.
        A service publishes these after rebuilding its state, and after a reconnect."""
        run = [state for state in self._events.values() if state.status != "scheduled"]
        return [self._result(state) for state in run] + [self._current()]

    def results(self, event_id: str) -> dict[str, Any]:
        return self._result(self._events[event_id]).payload

    def _result(self, state: EventState) -> Publication:
        scorer = self.scorers[state.event.discipline]
        payload = {
            "v": 1,
            "event": state.event.id,
            "discipline": state.event.discipline,
            "name": state.event.name,
            "category": state.event.category,
            "round": state.event.round,
            "status": state.status,
            "lines": [msgspec.to_builtins(line) for line in scorer.lines(state, self.meet)],
            **scorer.extra(state, self.meet),
            "audit": state.audit,
        }
        return Publication(f"results/{state.event.id}", payload)

    def _current(self) -> Publication:
        state = self._events.get(self.current) if self.current else None
        payload: dict[str, Any] = {"v": 1, "event": None}
        if state is not None:
            payload = {"v": 1, "event": state.event.id, "name": state.event.name,
                       "discipline": state.event.discipline, "status": state.status,
                       "on_track": state.on_track}  # fmt: skip
        return Publication("current", payload)
