"""Bad input as data: what the Race Result stream reports instead of raising."""

from enum import StrEnum

from velotime.protocols.errors import GARBAGE, ErrorCounts, StreamError


class ErrorKind(StrEnum):
    OVERSIZED = "oversized"  # no line end within the maximum line length
    GARBAGE = GARBAGE  # control characters in a line: line noise, not the decoder's text
    MALFORMED = "malformed"  # a passing line of the wrong field count, or fields that do not parse
    TRUNCATED = "truncated"  # the stream ended in the middle of a line


class LineError(StreamError[ErrorKind], frozen=True):
    """One rejected line, with its bytes (without the line end) for logs and audits."""


class StreamStats(ErrorCounts):
    """Running counts: every line counts once in `lines` (empty lines too: they end a fetch)
    and once in exactly one of the other counters."""

    kinds = ErrorKind

    lines: int = 0
    passings: int = 0
    replies: int = 0
    fetch_ends: int = 0
    unknown_lines: int = 0  # printable lines of no known kind, kept
    oversized: int = 0
    garbage: int = 0
    malformed: int = 0
    truncated: int = 0

    @property
    def records(self) -> int:
        return self.passings + self.replies + self.fetch_ends
