"""Independent reference implementations for checking the P3 codec by rule, not by itself."""

from pathlib import Path

POLY = 0x1021


def amb_crc_by_the_book(record: bytes) -> int:
    """docs/protocols.md 1.3, literally: register 0xFFFF; per byte, a bitwise MSB-first table step
    for polynomial 0x1021, then XOR the data byte in; over the unescaped record with the CRC
    bytes zeroed."""
    data = record[:4] + b"\x00\x00" + record[6:]
    crc = 0xFFFF
    for byte in data:
        step = (crc >> 8) << 8
        for _ in range(8):
            step = ((step << 1) ^ POLY) if step & 0x8000 else step << 1
        crc = ((step ^ (crc << 8)) & 0xFFFF) ^ byte
    return crc


def hex_lines(path: Path) -> list[bytes]:
    """A vmindru-style capture: one record per line as hex of the wire bytes."""
    return [bytes.fromhex(line) for line in path.read_text().split()]
