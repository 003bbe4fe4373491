"""What every bunch race's scorer does alike: reading its event's loop crossings and commands in
their order (`EvidenceReader`), and applying the lap board's commands to its lap counter
(`rules.laps`): the flying start, a neutralisation, the commissaires' count of a rider's laps,
and a lap change confirmed or set aside."""

from collections.abc import Callable, Mapping

from velotime.scoring.disciplines.base import EventState, Role
from velotime.scoring.rules.laps import LapCounter
from velotime.wire.commands import Command, LapChangeDecision, Neutralise, SetLaps, Start

# The loops a lap counter reads, by their distance to the finish line.
LOOP_DISTANCE = {Role.FINISH: 0, Role.LINE_100: 100, Role.LINE_200: 200}


class EvidenceReader:
    """How far a scorer has read its event's crossings and commands, and the reading: each
    command in its place among the crossings, as the capture holds them."""

    def __init__(self) -> None:
        self.crossings = 0  # crossings of the state read so far
        self.commands = 0  # commands of the state applied so far
        self.latest_us: int | None = None  # the latest loop crossing read (venue clock)

    def read(
        self,
        state: EventState,
        bib_of: Mapping[int, int],
        on_crossing: Callable[[int, int, int], None],
        on_command: Callable[[int | None, Command], None],
    ) -> None:
        """Gives `on_crossing(bib, distance to the finish, t_us)` each loop crossing of a
        rider of the race (by transponder, `bib_of`) and `on_command(t_us, command)` each
        command, in their order, from where the last call stopped."""
        commands = state.commands
        for index in range(self.crossings, len(state.crossings)):
            while self.commands < len(commands) and commands[self.commands][0] <= index:
                on_command(*commands[self.commands][1:])
                self.commands += 1
            crossing = state.crossings[index]
            if crossing.transponder is None:
                continue
            bib = bib_of.get(crossing.transponder)
            distance = LOOP_DISTANCE.get(crossing.role)
            if bib is None or distance is None:
                continue
            self.latest_us = crossing.t_us
            on_crossing(bib, distance, crossing.t_us)
        self.crossings = len(state.crossings)
        while self.commands < len(commands):
            on_command(*commands[self.commands][1:])
            self.commands += 1

    def command_time(self, t_us: int | None) -> int | None:
        """When a command takes effect: after every crossing read before it. A receipt time
        earlier than the latest of them (the decoders' clock ahead of the daemon's, as in
        `velotime demo`'s compressed session) is taken as that crossing's."""
        latest = self.latest_us
        return latest if t_us is None else t_us if latest is None else max(t_us, latest)


def apply_lap_board_command(
    counter: LapCounter, command: Command, at_us: int | None, notes: list[str]
) -> None:
    """Applies `command` at `at_us` (the latest crossing's time for a command that came
    without one); what cannot be applied is said in `notes`. Other commands are left alone."""
    if not isinstance(command, Start | Neutralise | SetLaps | LapChangeDecision):
        return
    if at_us is None:
        notes.append(f"{command!r}: no time to apply it at (before any crossing)")
        return
    if isinstance(command, Start):
        counter.start(at_us)
    elif isinstance(command, Neutralise):
        counter.neutralise(at_us, command.laps)
    elif isinstance(command, SetLaps):
        counter.set_laps(command.bib, command.laps, at_us)
    elif not command.dismiss:
        counter.confirm(command.bib, command.change)
    elif not counter.dismiss(command.bib, command.change):
        notes.append(f"bib {command.bib}: no {command.change:+d} lap proposal to set aside")
