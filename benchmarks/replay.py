"""Offline replay with scoring, as a whole process: `velotime replay CAPTURE --meet MEET --offline
--results DIR` (events to /dev/null, no summary) on generated sessions (benchmarks.captures) of
1k, 10k and 100k timing events, in one event and in a programme of many.

Reported per tree and session, medians of `--runs` runs: wall time, events/s, cost per event
(wall / events, the process start included) and peak RSS of the process (VmHWM). The start-up
is measured on a session of one rider so that the marginal cost shows too. A run that outlives
`--timeout` is killed and reported as "> T s", and the larger sessions of that shape are then
skipped for that tree (an engine that is quadratic in an event's size takes hours at 100k).

Targets (issue 11): cost per event at 100k within 1.5x of that at 1k, >= 20,000 events/s at
100k, peak memory < 100 MB at 100k.

    python -m benchmarks.replay [--tree DIR]... [--sizes 1000,10000,100000] [--runs 3]
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.captures import SHAPES, Session, generate
from benchmarks.process import Measured, add_tree_option, chosen_trees, pycache, run_measured

SIZES = (1_000, 10_000, 100_000)


def replay_args(session: Session, results: Path) -> list[str | Path]:
    return [
        "replay", session.capture, "--meet", session.meet, "--offline",
        "--results", results, "--output", "/dev/null", "--quiet",
    ]  # fmt: skip


def report(tree: Path, shape: str, session: Session, runs: list[Measured], start_s: float) -> str:
    wall = statistics.median(m.wall_s for m in runs)
    rss = statistics.median(m.max_rss_mb for m in runs)
    events = session.events
    marginal_us = max(0.0, wall - start_s) / events * 1e6
    return (
        f"  {tree.name:>12}  {shape:4}  {events:>7} events  {wall:8.2f} s  "
        f"{events / wall:>8.0f} events/s  {wall / events * 1e6:8.1f} us/event "
        f"({marginal_us:.1f} after start-up)  peak {rss:6.1f} MB"
    )


class Runner:
    """Each session replayed by every tree in turn, run after run, so that a machine busy with
    something else for a while slows every tree alike."""

    def __init__(self, args: argparse.Namespace, work: Path, cache: str) -> None:
        self.trees = chosen_trees(args)
        self.cache = cache
        self.runs: int = args.runs
        self.timeout_s: float = args.timeout
        self.work = work
        # (tree, shape) -> the session it outlived the timeout on: not run on larger ones
        self.stopped: dict[tuple[Path, str], str] = {}

    def measure(
        self, name: str, shape: str, session: Session, runs: int | None = None
    ) -> dict[Path, list[Measured]]:
        """`runs` replays of `session` (default `--runs`) per tree still running `shape`."""
        done: dict[Path, list[Measured]] = {}
        for run in range(runs or self.runs):
            for index, tree in enumerate(self.trees):
                if (tree, shape) in self.stopped:
                    continue
                out = self.work / f"{index}-{tree.name}" / name / f"run-{run}"
                out.mkdir(parents=True, exist_ok=True)
                args = replay_args(session, out / "results")
                measured = run_measured(tree, args, out, self.timeout_s, self.cache)
                if measured is None:
                    self.stopped[tree, shape] = name
                    done.pop(tree, None)
                else:
                    done.setdefault(tree, []).append(measured)
        return done


def run(args: argparse.Namespace) -> None:
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="velotime-bench-replay-") as tmp, pycache() as cache:
        root = Path(tmp)
        runner = Runner(args, root / "runs", cache)
        print(
            f"offline replay with scoring, whole process, median of {args.runs} runs "
            f"(timeout {args.timeout:.0f} s):",
            flush=True,
        )
        start_session = generate(root / "captures", "one", 1)
        runner.measure("warm-up", "warm-up", start_session, runs=1)  # writes the caches
        start = runner.measure("start", "start", start_session)
        start_s = {tree: statistics.median(m.wall_s for m in runs) for tree, runs in start.items()}
        for tree in runner.trees:
            print(f"  {tree.name:>12}  start-up (one rider): {start_s[tree]:.2f} s  [{tree}]")
        for shape in SHAPES:
            for size in sizes:
                session = generate(root / "captures", shape, size)
                measured = runner.measure(f"{shape}-{size}", shape, session)
                for tree in runner.trees:
                    if tree in measured:
                        print(report(tree, shape, session, measured[tree], start_s[tree]))
                    elif runner.stopped.get((tree, shape)) == f"{shape}-{size}":
                        print(
                            f"  {tree.name:>12}  {shape:4}  {session.events:>7} events  "
                            f"> {args.timeout:.0f} s (stopped; larger sizes skipped)"
                        )
                sys.stdout.flush()
                session.capture.unlink()


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tree_option(parser)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="timing events")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per run")
    return parser


def main(argv: list[str] | None = None) -> None:
    run(parser().parse_args(argv))


if __name__ == "__main__":
    main()
