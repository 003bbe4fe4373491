"""Streaming framer: bytes in, whole messages (SOH..EOT) and `LynxError`s out.

No field can hold SOH or EOT, so a message is exactly the bytes from an SOH to the next EOT. An
SOH before the EOT means the earlier message was cut off (a connection lost mid-message, a UDP
datagram lost): it is reported and framing starts again at the new SOH, so a broken message
never costs the good one after it.
"""

from velotime.protocols.lynx.constants import DEFAULT_MAX_MESSAGE_SIZE, EOT, MIN_MESSAGE_SIZE, SOH
from velotime.protocols.lynx.errors import ErrorKind, LynxError, StreamStats

_EOT_BYTES = bytes([EOT])


class LynxFramer:
    """Feed chunks split anywhere; get back messages (bytes, SOH to EOT) and errors."""

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        if max_message_size < MIN_MESSAGE_SIZE:
            raise ValueError(f"max_message_size must be at least {MIN_MESSAGE_SIZE}")
        self.max_message_size = max_message_size
        self.stats = StreamStats()
        self._pending = b""  # the start of a message whose EOT has not arrived yet

    def feed(self, data: bytes) -> list[bytes | LynxError]:
        buf = self._pending + data if self._pending else bytes(data)
        # Every piece but the last ends at an EOT: a message from its last SOH, possibly after
        # garbage and cut-off messages.
        pieces = buf.split(_EOT_BYTES)
        tail = pieces.pop()
        out: list[bytes | LynxError] = []
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

    def close(self) -> list[bytes | LynxError]:
        """End of stream: a message still incomplete is reported as truncated."""
        out: list[bytes | LynxError] = []
        if self._pending:
            rest, self._pending = self._pending, b""
            self._error(out, ErrorKind.TRUNCATED, rest, "end of stream")
        return out

    def _skip_broken(self, piece: bytes, out: list[bytes | LynxError]) -> None:
        """Report bytes holding no EOT: leading garbage, then messages cut off by a later SOH."""
        start = piece.find(SOH)
        if start != 0:
            self._error(out, ErrorKind.GARBAGE, piece if start < 0 else piece[:start])
        while start >= 0:
            following = piece.find(SOH, start + 1)
            raw = piece[start:] if following < 0 else piece[start:following]
            self._error(out, ErrorKind.TRUNCATED, raw, "cut off by SOH")
            start = following

    def _hold_tail(self, tail: bytes, out: list[bytes | LynxError]) -> None:
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
        self, out: list[bytes | LynxError], kind: ErrorKind, raw: bytes, detail: str = ""
    ) -> None:
        self.stats.count(LynxError(kind, raw, detail))
        previous = out[-1] if out else None
        # One report per run of garbage, however many EOTs it held.
        if (
            kind is ErrorKind.GARBAGE
            and isinstance(previous, LynxError)
            and previous.kind is ErrorKind.GARBAGE
        ):
            out[-1] = LynxError(kind, previous.raw + raw)
        else:
            out.append(LynxError(kind, raw, detail))
