"""Reading recorded device dumps: raw bytes, or one hex-encoded chunk per line."""

import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

DumpFormat = Literal["raw", "hex"]

_CHUNK_SIZE = 1 << 16
_SNIFF_SIZE = 4096
_HEX_TEXT = frozenset((string.hexdigits + string.whitespace).encode())


@dataclass(frozen=True)
class BadHexLine:
    """A line of a hex dump that is not hex: reported and skipped."""

    line_number: int
    text: bytes

    def __str__(self) -> str:
        return f"line {self.line_number} is not hex: {self.text[:40]!r}"


def sniff_format(path: Path) -> DumpFormat:
    """Hex if the start of the file is only hex digits and white space (a P3 dump starts 0x8E)."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_SIZE)
    return "hex" if head.strip() and frozenset(head) <= _HEX_TEXT else "raw"


def read_dump(handle: BinaryIO, dump_format: DumpFormat) -> Iterator[bytes | BadHexLine]:
    """Chunks of device bytes; a line of a hex dump that is not hex is yielded as `BadHexLine`.

    A codec's results do not depend on where its input is split, so a raw dump is read in 64 KiB
    pieces and the lines of a hex dump are joined likewise (one `bytes.fromhex` of many lines
    costs a fraction of one a line).
    """
    if dump_format == "raw":
        while chunk := handle.read(_CHUNK_SIZE):
            yield chunk
        return
    lines_before = 0
    while block := handle.read(_CHUNK_SIZE):
        block += handle.readline()  # to the end of the line
        try:
            chunk = bytes.fromhex(block.decode("ascii"))
        except ValueError:  # also UnicodeDecodeError: some line is not hex
            yield from _hex_lines(block, lines_before)
        else:
            if chunk:
                yield chunk
        lines_before += block.count(b"\n")


def _hex_lines(block: bytes, lines_before: int) -> Iterator[bytes | BadHexLine]:
    """A block of whole lines, line by line: the bytes of the hex lines between those that
    are not."""
    good: list[bytes] = []
    for number, line in enumerate(block.split(b"\n"), start=lines_before + 1):
        text = line.strip()
        if not text:
            continue
        try:
            good.append(bytes.fromhex(text.decode("ascii")))
        except ValueError:
            if good:
                yield b"".join(good)
                good.clear()
            yield BadHexLine(number, text)
    if good:
        yield b"".join(good)
