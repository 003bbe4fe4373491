"""Tag Heuer / Chronelec Protime (THBC) transponder decoders: passing telegrams with a decimal
checksum, status lines and configuration dumps from the decoder; ESC commands from the host.

Sans-I/O: `ProtimeStream.feed(bytes)` returns typed records and `LineError`s, `encode(record)`
the line's bytes; `CommandStream` and `encode_command` do the same for the host's commands. The
format is described in docs/protocols/protime.md.
"""

from typing import Any

import msgspec

from velotime.protocols.protime.codec import (
    ACK,
    CRLF,
    ESC,
    TELEGRAM_LENGTH,
    checksum,
    encode,
    encode_command,
    parse_line,
    telegram,
)
from velotime.protocols.protime.errors import ErrorKind, LineError, StreamStats
from velotime.protocols.protime.records import (
    BATTERY_FAILURE,
    BATTERY_LOW,
    DEVICE_RECORDS,
    ENCODING,
    HOST_COMMANDS,
    KNOWN_CHANNELS,
    Ack,
    ConfigDump,
    DeviceRecord,
    HostCommand,
    Passing,
    QueryConfig,
    RepeatRequest,
    SetLevel,
    SetTime,
    Start,
    StatusLine,
    StatusRequest,
    Stop,
    UnknownLine,
    format_time_of_day,
)
from velotime.protocols.protime.stream import (
    DEFAULT_MAX_LINE_LENGTH,
    CommandItem,
    CommandStream,
    ProtimeItem,
    ProtimeStream,
)


def record_to_builtins(record: DeviceRecord) -> dict[str, Any]:
    """Every field with its `type` tag; a configuration dump's bytes in hex."""
    data: dict[str, Any] = msgspec.to_builtins(record, builtin_types=(bytes,))
    if isinstance(record, ConfigDump):
        data["data"] = record.data.hex()
    return data


__all__ = [
    "ACK",
    "BATTERY_FAILURE",
    "BATTERY_LOW",
    "CRLF",
    "DEFAULT_MAX_LINE_LENGTH",
    "DEVICE_RECORDS",
    "ENCODING",
    "ESC",
    "HOST_COMMANDS",
    "KNOWN_CHANNELS",
    "TELEGRAM_LENGTH",
    "Ack",
    "CommandItem",
    "CommandStream",
    "ConfigDump",
    "DeviceRecord",
    "ErrorKind",
    "HostCommand",
    "LineError",
    "Passing",
    "ProtimeItem",
    "ProtimeStream",
    "QueryConfig",
    "RepeatRequest",
    "SetLevel",
    "SetTime",
    "Start",
    "StatusLine",
    "StatusRequest",
    "Stop",
    "StreamStats",
    "UnknownLine",
    "checksum",
    "encode",
    "encode_command",
    "format_time_of_day",
    "parse_line",
    "record_to_builtins",
    "telegram",
]
