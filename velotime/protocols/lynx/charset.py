"""Text bytes as FinishLynx sends them with Code Set "Single Byte": Windows-1252.

FinishLynx runs on Windows and writes its files in Windows-1252 (ISO-8859-1 plus letters such
as Š, Ž, Œ and the euro sign in 0x80-0x9F). The five bytes Windows-1252 leaves undefined
(0x81, 0x8D, 0x8F, 0x90, 0x9D) decode to the C1 control of the same number, as web browsers do,
so that every byte decodes and re-encodes to itself.
"""

import codecs


def _decoding_table() -> str:
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars)


DECODING_TABLE = _decoding_table()
_ENCODING_TABLE = codecs.charmap_build(DECODING_TABLE)


def decode_text(data: bytes) -> str:
    """Never fails: every byte has a character."""
    return codecs.charmap_decode(data, "strict", DECODING_TABLE)[0]


def encode_text(text: str) -> bytes:
    """Raises UnicodeEncodeError for a character that has no Windows-1252 byte."""
    return codecs.charmap_encode(text, "strict", _ENCODING_TABLE)[0]
