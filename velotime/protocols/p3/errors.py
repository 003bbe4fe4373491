"""Bad input as data: what the P3 stream reports instead of raising."""

from enum import StrEnum

from velotime.protocols.errors import GARBAGE, ErrorCounts, StreamError


class ErrorKind(StrEnum):
    GARBAGE = GARBAGE  # bytes outside any record
    TRUNCATED = "truncated"  # a record cut off by the next SOR or by the end of the stream
    OVERSIZED = "oversized"  # no EOR within the maximum record size
    BAD_ESCAPE = "bad_escape"  # ESC not followed by an escaped byte
    BAD_LENGTH = "bad_length"  # LENGTH disagrees with the record, or too short for a header
    BAD_CRC = "bad_crc"
    MALFORMED = "malformed"  # CRC fine but the fields overrun the record


class FrameError(StreamError[ErrorKind], frozen=True):
    """One skipped piece of the stream, with the wire bytes it covered (for logs and audits)."""


class StreamStats(ErrorCounts):
    """Running counts of what a stream produced and skipped."""

    kinds = ErrorKind
    counted_in_bytes = frozenset({GARBAGE})

    frames: int = 0
    garbage_bytes: int = 0
    truncated: int = 0
    oversized: int = 0
    bad_escape: int = 0
    bad_length: int = 0
    bad_crc: int = 0
    malformed: int = 0

    @property
    def bad_frames(self) -> int:
        """Skipped records other than CRC failures (which are counted on their own)."""
        return self.errors - self.bad_crc
