"""docs/protocols/p3.md must describe the fields the code declares."""

import re
from collections.abc import Iterable
from pathlib import Path

from velotime.protocols.p3.records import GENERIC_FIELDS, RECORD_CLASSES, Field

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocols" / "p3.md"
ROW = re.compile(r"^\| (0x[0-9A-F]{2}) \| (\w+) \| (u8|u16|u32|u64|str) \|", re.MULTILINE)


def documented_fields() -> dict[str, list[tuple[int, str, str]]]:
    sections = re.split(r"^### ", DOC.read_text(), flags=re.MULTILINE)[1:]
    tables = {}
    for section in sections:
        title = section.split("\n", 1)[0].split(" (")[0]
        rows = [(int(tag, 16), name, kind) for tag, name, kind in ROW.findall(section)]
        if rows:
            tables[title] = rows
    return tables


def declared(fields: Iterable[Field]) -> list[tuple[int, str, str]]:
    return [
        (f.tag, f.name, "str" if f.kind.width is None else f"u{8 * f.kind.width}") for f in fields
    ]


def test_every_record_class_has_its_fields_documented_in_order() -> None:
    tables = documented_fields()
    expected = {cls.__name__: declared(cls.FIELDS) for cls in RECORD_CLASSES if cls.FIELDS}
    expected["Valid in every record"] = declared(GENERIC_FIELDS)
    assert tables == expected


def test_record_classes_without_fields_are_named_in_the_types_table() -> None:
    text = DOC.read_text()
    for cls in RECORD_CLASSES:
        assert f"`{cls.__name__}`" in text
