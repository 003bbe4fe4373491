"""Running the `velotime` command of a given source tree, as a measured process.

The end-to-end benchmarks take `--tree DIR` (repeatable): each tree's code runs as
`PYTHONPATH=DIR python -m velotime ...` with this virtual environment's interpreter, from a
directory outside every tree (`python -m` would put the current directory first on the path),
so one invocation measures the code before and after a change on the same machine.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

THIS_TREE = Path(__file__).resolve().parent.parent


class Measured(NamedTuple):
    wall_s: float
    cpu_s: float  # user + system
    max_rss_mb: float  # peak resident set size of the process
    returncode: int


def peak_rss_mb(pid: int) -> float | None:
    """The peak resident set size of process `pid` so far (VmHWM), None once it has exited.

    Not rusage's ru_maxrss: a child started by fork and exec starts that from its parent's
    memory (here the benchmark's, with its generated sessions) and would report that.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None  # a zombie: its memory is gone


def add_tree_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tree",
        type=Path,
        action="append",
        help="run the velotime code of this source tree (repeatable; default: this tree)",
    )


def trees(args: argparse.Namespace) -> list[Path]:
    chosen: list[Path] | None = args.tree
    return [tree.resolve() for tree in chosen or [THIS_TREE]]


def tree_env(tree: Path) -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(tree)}


def velotime_args(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "velotime", *map(str, args)]


def run_measured(
    tree: Path, args: Sequence[str | Path], cwd: Path, timeout_s: float
) -> Measured | None:
    """Run `velotime args` as `tree`'s code to the end; None if it outlived `timeout_s` (then
    it is killed). Output is discarded, except stderr on failure. The peak RSS is read every
    millisecond while it runs: growth in its last millisecond is missed."""
    log_path = cwd / "stderr.log"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            velotime_args(*args), cwd=cwd, env=tree_env(tree), stdout=subprocess.DEVNULL, stderr=log
        )
    peak_mb = 0.0
    while True:
        peak_mb = peak_rss_mb(process.pid) or peak_mb
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > timeout_s:
            process.send_signal(signal.SIGKILL)
            os.wait4(process.pid, 0)
            process.returncode = -signal.SIGKILL
            return None
        time.sleep(0.001)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        tail = log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"velotime {' '.join(map(str, args))} failed:\n{tail}")
    return Measured(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_mb=peak_mb,
        returncode=process.returncode,
    )
