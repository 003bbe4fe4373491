"""The bytes that frame velotime's FinishLynx scoreboard stream (see docs/protocols/lynx.md)."""

# SOH starts a message (never inside one, so it also ends a message cut off), EOT ends it.
from velotime.protocols.framing import EOT as EOT
from velotime.protocols.framing import SOH as SOH

STX = 0x02  # ends the two-letter code
US = 0x1F  # separates fields ("unit separator"): '|' occurs in real FinishLynx event names

FRAMING_CHARACTERS = frozenset(chr(b) for b in (SOH, STX, EOT, US))

# The longest message velotime's script can produce is a result line of eight short fields,
# about 300 bytes. A "message" far longer means a lost EOT: buffering more would only delay
# the good messages behind it.
DEFAULT_MAX_MESSAGE_SIZE = 4096
MIN_MESSAGE_SIZE = 5  # SOH, two code letters, STX, EOT
