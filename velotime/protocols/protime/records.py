"""Typed, immutable records of the Tag Heuer / Chronelec Protime (THBC) protocol.

What the decoder sends (lines ending CR LF, ISO-8859-1):
- `Passing`, the telegram `<STA 000255 00:00'31"957 01 01 1 1555>`: `<`, 32 data characters,
  their decimal sum in 4 digits, `>`;
- `StatusLine`, a line starting `[` (noise and levels), kept as text;
- `ConfigDump`, a line starting `+++` (binary: levels, IP settings, box id, firmware), kept as
  bytes;
- `UnknownLine`, any other printable line.

What the host sends (ESC and a command byte): `Ack`, `RepeatRequest`, `StatusRequest`, `Start`,
`Stop`, `QueryConfig`, `SetTime`, `SetLevel`.

A record made by hand is checked on construction (`ValueError` for a field the format cannot
carry); `codec.encode` is the exact inverse of `codec.parse_line`.
"""

import re
from typing import ClassVar, Literal

import msgspec

from velotime.times import US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND

ENCODING = "iso-8859-1"
US_PER_MS = 1_000
DATA_LENGTH = 32
# The loops and inputs a telegram names: STA the start loop, BOX the box's second loop, MAN the
# manual input, B01/B02 distant boxes. Other three-character names are kept, not refused.
KNOWN_CHANNELS = ("STA", "BOX", "MAN", "B01", "B02")
BATTERY_LOW = 2
BATTERY_FAILURE = 3
_CHANNEL = re.compile(r"[A-Z0-9]{3}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class DeviceRecord(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """A line the decoder sent."""


class Passing(DeviceRecord, frozen=True, kw_only=True, tag="passing"):
    """A transponder read: `<STA 000255 00:00'31"957 01 01 1 1555>`.

    - `channel`: the loop or input, three characters (`STA`, `BOX`, `MAN`, `B01`, `B02`).
    - `transponder`: 0-999999 (000000 for a manual input).
    - `time_of_day_us`: the decoder's clock, to the millisecond (a multiple of 1000).
    - `level`: the detection level, 0-99. `index`: the passing index, 0-99.
    - `battery`: 0-9; 2 is low, 3 is failure.
    """

    channel: str
    transponder: int
    time_of_day_us: int
    level: int = 0
    index: int = 1
    battery: int = 1

    def __post_init__(self) -> None:
        if not _CHANNEL.fullmatch(self.channel):
            raise ValueError(f"a channel is 3 capitals or digits, got {self.channel!r}")
        _check_range("transponder", self.transponder, 1_000_000)
        _check_range("time_of_day_us", self.time_of_day_us, 24 * US_PER_HOUR)
        if self.time_of_day_us % US_PER_MS:
            raise ValueError(f"time {self.time_of_day_us} us is finer than the millisecond")
        _check_range("level", self.level, 100)
        _check_range("index", self.index, 100)
        _check_range("battery", self.battery, 10)

    def data(self) -> str:
        """The 32 data characters between `<` and the checksum."""
        return (
            f"{self.channel} {self.transponder:06d} {format_time_of_day(self.time_of_day_us)} "
            f"{self.level:02d} {self.index:02d} {self.battery:d} "
        )

    @property
    def key(self) -> tuple[str, int, int, int]:
        """What a resent telegram repeats: channel, transponder, time, index."""
        return (self.channel, self.transponder, self.time_of_day_us, self.index)


class StatusLine(DeviceRecord, frozen=True, kw_only=True, tag="status"):
    """A status line, `[` then the decoder's time, noise and levels: kept as it came."""

    text: str

    def __post_init__(self) -> None:
        _check_text(self.text, "[")


class ConfigDump(DeviceRecord, frozen=True, kw_only=True, tag="config"):
    """The answer to `QueryConfig`: `+++` and the configuration bytes (levels, IP address,
    netmask, gateway, host, box id digits, firmware), kept as they came."""

    data: bytes

    def __post_init__(self) -> None:
        # LF ends a line (a real dump holding the byte 0x0A is cut there: its rest is read as
        # another line), and a CR before it is dropped.
        if b"\n" in self.data or self.data.endswith(b"\r"):
            raise ValueError("a configuration dump cannot carry LF, nor end with CR")


class UnknownLine(DeviceRecord, frozen=True, kw_only=True, tag="unknown"):
    """A printable line velotime does not interpret."""

    text: str

    def __post_init__(self) -> None:
        _check_text(self.text, "")
        if self.text.startswith(("<", "[", "+++")):
            raise ValueError(f"{self.text!r} would be read as another record")


def _check_range(name: str, value: int, limit: int) -> None:
    if not 0 <= value < limit:
        raise ValueError(f"{name} must be 0 to {limit - 1}, got {value}")


def _check_text(text: str, prefix: str) -> None:
    if not text.startswith(prefix) or not text or _CONTROL.search(text):
        raise ValueError(f"not a printable line starting {prefix!r}: {text!r}")
    text.encode(ENCODING)  # UnicodeEncodeError (a ValueError) for what ISO-8859-1 lacks


def format_time_of_day(time_of_day_us: int) -> str:
    """`HH:MM'SS"mmm`, exact (the caller checked it is whole milliseconds)."""
    hours, rest = divmod(time_of_day_us, US_PER_HOUR)
    minutes, rest = divmod(rest, US_PER_MINUTE)
    seconds, rest = divmod(rest, US_PER_SECOND)
    return f"{hours:02d}:{minutes:02d}'{seconds:02d}\"{rest // US_PER_MS:03d}"


# -- what the host sends -------------------------------------------------------------------


class HostCommand(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """A command from the host: ESC, then `CODE`, then its arguments."""

    CODE: ClassVar[bytes]


class Ack(HostCommand, frozen=True, kw_only=True, tag="ack"):
    """The last telegram arrived whole: the decoder sends the next (it resends until this)."""

    CODE: ClassVar[bytes] = b"\x11"


class RepeatRequest(HostCommand, frozen=True, kw_only=True, tag="repeat"):
    """The last telegram arrived corrupt: send it again."""

    CODE: ClassVar[bytes] = b"\x12"


class StatusRequest(HostCommand, frozen=True, kw_only=True, tag="status_request"):
    CODE: ClassVar[bytes] = b"\x05"


class Start(HostCommand, frozen=True, kw_only=True, tag="start"):
    """Start detecting (the decoder sends no passings until started)."""

    CODE: ClassVar[bytes] = b"\x07"


class Stop(HostCommand, frozen=True, kw_only=True, tag="stop"):
    CODE: ClassVar[bytes] = b"\x13\x5c"


class QueryConfig(HostCommand, frozen=True, kw_only=True, tag="query_config"):
    CODE: ClassVar[bytes] = b"\x10"


class SetTime(HostCommand, frozen=True, kw_only=True, tag="set_time"):
    """Set the decoder's clock to hours:minutes:seconds, sent as the venue clock crosses that
    second: ESC 0x48, one byte each (binary, not digits), then 0x74."""

    CODE: ClassVar[bytes] = b"\x48"
    END: ClassVar[bytes] = b"\x74"

    hours: int
    minutes: int
    seconds: int

    def __post_init__(self) -> None:
        _check_range("hours", self.hours, 24)
        _check_range("minutes", self.minutes, 60)
        _check_range("seconds", self.seconds, 60)

    @classmethod
    def at(cls, time_of_day_us: int) -> "SetTime":
        """The command for the whole second at or before `time_of_day_us`."""
        seconds = time_of_day_us // US_PER_SECOND % 86_400
        return cls(hours=seconds // 3600, minutes=seconds // 60 % 60, seconds=seconds % 60)


class SetLevel(HostCommand, frozen=True, kw_only=True, tag="set_level"):
    """ESC 0x1E (STA) or 0x1F (BOX) and the level in 2 digits."""

    CODE: ClassVar[bytes] = b""  # two codes: see `LOOP_CODES`
    LOOP_CODES: ClassVar[dict[str, bytes]] = {"STA": b"\x1e", "BOX": b"\x1f"}

    loop: Literal["STA", "BOX"]
    level: int

    def __post_init__(self) -> None:
        _check_range("level", self.level, 100)


HOST_COMMANDS: tuple[type[HostCommand], ...] = (
    Ack,
    RepeatRequest,
    StatusRequest,
    Start,
    Stop,
    QueryConfig,
    SetTime,
    SetLevel,
)
DEVICE_RECORDS: tuple[type[DeviceRecord], ...] = (Passing, StatusLine, ConfigDump, UnknownLine)
