"""Streaming P3 framer: wire bytes in, checked and unescaped records out.

SOR (0x8E) and EOR (0x8F) never occur raw inside a record (they are escaped), so a record is
exactly the bytes from a SOR to the next EOR. A SOR before the EOR means the earlier record was
cut off; the framer reports it and starts again at the new SOR, so a broken record never costs
the good one after it. Nothing here raises on bad input: it becomes a `FrameError`.
"""

from velotime.protocols.p3.constants import EOR, ESC, MIN_FRAME_SIZE, SOR
from velotime.protocols.p3.crc import p3_crc
from velotime.protocols.p3.errors import ErrorKind, FrameError, StreamStats
from velotime.protocols.p3.escaping import EscapeError, unescape

# The largest record seen is about 60 bytes; LENGTH is 16-bit, but buffering a 64 KiB "record"
# from a stream that lost its EOR would only delay the good records behind it.
DEFAULT_MAX_FRAME_SIZE = 4096
_EOR_BYTES = bytes([EOR])
_REMEMBERED_LIMIT = 4096


class P3Framer:
    """Feed chunks split anywhere; get back unescaped records (bytes) and `FrameError`s.

    With `remember`, the records that passed every check are remembered by their wire bytes,
    and the same bytes again are passed without checking: a decoder repeats its STATUS records
    byte for byte (they carry no time: 42 different ones in 1,304 of a real capture).
    """

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE, remember: bool = False):
        if max_frame_size < MIN_FRAME_SIZE:
            raise ValueError(f"max_frame_size must be at least {MIN_FRAME_SIZE}")
        self.max_frame_size = max_frame_size
        self.stats = StreamStats()
        self._pending = b""  # the start of a record whose EOR has not arrived yet
        self._remembered: dict[bytes, bytes] | None = {} if remember else None

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        buf = self._pending + data if self._pending else bytes(data)
        # Splitting at every EOR finds all record ends in one pass; each piece but the last is a
        # record (from its last SOR) possibly preceded by garbage or cut-off records.
        pieces = buf.split(_EOR_BYTES)
        tail = pieces.pop()
        out: list[bytes | FrameError] = []
        append = out.append
        max_size = self.max_frame_size
        frames = 0
        skipped = False
        remembered = self._remembered
        for piece in pieces:
            start = piece.rfind(SOR)
            if start:
                skipped = True
                if start < 0:
                    append(self._error(ErrorKind.GARBAGE, piece + _EOR_BYTES))
                    continue
                self._skip_broken(piece[:start], out)
                piece = piece[start:]
            if remembered is not None and (known := remembered.get(piece)) is not None:
                append(known)
                frames += 1
                continue
            record = wire = piece + _EOR_BYTES
            size = len(wire)
            if size > max_size:
                append(self._error(ErrorKind.OVERSIZED, wire, f"{size} bytes"))
                continue
            if ESC in wire:
                try:
                    record = unescape(wire)
                except EscapeError as exc:
                    append(self._error(ErrorKind.BAD_ESCAPE, wire, str(exc)))
                    continue
                size = len(record)
            if size < MIN_FRAME_SIZE:
                append(self._error(ErrorKind.BAD_LENGTH, wire, f"{size} bytes, no header"))
                continue
            length = record[2] | record[3] << 8
            # LENGTH 0 is a known host-side shortcut (a published GET_TIME request sends it);
            # the CRC still protects such a record.
            if length != size and length != 0:
                detail = f"LENGTH {length}, record {size} bytes"
                append(self._error(ErrorKind.BAD_LENGTH, wire, detail))
                continue
            if p3_crc(record) != (record[4] | record[5] << 8):
                append(self._error(ErrorKind.BAD_CRC, wire))
                continue
            append(record)
            frames += 1
            if remembered is not None:
                if len(remembered) >= _REMEMBERED_LIMIT:
                    remembered.clear()
                remembered[piece] = record
        if tail:
            skipped |= self._hold_tail(tail, out)
        else:
            self._pending = b""
        self.stats.frames += frames
        return _merge_garbage(out) if skipped else out

    def close(self) -> list[bytes | FrameError]:
        """End of stream: a record still incomplete is reported as truncated."""
        if not self._pending:
            return []
        rest, self._pending = self._pending, b""
        return [self._error(ErrorKind.TRUNCATED, rest, "end of stream")]

    def _skip_broken(self, piece: bytes, out: list[bytes | FrameError]) -> None:
        """Report bytes holding no EOR: leading garbage, then records cut off by a later SOR."""
        start = piece.find(SOR)
        if start != 0:
            out.append(self._error(ErrorKind.GARBAGE, piece if start < 0 else piece[:start]))
        while start >= 0:
            following = piece.find(SOR, start + 1)
            raw = piece[start:] if following < 0 else piece[start:following]
            out.append(self._error(ErrorKind.TRUNCATED, raw, "cut off by SOR"))
            start = following

    def _hold_tail(self, tail: bytes, out: list[bytes | FrameError]) -> bool:
        """Keep the record begun after the last EOR for the next chunk; report what cannot be
        part of it. Returns whether anything was skipped."""
        start = tail.rfind(SOR)
        self._pending = b""
        if start < 0:
            out.append(self._error(ErrorKind.GARBAGE, tail))
            return True
        if start:
            self._skip_broken(tail[:start], out)
        if len(tail) - start > self.max_frame_size:
            out.append(self._error(ErrorKind.OVERSIZED, tail[start:], "no EOR"))
            return True
        self._pending = tail[start:]
        return start > 0

    def _error(self, kind: ErrorKind, raw: bytes, detail: str = "") -> FrameError:
        error = FrameError(kind, raw, detail)
        self.stats.count(error)
        return error


def _merge_garbage(items: list[bytes | FrameError]) -> list[bytes | FrameError]:
    """One report per run of garbage, however many EORs it held."""
    merged: list[bytes | FrameError] = []
    for item in items:
        previous = merged[-1] if merged else None
        if (
            isinstance(item, FrameError)
            and item.kind is ErrorKind.GARBAGE
            and isinstance(previous, FrameError)
            and previous.kind is ErrorKind.GARBAGE
        ):
            merged[-1] = FrameError(ErrorKind.GARBAGE, previous.raw + item.raw)
        else:
            merged.append(item)
    return merged
