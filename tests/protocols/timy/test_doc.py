"""docs/protocols/timy.md must describe what the code declares."""

import re
from pathlib import Path

from velotime.families import family
from velotime.protocols.timy import ErrorKind, layout
from velotime.protocols.timy.records import RECORD_CLASSES

DOC = (Path(__file__).resolve().parents[3] / "docs" / "protocols" / "timy.md").read_text()


def section(title: str) -> str:
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#)", DOC, re.MULTILINE | re.DOTALL)
    assert match, title
    return match[1]


def first_cells(text: str) -> list[str]:
    """The first cell of every table row below the header."""
    rows = re.findall(r"^\| ([^|]+?) \|", text, re.MULTILINE)
    return [row for row in rows if not set(row) <= {"-"}][1:]


def test_every_record_class_has_its_fields_documented_in_order() -> None:
    for cls in RECORD_CLASSES:
        assert first_cells(section(cls.__name__)) == list(cls.__struct_fields__), cls


def test_the_error_kinds_table_lists_every_kind_in_order() -> None:
    documented = first_cells(section("The streaming codec"))
    assert documented == [f"`{kind.value}`" for kind in ErrorKind]


def test_the_columns_table_matches_the_layout() -> None:
    rows = first_cells(DOC[DOC.index("| columns | field |") :].split("\n\n")[0])

    def columns(where: slice) -> str:
        last = where.stop - 1
        return str(where.start) if last == where.start else f"{where.start}-{last}"

    fields = [layout.NUMBER, layout.LANE, layout.TOKEN, layout.TIME, layout.GROUP]
    expected = [columns(layout.FLAG), *map(columns, fields), columns(layout.CHECKSUM)]
    expected += [str(column) for column in layout.SEPARATORS]
    assert sorted(rows, key=lambda r: int(r.split("-")[0])) == sorted(
        expected, key=lambda r: int(r.split("-")[0])
    )


def test_the_summary_keys_are_documented() -> None:
    summary = family("timy").decode.load()([b"n0001\r"], False)
    documented = [
        cell.strip("`") for cell in first_cells(section("`velotime decode --protocol timy`"))
    ]
    assert documented == list(summary)
