"""One line in, one record out, and back; and the host's commands, both ways.

Which device lines are what (each without its CR LF):
- starting `<`: a passing telegram. 38 characters (`<`, 32 data, 4 checksum digits, `>`) or
  `malformed`; then its checksum, the decimal sum of the 32 data character codes
  (`bad_checksum`); then its fields (`malformed` if they are not what they say);
- starting `+++`: a `ConfigDump` (binary, any bytes);
- control characters anywhere else: `garbage` (line noise, a wrong baud rate);
- starting `[`: a `StatusLine`; anything else printable: an `UnknownLine`.
"""

import re

from velotime.protocols.protime.errors import ErrorKind, LineError
from velotime.protocols.protime.records import (
    ENCODING,
    Ack,
    ConfigDump,
    DeviceRecord,
    HostCommand,
    Passing,
    SetLevel,
    SetTime,
    StatusLine,
    UnknownLine,
)
from velotime.times import US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND

CRLF = b"\r\n"
ESC = b"\x1b"
TELEGRAM_LENGTH = 38
_DATA = slice(1, 33)
_CHECKSUM = slice(33, 37)
_CONFIG = b"+++"
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_TELEGRAM_DATA = re.compile(
    rb"([A-Z0-9]{3}) ([0-9]{6}) ([0-9]{2}):([0-9]{2})'([0-9]{2})\"([0-9]{3}) "
    rb"([0-9]{2}) ([0-9]{2}) ([0-9]) "
)


def checksum(data: bytes) -> int:
    """The decimal sum of the data character codes (32 of them: at most 8160, 4 digits)."""
    return sum(data)


def parse_line(raw: bytes) -> DeviceRecord | LineError:
    """The record of one line (its bytes without CR LF), or why it was rejected."""
    if raw.startswith(b"<"):
        return _parse_telegram(raw)
    if raw.startswith(_CONFIG):
        if raw.endswith(b"\r"):  # the line ended CR CR LF: no dump ends so (its CR is dropped)
            return LineError(ErrorKind.MALFORMED, raw, "a configuration dump ending with CR")
        return ConfigDump(data=raw[len(_CONFIG) :])
    if _CONTROL.search(raw):
        return LineError(ErrorKind.GARBAGE, raw, "control characters")
    text = raw.decode(ENCODING)
    if raw.startswith(b"["):
        return StatusLine(text=text)
    return UnknownLine(text=text)


def _parse_telegram(raw: bytes) -> Passing | LineError:
    if len(raw) != TELEGRAM_LENGTH or not raw.endswith(b">"):
        detail = f"a telegram of {len(raw)} characters (one has {TELEGRAM_LENGTH}, ending '>')"
        return LineError(ErrorKind.MALFORMED, raw, detail)
    data, sent = raw[_DATA], raw[_CHECKSUM]
    computed = checksum(data)
    if not sent.isdigit() or int(sent) != computed:
        detail = f"sent {sent.decode(ENCODING)!r}, computed {computed:04d}"
        return LineError(ErrorKind.BAD_CHECKSUM, raw, detail)
    match = _TELEGRAM_DATA.fullmatch(data)
    if match is None:
        return LineError(ErrorKind.MALFORMED, raw, "fields are not channel, digits and a time")
    hours, minutes, seconds, millis = (int(match[i]) for i in (3, 4, 5, 6))
    if hours >= 24 or minutes >= 60 or seconds >= 60:
        return LineError(ErrorKind.MALFORMED, raw, "time of day out of range")
    return Passing(
        channel=match[1].decode("ascii"),
        transponder=int(match[2]),
        time_of_day_us=hours * US_PER_HOUR
        + minutes * US_PER_MINUTE
        + seconds * US_PER_SECOND
        + millis * 1_000,
        level=int(match[7]),
        index=int(match[8]),
        battery=int(match[9]),
    )


def telegram(data: str) -> bytes:
    """`<`, the 32 data characters, their checksum and `>`, without CR LF."""
    raw = data.encode(ENCODING)
    if len(raw) != 32:
        raise ValueError(f"a telegram has 32 data characters, got {len(raw)}")
    return b"<" + raw + f"{checksum(raw):04d}".encode("ascii") + b">"


def encode(record: DeviceRecord) -> bytes:
    """The line of a device record, CR LF included."""
    if isinstance(record, Passing):
        line = telegram(record.data())
    elif isinstance(record, ConfigDump):
        line = _CONFIG + record.data
    elif isinstance(record, StatusLine | UnknownLine):
        line = record.text.encode(ENCODING)
    else:
        raise TypeError(f"not a Protime device record: {record!r}")
    return line + CRLF


def encode_command(command: HostCommand) -> bytes:
    """The bytes of a host command: ESC, its code, its arguments."""
    if isinstance(command, SetTime):
        return (
            ESC
            + SetTime.CODE
            + bytes((command.hours, command.minutes, command.seconds))
            + (SetTime.END)
        )
    if isinstance(command, SetLevel):
        return ESC + SetLevel.LOOP_CODES[command.loop] + f"{command.level:02d}".encode("ascii")
    return ESC + type(command).CODE


ACK = encode_command(Ack())
