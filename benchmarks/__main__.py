"""Run every benchmark: `python -m benchmarks` (or `make bench`).

    python -m benchmarks [--tree DIR]... [--full] [--only NAME,...]

`--tree DIR` (repeatable) also runs the whole-process benchmarks (CLI start, decode --summary,
the daemon, replay, the scoring service's restart) as that source tree's code, e.g. the code
before a change, for before and after from one run; P3 decoding, the scoring latency, the
scoring cost, the lap counting cost and the bunch race's live latency measure this tree only
(`PYTHONPATH=DIR python -m benchmarks.scoring_cost` measures another). In the default set a
replay or restart that outlives 60 s is stopped and reported as such; `--full` gives 5 runs of
those instead of 3, and 300 s before one is stopped. The soak runs once a tree (about 5 minutes
each); broker_persistence takes minutes too.
"""

import argparse
from collections.abc import Callable

from benchmarks import (
    broker_persistence,
    bunch_latency,
    cli_start,
    daemon_pipeline,
    decode_summary,
    garbage_log_lines,
    lap_counting,
    p3_decode,
    replay,
    scoring_cost,
    scoring_latency,
    service_restart,
    soak,
    timed_events,
)
from benchmarks.process import add_tree_option

# name -> run it, given the --tree options and the --runs and --timeout options
BENCHMARKS: dict[str, Callable[[list[str], list[str]], None]] = {
    "p3_decode": lambda trees, pace: p3_decode.main(),
    "decode_summary": lambda trees, pace: decode_summary.main(trees),
    "cli_start": lambda trees, pace: cli_start.main(trees),
    "daemon_pipeline": lambda trees, pace: daemon_pipeline.main(trees + pace[:2]),
    "scoring_latency": lambda trees, pace: scoring_latency.main(),
    "scoring_cost": lambda trees, pace: scoring_cost.main(),
    "lap_counting": lambda trees, pace: lap_counting.main(),
    # The pursuits, the team sprint and a sprint tournament, each reworked on every change.
    "timed_events": lambda trees, pace: timed_events.main(),
    # A 24-rider, 160-lap bunch race live through `velotime score` and Mosquitto (about 1 min).
    "bunch_latency": lambda trees, pace: bunch_latency.main([]),
    "replay": lambda trees, pace: replay.main(trees + pace),
    "service_restart": lambda trees, pace: service_restart.main(trees + pace),
    "garbage_log_lines": lambda trees, pace: garbage_log_lines.main([]),
    # The shipped Mosquitto config against the old one (minutes: it saves on every change).
    "broker_persistence": lambda trees, pace: broker_persistence.main(),
    # Once a tree: it runs for minutes (benchmarks/soak.py).
    "soak": lambda trees, pace: soak.main(trees),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tree_option(parser)
    parser.add_argument("--full", action="store_true", help="more runs, longer time-outs")
    parser.add_argument("--only", help="comma-separated: " + ", ".join(BENCHMARKS))
    args = parser.parse_args()
    trees = [option for tree in args.tree for option in ("--tree", str(tree))]
    pace = ["--runs", "5" if args.full else "3", "--timeout", "300" if args.full else "60"]
    for name in args.only.split(",") if args.only else BENCHMARKS:
        BENCHMARKS[name](trees, pace)


if __name__ == "__main__":
    main()
