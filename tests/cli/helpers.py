"""Running `velotime` as a user does: a real process, its output and exit code."""

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def velotime(
    *args: str | Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "velotime", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=None if env is None else dict(env),
    )
