"""ALGE Timy / TdC 8000-series RS-232 output: text lines of impulses, run and total times.

Sans-I/O: `TimyStream.feed(bytes)` returns typed records and `LineError`s; `encode(record)`
returns the line's bytes. The format is described in docs/protocols/timy.md.
"""

from velotime.protocols.timy.codec import CR, EncodeError, encode, parse_line
from velotime.protocols.timy.errors import ErrorKind, LineError, StreamStats
from velotime.protocols.timy.json import record_to_builtins
from velotime.protocols.timy.records import (
    Impulse,
    NextNumber,
    RunTime,
    TimyRecord,
    TotalTime,
    UnknownLine,
)
from velotime.protocols.timy.stream import DEFAULT_MAX_LINE_LENGTH, TimyItem, TimyStream

__all__ = [
    "CR",
    "DEFAULT_MAX_LINE_LENGTH",
    "EncodeError",
    "ErrorKind",
    "Impulse",
    "LineError",
    "NextNumber",
    "RunTime",
    "StreamStats",
    "TimyItem",
    "TimyRecord",
    "TimyStream",
    "TotalTime",
    "UnknownLine",
    "encode",
    "parse_line",
    "record_to_builtins",
]
