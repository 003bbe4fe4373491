"""The Timy codec as one sans-I/O object: serial bytes in, typed records and counted errors out."""

from velotime.protocols.framing import LineStream
from velotime.protocols.timy.codec import parse_line
from velotime.protocols.timy.errors import LineError, StreamStats
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


class TimyStream(LineStream[TimyRecord, LineError]):
    """Feed bytes as they arrive (any split); get one record or `LineError` per non-empty line.

    Lines end with CR (the device), LF (dumps) or CRLF; empty lines are skipped. Never raises on
    bad input. `stats` counts lines, records by type, unknown lines and errors by kind.
    `require_checksum`: see `parse_line`.
    """

    cr_ends_line = True

    def __init__(
        self, *, max_line_length: int = DEFAULT_MAX_LINE_LENGTH, require_checksum: bool = False
    ) -> None:
        if max_line_length < 28:
            raise ValueError("max_line_length must hold a checksummed line (28)")
        self.require_checksum = require_checksum
        self.stats = StreamStats()
        super().__init__(max_line_length, self.stats, _COUNTER_OF_CLASS, LineError)

    def _parse(self, raw: bytes) -> TimyItem:
        return parse_line(raw, require_checksum=self.require_checksum)
