"""Framing shared by the codecs: messages that run from SOH to EOT (FinishLynx, UNT4 boards),
and text lines (Timy, Protime, Race Result: `LineStream`, and `LineRecord` for their records).

SOH to EOT: sans-I/O, bytes in, whole messages and `FramingError`s out. No message can hold SOH
or EOT, so a message is exactly the bytes from an SOH to the next EOT. An SOH before the EOT
means the earlier message was cut off (a connection lost mid-message, a UDP datagram lost, a
cable unplugged): it is reported and framing starts again at the new SOH, so a broken message never
costs the good one after it. Bytes outside messages are reported as garbage, one report a run.
"""

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import msgspec

from velotime.protocols.errors import GARBAGE, ErrorCounts, StreamError

_Record = TypeVar("_Record")
_LineError = TypeVar("_LineError", bound=StreamError[Any])

SOH = 0x01
EOT = 0x04
_EOT_BYTES = bytes([EOT])


class ErrorKind(StrEnum):
    GARBAGE = GARBAGE  # bytes outside any message
    TRUNCATED = "truncated"  # a message cut off by the next SOH or by the end of the stream
    OVERSIZED = "oversized"  # no EOT within the maximum message size
    MALFORMED = "malformed"  # framed, but not a message of the protocol (its decoder says why)


class FramingError(StreamError[ErrorKind], frozen=True):
    """One skipped piece of the stream, with the bytes it covered (for logs and audits)."""


class FramingStats(ErrorCounts):
    """Running counts of what a stream produced and skipped."""

    kinds = ErrorKind
    counted_in_bytes = frozenset({GARBAGE})

    messages: int = 0  # records produced
    garbage_bytes: int = 0
    truncated: int = 0
    oversized: int = 0
    malformed: int = 0

    @property
    def bad_messages(self) -> int:
        """Messages skipped (garbage is counted in bytes, on its own)."""
        return self.errors


class SohEotFramer:
    """Feed chunks split anywhere; get back messages (bytes, SOH to EOT) and errors, counted in
    `stats` (a protocol's own stats may add counts of its own)."""

    def __init__(
        self, max_message_size: int, min_message_size: int, stats: FramingStats | None = None
    ) -> None:
        if max_message_size < min_message_size:
            raise ValueError(f"max_message_size must be at least {min_message_size}")
        self.max_message_size = max_message_size
        self.stats = stats if stats is not None else FramingStats()
        self._pending = b""  # the start of a message whose EOT has not arrived yet

    def feed(self, data: bytes) -> list[bytes | FramingError]:
        buf = self._pending + data if self._pending else bytes(data)
        # Every piece but the last ends at an EOT: a message from its last SOH, possibly after
        # garbage and cut-off messages.
        pieces = buf.split(_EOT_BYTES)
        tail = pieces.pop()
        out: list[bytes | FramingError] = []
        for piece in pieces:
            start = piece.rfind(SOH)
            if start < 0:
                self._error(out, ErrorKind.GARBAGE, piece + _EOT_BYTES)
                continue
            if start:
                self._skip_broken(piece[:start], out)
            message = piece[start:] + _EOT_BYTES
            if len(message) > self.max_message_size:
                self._error(out, ErrorKind.OVERSIZED, message, f"{len(message)} bytes")
            else:
                out.append(message)
        self._hold_tail(tail, out)
        return out

    def close(self) -> list[bytes | FramingError]:
        """End of stream: a message still incomplete is reported as truncated."""
        out: list[bytes | FramingError] = []
        if self._pending:
            rest, self._pending = self._pending, b""
            self._error(out, ErrorKind.TRUNCATED, rest, "end of stream")
        return out

    def decode(
        self,
        items: list[bytes | FramingError],
        decode_message: Callable[[bytes], _Record],
        refused: type[ValueError],
    ) -> list[_Record | FramingError]:
        """`feed`'s or `close`'s items with each message decoded, counted in `messages`; one
        the decoder refuses (raising `refused`) becomes a counted `malformed` error."""
        out: list[_Record | FramingError] = []
        for item in items:
            if not isinstance(item, bytes):
                out.append(item)
                continue
            try:
                record = decode_message(item)
            except refused as exc:
                error = FramingError(ErrorKind.MALFORMED, item, str(exc))
                self.stats.count(error)
                out.append(error)
                continue
            self.stats.messages += 1
            out.append(record)
        return out

    def _skip_broken(self, piece: bytes, out: list[bytes | FramingError]) -> None:
        """Report bytes holding no EOT: leading garbage, then messages cut off by a later SOH."""
        start = piece.find(SOH)
        if start != 0:
            self._error(out, ErrorKind.GARBAGE, piece if start < 0 else piece[:start])
        while start >= 0:
            following = piece.find(SOH, start + 1)
            raw = piece[start:] if following < 0 else piece[start:following]
            self._error(out, ErrorKind.TRUNCATED, raw, "cut off by SOH")
            start = following

    def _hold_tail(self, tail: bytes, out: list[bytes | FramingError]) -> None:
        """Keep the message begun after the last EOT for the next chunk; report the rest."""
        self._pending = b""
        if not tail:
            return
        start = tail.rfind(SOH)
        if start < 0:
            self._error(out, ErrorKind.GARBAGE, tail)
            return
        if start:
            self._skip_broken(tail[:start], out)
        if len(tail) - start > self.max_message_size:
            self._error(out, ErrorKind.OVERSIZED, tail[start:], "no EOT")
            return
        self._pending = tail[start:]

    def _error(
        self, out: list[bytes | FramingError], kind: ErrorKind, raw: bytes, detail: str = ""
    ) -> None:
        self.stats.count(FramingError(kind, raw, detail))
        previous = out[-1] if out else None
        # One report per run of garbage, however many EOTs it held.
        if (
            kind is ErrorKind.GARBAGE
            and isinstance(previous, FramingError)
            and previous.kind is ErrorKind.GARBAGE
        ):
            out[-1] = FramingError(kind, previous.raw + raw)
        else:
            out.append(FramingError(kind, raw, detail))


class LineRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A record of a text-line codec that keeps `text`, its line as it travelled (without its
    line end), for audits. A record made by hand (`text` empty) gets the line it would be sent
    as, from `to_line()`. Each record class declares `text` itself, last, so that JSON shows its
    fields in reading order."""

    if TYPE_CHECKING:  # a field of every subclass, declared there (msgspec orders base first)
        text: str

    def __post_init__(self) -> None:
        if not self.text:
            # Frozen: construction is the one moment the text may be filled in.
            msgspec.structs.force_setattr(self, "text", self.to_line())

    def to_line(self) -> str:
        """The line for these fields, without a line end."""
        raise NotImplementedError


class LineCounts(Protocol):
    """What a `LineStream` counts in: every line once in `lines`, and once in its error's kind
    (`count`) or in its record's counter (a field named in `counter_of_class`)."""

    lines: int

    @property
    def kinds(self) -> type[StrEnum]:
        """The codec's error kinds, "oversized" and "truncated" among them."""
        ...

    def count(self, error: StreamError[Any]) -> None: ...


class LineStream(Generic[_Record, _LineError]):
    """A text-line codec as a sans-I/O object: feed bytes as they arrive (any split); get one
    record or error a line, each counted in the codec's `stats`. Never raises on bad input.

    A line ends with LF; a CR before it is dropped (with `cr_ends_line`, a CR alone ends one too:
    CR, LF and CRLF). A line longer than `max_line_length` is reported `oversized` (its first
    bytes) and skipped to its end however long it runs; a line the stream ended inside is
    reported `truncated`, never parsed (a line cut in its last field could pass). Empty lines are
    skipped unless `keep_empty_lines`; `strip_leading` bytes before a line are dropped.

    A codec subclasses it, giving its line parser (`_parse`) and its error type and kinds."""

    cr_ends_line = False
    keep_empty_lines = False
    strip_leading = b""

    def __init__(
        self,
        max_line_length: int,
        stats: LineCounts,
        counter_of_class: Mapping[type[_Record], str],
        error: Callable[[Any, bytes, str], _LineError],
    ) -> None:
        """`error` makes the codec's error from its kind (of `stats.kinds`), bytes and detail."""
        self.max_line_length = max_line_length
        self._counts = stats  # the subclass's `stats`, typed as its own
        self._counter_of_class = counter_of_class
        self._make_error = error
        self._oversized_kind = stats.kinds("oversized")
        self._truncated_kind = stats.kinds("truncated")
        self._pending = b""  # the start of a line whose end has not arrived
        self._skipping = False  # inside an oversized line (already reported) until its end

    def _parse(self, raw: bytes) -> _Record | _LineError:
        """One line (without its end) as a record or an error."""
        raise NotImplementedError

    def feed(self, data: bytes) -> list[_Record | _LineError]:
        if self._skipping:
            end = self._first_line_end(data)
            if end < 0:
                return []
            self._skipping = False
            data = data[end + 1 :]
        buffer = self._pending + data
        if self.cr_ends_line:
            # CR, LF and CRLF all end a line; CRLF leaves an empty line, which is skipped.
            buffer = buffer.replace(b"\r", b"\n")
        lines = buffer.split(b"\n")
        tail = lines.pop()  # kept whole: a CR at its end may be the line's last byte
        out = []
        for line in lines:
            line = line.removesuffix(b"\r")
            if self.strip_leading:
                line = line.lstrip(self.strip_leading)
            if line or self.keep_empty_lines:
                out.append(self._line(line))
        if len(tail) > self.max_line_length:
            out.append(self._oversized(tail))
            self._skipping = True
            tail = b""
        self._pending = tail
        return out

    def close(self) -> list[_Record | _LineError]:
        """The stream ended (or the link dropped): a line without its end is reported."""
        self._skipping = False
        rest, self._pending = self._pending, b""
        if self.strip_leading:
            rest = rest.lstrip(self.strip_leading)
        if not rest:
            return []
        return [self._count(self._make_error(self._truncated_kind, rest, "no line end"))]

    def _first_line_end(self, data: bytes) -> int:
        ends = (b"\r", b"\n") if self.cr_ends_line else (b"\n",)
        found = [i for end in ends if (i := data.find(end)) >= 0]
        return min(found) if found else -1

    def _line(self, raw: bytes) -> _Record | _LineError:
        if len(raw) > self.max_line_length:
            return self._oversized(raw)
        return self._count(self._parse(raw))

    def _oversized(self, raw: bytes) -> _Record | _LineError:
        # The same report whether the line end came in this chunk or never: its first bytes.
        detail = f"no line end within {self.max_line_length} bytes"
        error = self._make_error(self._oversized_kind, raw[: self.max_line_length], detail)
        return self._count(error)

    def _count(self, item: _Record | _LineError) -> _Record | _LineError:
        stats = self._counts
        stats.lines += 1
        if isinstance(item, StreamError):
            stats.count(item)
        else:
            name = self._counter_of_class[type(item)]
            setattr(stats, name, getattr(stats, name) + 1)
        return item
