"""The Race Result codec as one sans-I/O object: bytes in (any split), records and errors out."""

from velotime.protocols.raceresult.codec import parse_line
from velotime.protocols.raceresult.errors import ErrorKind, LineError, StreamStats
from velotime.protocols.raceresult.records import FetchEnd, Passing, RaceResultRecord, Reply

# A passing line is about 120 characters; a GETSTATUS answer less than 200.
DEFAULT_MAX_LINE_LENGTH = 1024

RaceResultItem = RaceResultRecord | LineError


class RaceResultStream:
    """Feed bytes as they arrive; get one record or `LineError` per line. Lines end with LF
    (CR LF as the decoder sends; a CR before the LF is dropped). An empty line is a record
    (`FetchEnd`): it ends a fetch's answer. Never raises on bad input."""

    def __init__(self, *, max_line_length: int = DEFAULT_MAX_LINE_LENGTH) -> None:
        self.max_line_length = max_line_length
        self.stats = StreamStats()
        self._pending = b""
        self._skipping = False  # inside an oversized line (reported) until its end

    def feed(self, data: bytes) -> list[RaceResultItem]:
        if self._skipping:
            end = data.find(b"\n")
            if end < 0:
                return []
            self._skipping = False
            data = data[end + 1 :]
        lines = (self._pending + data).split(b"\n")
        tail = lines.pop()
        out = [self._line(line[:-1] if line.endswith(b"\r") else line) for line in lines]
        if len(tail) > self.max_line_length:
            out.append(self._oversized(tail))
            self._skipping = True
            tail = b""
        self._pending = tail
        return out

    def close(self) -> list[RaceResultItem]:
        """The stream ended (or the link dropped): a line without its end is reported, never
        parsed (a passing cut in its time field could otherwise pass)."""
        self._skipping = False
        if not self._pending:
            return []
        rest, self._pending = self._pending, b""
        return [self._count(LineError(ErrorKind.TRUNCATED, rest, "no line end"))]

    def _line(self, raw: bytes) -> RaceResultItem:
        if len(raw) > self.max_line_length:
            return self._oversized(raw)
        return self._count(parse_line(raw))

    def _oversized(self, raw: bytes) -> RaceResultItem:
        detail = f"no line end within {self.max_line_length} bytes"
        return self._count(LineError(ErrorKind.OVERSIZED, raw[: self.max_line_length], detail))

    def _count(self, item: RaceResultItem) -> RaceResultItem:
        stats = self.stats
        stats.lines += 1
        if isinstance(item, LineError):
            stats.count(item)
        elif isinstance(item, Passing):
            stats.passings += 1
        elif isinstance(item, FetchEnd):
            stats.fetch_ends += 1
        elif isinstance(item, Reply):
            stats.replies += 1
        else:
            stats.unknown_lines += 1
        return item
