"""What the operator tells the scoring engine (over MQTT control topics, or `velotime ctl`).

Commands are data, so that they can be recorded in the capture log and replayed: a replay
applies the same commands at the same points and reproduces the results exactly.
"""

from typing import Literal

import msgspec


class Arm(msgspec.Struct, frozen=True, kw_only=True, tag="arm"):
    """This event is on the track now: its timing events count from here."""

    event: str


class NextRider(msgspec.Struct, frozen=True, kw_only=True, tag="next_rider"):
    """A time trial: this rider rides now; the timing from here is theirs. The same rider named
    again means a restart: only the last start counts (3.2.021 ter)."""

    event: str
    bib: int


Decision = Literal["DNS", "DNF", "DSQ", "REL", ""]  # "" undoes an earlier decision


class SetStatus(msgspec.Struct, frozen=True, kw_only=True, tag="status"):
    """A commissaires' decision about one rider in one event."""

    event: str
    bib: int
    status: Decision
    reason: str = ""


class Provisional(msgspec.Struct, frozen=True, kw_only=True, tag="provisional"):
    event: str


class Final(msgspec.Struct, frozen=True, kw_only=True, tag="final"):
    """The result is official: later timing events no longer change it."""

    event: str


Command = Arm | NextRider | SetStatus | Provisional | Final


def decode_command(payload: bytes) -> Command:
    """A command from its JSON (`{"type": "arm", "event": "sprint-q"}`); raises
    msgspec.ValidationError / DecodeError on a malformed one, for the caller to report."""
    command: Command = msgspec.json.decode(payload, type=Command)
    return command
