"""Race Result decoders (System/4000/5000) over TCP: `;`-separated ISO-8859-1 lines, CR LF.

Sans-I/O: `RaceResultStream.feed(bytes)` returns typed records and `LineError`s; `encode(record)`
returns a line's bytes, `command(...)` and `fetch(...)` the host's. The format is described in
docs/protocols/raceresult.md.
"""

from velotime.protocols.raceresult.codec import (
    ENCODING,
    LINE_END,
    EncodeError,
    command,
    encode,
    fetch,
    parse_fetch,
    parse_line,
)
from velotime.protocols.raceresult.errors import ErrorKind, LineError, StreamStats
from velotime.protocols.raceresult.json import record_to_builtins
from velotime.protocols.raceresult.records import (
    PASSING_FIELDS,
    STORED_BIT,
    FetchEnd,
    Passing,
    RaceResultRecord,
    Reply,
    Unknown,
    format_time,
    parse_time,
)
from velotime.protocols.raceresult.stream import (
    DEFAULT_MAX_LINE_LENGTH,
    RaceResultItem,
    RaceResultStream,
)

PORT = 3601  # the decoder listens; the host connects
PROTOCOL_VERSION = "3.2"  # the newest we speak (metarace asks for it too)

__all__ = [
    "DEFAULT_MAX_LINE_LENGTH",
    "ENCODING",
    "LINE_END",
    "PASSING_FIELDS",
    "PORT",
    "PROTOCOL_VERSION",
    "STORED_BIT",
    "EncodeError",
    "ErrorKind",
    "FetchEnd",
    "LineError",
    "Passing",
    "RaceResultItem",
    "RaceResultRecord",
    "RaceResultStream",
    "Reply",
    "StreamStats",
    "Unknown",
    "command",
    "encode",
    "fetch",
    "format_time",
    "parse_fetch",
    "parse_line",
    "parse_time",
    "record_to_builtins",
]
