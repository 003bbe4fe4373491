"""Running `velotime` as a user does: a real process, its output and exit code; or, where
only the output and the exit status are checked (argument errors), its `main` in this process.
"""

import contextlib
import io
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from velotime.cli import main


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


def velotime_main(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`velotime ARGS` through `velotime.cli.main` in this process, with what it writes to
    stdout and stderr and its exit status: the same as a process's where nothing else counts
    (no signals, no stdin, no logging), without the interpreter's start-up each time."""
    argv = [str(arg) for arg in args]
    # Text streams over bytes, as a process has: some commands write bytes to `.buffer`.
    out = io.TextIOWrapper(io.BytesIO(), "utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), "utf-8", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exit_:  # argparse's errors and --help
            if isinstance(exit_.code, str):
                err.write(exit_.code + "\n")
            status = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    output = [stream.buffer.getvalue().decode() for stream in (out, err)]
    return subprocess.CompletedProcess(["velotime", *argv], status, *output)


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], message: str, status: int = 2
) -> None:
    """The command failed with `status`, nothing on stdout and one line on stderr that says
    `message`."""
    assert result.returncode == status
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
