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


class P3Framer:
    """Feed chunks split anywhere; get back unescaped records (bytes) and `FrameError`s."""

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        if max_frame_size < MIN_FRAME_SIZE:
            raise ValueError(f"max_frame_size must be at least {MIN_FRAME_SIZE}")
        self.max_frame_size = max_frame_size
        self.stats = StreamStats()
        self._pending = b""  # the start of a record whose EOR has not arrived yet

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        # Work on immutable bytes: slicing them copies once, a bytearray slice would copy twice.
        buf = self._pending + data if self._pending else bytes(data)
        out: list[bytes | FrameError] = []
        find = buf.find
        max_size = self.max_frame_size
        end = len(buf)
        pos = 0
        frames = 0
        while pos < end:
            eor = find(EOR, pos)
            if eor < 0:
                pos = self._hold_tail(buf, pos, out)
                break
            # The record is the last SOR before this EOR; anything before that SOR is either
            # garbage or records cut off by the SOR that follows them.
            sor = buf.rfind(SOR, pos, eor)
            if sor != pos:
                if sor < 0:  # no record can start before the next SOR: all garbage until it
                    following = find(SOR, eor + 1)
                    following = end if following < 0 else following
                    out.append(self._error(ErrorKind.GARBAGE, buf[pos:following]))
                    pos = following
                    continue
                self._skip_broken(buf, pos, sor, out)
            pos = eor + 1
            record = wire = buf[sor:pos]
            if pos - sor > max_size:
                out.append(self._error(ErrorKind.OVERSIZED, wire, f"{pos - sor} bytes"))
                continue
            if ESC in wire:
                try:
                    record = unescape(wire)
                except EscapeError as exc:
                    out.append(self._error(ErrorKind.BAD_ESCAPE, wire, str(exc)))
                    continue
            size = len(record)
            if size < MIN_FRAME_SIZE:
                out.append(self._error(ErrorKind.BAD_LENGTH, wire, f"{size} bytes, no header"))
                continue
            length = record[2] | record[3] << 8
            # LENGTH 0 is a known host-side shortcut (a published GET_TIME request sends it);
            # the CRC still protects such a record.
            if length != size and length != 0:
                detail = f"LENGTH {length}, record {size} bytes"
                out.append(self._error(ErrorKind.BAD_LENGTH, wire, detail))
                continue
            if p3_crc(record) != (record[4] | record[5] << 8):
                out.append(self._error(ErrorKind.BAD_CRC, wire))
                continue
            out.append(record)
            frames += 1
        self._pending = buf[pos:]
        self.stats.frames += frames
        return out

    def _skip_broken(self, buf: bytes, pos: int, sor: int, out: list[bytes | FrameError]) -> None:
        """Report buf[pos:sor], which holds no EOR: leading garbage, then cut-off records."""
        start = buf.find(SOR, pos, sor)
        if start < 0:
            out.append(self._error(ErrorKind.GARBAGE, buf[pos:sor]))
            return
        if start > pos:
            out.append(self._error(ErrorKind.GARBAGE, buf[pos:start]))
        while start < sor:
            following = buf.find(SOR, start + 1, sor + 1)
            out.append(self._error(ErrorKind.TRUNCATED, buf[start:following], "cut off by SOR"))
            start = following

    def _hold_tail(self, buf: bytes, pos: int, out: list[bytes | FrameError]) -> int:
        """No EOR after pos: keep the last record start for the next chunk, report the rest."""
        sor = buf.rfind(SOR, pos)
        if sor < 0:
            out.append(self._error(ErrorKind.GARBAGE, buf[pos:]))
            return len(buf)
        if sor > pos:
            self._skip_broken(buf, pos, sor, out)
        if len(buf) - sor > self.max_frame_size:
            out.append(self._error(ErrorKind.OVERSIZED, buf[sor:], "no EOR"))
            return len(buf)
        return sor

    def close(self) -> list[bytes | FrameError]:
        """End of stream: a record still incomplete is reported as truncated."""
        if not self._pending:
            return []
        rest, self._pending = self._pending, b""
        return [self._error(ErrorKind.TRUNCATED, rest, "end of stream")]

    def _error(self, kind: ErrorKind, raw: bytes, detail: str = "") -> FrameError:
        error = FrameError(kind, raw, detail)
        self.stats.count(error)
        return error
