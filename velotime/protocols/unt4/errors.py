"""Bad input as data: what the UNT4 stream reports instead of raising."""

from enum import StrEnum

import msgspec


class ErrorKind(StrEnum):
    GARBAGE = "garbage"  # bytes outside any message
    TRUNCATED = "truncated"  # a message cut off by the next SOH or by the end of the stream
    OVERSIZED = "oversized"  # no EOT within the maximum message size
    MALFORMED = "malformed"  # framed, but not a UNT4 message (see codec.decode_message)


class Unt4Error(msgspec.Struct, frozen=True):
    """One skipped piece of the stream, with the bytes it covered (for logs and audits)."""

    kind: ErrorKind
    raw: bytes
    detail: str = ""


class StreamStats(msgspec.Struct):
    """Running counts of what a stream produced and skipped."""

    messages: int = 0  # records produced
    garbage_bytes: int = 0
    truncated: int = 0
    oversized: int = 0
    malformed: int = 0

    @property
    def bad_messages(self) -> int:
        """Messages skipped (garbage is counted in bytes, on its own)."""
        return self.truncated + self.oversized + self.malformed

    def count(self, error: Unt4Error) -> None:
        if error.kind is ErrorKind.GARBAGE:
            self.garbage_bytes += len(error.raw)
        else:
            name = error.kind.value
            setattr(self, name, getattr(self, name) + 1)


class MalformedMessageError(ValueError):
    """A framed message (SOH to EOT) that is not UNT4; the stream reports it as `malformed`."""


class EncodeError(ValueError):
    """A record the wire cannot carry: a position above 99, text outside 7-bit ASCII or holding
    a reserved control byte."""
