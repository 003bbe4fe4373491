"""Encoding P3 records to wire bytes (for host commands, the simulator and tests)."""

from collections.abc import Iterable

from velotime.protocols.p3.constants import CRC_OFFSET, ESCAPED_BYTES_DECODER
from velotime.protocols.p3.crc import p3_crc
from velotime.protocols.p3.escaping import escape
from velotime.protocols.p3.records import CLASS_OF_TOR, P3Record, Unknown

_MAX_LENGTH = 0xFFFF


class EncodeError(ValueError):
    """The record cannot be sent: a value out of range, or a record too long."""


def encode_unescaped(record: P3Record) -> bytes:
    """The record with LENGTH and CRC filled in, before escaping."""
    # Imported on first use: construct takes longer to import than `velotime decode --summary`
    # takes to count 10,000 records, and decoding never needs it.
    from construct import ConstructError

    from velotime.protocols.p3.spec import P3_RECORD, build_fields

    if isinstance(record, Unknown) and record.unknown_tor in CLASS_OF_TOR:
        raise EncodeError(f"TOR 0x{record.unknown_tor:04x} has its own record class")
    try:
        built = P3_RECORD.build(
            {
                "version": record.record_version,
                "length": 0,
                "crc": 0,
                "flags": record.header_flags,
                "tor": record.tor,
                "fields": build_fields(record),
            }
        )
    except (ConstructError, UnicodeEncodeError, OverflowError) as exc:
        raise EncodeError(f"cannot encode {type(record).__name__}: {exc}") from exc
    if len(built) > _MAX_LENGTH:
        raise EncodeError(f"record of {len(built)} bytes exceeds LENGTH's 16 bits")
    # LENGTH and CRC depend on the finished record, so they are filled in after building.
    out = bytearray(built)
    out[2:4] = len(out).to_bytes(2, "little")
    out[CRC_OFFSET : CRC_OFFSET + 2] = p3_crc(out).to_bytes(2, "little")
    return bytes(out)


def encode(record: P3Record, escaped: Iterable[int] = ESCAPED_BYTES_DECODER) -> bytes:
    """Wire bytes of a record. `escaped`: which bytes to escape (the decoder's three by default,
    `ESCAPED_BYTES_WIDE` for 0x8A..0x8F as some open encoders do)."""
    return escape(encode_unescaped(record), escaped)
