"""Run every benchmark: `python -m benchmarks` (or `make bench`).

    python -m benchmarks [--tree DIR]... [--full] [--only NAME,...]

`--tree DIR` (repeatable) runs the end-to-end benchmarks (daemon, replay, restart) as that
source tree's code too, e.g. `--tree /path/to/old-checkout --tree .` for before and after in one
run; P3 decoding and the scoring latency measure this tree. The default set takes a few minutes
(runs that outlive 60 s are stopped and reported as such); `--full` runs more of each
(5 runs, 300 s before a run is stopped).
"""

import argparse
from collections.abc import Callable
from pathlib import Path

from benchmarks import daemon_pipeline, p3_decode, replay, scoring_latency, service_restart


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, action="append", default=[])
    parser.add_argument("--full", action="store_true", help="more runs, longer time-outs")
    parser.add_argument("--only", help="comma-separated: " + ", ".join(BENCHMARKS))
    args = parser.parse_args()
    trees = [option for tree in args.tree for option in ("--tree", str(tree))]
    runs = ["--runs", "5" if args.full else "3"]
    timeout = ["--timeout", "300" if args.full else "60"]
    chosen = args.only.split(",") if args.only else list(BENCHMARKS)
    for name in chosen:
        BENCHMARKS[name](trees + runs, timeout)


BENCHMARKS: dict[str, Callable[[list[str], list[str]], None]] = {
    "p3_decode": lambda common, timeout: p3_decode.main(),
    "daemon_pipeline": lambda common, timeout: daemon_pipeline.main(common),
    "scoring_latency": lambda common, timeout: scoring_latency.main(),
    "replay": lambda common, timeout: replay.main(common + timeout),
    "service_restart": lambda common, timeout: service_restart.main(common + timeout),
}

if __name__ == "__main__":
    main()
