"""P3 byte stuffing: inside a record a control byte b travels as ESC, b + 0x20."""

from collections.abc import Iterable

from velotime.protocols.p3.constants import ESC, ESCAPE_OFFSET, ESCAPED_BYTES_DECODER


class EscapeError(ValueError):
    """An escape that cannot be undone: ESC at the end, or followed by a byte below 0x20."""


def escape(record: bytes, escaped: Iterable[int] = ESCAPED_BYTES_DECODER) -> bytes:
    """Wire form of an unescaped record; the first (SOR) and last (EOR) bytes stay as they are.

    `escaped` must hold the three markers (so that SOR/EOR never appear raw inside a record) and
    no byte whose escaped form would be a marker or would not fit in a byte.
    """
    table = frozenset(escaped)
    if not table >= ESCAPED_BYTES_DECODER:
        raise ValueError("the escaped bytes must include 0x8D, 0x8E and 0x8F")
    if any(b + ESCAPE_OFFSET > 0xFF or b + ESCAPE_OFFSET in ESCAPED_BYTES_DECODER for b in table):
        raise ValueError("an escaped byte must stay a byte and must not become a marker")
    out = bytearray(record[:1])
    for byte in record[1:-1]:
        if byte in table:
            out.append(ESC)
            out.append(byte + ESCAPE_OFFSET)
        else:
            out.append(byte)
    out += record[-1:]
    return bytes(out)


def unescape(wire: bytes) -> bytes:
    """Undo escaping inside a record (its first and last bytes are SOR and EOR, never escaped).

    ESC takes whatever byte follows, not only the ones a decoder escapes.
    """
    last = len(wire) - 1
    out = bytearray(wire[:1])
    start = 1
    index = wire.find(ESC, start, last)
    while index >= 0:
        out += wire[start:index]
        if index + 1 >= last or wire[index + 1] < ESCAPE_OFFSET:
            raise EscapeError("escape byte 0x8D not followed by an escaped byte")
        out.append(wire[index + 1] - ESCAPE_OFFSET)
        start = index + 2
        index = wire.find(ESC, start, last)
    out += wire[start:]
    return bytes(out)
