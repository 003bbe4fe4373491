"""Streaming framer: bytes in, whole messages (SOH..EOT) and `LynxError`s out
(velotime.protocols.framing, with FinishLynx's sizes and counts)."""

from velotime.protocols.framing import SohEotFramer
from velotime.protocols.lynx.constants import DEFAULT_MAX_MESSAGE_SIZE, MIN_MESSAGE_SIZE
from velotime.protocols.lynx.errors import StreamStats


class LynxFramer(SohEotFramer):
    """Feed chunks split anywhere; get back messages (bytes, SOH to EOT) and errors."""

    stats: StreamStats

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        super().__init__(max_message_size, MIN_MESSAGE_SIZE, StreamStats())
