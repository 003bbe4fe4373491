"""One line in, one record out, and back: `parse_line` reads what `Passing.to_line` and
`Reply.to_line` write.

Which lines are what (the line without its CR LF, ISO-8859-1):
- empty: `FetchEnd`, the end of the answer to a fetch;
- control characters anywhere: `garbage` (line noise);
- `#P;` and 20 fields, or 20 fields whose first is digits: a `Passing` (pushed, or fetched);
  a line that starts so with another field count, or fields that do not parse: `malformed`;
- a first field that is a command's name (capital letters): a `Reply`;
- anything else printable: `Unknown`, kept.
"""

import re

from velotime.protocols.raceresult.errors import ErrorKind, LineError
from velotime.protocols.raceresult.records import (
    DATE,
    PASSING_FIELDS,
    PUSH_PREFIX,
    SEPARATOR,
    FetchEnd,
    Passing,
    RaceResultRecord,
    Reply,
    Unknown,
    parse_time,
)

ENCODING = "iso-8859-1"
LINE_END = b"\r\n"
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_COMMAND = re.compile(r"[A-Z][A-Z0-9_]*")
_DIGITS = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")
_HEX = re.compile(r"[0-9A-Fa-f]+")
_BATTERY = re.compile(r"[0-9]+(\.[0-9]{1,2})?")


class EncodeError(ValueError):
    """The record cannot be sent as a line."""


def parse_line(raw: bytes) -> RaceResultRecord | LineError:
    """The record of one line (its bytes without CR LF), or why it was rejected."""
    if not raw:
        return FetchEnd()
    if _CONTROL.search(raw):
        return LineError(ErrorKind.GARBAGE, raw, "control characters")
    text = raw.decode(ENCODING)
    fields = text.split(SEPARATOR)
    pushed = fields[0] == PUSH_PREFIX
    if pushed or _DIGITS.fullmatch(fields[0]):
        return _passing(raw, text, fields[1:] if pushed else fields, pushed)
    if _COMMAND.fullmatch(fields[0]):
        return Reply(command=fields[0], fields=tuple(fields[1:]), text=text)
    return Unknown(text=text)


def _passing(raw: bytes, text: str, fields: list[str], pushed: bool) -> Passing | LineError:
    if len(fields) != PASSING_FIELDS:
        detail = f"a passing has {PASSING_FIELDS} fields, this line {len(fields)}"
        return LineError(ErrorKind.MALFORMED, raw, detail)
    (number, code, date, time, event, hits, rssi, internal, active, channel, loop, loop_only,
     wakeup, battery, temperature, active_data, box_name, file_number, antenna,
     box_id) = fields  # fmt: skip
    time_of_day_us = parse_time(time)
    problems = [
        name
        for name, ok in (
            ("PassingNo", _DIGITS.fullmatch(number)),
            ("Date", DATE.fullmatch(date)),
            ("Time", time_of_day_us is not None),
            ("EventID", _DIGITS.fullmatch(event)),
            ("Hits", _HEX.fullmatch(hits)),
            ("MaxRSSI", _HEX.fullmatch(rssi)),
            ("IsActive", active in ("0", "1")),
            ("Channel", _DIGITS.fullmatch(channel)),
            ("LoopID", not loop or _DIGITS.fullmatch(loop)),
            ("LoopOnly", loop_only in ("0", "1")),
            ("WakeupCounter", not wakeup or _DIGITS.fullmatch(wakeup)),
            ("Battery", not battery or _BATTERY.fullmatch(battery)),
            ("Temperature", not temperature or _SIGNED.fullmatch(temperature)),
            ("InternalActiveData", not active_data or _DIGITS.fullmatch(active_data)),
            ("FileNumber", _DIGITS.fullmatch(file_number)),
            ("MaxRSSIAntenna", not antenna or _DIGITS.fullmatch(antenna)),
        )
        if not ok
    ]
    if problems or time_of_day_us is None:
        return LineError(
            ErrorKind.MALFORMED, raw, "fields that do not parse: " + ", ".join(problems)
        )
    return Passing(
        pushed=pushed,
        passing_number=int(number),
        code=code,
        date=date,
        time_of_day_us=time_of_day_us,
        event_id=int(event),
        hits=int(hits, 16),
        max_rssi=int(rssi, 16),
        internal_data=internal,
        is_active=active == "1",
        channel=int(channel),
        loop_id=int(loop) if loop else None,
        loop_only=loop_only == "1",
        wakeup_counter=int(wakeup) if wakeup else None,
        battery_v=float(battery) if battery else None,
        temperature_c=int(temperature) if temperature else None,
        internal_active_data=int(active_data) if active_data else None,
        box_name=box_name,
        file_number=int(file_number),
        max_rssi_antenna=int(antenna) if antenna else None,
        box_id=box_id,
        text=text,
    )


def encode(record: RaceResultRecord) -> bytes:
    """The record's line with CR LF, as the decoder sends it."""
    try:
        line = record.to_line().encode(ENCODING)
    except ValueError as exc:  # also UnicodeEncodeError
        raise EncodeError(f"cannot encode {type(record).__name__}: {exc}") from exc
    if _CONTROL.search(line):
        raise EncodeError(f"{type(record).__name__} text must be printable")
    return line + LINE_END


def command(name: str, *fields: str | int) -> bytes:
    """A command line to the decoder: `command("SETPUSHPASSINGS", 1, 0)` is
    b"SETPUSHPASSINGS;1;0\\r\\n"."""
    return SEPARATOR.join((name, *map(str, fields))).encode(ENCODING) + LINE_END


def fetch(first: int, count: int) -> bytes:
    """Ask for `count` passings from number `first`: b"1234:32\\r\\n"."""
    return f"{first}:{count}".encode(ENCODING) + LINE_END


_FETCH = re.compile(rb"([0-9]+):([0-9]+)")


def parse_fetch(raw: bytes) -> tuple[int, int] | None:
    """(first, count) of a fetch command line (without its line end), else None."""
    match = _FETCH.fullmatch(raw)
    return (int(match[1]), int(match[2])) if match else None
