"""Bad input as data: what the P3 stream reports instead of raising."""

from enum import StrEnum

import msgspec


class ErrorKind(StrEnum):
    GARBAGE = "garbage"  # bytes outside any record
    TRUNCATED = "truncated"  # a record cut off by the next SOR or by the end of the stream
    OVERSIZED = "oversized"  # no EOR within the maximum record size
    BAD_ESCAPE = "bad_escape"  # ESC not followed by an escaped byte
    BAD_LENGTH = "bad_length"  # LENGTH disagrees with the record, or too short for a header
    BAD_CRC = "bad_crc"
    MALFORMED = "malformed"  # CRC fine but the fields overrun the record


class FrameError(msgspec.Struct, frozen=True):
    """One skipped piece of the stream, with the wire bytes it covered (for logs and audits)."""

    kind: ErrorKind
    raw: bytes
    detail: str = ""


class StreamStats(msgspec.Struct):
    """Running counts of what a stream produced and skipped."""

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
        return self.truncated + self.oversized + self.bad_escape + self.bad_length + self.malformed

    def count(self, error: FrameError) -> None:
        if error.kind is ErrorKind.GARBAGE:
            self.garbage_bytes += len(error.raw)
        else:
            name = error.kind.value
            setattr(self, name, getattr(self, name) + 1)
