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
    """Chunks of device bytes; a line of a hex dump that is not hex is yielded as `BadHexLine`."""
    if dump_format == "raw":
        while chunk := handle.read(_CHUNK_SIZE):
            yield chunk
        return
    for number, line in enumerate(handle, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            yield bytes.fromhex(text.decode("ascii"))
        except ValueError:  # also UnicodeDecodeError
            yield BadHexLine(number, text)
