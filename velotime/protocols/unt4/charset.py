"""Any text made fit for a UNT4 board: printable 7-bit ASCII.

Boards show 7-bit ASCII, so names lose their accents rather than a letter: "Chloé" becomes
"Chloe", "MÜLLER" "MULLER", "Łukasz" "Lukasz", "STRAßE" "STRASSE". Letters that decompose
(Unicode NFKD) keep their base letter; the few that do not (ß, Æ, Ø, Œ, Ł, Đ, Þ...) have a
spelling of their own, and typographic quotes and dashes become their ASCII forms. Anything
else outside ASCII becomes "?", control characters and other spaces (tabs, line ends) a
space, invisible formatting (soft hyphens) nothing: only text reaches a board.
"""

import unicodedata

_SPELLED = {
    "ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe",
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th",
    "Ħ": "H", "ħ": "h", "Ŧ": "T", "ŧ": "t", "ĸ": "k", "Ŋ": "N", "ŋ": "n",
    "\u0131": "i",  # dotless i
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),  # single quotes, prime
    **dict.fromkeys("\u201c\u201d\u201e\u00ab\u00bb\u2033", '"'),  # double quotes, guillemets
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),  # hyphens, dashes, minus
    "\u00b7": ".",  # middle dot
    "\u00d7": "x",  # multiplication sign
}  # fmt: skip
UNKNOWN = "?"
_BLANK = frozenset(("Cc", "Zs", "Zl", "Zp"))  # controls, spaces, line ends


def board_text(text: str) -> str:
    """`text` in printable ASCII (see the module docstring)."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for at, char in enumerate(text):
        if " " <= char <= "~":
            out.append(char)
        elif char == "ß" and text[at - 1 : at].isupper():  # in a name written in capitals
            out.append("SS")
        elif char in _SPELLED:
            out.append(_SPELLED[char])
        elif unicodedata.category(char) in _BLANK:
            out.append(" ")
        elif unicodedata.category(char) == "Cf":  # invisible: soft hyphen, zero-width joiner
            continue
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(base if base and base.isascii() and base.isprintable() else UNKNOWN)
    return "".join(out)
