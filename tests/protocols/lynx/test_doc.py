"""docs/protocols/lynx.md must describe the messages and fields the code declares."""

import re
from pathlib import Path

from velotime.protocols.lynx import RECORD_CLASSES, ErrorKind, Kind

DOC = Path(__file__).resolve().parents[3] / "docs" / "protocols" / "lynx.md"
MESSAGE_ROW = re.compile(r"^\| `(\w\w)` \| `(\w+)` \| `(\w+)` \|(.*)\|$", re.MULTILINE)
FIELD = re.compile(r"(\w+) \(\\([0-9a-f]{2})\\([0-9a-f]{2})\)")


def test_the_messages_table_lists_every_record_with_its_fields_in_wire_order() -> None:
    documented = []
    for code, record, section, fields in MESSAGE_ROW.findall(DOC.read_text()):
        variables = [(name, int(g, 16), int(v, 16)) for name, g, v in FIELD.findall(fields)]
        assert len(variables) == len([f for f in fields.split(",") if f.strip()]), fields
        documented.append((code, record, section, variables))
    declared = [
        (cls.CODE, cls.__name__, cls.SECTION, [(f.name, *f.lss) for f in cls.FIELDS])
        for cls in RECORD_CLASSES
    ]
    assert documented == declared


def test_every_field_kind_and_error_kind_is_described() -> None:
    text = DOC.read_text()
    kinds = re.findall(r"^\| (\w+) \| ([\w, ]+) \| ", text, re.MULTILINE)
    described = {kind: set(fields.split(", ")) for kind, fields in kinds}
    declared: dict[str, set[str]] = {}
    for cls in RECORD_CLASSES:
        for field in cls.FIELDS:
            declared.setdefault(field.kind.value, set()).add(field.name)
    declared["place"] = {"place and status"}
    assert {k: v for k, v in described.items() if k in {k.value for k in Kind}} == declared
    for error in ErrorKind:
        assert f"| `{error.value}` |" in text
