"""The printable "telegraph" form of UNT4 bytes, for carrying messages as text (MQTT, logs).

As metarace writes it: `<` becomes `<>`, and each control byte of UNT4 becomes a letter or digit
in angle brackets. Every other byte stands for itself (as the Latin-1 character of the same
number), so any bytes have a telegraph form and come back from it unchanged.
"""

from velotime.protocols.unt4.constants import DC2, DC3, DC4, DLE, EOT, ERL, ERP, SOH, STX

CR, LF, US, NUL = 0x0D, 0x0A, 0x1F, 0x00

CODES: dict[int, str] = {
    NUL: "0",
    SOH: "O",
    STX: "T",
    EOT: "E",
    CR: "R",
    LF: "A",
    ERL: "L",
    ERP: "P",
    DLE: "D",
    DC2: "2",
    DC3: "3",
    DC4: "4",
    US: "U",
}
_BYTE_OF_CODE = {code: byte for byte, code in CODES.items()}
_ESCAPES = {byte: f"<{code}>" for byte, code in CODES.items()} | {ord("<"): "<>"}
_TABLE = [_ESCAPES.get(byte, chr(byte)) for byte in range(256)]


class TelegraphError(ValueError):
    """Text that is not in telegraph form: an unknown `<...>` or a character above U+00FF."""


def to_telegraph(data: bytes) -> str:
    return "".join([_TABLE[byte] for byte in data])


def from_telegraph(text: str) -> bytes:
    """The bytes of telegraph text; raises TelegraphError naming the first position it cannot
    read (a lone `<` is an error, not a guess)."""
    out = bytearray()
    at = 0
    while at < len(text):
        lt = text.find("<", at)
        stop = len(text) if lt < 0 else lt
        try:
            out += text[at:stop].encode("latin-1")
        except UnicodeEncodeError as exc:
            bad = text[at + exc.start]
            raise TelegraphError(f"position {at + exc.start}: {bad!r} is above U+00FF") from None
        if lt < 0:
            break
        if text[lt + 1 : lt + 2] == ">":
            out.append(ord("<"))
            at = lt + 2
            continue
        code = text[lt + 1 : lt + 2]
        if code not in _BYTE_OF_CODE or text[lt + 2 : lt + 3] != ">":
            raise TelegraphError(f"position {lt}: {text[lt : lt + 3]!r} is no telegraph escape")
        out.append(_BYTE_OF_CODE[code])
        at = lt + 3
    return bytes(out)
