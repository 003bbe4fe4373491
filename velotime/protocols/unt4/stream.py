"""The UNT4 codec as one sans-I/O object: bytes in, typed records and counted errors out.

Framing (SOH to EOT, cut-off messages and garbage reported, never costing the good message
after them) is velotime.protocols.framing's, as for FinishLynx.
"""

from velotime.protocols.framing import SohEotFramer
from velotime.protocols.unt4.codec import decode_message
from velotime.protocols.unt4.constants import DEFAULT_MAX_MESSAGE_SIZE, MIN_MESSAGE_SIZE
from velotime.protocols.unt4.errors import MalformedMessageError, StreamStats, Unt4Error
from velotime.protocols.unt4.records import Unt4Record

Unt4Item = Unt4Record | Unt4Error


class Unt4Stream:
    """Feed chunks split anywhere; get records, and `Unt4Error`s for what was skipped. Never
    raises on bad input. `stats` counts records, skipped messages by cause and garbage bytes."""

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        self._framer = SohEotFramer(max_message_size, MIN_MESSAGE_SIZE)

    @property
    def max_message_size(self) -> int:
        return self._framer.max_message_size

    @property
    def stats(self) -> StreamStats:
        return self._framer.stats

    def feed(self, data: bytes) -> list[Unt4Item]:
        return self._decode(self._framer.feed(data))

    def close(self) -> list[Unt4Item]:
        """The stream ended (a connection closed): a message still incomplete is reported."""
        return self._decode(self._framer.close())

    def _decode(self, items: list[bytes | Unt4Error]) -> list[Unt4Item]:
        return self._framer.decode(items, decode_message, MalformedMessageError)
