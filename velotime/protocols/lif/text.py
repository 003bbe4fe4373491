"""Bytes of a FinishLynx exchange file (LIF, and the EVT/PPL files it shares its text with) to text.

FinishLynx is a Windows program and writes names in the ANSI code page, Windows-1252 on the
Western European systems velodromes run it on. Windows-1252 is ISO-8859-1 plus printable
characters in 0x80..0x9F, where ISO-8859-1 has only C1 control codes that never occur in names;
the real Lynx.evt in ../shared/data spells the Czech sprinter "Stromšík" with byte 0x9A, which
is "š" only in Windows-1252. So every byte is decoded as Windows-1252, and the five bytes that
code page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) as the ISO-8859-1 control codes of
the same value. That is the WHATWG definition of "windows-1252": it never fails, it needs no
guess per file, and it decodes every ISO-8859-1 file with names in it exactly as ISO-8859-1 does.
"""

import re

# FinishLynx's one reading of its text bytes, shared with its scoreboard stream.
from velotime.protocols.lynx.charset import decode_text

__all__ = ["UTF8_BOM", "decode_text", "split_lines"]

UTF8_BOM = b"\xef\xbb\xbf"

# CRLF as FinishLynx writes on Windows, LF as copied files often have, and a lone CR (old Mac
# tools) too. Not str.splitlines(): it also splits on \v, \f, \x1c..\x1e and U+2028, which can
# hide in a damaged file and would shift every later line number.
_LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of a text, without their ends; the empty piece after a final newline included."""
    return _LINE_END.split(text)
