"""Reading device dumps: a hex dump's lines, one chunk each or joined, and the lines that are not
hex, in order."""

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.capture.dumps import BadHexLine, read_dump, sniff_format


def test_a_hex_dump_gives_its_bytes_and_each_bad_line_in_order(shared_data: Path) -> None:
    lines = (shared_data / "p3" / "amb.out").read_bytes().splitlines()
    # Over 64 KiB of text, so that the lines are read in several blocks; the bad lines and the
    # blank one fall in different blocks, and one line has spaces and a CR inside.
    text = [*lines, b"", b"not hex", *lines[:900], b"8e0", b"  8e 02\r", *lines[900:]]
    dump = b"\n".join(text) + b"\n"
    items = list(read_dump(io.BytesIO(dump), "hex", join_lines=True))
    bad = [item for item in items if isinstance(item, BadHexLine)]
    assert [(b.line_number, b.text) for b in bad] == [
        (len(lines) + 2, b"not hex"),
        (len(lines) + 903, b"8e0"),
    ]
    good = [bytes.fromhex(line.decode()) for line in text if line not in (b"not hex", b"8e0")]
    first, second = items.index(bad[0]), items.index(bad[1])
    pieces = [items[:first], items[first + 1 : second], items[second + 1 :]]
    joined = [b"".join(p for p in piece if isinstance(p, bytes)) for piece in pieces]
    ends = [len(lines) + 1, len(lines) + 1 + 900]  # good lines (and the blank one) before each
    assert joined == [
        b"".join(good[: ends[0]]),
        b"".join(good[ends[0] : ends[1]]),
        b"".join(good[ends[1] :]),
    ]
    assert len(items) < len(text) / 100  # lines are joined, not one chunk a line
    # Without join_lines, each line is a chunk, as recorded.
    as_recorded = list(read_dump(io.BytesIO(dump), "hex"))
    assert [item for item in as_recorded if isinstance(item, bytes)] == [g for g in good if g]
    assert [item for item in as_recorded if isinstance(item, BadHexLine)] == bad


def test_a_hex_dump_with_bad_lines_is_sniffed_as_hex(shared_data: Path, tmp_path: Path) -> None:
    # Issue 12, item 8: one bad line in the first 4 KB used to make a hex dump "raw".
    lines = (shared_data / "p3" / "amb.out").read_text().splitlines()
    dump = tmp_path / "amb.hex"
    dump.write_text("\n".join([*lines[:2], "zz not hex", *lines[2:]]) + "\n")
    assert sniff_format(dump) == "hex"
    # As many bad lines as good ones: most of the text is still hex.
    dump.write_text("\n".join(piece for line in lines for piece in (line, "garbled")) + "\n")
    assert sniff_format(dump) == "hex"


def test_the_line_the_sniff_cuts_short_does_not_count(tmp_path: Path) -> None:
    # 4096 bytes end inside the second line: its 4091 characters read, "8e" * 2045 + "8", are
    # an odd number, not hex.
    dump = tmp_path / "long-lines.hex"
    dump.write_text("8e02\n" + "8e" * 4000 + "\n")
    assert sniff_format(dump) == "hex"


def test_raw_dumps_are_sniffed_as_raw(shared_data: Path, tmp_path: Path) -> None:
    binary = tmp_path / "amb.bin"
    binary.write_bytes(bytes.fromhex((shared_data / "p3" / "amb.out").read_text()))
    assert sniff_format(binary) == "raw"
    timy = shared_data / "alge" / "ALGETdC8001-202002020841.dump"
    assert sniff_format(timy) == "raw"
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert sniff_format(empty) == "raw"


@given(
    chunks=st.lists(st.binary(min_size=8, max_size=64), min_size=3, max_size=60),
    bad=st.text(alphabet="ghijklmnopqrstuvwxyz!?-:", min_size=1, max_size=16),
    where=st.integers(min_value=0),
)
def test_any_hex_dump_with_one_bad_line_stays_hex_and_loses_only_that_line(
    tmp_path_factory: pytest.TempPathFactory, chunks: list[bytes], bad: str, where: int
) -> None:
    lines = [chunk.hex() for chunk in chunks]
    at = where % (len(lines) + 1)
    lines.insert(at, bad)
    dump = tmp_path_factory.mktemp("dump") / "dump.hex"
    dump.write_text("\n".join(lines) + "\n")
    assert sniff_format(dump) == "hex"
    with dump.open("rb") as handle:
        items = list(read_dump(handle, "hex", join_lines=True))
    bad_lines = [item for item in items if isinstance(item, BadHexLine)]
    assert bad_lines == [BadHexLine(at + 1, bad.encode())]
    assert b"".join(item for item in items if isinstance(item, bytes)) == b"".join(chunks)
