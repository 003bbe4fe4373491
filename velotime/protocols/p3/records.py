"""Typed, immutable P3 records.

Each record class declares the TLV fields it knows (`FIELDS`: tag, attribute, kind). The fast
decoder, the construct specification and the encoder all derive from these declarations, so a
field is described in exactly one place. Fields a record does not know, or that arrive with an
unexpected width or a second time, are kept in `extra` in arrival order: nothing is dropped.
"""

from enum import Enum
from typing import ClassVar, NamedTuple

import msgspec

from velotime.protocols.p3.constants import DEFAULT_VERSION, Tor


class Kind(Enum):
    """How a TLV value is laid out: a little-endian unsigned integer or a byte string."""

    U8 = 1
    U16 = 2
    U32 = 4
    U64 = 8
    STR = 0  # variable length, ISO-8859-1 so that every byte round-trips

    @property
    def width(self) -> int | None:
        return None if self is Kind.STR else self.value


class Field(NamedTuple):
    tag: int
    name: str
    kind: Kind


class RawField(msgspec.Struct, frozen=True, array_like=True):
    """A TLV kept as it arrived: unknown tag, unexpected width, or a repeated tag."""

    tag: int
    value: bytes


# Valid in any record.
GENERIC_FIELDS: tuple[Field, ...] = (
    Field(0x81, "decoder_id", Kind.U32),
    Field(0x83, "controller_id", Kind.U32),
    Field(0x85, "request_id", Kind.U64),
)


class P3Record(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, tag_field="type"):
    """Header fields and the generic TLVs shared by every record."""

    FIELDS: ClassVar[tuple[Field, ...]] = ()

    record_version: int = DEFAULT_VERSION
    header_flags: int = 0
    decoder_id: int | None = None
    controller_id: int | None = None
    request_id: int | None = None
    extra: tuple[RawField, ...] = ()

    @property
    def tor(self) -> int:
        return TOR_OF_CLASS[type(self)]


class Passing(P3Record, frozen=True, tag="passing"):
    """A transponder crossed a loop. Times are microseconds since 1970 on the decoder clock."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field(0x01, "passing_number", Kind.U32),
        Field(0x03, "transponder", Kind.U32),
        Field(0x04, "rtc_time_us", Kind.U64),
        Field(0x05, "strength", Kind.U16),
        Field(0x06, "hits", Kind.U16),
        Field(0x08, "flags", Kind.U16),
        Field(0x0A, "tran_code", Kind.STR),
        Field(0x0E, "user_flag", Kind.U32),
        Field(0x0F, "driver_id", Kind.U8),
        Field(0x10, "utc_time_us", Kind.U64),
        Field(0x13, "rtc_id", Kind.U32),
        Field(0x14, "sport", Kind.U8),
        Field(0x30, "voltage", Kind.U8),
        Field(0x31, "temperature", Kind.U8),
    )

    passing_number: int | None = None
    transponder: int | None = None
    rtc_time_us: int | None = None
    strength: int | None = None
    hits: int | None = None
    flags: int | None = None
    tran_code: str | None = None
    user_flag: int | None = None
    driver_id: int | None = None
    utc_time_us: int | None = None
    rtc_id: int | None = None
    sport: int | None = None
    voltage: int | None = None  # transponder volts x 10
    temperature: int | None = None  # transponder degrees + 100


class Status(P3Record, frozen=True, tag="status"):
    """The decoder's periodic heartbeat."""

    # Declared in the order the AMBrc decoder sends them, so real records re-encode byte-exact.
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field(0x01, "noise", Kind.U16),
        Field(0x07, "temperature", Kind.U16),
        Field(0x0C, "input_voltage", Kind.U8),
        Field(0x06, "gps", Kind.U8),
        Field(0x0A, "sat_in_use", Kind.U8),
        Field(0x0B, "loop_triggers", Kind.U8),
    )

    noise: int | None = None
    temperature: int | None = None
    input_voltage: int | None = None  # volts x 10
    gps: int | None = None
    sat_in_use: int | None = None
    loop_triggers: int | None = None


class Version(P3Record, frozen=True, tag="version"):
    """The decoder's answer to a VERSION request."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field(0x01, "decoder_type", Kind.U8),
        Field(0x02, "description", Kind.STR),
        Field(0x03, "firmware_version", Kind.STR),
        Field(0x04, "release", Kind.U32),
        Field(0x08, "registration", Kind.U64),
        Field(0x0A, "build_number", Kind.U16),
        Field(0x0C, "options", Kind.U32),
    )

    decoder_type: int | None = None
    description: str | None = None
    firmware_version: str | None = None
    release: int | None = None
    registration: int | None = None
    build_number: int | None = None
    options: int | None = None


class Resend(P3Record, frozen=True, tag="resend"):
    """Host asks the decoder to send passings `from_passing`..`until_passing` again."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field(0x01, "from_passing", Kind.U32),
        Field(0x02, "until_passing", Kind.U32),
    )

    from_passing: int | None = None
    until_passing: int | None = None


class GetTime(P3Record, frozen=True, tag="get_time"):
    """The decoder clock. A request carries the same tags with empty values (kept in `extra`)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field(0x01, "rtc_time_us", Kind.U64),
        Field(0x04, "unknown_04", Kind.U16),  # always 0 in the one public emulator; meaning unknown
        Field(0x05, "utc_time_us", Kind.U64),
    )

    rtc_time_us: int | None = None
    unknown_04: int | None = None
    utc_time_us: int | None = None

    @classmethod
    def request(cls) -> "GetTime":
        """The request as hosts send it: tags 0x01, 0x04 and 0x05 with no value."""
        return cls(extra=(RawField(0x01, b""), RawField(0x04, b""), RawField(0x05, b"")))


class Ping(P3Record, frozen=True, tag="ping"):
    """Keep-alive; its body is undocumented, so everything in it stays in `extra`."""


class Error(P3Record, frozen=True, tag="error"):
    """The decoder rejected a record the host sent (codes in `ErrorCode`)."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field(0x01, "code", Kind.U16),
        Field(0x02, "description", Kind.STR),
    )

    code: int | None = None
    description: str | None = None


class Unknown(P3Record, frozen=True, tag="unknown"):
    """A record type velotime does not interpret; its TOR and raw fields are kept."""

    unknown_tor: int

    @property
    def tor(self) -> int:
        return self.unknown_tor


CLASS_OF_TOR: dict[int, type[P3Record]] = {
    Tor.PASSING: Passing,
    Tor.STATUS: Status,
    Tor.VERSION: Version,
    Tor.RESEND: Resend,
    Tor.GET_TIME: GetTime,
    Tor.PING: Ping,
    Tor.ERROR: Error,
}
TOR_OF_CLASS: dict[type[P3Record], int] = {cls: tor for tor, cls in CLASS_OF_TOR.items()}
RECORD_CLASSES: tuple[type[P3Record], ...] = (*CLASS_OF_TOR.values(), Unknown)


def all_fields(cls: type[P3Record]) -> tuple[Field, ...]:
    """The TLVs a record class knows, in the order the encoder writes them."""
    return cls.FIELDS + GENERIC_FIELDS
