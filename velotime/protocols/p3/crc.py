"""The AMB CRC-16 of a P3 record.

The decoder runs the "augmented" shift register (poly 0x1021, register 0xFFFF, data byte XORed
after the table step) over the unescaped record with its CRC bytes zeroed. That equals the
standard CRC-16 with initial value 0x1D0F (CRC-16/AUG-CCITT) over all but the last two bytes,
XOR those two bytes read big-endian; `binascii.crc_hqx` computes the standard CRC in C.
"""

from binascii import crc_hqx

from velotime.protocols.p3.constants import CRC_OFFSET

_AUG_CCITT_INIT = 0x1D0F  # the 0xFFFF register after shifting in two zero bytes
_ZERO_CRC = b"\x00\x00"


def p3_crc(record: bytes | bytearray) -> int:
    """CRC of an unescaped record (SOR..EOR); the bytes stored at the CRC position are ignored."""
    crc = crc_hqx(record[:CRC_OFFSET], _AUG_CCITT_INIT)
    crc = crc_hqx(_ZERO_CRC, crc)
    crc = crc_hqx(record[CRC_OFFSET + 2 : -2], crc)
    return crc ^ (record[-2] << 8 | record[-1])


def stored_crc(record: bytes | bytearray) -> int:
    """The CRC the record carries (little-endian at offset 4)."""
    return record[CRC_OFFSET] | record[CRC_OFFSET + 1] << 8
