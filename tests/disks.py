"""A real full disk for tests: a small tmpfs of the test's own, filled by a file and freed.

Mounting needs root (CI runs as root): elsewhere the tests that need it skip, saying why, and
fail under CI=true.
"""

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


class SmallDisk:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._filler = path / "filler"

    def fill(self) -> None:
        """Take every free block: the next write that needs one fails with ENOSPC."""
        fd = os.open(self._filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 16, 1 << 12, 1 << 9, 1):
                with contextlib.suppress(OSError):
                    while True:
                        os.write(fd, bytes(size))
        finally:
            os.close(fd)
        probe = os.open(self.path / "probe", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            with pytest.raises(OSError, match="No space left") as refused:
                os.write(probe, bytes(4096))
        finally:
            os.close(probe)
        assert refused.value.errno == errno.ENOSPC

    def free(self) -> None:
        self._filler.unlink()
        (self.path / "probe").unlink(missing_ok=True)


@contextlib.contextmanager
def small_disk(path: Path, size_mb: int = 8) -> Iterator[SmallDisk]:
    """A tmpfs of `size_mb` MB mounted at `path` (created) until the end of the block."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        message = f"cannot mount a tmpfs for a real full disk: {mounted.stderr.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI runs as root, so it must)")
        pytest.skip(message)
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=False)
