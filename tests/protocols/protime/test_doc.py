"""docs/protocols/protime.md says what the code does: its error kinds, its columns, its
commands' bytes."""

import re
from pathlib import Path

from velotime.protocols import protime
from velotime.protocols.protime import ErrorKind

DOC = (Path(__file__).resolve().parents[3] / "docs" / "protocols" / "protime.md").read_text()


def table_after(heading: str) -> list[list[str]]:
    rest = DOC[DOC.index(heading) :]
    table = re.search(r"(?:^\|.*\n)+", rest, re.MULTILINE)
    assert table is not None
    rows = table.group(0).splitlines()[2:]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_the_error_kinds_table_lists_every_kind_in_order() -> None:
    kinds = [
        row[0].strip("`") for row in table_after("## What velotime reads, and what it rejects")
    ]
    assert kinds == [kind.value for kind in ErrorKind]


def test_the_command_table_gives_the_bytes_the_codec_sends() -> None:
    rows = {
        row[0].split(":")[0].split(" (")[0]: row[1] for row in table_after("## What the host sends")
    }
    commands = {
        "ACK": protime.Ack(),
        "repeat request": protime.RepeatRequest(),
        "status": protime.StatusRequest(),
        "start": protime.Start(),
        "stop": protime.Stop(),
        "query configuration": protime.QueryConfig(),
    }
    for name, command in commands.items():
        shown = rows[name].replace("`", "").split()
        expected = ["ESC", *(f"0x{byte:02X}" for byte in protime.encode_command(command)[1:])]
        assert shown == expected, name


def test_the_example_telegram_is_the_one_decoded() -> None:
    example = re.search(r"```\n(<STA[^\n]*>)\n", DOC)
    assert example is not None
    line = example.group(1).encode(protime.ENCODING)
    assert isinstance(protime.parse_line(line), protime.Passing)
    assert len(line) == protime.TELEGRAM_LENGTH
