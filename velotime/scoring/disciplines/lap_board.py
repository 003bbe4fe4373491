"""The lap board's commands, as every bunch race's scorer applies them to its lap counter
(`rules.laps`): the flying start, a neutralisation, the commissaires' count of a rider's laps,
and a lap change confirmed or set aside."""

from velotime.scoring.rules.laps import LapCounter
from velotime.wire.commands import Command, LapChangeDecision, Neutralise, SetLaps, Start


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
