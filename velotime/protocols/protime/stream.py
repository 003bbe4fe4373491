"""The Protime codec as sans-I/O objects: the decoder's bytes in, typed records and counted
errors out (`ProtimeStream`); and the host's bytes in, its commands out (`CommandStream`, what a
simulated decoder reads)."""

from velotime.protocols.framing import LineStream
from velotime.protocols.protime.codec import ESC, parse_line
from velotime.protocols.protime.errors import ErrorKind, LineError, StreamStats
from velotime.protocols.protime.records import (
    HOST_COMMANDS,
    ConfigDump,
    DeviceRecord,
    HostCommand,
    Passing,
    SetLevel,
    SetTime,
    StatusLine,
    UnknownLine,
)

# A telegram is 38 characters and a configuration dump some 60: a longer line lost its end.
DEFAULT_MAX_LINE_LENGTH = 256

ProtimeItem = DeviceRecord | LineError
CommandItem = HostCommand | LineError

_COUNTER_OF_CLASS: dict[type[DeviceRecord], str] = {
    Passing: "passings",
    StatusLine: "status_lines",
    ConfigDump: "config_dumps",
    UnknownLine: "unknown_lines",
}


class ProtimeStream(LineStream[DeviceRecord, LineError]):
    """Feed bytes as they arrive (any split); get one record or `LineError` per non-empty line.

    A line ends with LF (the decoder sends CR LF; the CR before the LF is dropped, so a dump
    with LF alone reads the same). NUL bytes before a line (a box powering up) are dropped.
    Never raises on bad input."""

    strip_leading = b"\x00"

    def __init__(self, *, max_line_length: int = DEFAULT_MAX_LINE_LENGTH) -> None:
        if max_line_length < 40:
            raise ValueError("max_line_length must hold a telegram (38)")
        self.stats = StreamStats()
        super().__init__(max_line_length, self.stats, _COUNTER_OF_CLASS, LineError)

    def _parse(self, raw: bytes) -> ProtimeItem:
        return parse_line(raw)


_FIXED = {command.CODE: command for command in HOST_COMMANDS if command.CODE}
_LEVEL_LOOPS = {code: loop for loop, code in SetLevel.LOOP_CODES.items()}
_SET_TIME_LENGTH = 6  # ESC 0x48 h m s 0x74
_LEVEL_LENGTH = 4  # ESC 0x1E/0x1F d d


class CommandStream:
    """The host's bytes in (any split), its commands out: what a decoder reads. Bytes before
    an ESC are `garbage`; ESC and a byte that starts no command, `unknown_command`."""

    def __init__(self) -> None:
        self.stats = StreamStats()
        self._pending = b""

    def feed(self, data: bytes) -> list[CommandItem]:
        buffer = self._pending + data
        out: list[CommandItem] = []
        while buffer:
            start = buffer.find(ESC)
            if start != 0:
                junk = buffer if start < 0 else buffer[:start]
                out.append(self._error(ErrorKind.GARBAGE, junk, "bytes outside a command"))
                if start < 0:
                    buffer = b""
                    break
                buffer = buffer[start:]
            parsed = _command(buffer)
            if parsed is None:
                break  # incomplete: wait for more
            item, used = parsed
            if isinstance(item, LineError):
                self.stats.count(item)
            out.append(item)
            buffer = buffer[used:]
        self._pending = buffer
        return out

    def close(self) -> list[CommandItem]:
        rest, self._pending = self._pending, b""
        return [self._error(ErrorKind.TRUNCATED, rest, "an unfinished command")] if rest else []

    def _error(self, kind: ErrorKind, raw: bytes, detail: str) -> LineError:
        error = LineError(kind, raw, detail)
        self.stats.count(error)
        return error


def _command(buffer: bytes) -> tuple[CommandItem, int] | None:
    """The command at the start of `buffer` (which starts with ESC) and its length; None if
    more bytes are needed."""
    if len(buffer) < 2:
        return None
    code = buffer[1:2]
    if code == SetTime.CODE:
        if len(buffer) < _SET_TIME_LENGTH:
            return None
        raw = buffer[:_SET_TIME_LENGTH]
        hours, minutes, seconds = raw[2], raw[3], raw[4]
        if raw[5:6] != SetTime.END or hours >= 24 or minutes >= 60 or seconds >= 60:
            return LineError(ErrorKind.MALFORMED, raw, "not a set-time command"), _SET_TIME_LENGTH
        return SetTime(hours=hours, minutes=minutes, seconds=seconds), _SET_TIME_LENGTH
    if code in _LEVEL_LOOPS:
        if len(buffer) < _LEVEL_LENGTH:
            return None
        digits = buffer[2:_LEVEL_LENGTH]
        if not digits.isdigit():
            raw = buffer[:_LEVEL_LENGTH]
            return LineError(ErrorKind.MALFORMED, raw, "a level is 2 digits"), _LEVEL_LENGTH
        loop = _LEVEL_LOOPS[code]
        return SetLevel(loop="STA" if loop == "STA" else "BOX", level=int(digits)), _LEVEL_LENGTH
    if code == b"\x13":  # Stop is ESC 0x13 0x5C
        if len(buffer) < 3:
            return None
        if buffer[2:3] == b"\x5c":
            return _FIXED[b"\x13\x5c"](), 3
    elif code in _FIXED:
        return _FIXED[code](), 2
    return LineError(ErrorKind.UNKNOWN_COMMAND, buffer[:2], f"ESC {code.hex()}"), 2
