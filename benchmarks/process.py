"""Timing a `velotime` command as a whole process, in this tree and, for before/after from one
run, in another (`--tree DIR`: the same command with PYTHONPATH=DIR)."""

import argparse
import os
import resource
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


def trees(argv: Sequence[str] | None, doc: str | None) -> tuple[list[Path], int | None]:
    """The trees to time (this one first) and the number of runs asked for, from the command
    line."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument(
        "--tree",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="also time the velotime in DIR, e.g. the code before a change (repeatable)",
    )
    parser.add_argument("--runs", type=int, default=None, metavar="N")
    args = parser.parse_args(argv)
    return [THIS_TREE, *args.tree], args.runs


def time_command(args: Sequence[str], tree: Path, runs: int, cache: str) -> Timing:
    """Run `velotime ARGS` `runs` times with `tree` first on the path, after one run that
    writes the bytecode caches (under `cache`, so that no other tree is written to)."""
    command = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "velotime"]
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONPYCACHEPREFIX=cache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the caches are what this measures with
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
