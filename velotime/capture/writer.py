"""Appending to a capture file: one write per chunk, so a crash loses nothing already read.

A write that fails (a full disk, an I/O error) never stops the caller: the daemon goes on
timing from the bytes it read. The chunk is counted as lost, any part of its line that reached
the file is cut off again (so the file holds only whole lines), the failure is logged once, and
the next chunk tries again: writing goes on in the same file once the disk is back. Other
errors than a full disk close the file, which is opened again (appending) by a later chunk.
"""

import errno
import logging
import os
import time
from pathlib import Path
from typing import Any

import msgspec

from velotime.capture.format import CaptureChunk, CaptureHeader
from velotime.times import now_us

log = logging.getLogger("velotime.capture")

REOPEN_INTERVAL_S = 1.0  # a file closed by an error is opened again no more often than this
# A disk hovering at full makes writes fail and work by turns: after a failure and its
# recovery are logged, the next ones go unlogged for this long (counted all the same).
QUIET_AFTER_RECOVERY_S = 60.0
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)

_encoder = msgspec.json.Encoder()


class CaptureWriter:
    """An open capture file. Each chunk is one `os.write` of one line: after it returns the line
    is in the kernel and survives the daemon being killed (not a power cut: see the docs)."""

    def __init__(self, path: Path, header: CaptureHeader) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o640)
        self._size = 0  # the file's length: whole lines only
        self._closed = False
        self.bytes_captured = 0  # device bytes written (the data of each chunk)
        self.bytes_lost = 0  # device bytes that could not be written
        self.error: str | None = None  # why writing fails now; None while it works
        self._lost_since: int = 0  # bytes lost in the current failure, for its recovery line
        self._reopen_after = 0.0
        self._failure_logged = False
        self._quiet_until = 0.0
        try:
            self._append(_encoder.encode(header) + b"\n")
        except OSError:
            os.close(self._fd)
            raise

    @classmethod
    def create(
        cls,
        directory: Path,
        venue: str,
        sources: dict[str, dict[str, Any]],
        lines: dict[str, float] | None = None,
        track_length_m: float | None = None,
        roles: dict[str, str] | None = None,
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
            roles=roles or {},
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
        """Record one chunk; never raises for a failing disk (counted in `bytes_lost`)."""
        line = _encoder.encode(CaptureChunk(t_us, src, data)) + b"\n"
        if self._fd < 0 and not self._reopen():
            self._lost(len(data))
            return
        try:
            self._append(line)
        except OSError as exc:
            self._failed(exc)
            self._lost(len(data))
            return
        self.bytes_captured += len(data)
        if self.error is not None:
            self.error = None
            if self._failure_logged:
                log.warning(
                    "capture %s: writing again (%d bytes of device data were not captured)",
                    self.path,
                    self._lost_since,
                )
                self._failure_logged = False
                self._lost_since = 0
                self._quiet_until = time.monotonic() + QUIET_AFTER_RECOVERY_S

    def problems(self) -> list[str]:
        """What fails now, one line (empty while writing works)."""
        if self.error is None:
            return []
        return [f"capture write failed: {self.error} ({self._lost_since} bytes not captured)"]

    def close(self) -> None:
        self._closed = True
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _append(self, line: bytes) -> None:
        """Write all of `line`, or raise with the file cut back to its whole lines."""
        done = 0
        try:
            while done < len(line):
                done += os.write(self._fd, line[done:])
        except OSError:
            if done:  # part of the line is in the file: cut it off again
                try:
                    os.ftruncate(self._fd, self._size)
                except OSError as exc:
                    log.error("capture %s: cannot cut off a partial line: %s", self.path, exc)
            raise
        self._size += len(line)

    def _failed(self, exc: OSError) -> None:
        if (
            self.error is None
            and not self._failure_logged
            and time.monotonic() >= self._quiet_until
        ):
            self._failure_logged = True
            log.error(
                "capture %s: write failed: %s; timing goes on, the bytes not captured are counted",
                self.path,
                exc.strerror or exc,
            )
        self.error = exc.strerror or str(exc)
        if exc.errno not in _DISK_FULL and self._fd >= 0:
            # The file itself may be broken (an I/O error): open it again later.
            os.close(self._fd)
            self._fd = -1
            self._reopen_after = time.monotonic() + REOPEN_INTERVAL_S

    def _reopen(self) -> bool:
        if self._closed or time.monotonic() < self._reopen_after:
            return False
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            self._size = os.fstat(self._fd).st_size
        except OSError as exc:
            self._reopen_after = time.monotonic() + REOPEN_INTERVAL_S
            self.error = exc.strerror or str(exc)
            return False
        return True

    def _lost(self, n: int) -> None:
        self.bytes_lost += n
        self._lost_since += n
