"""The Race Result codec as one sans-I/O object: bytes in (any split), records and errors out."""

from velotime.protocols.framing import LineStream
from velotime.protocols.raceresult.codec import parse_line
from velotime.protocols.raceresult.errors import LineError, StreamStats
from velotime.protocols.raceresult.records import (
    FetchEnd,
    Passing,
    RaceResultRecord,
    Reply,
    Unknown,
)

# A passing line is about 120 characters; a GETSTATUS answer less than 200.
DEFAULT_MAX_LINE_LENGTH = 1024

RaceResultItem = RaceResultRecord | LineError


_COUNTER_OF_CLASS: dict[type[RaceResultRecord], str] = {
    Passing: "passings",
    Reply: "replies",
    FetchEnd: "fetch_ends",
    Unknown: "unknown_lines",
}


class RaceResultStream(LineStream[RaceResultRecord, LineError]):
    """Feed bytes as they arrive; get one record or `LineError` per line. Lines end with LF
    (CR LF as the decoder sends; a CR before the LF is dropped). An empty line is a record
    (`FetchEnd`): it ends a fetch's answer. Never raises on bad input; a line the stream ended
    inside is reported, never parsed (a passing cut in its time field could otherwise pass)."""

    keep_empty_lines = True

    def __init__(self, *, max_line_length: int = DEFAULT_MAX_LINE_LENGTH) -> None:
        self.stats = StreamStats()
        super().__init__(max_line_length, self.stats, _COUNTER_OF_CLASS, LineError)

    def _parse(self, raw: bytes) -> RaceResultItem:
        return parse_line(raw)
