"""The scoring engine, without I/O: timing events and operator commands in, results out.

The MQTT service, the offline replay and the tests all drive the same engine, so the results
of a replay are those of the live session. For now it scores the flying 200 m; time trials and
keirin heats follow the same pattern (their rules are in `velotime.scoring.rules`).

Timing lines are recognised by their distance to the finish (venue configuration), not by
their names: 0 is the finish, 100 and 200 are the flying 200 m's lines. Photocell impulses time
a line where the venue has them; transponder passings time it otherwise.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from velotime.scoring.commands import Arm, Command, Final, Provisional, SetStatus
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.flying200 import (
    Crossing,
    Effort,
    Line,
    Starter,
    attribute_crossings,
    rank_flying_200,
)
from velotime.scoring.rules.results import ResultLine, Status

_LINE_OF_DISTANCE = {0: Line.FINISH, 100: Line.LINE_100, 200: Line.LINE_200}
_QUALIFY_DEFAULT = 28  # UCI World Championships and Nations Cups (3.2.033)


class Publication(msgspec.Struct, frozen=True):
    """A retained state to publish: `key` is the topic below the venue ("results/<event>")."""

    key: str
    payload: dict[str, Any]


@dataclass
class _EventState:
    event: MeetEvent
    status: str = "scheduled"  # running, provisional, final
    impulses: list[Crossing] = field(default_factory=list)
    passings: list[Crossing] = field(default_factory=list)
    decisions: dict[int, Status] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)


class ScoringEngine:
    def __init__(self, meet: Meet, line_distances: Mapping[str, float]) -> None:
        self.meet = meet
        self._line_roles = {
            name: _LINE_OF_DISTANCE[int(distance)]
            for name, distance in line_distances.items()
            if distance in _LINE_OF_DISTANCE
        }
        self._events = {event.id: _EventState(event) for event in meet.events}
        self._transponders = meet.bib_of_transponder()
        self.current: str | None = None
        self.skipped_commands: list[str] = []

    def command(self, command: Command) -> list[Publication]:
        state = self._events.get(command.event)
        if state is None:
            self.skipped_commands.append(f"no event {command.event!r} in the meet")
            return []
        if state.status == "final" and not isinstance(command, Final):
            self.skipped_commands.append(f"{command.event} is final: {command!r} ignored")
            return []
        if isinstance(command, Arm):
            self.current = state.event.id
            state.status = "running"
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

    def timing(self, envelope: Mapping[str, Any]) -> list[Publication]:
        """A timing event (the MQTT envelope): counted for the event on the track, if any."""
        state = self._events.get(self.current) if self.current else None
        if state is None or state.status != "running":
            return []
        data = envelope.get("data", {})
        role = self._line_roles.get(data.get("line", ""))
        if role is None:
            return []
        if envelope.get("kind") == "impulse":
            if data.get("flag") or data.get("manual"):
                return []  # cleared, invalid or keypad lines do not time a rider
            state.impulses.append(Crossing(line=role, t_us=data["t_us"]))
        elif envelope.get("kind") == "passing":
            state.passings.append(
                Crossing(line=role, t_us=data["t_us"], transponder=data.get("transponder"))
            )
        else:
            return []
        return [self._result(state)]

    def results(self, event_id: str) -> dict[str, Any]:
        return self._result(self._events[event_id]).payload

    def _result(self, state: _EventState) -> Publication:
        lines = self._flying_200(state)
        payload = {
            "v": 1,
            "event": state.event.id,
            "discipline": state.event.discipline,
            "name": state.event.name,
            "category": state.event.category,
            "round": state.event.round,
            "status": state.status,
            "lines": [msgspec.to_builtins(line) for line in lines],
            "audit": state.audit,
        }
        return Publication(f"results/{state.event.id}", payload)

    def _current(self) -> Publication:
        state = self._events.get(self.current) if self.current else None
        payload: dict[str, Any] = {"v": 1, "event": None}
        if state is not None:
            payload = {"v": 1, "event": state.event.id, "name": state.event.name,
                       "discipline": state.event.discipline, "status": state.status}  # fmt: skip
        return Publication("current", payload)

    def _flying_200(self, state: _EventState) -> list[ResultLine]:
        excluded = {bib for bib, status in state.decisions.items() if status == Status.DNS}
        starters = [self._starter(bib) for bib in state.event.start_order if bib not in excluded]
        # Photocells where the venue has them on a line; transponders for the other lines.
        photocell_lines = {c.line for c in state.impulses}
        crossings = state.impulses + [c for c in state.passings if c.line not in photocell_lines]
        crossings.sort(key=lambda c: c.t_us)
        attribution = attribute_crossings(starters, crossings, self._transponders)
        efforts = {effort.bib: effort for effort in attribution.efforts}
        for bib, status in state.decisions.items():
            if status in (Status.DNS, Status.DNF, Status.DSQ):
                rider = self._starter(bib)
                efforts[bib] = Effort(bib=bib, name=rider.name, nation=rider.nation, status=status)
        qualify = state.event.qualify if state.event.qualify is not None else _QUALIFY_DEFAULT
        return rank_flying_200(list(efforts.values()), qualify)

    def _starter(self, bib: int) -> Starter:
        rider = self.meet.rider(bib)
        return Starter(bib=bib, name=rider.name, nation=rider.nation)
