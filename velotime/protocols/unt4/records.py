"""UNT4 messages as typed records.

    Text(column, row, text, erase_line)   SOH STX DLE cc rr text [ERL] EOT   (a board row)
    ClearAll()                            SOH STX ERP EOT                    (general clearing)
    Packet(prefix, header, ...)           every other message: a prefix (DC2, DC3, DC4), a
                                          header (lap counters' "S00", "S0SLC"), text without a
                                          position, a header's own clearing

A message decodes to `Text` or `ClearAll` whenever it has their form, so each message has one
record. Text is 7-bit ASCII without the reserved control bytes (SOH, STX, EOT, ERL, ERP, DLE):
other control bytes (BS, US, CR, LF...) are kept as they came. `charset.board_text` makes any
string fit.
"""

from enum import IntEnum

import msgspec

from velotime.protocols.unt4.constants import DC2, DC3, DC4


class Prefix(IntEnum):
    DC2 = DC2
    DC3 = DC3
    DC4 = DC4


class Text(msgspec.Struct, frozen=True, tag="text"):
    """Text written from (column, row), both counted from 0; `erase_line` clears the rest of
    the row after it."""

    column: int
    row: int
    text: str
    erase_line: bool = False


class ClearAll(msgspec.Struct, frozen=True, tag="clear_all"):
    """General clearing: the whole board goes blank."""


class Packet(msgspec.Struct, frozen=True, kw_only=True, tag="packet"):
    """Any other message. `column` and `row` go together; `clear` (ERP) goes alone."""

    prefix: Prefix | None = None
    header: str = ""  # printable ASCII
    column: int | None = None
    row: int | None = None
    text: str = ""
    erase_line: bool = False
    clear: bool = False


Unt4Record = Text | ClearAll | Packet
RECORD_CLASSES: tuple[type[Unt4Record], ...] = (Text, ClearAll, Packet)
