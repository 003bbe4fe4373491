"""Bad input as data: what the Timy stream reports instead of raising."""

from enum import StrEnum

from velotime.protocols.errors import GARBAGE, ErrorCounts, StreamError


class ErrorKind(StrEnum):
    OVERSIZED = "oversized"  # no line end within the maximum line length
    GARBAGE = GARBAGE  # control characters in a line: line noise, a wrong baud rate
    MALFORMED = "malformed"  # device data of a wrong length, or fields that are not digits
    BAD_TIME = "bad_time"  # the time field of an impulse, RT or TT line
    BAD_CHECKSUM = "bad_checksum"  # the CHK1 checksum does not match: the line may be corrupt
    MISSING_CHECKSUM = "missing_checksum"  # a timing line without one, when one is required
    TRUNCATED = "truncated"  # the stream ended in the middle of a line


class LineError(StreamError[ErrorKind], frozen=True):
    """One rejected line, with its bytes (without the line end) for logs and audits."""


class StreamStats(ErrorCounts):
    """Running counts of what a stream produced. Every non-empty line counts once in `lines` and
    once in exactly one of the other counters (a garbled line is one `garbage` line)."""

    kinds = ErrorKind

    lines: int = 0
    impulses: int = 0
    run_times: int = 0
    total_times: int = 0
    next_numbers: int = 0
    unknown_lines: int = 0  # valid lines velotime does not interpret (kept as `UnknownLine`)
    oversized: int = 0
    garbage: int = 0
    malformed: int = 0
    bad_time: int = 0
    bad_checksum: int = 0
    missing_checksum: int = 0
    truncated: int = 0

    @property
    def records(self) -> int:
        """Lines decoded to a typed record (unknown lines excluded)."""
        return self.impulses + self.run_times + self.total_times + self.next_numbers
