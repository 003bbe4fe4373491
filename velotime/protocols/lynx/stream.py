"""The FinishLynx codec as one sans-I/O object: bytes in, typed records and counted errors out."""

from velotime.protocols.lynx.constants import DEFAULT_MAX_MESSAGE_SIZE
from velotime.protocols.lynx.decoder import MalformedMessageError, decode_message
from velotime.protocols.lynx.errors import LynxError, StreamStats
from velotime.protocols.lynx.framer import LynxFramer
from velotime.protocols.lynx.records import LynxRecord, Unknown


class LynxStream:
    """Feed bytes as they arrive (any split; UDP datagrams in order); get records, and
    `LynxError`s for what was skipped. Never raises on bad input.

    `stats` counts records, unknown codes, fields kept as text, skipped messages by cause and
    garbage bytes.
    """

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        self._framer = LynxFramer(max_message_size)

    @property
    def stats(self) -> StreamStats:
        return self._framer.stats

    def feed(self, data: bytes) -> list[LynxRecord | LynxError]:
        return self._decode(self._framer.feed(data))

    def close(self) -> list[LynxRecord | LynxError]:
        """The stream ended (a connection closed): report a message left incomplete."""
        return self._decode(self._framer.close())

    def _decode(self, items: list[bytes | LynxError]) -> list[LynxRecord | LynxError]:
        return self._framer.decode(items, self._decode_message, MalformedMessageError)

    def _decode_message(self, message: bytes) -> LynxRecord:
        record = decode_message(message)
        self.stats.bad_fields += len(record.invalid)
        if isinstance(record, Unknown):
            self.stats.unknown += 1
        return record
