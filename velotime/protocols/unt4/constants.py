"""The control bytes of UNT4 and the sizes of the boards it drives (docs/protocols/unt4.md)."""

# SOH starts a message, EOT ends it.
from velotime.protocols.framing import EOT as EOT
from velotime.protocols.framing import SOH as SOH

STX = 0x02  # end of the header, start of the text
ERL = 0x0B  # at the end of the text: erase the rest of the line
ERP = 0x0C  # alone after STX: general clearing (the whole board)
DLE = 0x10  # right after STX: a position follows, 4 digits: column, row
DC2, DC3, DC4 = 0x12, 0x13, 0x14  # the optional prefix, before the header

# Bytes that text may not hold: each of them means something to the board.
RESERVED = frozenset((SOH, STX, EOT, ERL, ERP, DLE))
MAX_POSITION = 99  # column and row are 2 digits each
POSITION_DIGITS = 4

# The boards velotime draws on: rows and columns are positions 00 to 99; a page needs a title
# and one more row, and room for rank, bib, a name and a time.
MIN_ROWS, MAX_ROWS = 2, MAX_POSITION + 1
MIN_COLUMNS, MAX_COLUMNS = 16, MAX_POSITION + 1

# The longest message the stream waits for: a row of 100 columns is about 110 bytes.
DEFAULT_MAX_MESSAGE_SIZE = 1024
MIN_MESSAGE_SIZE = 2  # SOH EOT
