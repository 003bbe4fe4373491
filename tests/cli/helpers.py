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


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], message: str, status: int = 2
) -> None:
    """The command failed with `status`, nothing on stdout and one line on stderr that says
    `message`."""
    assert result.returncode == status
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
