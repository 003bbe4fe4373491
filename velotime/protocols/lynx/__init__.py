"""FinishLynx live scoreboard output, in the format of velotime's own script.

FinishLynx sends scoreboards whatever their script (.lss) says. velotime ships
config/finishlynx/velotime.lss, which sends every message as `SOH code STX field US field ...
EOT`. Sans-I/O: `LynxStream.feed(bytes)` returns typed records and `LynxError`s; `encode(record)`
returns wire bytes. The format is described in docs/protocols/lynx.md.
"""

from velotime.protocols.lynx.charset import decode_text, encode_text
from velotime.protocols.lynx.constants import DEFAULT_MAX_MESSAGE_SIZE, EOT, SOH, STX, US
from velotime.protocols.lynx.decoder import MalformedMessageError, decode_message
from velotime.protocols.lynx.encoder import EncodeError, encode
from velotime.protocols.lynx.errors import ErrorKind, LynxError, StreamStats
from velotime.protocols.lynx.framer import LynxFramer
from velotime.protocols.lynx.records import (
    CLASS_OF_CODE,
    RECORD_CLASSES,
    Armed,
    Break,
    InvalidField,
    Kind,
    LynxRecord,
    Paused,
    Result,
    ResultsComplete,
    ResultsHeader,
    RunningTime,
    StartListComplete,
    StartListEntry,
    StartListHeader,
    Stopped,
    TimeOfDay,
    Unknown,
    WireField,
)
from velotime.protocols.lynx.stream import LynxStream
from velotime.protocols.lynx.times import format_time, parse_time

__all__ = [
    "CLASS_OF_CODE",
    "DEFAULT_MAX_MESSAGE_SIZE",
    "EOT",
    "RECORD_CLASSES",
    "SOH",
    "STX",
    "US",
    "Armed",
    "Break",
    "EncodeError",
    "ErrorKind",
    "InvalidField",
    "Kind",
    "LynxError",
    "LynxFramer",
    "LynxRecord",
    "LynxStream",
    "MalformedMessageError",
    "Paused",
    "Result",
    "ResultsComplete",
    "ResultsHeader",
    "RunningTime",
    "StartListComplete",
    "StartListEntry",
    "StartListHeader",
    "Stopped",
    "StreamStats",
    "TimeOfDay",
    "Unknown",
    "WireField",
    "decode_message",
    "decode_text",
    "encode",
    "encode_text",
    "format_time",
    "parse_time",
]
