"""Hand assembly of P3 records for tests, independent of velotime's construct-based encoder."""

import struct

from tests.protocols.p3.reference import amb_crc_by_the_book


def assemble(tor: int, fields: list[tuple[int, bytes]], version: int = 2, flags: int = 0) -> bytes:
    """An unescaped record: header, the given (tag, value) TLVs, EOR; LENGTH and CRC correct."""
    body = b"".join(bytes([tag, len(value)]) + value for tag, value in fields)
    return assemble_body(tor, body, version, flags)


def assemble_body(tor: int, body: bytes, version: int = 2, flags: int = 0) -> bytes:
    """Like assemble(), with any body bytes, well-formed or not."""
    size = 10 + len(body) + 1
    record = struct.pack("<BBHHHH", 0x8E, version, size, 0, flags, tor) + body + b"\x8f"
    crc = amb_crc_by_the_book(record)
    return record[:4] + struct.pack("<H", crc) + record[6:]


def u(width: int, value: int) -> bytes:
    return value.to_bytes(width, "little")
