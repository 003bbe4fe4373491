"""Bad input as data, for every codec: what a stream skipped, and its running counts by kind.

A codec never raises on bad input. It returns a `StreamError` (a value, not an exception) for
each piece of the stream it skipped, with the bytes that piece covered, and counts it in its
`ErrorCounts`. Each codec names its own kinds (a `StrEnum`) and declares one counter a kind.
"""

from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

import msgspec

__all__ = ["GARBAGE", "ErrorCounts", "StreamError"]

Kind = TypeVar("Kind", bound=StrEnum)

GARBAGE = "garbage"  # the kind for bytes outside any record, which framed codecs count in bytes


class StreamError(msgspec.Struct, Generic[Kind], frozen=True):
    """One skipped piece of the stream, with the bytes it covered (for logs and audits)."""

    kind: Kind
    raw: bytes
    detail: str = ""


class ErrorCounts(msgspec.Struct):
    """Running counts of what a stream skipped: one `int` field a kind, named by its value.

    A subclass sets `kinds` to its codec's kinds. Kinds in `counted_in_bytes` add the length of
    what they skipped to `<kind>_bytes` instead (bytes outside any frame are one run, not one
    message, so a count of them would depend on how the stream was split)."""

    kinds: ClassVar[type[StrEnum]]
    counted_in_bytes: ClassVar[frozenset[str]] = frozenset()

    def count(self, error: StreamError[Any]) -> None:
        name = error.kind.value
        if name in self.counted_in_bytes:
            setattr(self, f"{name}_bytes", getattr(self, f"{name}_bytes") + len(error.raw))
        else:
            setattr(self, name, getattr(self, name) + 1)

    @property
    def errors(self) -> int:
        """Pieces skipped, of every kind counted by number."""
        return sum(self.errors_by_kind().values())

    def errors_by_kind(self) -> dict[str, int]:
        """The counts by number that are not zero."""
        return {
            kind.value: n
            for kind in self.kinds
            if kind.value not in self.counted_in_bytes and (n := getattr(self, kind.value))
        }
