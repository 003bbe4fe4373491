"""AMB/MYLAPS P3 wire constants (see docs/protocols/p3.md)."""

from enum import IntEnum
from typing import Final

SOR: Final = 0x8E  # start of record
EOR: Final = 0x8F  # end of record
ESC: Final = 0x8D  # escape: the next byte is the original + 0x20
ESCAPE_OFFSET: Final = 0x20

HEADER_SIZE: Final = 10  # SOR, VERSION, LENGTH u16, CRC u16, FLAGS u16, TOR u16
MIN_FRAME_SIZE: Final = HEADER_SIZE + 1  # a record with no fields, closed by EOR
CRC_OFFSET: Final = 4

DEFAULT_VERSION: Final = 0x02  # every decoder-originated record seen carries 2

# Decoder ids, transponder ids and passing numbers are u32 fields (docs/protocols/p3.md).
U32_MAX: Final = 0xFFFF_FFFF

# The real AMBrc decoder escapes only the three markers; some open encoders escape 0x8A..0x8F.
ESCAPED_BYTES_DECODER: Final = frozenset({0x8D, 0x8E, 0x8F})
ESCAPED_BYTES_WIDE: Final = frozenset(range(0x8A, 0x90))


class Tor(IntEnum):
    """Type of record."""

    RESET = 0x0000
    PASSING = 0x0001
    STATUS = 0x0002
    VERSION = 0x0003
    RESEND = 0x0004
    CLEAR_PASSING = 0x0005
    SERVER_SETTINGS = 0x0013
    SESSION = 0x0015
    NETWORK_SETTINGS = 0x0016
    WATCHDOG = 0x0018
    PING = 0x0020
    GET_TIME = 0x0024
    GENERAL_SETTINGS = 0x0028
    SIGNALS = 0x002D
    LOOP_TRIGGER = 0x002F
    GPS_INFO = 0x0030
    FIRST_CONTACT = 0x0045
    TIMELINE = 0x004A
    ERROR = 0xFFFF


class ErrorCode(IntEnum):
    """Codes a decoder sends in an ERROR record."""

    CRC_ERROR = 1
    SOR_MISSING = 2
    HEADER_CORRUPT = 3
    TOR_UNKNOWN = 4
    PARAMETERS_MISSING = 5
    RECORD_TOO_LONG = 6
