"""Bad input as data: what the Protime streams report instead of raising."""

from enum import StrEnum

from velotime.protocols.errors import GARBAGE, ErrorCounts, StreamError


class ErrorKind(StrEnum):
    OVERSIZED = "oversized"  # no line end within the maximum line length
    GARBAGE = GARBAGE  # control characters in a text line, bytes outside any host command
    MALFORMED = "malformed"  # a telegram of the wrong length, or fields that are not what they say
    BAD_CHECKSUM = "bad_checksum"  # the telegram's decimal sum does not match: it may be corrupt
    TRUNCATED = "truncated"  # the stream ended in the middle of a line
    UNKNOWN_COMMAND = "unknown_command"  # ESC and a byte that starts no host command


class LineError(StreamError[ErrorKind], frozen=True):
    """One rejected line (or host command), with its bytes (without the line end)."""


class StreamStats(ErrorCounts):
    """Running counts of what a device stream produced: every non-empty line counts once in
    `lines` and once in exactly one of the other counters."""

    kinds = ErrorKind

    lines: int = 0
    passings: int = 0
    status_lines: int = 0
    config_dumps: int = 0
    unknown_lines: int = 0  # well-formed lines velotime does not interpret
    oversized: int = 0
    garbage: int = 0
    malformed: int = 0
    bad_checksum: int = 0
    truncated: int = 0
    unknown_command: int = 0  # (host commands only)

    @property
    def records(self) -> int:
        return self.passings + self.status_lines + self.config_dumps
