"""One message to a record and back: the hand-written decoder (the stream's hot path) and the
encoder, which builds with the specification (spec.py)."""

from construct import ConstructError

from velotime.protocols.unt4.constants import (
    DC2,
    DC3,
    DC4,
    DLE,
    EOT,
    ERL,
    ERP,
    MAX_POSITION,
    POSITION_DIGITS,
    SOH,
    STX,
)
from velotime.protocols.unt4.errors import EncodeError, MalformedMessageError
from velotime.protocols.unt4.records import ClearAll, Packet, Text, Unt4Record
from velotime.protocols.unt4.spec import (
    HEADER_BYTES,
    TEXT_BYTES,
    UNT4_MESSAGE,
    build_fields,
    record_of,
)

_PREFIXES = frozenset((DC2, DC3, DC4))
_STX = bytes([STX])
_ERP = bytes([ERP])
_DIGITS = frozenset(b"0123456789")
_HEADER_CHARS = frozenset(map(chr, HEADER_BYTES))
_TEXT_CHARS = frozenset(map(chr, TEXT_BYTES))


def decode_message(message: bytes) -> Unt4Record:
    """The record of one message, SOH to EOT; raises MalformedMessageError saying what is wrong."""
    if len(message) < 2 or message[0] != SOH or message[-1] != EOT:
        raise MalformedMessageError("not framed by SOH and EOT")
    body = message[1:-1]
    prefix = None
    if body and body[0] in _PREFIXES:
        prefix, body = body[0], body[1:]
    header, stx, rest = body.partition(_STX)
    if not HEADER_BYTES.issuperset(header):
        raise MalformedMessageError(f"header {header!r} is not printable ASCII")
    if not stx:
        return record_of(prefix, header.decode("ascii"), None, "", False, False)
    if rest == _ERP:
        return record_of(prefix, header.decode("ascii"), None, "", False, True)
    position = None
    if rest[:1] == bytes([DLE]):
        digits = rest[1 : 1 + POSITION_DIGITS]
        if len(digits) != POSITION_DIGITS or not _DIGITS.issuperset(digits):
            raise MalformedMessageError(f"DLE must be followed by 4 digits, got {digits!r}")
        position = (int(digits[:2]), int(digits[2:]))
        rest = rest[1 + POSITION_DIGITS :]
    erase_line = rest[-1:] == bytes([ERL])
    if erase_line:
        rest = rest[:-1]
    if not TEXT_BYTES.issuperset(rest):
        bad = next(b for b in rest if b not in TEXT_BYTES)
        where = "a reserved control byte" if bad < 0x80 else "not 7-bit ASCII"
        raise MalformedMessageError(f"text holds 0x{bad:02x} ({where}): {rest!r}")
    return record_of(prefix, header.decode("ascii"), position, rest.decode("ascii"), erase_line,
                     False)  # fmt: skip


def encode(record: Unt4Record) -> bytes:
    """The message of a record; raises EncodeError for one the wire cannot carry."""
    _check(record)
    try:
        data: bytes = UNT4_MESSAGE.build(build_fields(record))
    except ConstructError as exc:  # _check should have said why
        raise EncodeError(f"{record!r}: {exc}") from exc
    return data


def _check(record: Unt4Record) -> None:
    if isinstance(record, ClearAll):
        return
    if isinstance(record, Packet):
        if not _HEADER_CHARS.issuperset(record.header):
            raise EncodeError(f"header {record.header!r}: printable ASCII only")
        if (record.column is None) != (record.row is None):
            raise EncodeError("column and row go together")
        if record.clear and (record.column is not None or record.text or record.erase_line):
            raise EncodeError("a clearing (ERP) carries no position, text or erase_line")
    if isinstance(record, Text) or record.column is not None:
        for name, value in (("column", record.column), ("row", record.row)):
            if not (isinstance(value, int) and 0 <= value <= MAX_POSITION):
                raise EncodeError(f"{name} must be 0 to {MAX_POSITION}, got {value!r}")
    if not _TEXT_CHARS.issuperset(record.text):
        bad = next(c for c in record.text if c not in _TEXT_CHARS)
        raise EncodeError(
            f"text {record.text!r} holds {bad!r}: 7-bit ASCII without SOH, STX, EOT, ERL, "
            "ERP or DLE (charset.board_text makes any text fit)"
        )
