"""docs/protocols/unt4.md must describe the bytes, errors and escapes the code declares."""

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from velotime.protocols.unt4 import (
    DC2,
    DC3,
    DC4,
    DLE,
    EOT,
    ERL,
    ERP,
    SOH,
    STX,
    ErrorKind,
    Text,
    board_text,
    encode,
    from_telegraph,
    to_telegraph,
)
from velotime.protocols.unt4.telegraph import CODES

DOC = Path(__file__).resolve().parents[3] / "docs" / "protocols" / "unt4.md"
TEXT = DOC.read_text()


def test_the_control_bytes_table() -> None:
    rows = re.findall(r"^\| (0x[0-9A-F]{2}(?:, 0x[0-9A-F]{2})*) \| ([A-Z0-9, ]+) \| [^`]", TEXT,
                      re.MULTILINE)  # fmt: skip
    documented = {}
    for values, names in rows:
        for value, name in zip(values.split(", "), names.split(", "), strict=True):
            documented[name] = int(value, 16)
    assert documented == {"SOH": SOH, "STX": STX, "EOT": EOT, "ERL": ERL, "ERP": ERP, "DLE": DLE,
                          "DC2": DC2, "DC3": DC3, "DC4": DC4}  # fmt: skip


def test_the_telegraph_table_lists_every_code() -> None:
    rows = re.findall(r"^\| 0x([0-9A-F]{2}) \| \w+ \| `<(.)>` \|$", TEXT, re.MULTILINE)
    assert {int(byte, 16): code for byte, code in rows} == CODES


def test_every_error_kind_is_described() -> None:
    for kind in ErrorKind:
        assert f"| `{kind.value}` |" in TEXT


def test_the_examples() -> None:
    row = Text(0, 1, "1  101 A. MARTIN  10.724", erase_line=True)
    assert to_telegraph(encode(row)) == "<O><T><D>00011  101 A. MARTIN  10.724<L><E>"
    assert f"`{to_telegraph(encode(row))}`" in TEXT
    names = [(name, shown) for name, shown in re.findall(r"`(\w+)`\s+becomes\s+`(\w+)`", TEXT)
             if len(name) > 1]  # names, not the single letters spelled out  # fmt: skip
    assert len(names) == 3
    for name, shown in names:
        assert board_text(name) == shown


def _replace_one_code_at_a_time(text: str) -> str:
    """metarace's way of decoding telegraph text, as the doc describes it."""
    for byte, code in CODES.items():
        text = text.replace(f"<{code}>", chr(byte))
    return text.replace("<>", "<")


@given(st.binary(max_size=200))
def test_metaraces_way_of_decoding_gives_the_same_bytes(data: bytes) -> None:
    text = to_telegraph(data)
    assert _replace_one_code_at_a_time(text).encode("latin-1") == from_telegraph(text) == data
