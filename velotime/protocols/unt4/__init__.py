"""UNT4, the text-board protocol of Omega/Swiss Timing style scoreboards (and DHI boards).

Sans-I/O: `encode(record)` returns a message's bytes; `Unt4Stream.feed(bytes)` returns typed
records and `Unt4Error`s. `to_telegraph`/`from_telegraph` give the printable form metarace sends
over MQTT, and `board_text` makes any text fit a board. Described in docs/protocols/unt4.md.
"""

from velotime.protocols.unt4.charset import board_text
from velotime.protocols.unt4.codec import decode_message, encode
from velotime.protocols.unt4.constants import (
    DC2,
    DC3,
    DC4,
    DEFAULT_MAX_MESSAGE_SIZE,
    DLE,
    EOT,
    ERL,
    ERP,
    MAX_COLUMNS,
    MAX_POSITION,
    MAX_ROWS,
    MIN_COLUMNS,
    MIN_ROWS,
    SOH,
    STX,
)
from velotime.protocols.unt4.errors import (
    EncodeError,
    ErrorKind,
    MalformedMessageError,
    StreamStats,
    Unt4Error,
)
from velotime.protocols.unt4.records import (
    RECORD_CLASSES,
    ClearAll,
    Packet,
    Prefix,
    Text,
    Unt4Record,
)
from velotime.protocols.unt4.spec import UNT4_MESSAGE, parse_message
from velotime.protocols.unt4.stream import Unt4Item, Unt4Stream
from velotime.protocols.unt4.telegraph import TelegraphError, from_telegraph, to_telegraph

__all__ = [
    "DC2",
    "DC3",
    "DC4",
    "DEFAULT_MAX_MESSAGE_SIZE",
    "DLE",
    "EOT",
    "ERL",
    "ERP",
    "MAX_COLUMNS",
    "MAX_POSITION",
    "MAX_ROWS",
    "MIN_COLUMNS",
    "MIN_ROWS",
    "RECORD_CLASSES",
    "SOH",
    "STX",
    "UNT4_MESSAGE",
    "ClearAll",
    "EncodeError",
    "ErrorKind",
    "MalformedMessageError",
    "Packet",
    "Prefix",
    "StreamStats",
    "TelegraphError",
    "Text",
    "Unt4Error",
    "Unt4Item",
    "Unt4Record",
    "Unt4Stream",
    "board_text",
    "decode_message",
    "encode",
    "from_telegraph",
    "parse_message",
    "to_telegraph",
]
