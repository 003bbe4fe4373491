"""Appending to a capture file: one write per chunk, so a crash loses nothing already read."""

import os
import time
from pathlib import Path
from typing import Any

import msgspec

from velotime.capture.format import CaptureChunk, CaptureHeader
from velotime.times import now_us

_encoder = msgspec.json.Encoder()


class CaptureWriter:
    """An open capture file. Each chunk is one `os.write` of one line: after it returns the line
    is in the kernel and survives the daemon being killed (not a power cut: see the docs)."""

    def __init__(self, path: Path, header: CaptureHeader) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o640)
        self._write(_encoder.encode(header))

    @classmethod
    def create(
        cls,
        directory: Path,
        venue: str,
        sources: dict[str, dict[str, Any]],
        lines: dict[str, float] | None = None,
        track_length_m: float | None = None,
    ) -> "CaptureWriter":
        """A new file named after the venue and the UTC start time (never overwrites one)."""
        started_us = now_us()
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started_us // 1_000_000))
        header = CaptureHeader(
            venue=venue,
            sources=sources,
            started_us=started_us,
            lines=lines or {},
            track_length_m=track_length_m,
        )
        for attempt in range(1000):
            suffix = f"-{attempt}" if attempt else ""
            path = directory / f"{venue}-{stamp}{suffix}.capture.jsonl"
            try:
                return cls(path, header)
            except FileExistsError:
                continue
        raise FileExistsError(f"no free capture file name in {directory}")

    def write(self, t_us: int, src: str, data: bytes) -> None:
        self._write(_encoder.encode(CaptureChunk(t_us, src, data)))

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _write(self, line: bytes) -> None:
        os.write(self._fd, line + b"\n")
