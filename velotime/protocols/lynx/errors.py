"""Bad input as data: what the FinishLynx stream reports instead of raising."""

from enum import StrEnum

import msgspec


class ErrorKind(StrEnum):
    GARBAGE = "garbage"  # bytes outside any message
    TRUNCATED = "truncated"  # a message cut off by the next SOH or by the end of the stream
    OVERSIZED = "oversized"  # no EOT within the maximum message size
    MALFORMED = "malformed"  # framed, but no two-letter code and STX, or the wrong field count


class LynxError(msgspec.Struct, frozen=True):
    """One skipped piece of the stream, with the bytes it covered (for logs and audits)."""

    kind: ErrorKind
    raw: bytes
    detail: str = ""


class StreamStats(msgspec.Struct):
    """Running counts of what a stream produced and skipped."""

    messages: int = 0  # records produced, `Unknown` ones included
    unknown: int = 0  # of which messages with a code velotime does not know
    bad_fields: int = 0  # fields kept as text in a record's `invalid`
    garbage_bytes: int = 0
    truncated: int = 0
    oversized: int = 0
    malformed: int = 0

    @property
    def bad_messages(self) -> int:
        """Messages skipped (garbage is counted in bytes, on its own)."""
        return self.truncated + self.oversized + self.malformed

    def count(self, error: LynxError) -> None:
        if error.kind is ErrorKind.GARBAGE:
            self.garbage_bytes += len(error.raw)
        else:
            name = error.kind.value
            setattr(self, name, getattr(self, name) + 1)
