"""One line in, one record out, and back: `parse_line` and `encode` mirror each other field by
field through `layout` (the only place the format is defined).

Which lines are what:
- control characters anywhere: `garbage` (line noise);
- 26 characters, or 28 with a checksum, with spaces at columns 9 and 23: a timing line. Its
  checksum (if any) is checked first, then its number and group digits, then its token: `Cn`
  or `CnM` is an `Impulse`, `RT` a `RunTime`, `TT` a `TotalTime`, any other token (or a
  parallel-slalom lane in column 5) an `UnknownLine`;
- `n` and four digits: `NextNumber`; other 5- or 6-character lines of a flag and four digits
  (`s0012`, `n0012b`): `UnknownLine`;
- any other line that still shows device data (a flag and four digits at the start, or a time
  with decimals): `malformed`, since a timing line that lost or gained a character looks so;
- anything else (answers to host commands, printer text): `UnknownLine`.
"""

from velotime.protocols.timy import layout
from velotime.protocols.timy.errors import ErrorKind, LineError
from velotime.protocols.timy.records import (
    Impulse,
    NextNumber,
    RunTime,
    TimyRecord,
    TotalTime,
    UnknownLine,
)

CR = b"\r"  # what the device ends its lines with
_SPACE = b" "
_NEXT_NUMBER_FLAG = ord(layout.NEXT_NUMBER_FLAG)
_RUN_TIME = layout.RUN_TIME_TOKEN.encode("ascii")
_TOTAL_TIME = layout.TOTAL_TIME_TOKEN.encode("ascii")


def parse_line(raw: bytes, *, require_checksum: bool = False) -> TimyRecord | LineError:
    """The record of one line (its bytes without the line end), or why it was rejected.

    With `require_checksum` (the host sent CHK1) a timing line without a checksum is rejected:
    one whose checksum was cut off could otherwise pass as a line that never had one.
    """
    if layout.has_control_characters(raw):
        return LineError(ErrorKind.GARBAGE, raw, "control characters")
    if layout.is_timing_line(raw):
        return _parse_timing_line(raw, require_checksum)
    if (
        len(raw) in layout.SHORT_DATA_LENGTHS
        and (number := layout.parse_digits(raw[layout.NUMBER])) is not None
    ):
        if len(raw) == layout.NEXT_NUMBER_LENGTH and raw[0] == _NEXT_NUMBER_FLAG:
            return NextNumber(number=number, text=raw.decode(layout.ENCODING))
        return UnknownLine(text=raw.decode(layout.ENCODING))
    if layout.looks_like_data(raw):
        detail = (
            f"device data in a line of {len(raw)} characters "
            f"(a timing line has {layout.TIMING_LINE_LENGTH}, "
            f"{layout.CHECKED_LINE_LENGTH} with a checksum)"
        )
        return LineError(ErrorKind.MALFORMED, raw, detail)
    return UnknownLine(text=raw.decode(layout.ENCODING))


def _parse_timing_line(raw: bytes, require_checksum: bool) -> TimyRecord | LineError:
    checksum_ok: bool | None = None
    if len(raw) == layout.CHECKED_LINE_LENGTH:
        if not layout.checksum_matches(raw):
            detail = f"sent {raw[layout.CHECKSUM]!r}, computed {layout.checksum(raw)!r}"
            return LineError(ErrorKind.BAD_CHECKSUM, raw, detail)
        checksum_ok = True
    elif require_checksum:
        return LineError(ErrorKind.MISSING_CHECKSUM, raw, "a checksum (CHK1) is required")
    number = layout.parse_digits(raw[layout.NUMBER])
    group = layout.parse_digits(raw[layout.GROUP])
    if number is None or group is None:
        return LineError(ErrorKind.MALFORMED, raw, "number or group is not digits")
    text = raw.decode(layout.ENCODING)
    if raw[layout.LANE] != _SPACE:
        return UnknownLine(text=text)
    token = raw[layout.TOKEN]
    channel = layout.parse_channel(token)
    if channel is not None:
        parsed = layout.parse_time(raw[layout.TIME], layout.TIME_OF_DAY_LIMIT_US)
        if isinstance(parsed, str):
            return LineError(ErrorKind.BAD_TIME, raw, f"time of day: {parsed}")
        return Impulse(
            flag=text[0],
            number=number,
            channel=channel[0],
            manual=channel[1],
            time_of_day_us=parsed[0],
            digits=parsed[1],
            group=group,
            checksum_ok=checksum_ok,
            text=text,
        )
    derived: type[RunTime | TotalTime]
    if token == _RUN_TIME:
        derived = RunTime
    elif token == _TOTAL_TIME:
        derived = TotalTime
    else:
        return UnknownLine(text=text)
    parsed = layout.parse_time(raw[layout.TIME], layout.MAX_DURATION_US)
    if isinstance(parsed, str):
        return LineError(ErrorKind.BAD_TIME, raw, f"{token.decode().strip()} time: {parsed}")
    return derived(
        flag=text[0],
        number=number,
        duration_us=parsed[0],
        digits=parsed[1],
        group=group,
        checksum_ok=checksum_ok,
        text=text,
    )


class EncodeError(ValueError):
    """The record cannot be sent as a line."""


def encode(record: TimyRecord, *, line_end: bytes = CR) -> bytes:
    """The line of a record, formatted from its fields (see `TimyRecord.to_line`), as bytes.

    A timing record carries its checksum when `checksum_ok` is True. `line_end`: CR as the
    device sends, or LF/CRLF as dumps hold it.
    """
    if line_end not in (b"\r", b"\n", b"\r\n"):
        raise EncodeError(f"a line ends with CR, LF or CRLF, not {line_end!r}")
    try:
        line = record.to_line().encode(layout.ENCODING)
    except ValueError as exc:  # also UnicodeEncodeError
        raise EncodeError(f"cannot encode {type(record).__name__}: {exc}") from exc
    if not line or layout.has_control_characters(line):
        raise EncodeError(f"{type(record).__name__} text must be printable and not empty")
    return line + line_end
