"""Running a `velotime` command as a whole process, in this tree and, for before/after from one
run, in others (`--tree DIR`: the same command with PYTHONPATH=DIR, from a directory outside
every tree, since `python -m` would put the current directory first on the path).

Bytecode caches are kept under a temporary PYTHONPYCACHEPREFIX (`pycache()`), so that no tree is
written to and every tree runs with its caches warm after its first run.
"""

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

THIS_TREE = Path(__file__).resolve().parents[1]
# The console script a user runs; `python -m velotime` where the venv has none.
_SCRIPT = Path(sys.executable).with_name("velotime")


class Timing(NamedTuple):
    wall_s: list[float]
    cpu_s: list[float]  # user + system time of the process

    def line(self, label: str, per_run: float | None = None, unit: str = "") -> str:
        wall, cpu = statistics.median(self.wall_s), statistics.median(self.cpu_s)
        rate = f"{per_run / wall:>12,.0f} {unit}  " if per_run is not None else ""
        return (
            f"  {label:<34} {rate}{wall:.3f} s median (min {min(self.wall_s):.3f}, "
            f"max {max(self.wall_s):.3f}; cpu {cpu:.3f} s)"
        )


def add_tree_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tree",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="also run the velotime in DIR, e.g. the code before a change (repeatable)",
    )


def chosen_trees(args: argparse.Namespace) -> list[Path]:
    """This tree first, then each `--tree`."""
    return [THIS_TREE, *(tree.resolve() for tree in args.tree)]


def trees(argv: Sequence[str] | None, doc: str | None) -> tuple[list[Path], int | None]:
    """The trees to time (this one first) and the number of runs asked for, from the command
    line."""
    parser = argparse.ArgumentParser(description=doc)
    add_tree_option(parser)
    parser.add_argument("--runs", type=int, default=None, metavar="N")
    args = parser.parse_args(argv)
    return chosen_trees(args), args.runs


def tree_env(tree: Path, cache: str | None = None) -> dict[str, str]:
    """The environment that runs `tree`'s velotime, its bytecode caches under `cache`."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    if cache is not None:
        env["PYTHONPYCACHEPREFIX"] = cache
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # the caches are what it runs with
    return env


def velotime_args(*args: str | Path) -> list[str]:
    """`python -m velotime ARGS` with this environment's interpreter."""
    return [sys.executable, "-m", "velotime", *map(str, args)]


def time_command(args: Sequence[str], tree: Path, runs: int, cache: str) -> Timing:
    """Run `velotime ARGS` `runs` times with `tree` first on the path, after one run that
    writes the bytecode caches (under `cache`, so that no other tree is written to)."""
    command = [str(_SCRIPT)] if _SCRIPT.exists() else velotime_args()
    env = tree_env(tree, cache)
    wall, cpu = [], []
    for run in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([*command, *args], env=env, stdout=subprocess.DEVNULL, check=True)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run:  # the first run warms the caches
            wall.append(elapsed)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def pycache() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="velotime-pycache-")


class Measured(NamedTuple):
    wall_s: float
    cpu_s: float  # user + system
    max_rss_mb: float  # peak resident set size of the process


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


def run_measured(
    tree: Path, args: Sequence[str | Path], cwd: Path, timeout_s: float, cache: str
) -> Measured | None:
    """Run `velotime args` as `tree`'s code to the end; None if it outlived `timeout_s` (then
    it is killed). Output is discarded, except stderr on failure. The peak RSS is read every
    millisecond while it runs: growth in its last millisecond is missed."""
    log_path = cwd / "stderr.log"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            velotime_args(*args),
            cwd=cwd,
            env=tree_env(tree, cache),
            stdout=subprocess.DEVNULL,
            stderr=log,
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
    return Measured(wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime, max_rss_mb=peak_mb)
