"""The Timy codec as one sans-I/O object: serial bytes in, typed records and counted errors out."""

from velotime.protocols.timy.codec import parse_line
from velotime.protocols.timy.errors import ErrorKind, LineError, StreamStats
from velotime.protocols.timy.records import (
    Impulse,
    NextNumber,
    RunTime,
    TimyRecord,
    TotalTime,
    UnknownLine,
)

# Real lines are 5 to 28 characters. Waiting longer for a line end would only hold back the
# good lines behind a stream that lost its line ends (a wrong baud rate, a cable fault).
DEFAULT_MAX_LINE_LENGTH = 256

TimyItem = TimyRecord | LineError

_COUNTER_OF_CLASS: dict[type[TimyRecord], str] = {
    Impulse: "impulses",
    RunTime: "run_times",
    TotalTime: "total_times",
    NextNumber: "next_numbers",
    UnknownLine: "unknown_lines",
}


class TimyStream:
    """Feed bytes as they arrive (any split); get one record or `LineError` per non-empty line.

    Lines end with CR (the device), LF (dumps) or CRLF; empty lines are skipped. Never raises on
    bad input. `stats` counts lines, records by type, unknown lines and errors by kind.
    `require_checksum`: see `parse_line`.
    """

    def __init__(
        self, *, max_line_length: int = DEFAULT_MAX_LINE_LENGTH, require_checksum: bool = False
    ) -> None:
        if max_line_length < 28:
            raise ValueError("max_line_length must hold a checksummed line (28)")
        self.max_line_length = max_line_length
        self.require_checksum = require_checksum
        self.stats = StreamStats()
        self._pending = b""  # the start of a line whose end has not arrived
        self._skipping = False  # inside an oversized line (already reported) until its end

    def feed(self, data: bytes) -> list[TimyItem]:
        if self._skipping:
            end = _first_line_end(data)
            if end < 0:
                return []
            self._skipping = False
            data = data[end:]
        # CR, LF and CRLF all end a line; CRLF leaves an empty line, which is skipped.
        lines = (self._pending + data).replace(b"\r", b"\n").split(b"\n")
        tail = lines.pop()
        out = [self._line(line) for line in lines if line]
        if len(tail) > self.max_line_length:
            out.append(self._oversized(tail))
            self._skipping = True
            tail = b""
        self._pending = tail
        return out

    def close(self) -> list[TimyItem]:
        """The stream ended: a line without its end is reported, never parsed (a timing line
        cut before its checksum would otherwise pass as one without)."""
        self._skipping = False
        if not self._pending:
            return []
        rest, self._pending = self._pending, b""
        return [self._count(LineError(ErrorKind.TRUNCATED, rest, "no line end"))]

    def _line(self, raw: bytes) -> TimyItem:
        if len(raw) > self.max_line_length:
            return self._oversized(raw)
        return self._count(parse_line(raw, require_checksum=self.require_checksum))

    def _oversized(self, raw: bytes) -> TimyItem:
        # The same report whether the line end came in this chunk or never: its first bytes.
        detail = f"no line end within {self.max_line_length} bytes"
        return self._count(LineError(ErrorKind.OVERSIZED, raw[: self.max_line_length], detail))

    def _count(self, item: TimyItem) -> TimyItem:
        stats = self.stats
        stats.lines += 1
        if isinstance(item, LineError):
            stats.count(item)
        else:
            name = _COUNTER_OF_CLASS[type(item)]
            setattr(stats, name, getattr(stats, name) + 1)
        return item


def _first_line_end(data: bytes) -> int:
    ends = [i for i in (data.find(b"\r"), data.find(b"\n")) if i >= 0]
    return min(ends) if ends else -1
