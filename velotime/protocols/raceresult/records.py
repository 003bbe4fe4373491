"""Typed, immutable records of the Race Result decoder protocol (TCP port 3601, protocol 1.6+).

Every record keeps `text`, its line as it travelled (without CR LF, decoded ISO-8859-1), for
audits; a record made by hand gets the line it would be sent as. `to_line()` formats the fields
the way `parse_line` reads them, so a record encodes back to its own line.
"""

import re

from velotime.protocols.framing import LineRecord
from velotime.times import US_PER_HOUR, US_PER_MINUTE, US_PER_MS, US_PER_SECOND

SEPARATOR = ";"
PUSH_PREFIX = "#P"  # a passing the decoder pushed as it happened (SETPUSHPASSINGS;1;0)
PASSING_FIELDS = 20
STORED_BIT = 0x40  # InternalActiveData: the passing was stored in an active extension first
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DAY_COUNTER = re.compile(r"0000-00-([0-9]{2})")  # no GPS: days since the decoder started
TIME = re.compile(r"([0-9]{2}):([0-5][0-9]):([0-5][0-9])\.([0-9]{3})")
DAY_US = 24 * US_PER_HOUR


class RaceResultRecord(LineRecord, frozen=True, kw_only=True, tag_field="type"):
    """A line the decoder sent."""


def format_time(time_of_day_us: int) -> str:
    """hh:mm:ss.kkk; the decoder counts whole milliseconds."""
    if not 0 <= time_of_day_us < DAY_US or time_of_day_us % US_PER_MS:
        raise ValueError(f"a time of day in whole ms below 24 h, got {time_of_day_us} us")
    hours, rest = divmod(time_of_day_us, US_PER_HOUR)
    minutes, rest = divmod(rest, US_PER_MINUTE)
    seconds, rest = divmod(rest, US_PER_SECOND)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{rest // US_PER_MS:03d}"


def parse_time(text: str) -> int | None:
    match = TIME.fullmatch(text)
    if match is None or int(match[1]) > 23:
        return None
    hours, minutes, seconds, ms = map(int, match.groups())
    return hours * US_PER_HOUR + minutes * US_PER_MINUTE + seconds * US_PER_SECOND + ms * US_PER_MS


def _optional(value: int | None) -> str:
    return "" if value is None else str(value)


def format_battery(volts: float | None) -> str:
    """Volts to the hundredth, as the decoder gives them ("2.9", "3.05"); empty: no battery."""
    if volts is None:
        return ""
    text = f"{volts:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


class Passing(RaceResultRecord, frozen=True, kw_only=True, tag="passing"):
    """A passing record, its 20 fields in wire order. `pushed`: it came prefixed `#P;` (pushed
    live), not as an answer to a fetch. `date` is yyyy-mm-dd, or 0000-00-0n (the n-th day since
    the decoder started, without GPS). Hits and MaxRSSI travel as hexadecimal."""

    pushed: bool = False
    passing_number: int
    code: str  # Bib/TranspCode: the bib where the decoder maps one, else the transponder code
    date: str
    time_of_day_us: int  # whole milliseconds
    event_id: int = 0
    hits: int = 0
    max_rssi: int = 0
    internal_data: str = ""
    is_active: bool = True
    channel: int = 1
    loop_id: int | None = None  # empty for a passive transponder
    loop_only: bool = False
    wakeup_counter: int | None = None
    battery_v: float | None = None
    temperature_c: int | None = None
    internal_active_data: int | None = None
    box_name: str = ""
    file_number: int = 1
    max_rssi_antenna: int | None = None
    box_id: str = ""
    text: str = ""

    @property
    def stored(self) -> bool:
        """Bit 0x40 of InternalActiveData: read by an active extension and stored before sent."""
        return bool((self.internal_active_data or 0) & STORED_BIT)

    def day_counter(self) -> int | None:
        """n of a 0000-00-0n date (a decoder without GPS); None for a calendar date."""
        match = DAY_COUNTER.fullmatch(self.date)
        return int(match[1]) if match else None

    def fields(self) -> list[str]:
        return [
            str(self.passing_number),
            self.code,
            self.date,
            format_time(self.time_of_day_us),
            str(self.event_id),
            f"{self.hits:X}",
            f"{self.max_rssi:X}",
            self.internal_data,
            "1" if self.is_active else "0",
            str(self.channel),
            _optional(self.loop_id),
            "1" if self.loop_only else "0",
            _optional(self.wakeup_counter),
            format_battery(self.battery_v),
            _optional(self.temperature_c),
            _optional(self.internal_active_data),
            self.box_name,
            str(self.file_number),
            _optional(self.max_rssi_antenna),
            self.box_id,
        ]

    def to_line(self) -> str:
        fields = self.fields()
        if any(SEPARATOR in field for field in fields) or not DATE.fullmatch(self.date):
            raise ValueError(f"a field holds {SEPARATOR!r} or the date is not yyyy-mm-dd")
        if self.passing_number < 0 or self.hits < 0 or self.max_rssi < 0:
            raise ValueError("passing number, hits and MaxRSSI are not negative")
        return (PUSH_PREFIX + SEPARATOR if self.pushed else "") + SEPARATOR.join(fields)


class Reply(RaceResultRecord, frozen=True, kw_only=True, tag="reply"):
    """The decoder's answer to a command: the command's name, then its fields
    (`GETTIME;2026-12-07;18:34:14.123`, `PASSINGS;120;3`, `SETPROTOCOL;3.2`)."""

    command: str
    fields: tuple[str, ...] = ()
    text: str = ""

    def to_line(self) -> str:
        if any(SEPARATOR in part for part in (self.command, *self.fields)):
            raise ValueError(f"a field holds {SEPARATOR!r}")
        return SEPARATOR.join((self.command, *self.fields))


class FetchEnd(RaceResultRecord, frozen=True, kw_only=True, tag="fetch_end"):
    """The empty line that ends the answer to a fetch (`<from>:<count>`)."""

    text: str = ""

    def __post_init__(self) -> None:
        pass

    def to_line(self) -> str:
        return ""


class Unknown(RaceResultRecord, frozen=True, kw_only=True, tag="unknown"):
    """A printable line that is no passing and no reply we know (`ONLY 3`, a banner): kept."""

    text: str

    def to_line(self) -> str:
        return self.text
