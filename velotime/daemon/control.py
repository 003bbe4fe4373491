"""The operator's commands as one more source: checked, numbered and put into the event stream.

The daemon records each command in the capture where it arrived and publishes it on
`timing/command` in that same place among the timing events. A consumer (the scoring service)
therefore applies commands and timing in the order the capture holds them, so that a replay of
the capture reproduces the live results exactly, whatever the broker did with other topics.
"""

from dataclasses import dataclass

import msgspec

from velotime.drivers.session import SessionCounters, SessionOutput
from velotime.wire.commands import decode_command, readable_command_id
from velotime.wire.errors import WireError
from velotime.wire.events import CommandData, Event


class ControlState(msgspec.Struct, kw_only=True):
    """Nothing carries across a restart: a command is complete in its one message."""


@dataclass(frozen=True)
class SkippedCommand:
    raw: bytes
    detail: str
    kind: str = "bad command"
    command_id: str | None = None  # its id, where it can be read: the daemon answers it


class ControlSession:
    def __init__(self, source: str) -> None:
        self.source = source
        self._last: tuple[int, int] = (-1, 0)  # (t_us, n) of the last command's id

    def connected(self, t_us: int) -> SessionOutput:
        return SessionOutput()

    def feed(self, t_us: int, data: bytes) -> SessionOutput:
        try:
            command = decode_command(data)
        except WireError as exc:
            skipped = SkippedCommand(
                raw=data, detail=str(exc), command_id=readable_command_id(data)
            )
            return SessionOutput(errors=[skipped])
        # Two commands in one microsecond (a script) still get ids of their own.
        n = self._last[1] + 1 if self._last[0] == t_us else 0
        self._last = (t_us, n)
        event_id = f"{self.source}:{t_us}" + (f".{n}" if n else "")
        data_ = CommandData(command=command, received_us=t_us)
        event = Event(id=event_id, src=self.source, kind="command", data=data_)
        return SessionOutput(events=[event])

    def state(self) -> msgspec.Struct:
        return ControlState()

    def poll_command(self) -> bytes | None:
        return None

    def counters(self) -> SessionCounters:
        # Nothing dropped, nothing missing: a bad command is one of its errors.
        return SessionCounters()
