"""AMB/MYLAPS P3: the binary, byte-stuffed, CRC-protected TLV protocol of transponder decoders.

Sans-I/O: `P3Stream.feed(bytes)` returns typed records and `FrameError`s; `encode(record)`
returns wire bytes. The format is described in docs/protocols/p3.md.
"""

from velotime.protocols.p3.constants import (
    ESCAPED_BYTES_DECODER,
    ESCAPED_BYTES_WIDE,
    ErrorCode,
    Tor,
)
from velotime.protocols.p3.decoder import MalformedRecordError, decode_record
from velotime.protocols.p3.encoder import EncodeError, encode, encode_unescaped
from velotime.protocols.p3.errors import ErrorKind, FrameError, StreamStats
from velotime.protocols.p3.framer import P3Framer
from velotime.protocols.p3.records import (
    Error,
    GetTime,
    P3Record,
    Passing,
    Ping,
    RawField,
    Resend,
    Status,
    Unknown,
    Version,
)
from velotime.protocols.p3.stream import P3Stream, P3Tally

__all__ = [
    "ESCAPED_BYTES_DECODER",
    "ESCAPED_BYTES_WIDE",
    "EncodeError",
    "Error",
    "ErrorCode",
    "ErrorKind",
    "FrameError",
    "GetTime",
    "MalformedRecordError",
    "P3Framer",
    "P3Record",
    "P3Stream",
    "P3Tally",
    "Passing",
    "Ping",
    "RawField",
    "Resend",
    "Status",
    "StreamStats",
    "Tor",
    "Unknown",
    "Version",
    "decode_record",
    "encode",
    "encode_unescaped",
]
