"""Reading recorded device dumps: raw bytes, or one hex-encoded chunk per line."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

DumpFormat = Literal["raw", "hex"]

_CHUNK_SIZE = 1 << 16
_SNIFF_SIZE = 4096


@dataclass(frozen=True)
class BadHexLine:
    """A line of a hex dump that is not hex: reported and skipped."""

    line_number: int
    text: bytes

    def __str__(self) -> str:
        return f"line {self.line_number} is not hex: {self.text[:40]!r}"


def sniff_format(path: Path) -> DumpFormat:
    """Hex if most of the start of the file is in lines of hex (a P3 dump starts 0x8E, and its
    bytes split at 0x0A are seldom hex).

    Most, not all: a hex dump with damaged lines stays a hex dump, each bad line counted and
    skipped, rather than its text being fed to a codec as bytes.
    """
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_SIZE)
        complete = len(head) < _SNIFF_SIZE or head.endswith(b"\n")
    lines = head.split(b"\n")
    if not complete and len(lines) > 1:
        lines.pop()  # cut short by the sniff: no evidence either way
    texts = [text for line in lines if (text := line.strip())]
    in_hex_lines = sum(len(text) for text in texts if _from_hex(text) is not None)
    return "hex" if in_hex_lines > sum(map(len, texts)) - in_hex_lines else "raw"


def _from_hex(text: bytes) -> bytes | None:
    """The bytes a line of hex stands for; None if it is not hex."""
    try:
        return bytes.fromhex(text.decode("ascii"))
    except ValueError:  # also UnicodeDecodeError
        return None


def read_dump(
    handle: BinaryIO, dump_format: DumpFormat, *, join_lines: bool = False
) -> Iterator[bytes | BadHexLine]:
    """Chunks of device bytes; a line of a hex dump that is not hex is yielded as `BadHexLine`.

    A hex dump's chunks are its lines, as recorded. With `join_lines`, for a reader that counts
    no chunks, they come joined into chunks of about 64 KiB, as a raw dump is read: a codec's
    results do not depend on where its input is split, and one `bytes.fromhex` of many lines
    costs a fraction of one a line.
    """
    if dump_format == "raw":
        while chunk := handle.read(_CHUNK_SIZE):
            yield chunk
        return
    if not join_lines:
        yield from _hex_lines(handle, 1, join=False)
        return
    first = 1  # the number of the block's first line
    while block := handle.read(_CHUNK_SIZE):
        block += handle.readline()  # to the end of the line
        try:
            chunk = bytes.fromhex(block.decode("ascii"))
        except ValueError:  # also UnicodeDecodeError: some line is not hex
            yield from _hex_lines(block.split(b"\n"), first, join=True)
        else:
            if chunk:
                yield chunk
        first += block.count(b"\n")


def _hex_lines(lines: Iterable[bytes], first: int, join: bool) -> Iterator[bytes | BadHexLine]:
    """The bytes of each hex line (with `join`, of each run of them between the lines that are
    not hex), and each line that is not hex; lines numbered from `first`."""
    run: list[bytes] = []
    for number, line in enumerate(lines, start=first):
        text = line.strip()
        if not text:
            continue
        data = _from_hex(text)
        if data is None:
            if run:
                yield b"".join(run)
                run.clear()
            yield BadHexLine(number, text)
            continue
        if join:
            run.append(data)
        else:
            yield data
    if run:
        yield b"".join(run)
