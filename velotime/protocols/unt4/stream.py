"""The UNT4 codec as one sans-I/O object: bytes in, typed records and counted errors out.

No message can hold SOH or EOT, so a message is exactly the bytes from an SOH to the next EOT.
An SOH before the EOT means the earlier message was cut off (a board or a cable unplugged
mid-message): it is reported and framing starts again at the new SOH, so a broken message never
costs the good one after it. Bytes outside messages are reported as garbage, one report per run.
"""

from velotime.protocols.unt4.codec import decode_message
from velotime.protocols.unt4.constants import (
    DEFAULT_MAX_MESSAGE_SIZE,
    EOT,
    MIN_MESSAGE_SIZE,
    SOH,
)
from velotime.protocols.unt4.errors import (
    ErrorKind,
    MalformedMessageError,
    StreamStats,
    Unt4Error,
)
from velotime.protocols.unt4.records import Unt4Record

Unt4Item = Unt4Record | Unt4Error


class Unt4Stream:
    """Feed chunks split anywhere; get records, and `Unt4Error`s for what was skipped. Never
    raises on bad input. `stats` counts records, skipped messages by cause and garbage bytes."""

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        if max_message_size < MIN_MESSAGE_SIZE:
            raise ValueError(f"max_message_size must be at least {MIN_MESSAGE_SIZE}")
        self.max_message_size = max_message_size
        self.stats = StreamStats()
        self._pending = b""  # a message begun (from its SOH) whose EOT has not arrived yet

    def feed(self, data: bytes) -> list[Unt4Item]:
        buf = self._pending + data if self._pending else bytes(data)
        self._pending = b""
        out: list[Unt4Item] = []
        at = 0
        while at < len(buf):
            start = buf.find(SOH, at)
            if start < 0:
                self._error(out, ErrorKind.GARBAGE, buf[at:])
                break
            if start > at:
                self._error(out, ErrorKind.GARBAGE, buf[at:start])
            end = buf.find(EOT, start + 1)
            following = buf.find(SOH, start + 1)
            if following >= 0 and (end < 0 or following < end):
                self._error(out, ErrorKind.TRUNCATED, buf[start:following], "cut off by SOH")
                at = following
            elif end < 0:
                self._hold(buf[start:], out)
                break
            else:
                self._message(buf[start : end + 1], out)
                at = end + 1
        return out

    def close(self) -> list[Unt4Item]:
        """The stream ended (a connection closed): a message still incomplete is reported."""
        out: list[Unt4Item] = []
        if self._pending:
            rest, self._pending = self._pending, b""
            self._error(out, ErrorKind.TRUNCATED, rest, "end of stream")
        return out

    def _hold(self, begun: bytes, out: list[Unt4Item]) -> None:
        if len(begun) > self.max_message_size:
            # Its EOT, if it ever comes, will be counted as garbage with what precedes it.
            self._error(out, ErrorKind.OVERSIZED, begun, f"no EOT within {self.max_message_size}")
        else:
            self._pending = begun

    def _message(self, message: bytes, out: list[Unt4Item]) -> None:
        if len(message) > self.max_message_size:
            self._error(out, ErrorKind.OVERSIZED, message, f"{len(message)} bytes")
            return
        try:
            record = decode_message(message)
        except MalformedMessageError as exc:
            self._error(out, ErrorKind.MALFORMED, message, str(exc))
            return
        self.stats.messages += 1
        out.append(record)

    def _error(self, out: list[Unt4Item], kind: ErrorKind, raw: bytes, detail: str = "") -> None:
        self.stats.count(Unt4Error(kind, raw, detail))
        previous = out[-1] if out else None
        if (
            kind is ErrorKind.GARBAGE
            and isinstance(previous, Unt4Error)
            and previous.kind is ErrorKind.GARBAGE
        ):
            out[-1] = Unt4Error(kind, previous.raw + raw)
        else:
            out.append(Unt4Error(kind, raw, detail))
