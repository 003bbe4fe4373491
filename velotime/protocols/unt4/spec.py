"""The UNT4 message declared with construct: the reference specification.

`encode` builds with this declaration; the stream decodes with the hand-written
`codec.decode_message`, and the property tests check that the two agree on every message and on
random bytes. A message is one frame, SOH to EOT:

    SOH [prefix] header [STX (ERP | [DLE column row] text [ERL])] EOT
"""

from typing import Any

from construct import (
    Byte,
    Bytes,
    Const,
    Construct,
    ConstructError,
    ExprAdapter,
    ExprValidator,
    GreedyRange,
    If,
    OneOf,
    Optional,
    Struct,
    Terminated,
)

from velotime.protocols.unt4.constants import DC2, DC3, DC4, DLE, EOT, ERL, ERP, RESERVED, SOH, STX
from velotime.protocols.unt4.errors import MalformedMessageError
from velotime.protocols.unt4.records import ClearAll, Packet, Prefix, Text, Unt4Record

HEADER_BYTES = frozenset(range(0x20, 0x7F))  # printable ASCII
TEXT_BYTES = frozenset(range(0x80)) - RESERVED  # 7-bit, control bytes other than the reserved


def _ascii(allowed: frozenset[int]) -> Construct:
    """A run of bytes from `allowed`, as a str; it ends at the first byte that is not."""
    return ExprAdapter(
        GreedyRange(OneOf(Byte, allowed)),
        decoder=lambda obj, ctx: bytes(obj).decode("ascii"),
        encoder=lambda obj, ctx: list(obj.encode("ascii")),
    )


def _optional_byte(value: int) -> Construct:
    """One byte that is there or not: `value` or None. (Not `Optional(Const(...))`: Const
    builds its value from None, so it could never be left out.)"""
    return Optional(OneOf(Byte, [value]))


_TWO_DIGITS = ExprAdapter(
    ExprValidator(Bytes(2), lambda obj, ctx: obj.isdigit()),
    decoder=lambda obj, ctx: int(obj),
    encoder=lambda obj, ctx: b"%02d" % obj,
)

POSITION = Struct("dle" / OneOf(Byte, [DLE]), "column" / _TWO_DIGITS, "row" / _TWO_DIGITS)

BODY = Struct(
    "stx" / OneOf(Byte, [STX]),
    "erase_page" / _optional_byte(ERP),
    "content"
    / If(
        lambda ctx: ctx.erase_page is None,
        Struct(
            "position" / Optional(POSITION),
            "text" / _ascii(TEXT_BYTES),
            "erase_line" / _optional_byte(ERL),
        ),
    ),
)

UNT4_MESSAGE = Struct(
    "soh" / Const(bytes([SOH])),
    "prefix" / Optional(OneOf(Byte, [DC2, DC3, DC4])),
    "header" / _ascii(HEADER_BYTES),
    "body" / Optional(BODY),
    "eot" / Const(bytes([EOT])),
    Terminated,
)


def record_of(
    prefix: int | None,
    header: str,
    position: tuple[int, int] | None,
    text: str,
    erase_line: bool,
    clear: bool,
) -> Unt4Record:
    """The one record of a message's parts: `Text` and `ClearAll` for their forms."""
    if prefix is None and not header:
        if clear:
            return ClearAll()
        if position is not None:
            return Text(position[0], position[1], text, erase_line)
    column, row = position if position is not None else (None, None)
    return Packet(
        prefix=None if prefix is None else Prefix(prefix),
        header=header,
        column=column,
        row=row,
        text=text,
        erase_line=erase_line,
        clear=clear,
    )


def parse_message(message: bytes) -> Unt4Record:
    """Decode one message through the specification (slow; the reference for tests)."""
    try:
        parsed = UNT4_MESSAGE.parse(message)
    except ConstructError as exc:
        raise MalformedMessageError(str(exc)) from exc
    body = parsed.body
    if body is None:
        return record_of(parsed.prefix, parsed.header, None, "", False, False)
    if body.content is None:
        return record_of(parsed.prefix, parsed.header, None, "", False, True)
    content = body.content
    position = None if content.position is None else (content.position.column, content.position.row)
    erase_line = content.erase_line is not None
    return record_of(parsed.prefix, parsed.header, position, content.text, erase_line, False)


def build_fields(record: Unt4Record) -> dict[str, Any]:
    """The specification's fields of a record (checked by `codec.encode` first)."""
    if isinstance(record, ClearAll):
        return _fields(None, "", clear=True)
    if isinstance(record, Text):
        return _fields(None, "", (record.column, record.row), record.text, record.erase_line)
    position = None if record.column is None or record.row is None else (record.column, record.row)
    prefix = None if record.prefix is None else int(record.prefix)
    return _fields(prefix, record.header, position, record.text, record.erase_line, record.clear)


def _fields(
    prefix: int | None,
    header: str,
    position: tuple[int, int] | None = None,
    text: str = "",
    erase_line: bool = False,
    clear: bool = False,
) -> dict[str, Any]:
    body: dict[str, Any] | None = None
    if clear:
        body = {"stx": STX, "erase_page": ERP, "content": None}
    elif position is not None or text or erase_line:
        where = None
        if position is not None:
            where = {"dle": DLE, "column": position[0], "row": position[1]}
        content = {"position": where, "text": text, "erase_line": ERL if erase_line else None}
        body = {"stx": STX, "erase_page": None, "content": content}
    return {"prefix": prefix, "header": header, "body": body}
