"""Reading capture files, tolerating what a power cut or a bad disk leaves behind."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from velotime.capture.format import CAPTURE_FORMAT, CAPTURE_VERSION, CaptureChunk, CaptureHeader


class CaptureFormatError(ValueError):
    """The file is not a velotime capture this version can read (bad or missing header)."""


@dataclass(frozen=True)
class CaptureProblem:
    """A line that could not be read; skipped and counted, never fatal."""

    line_number: int
    reason: str
    truncated_tail: bool = False  # the last line, cut short (a power cut mid-write)


@dataclass
class CaptureReader:
    path: Path
    header: CaptureHeader
    problems: list[CaptureProblem] = field(default_factory=list)
    bytes_read: int = 0  # of the file, header included, as `chunks` goes (progress reports)

    def chunks(self) -> Iterator[CaptureChunk]:
        """The chunks in file order. Unreadable lines are skipped and added to `problems`."""
        decoder = msgspec.json.Decoder(CaptureChunk)
        with self.path.open("rb") as handle:
            self.bytes_read = len(handle.readline())  # the header, already read
            number = 1
            for line in handle:
                number += 1
                self.bytes_read += len(line)
                if not line.strip():
                    continue
                try:
                    yield decoder.decode(line)
                except msgspec.DecodeError as exc:
                    tail = not line.endswith(b"\n")
                    reason = "truncated last line" if tail else str(exc)
                    self.problems.append(CaptureProblem(number, reason, truncated_tail=tail))


def read_capture(path: Path) -> CaptureReader:
    """Open a capture and read its header. Raises OSError or `CaptureFormatError`."""
    with path.open("rb") as handle:
        first = handle.readline()
    try:
        header = msgspec.json.decode(first, type=CaptureHeader)
    except msgspec.DecodeError as exc:
        raise CaptureFormatError(f"{path}: not a velotime capture header: {exc}") from exc
    if header.format != CAPTURE_FORMAT:
        raise CaptureFormatError(f"{path}: format is {header.format!r}, not {CAPTURE_FORMAT!r}")
    if header.version != CAPTURE_VERSION:
        raise CaptureFormatError(f"{path}: capture version {header.version} is not supported")
    return CaptureReader(path, header)
