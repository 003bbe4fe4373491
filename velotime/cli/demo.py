"""`velotime demo`: a whole session on simulated hardware, no setup (velotime.demo)."""

import argparse
import random
from pathlib import Path
from typing import Any


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        description="Start a broker, simulated P3 decoders, an ALGE Timy and a FinishLynx "
        "camera, the daemon with its scoring service and web scoreboard, and play a session "
        "compressed in time: a flying 200 m qualifying of 20 riders, a 1 km time trial of 8, "
        "a keirin final of 6, the sprint final between the two fastest of the qualifying (best "
        "of three), a team sprint heat from the pursuit gates and a points race of 8 over 20 "
        "laps. Prints the results as they "
        "come and the standings at the end, "
        "then checks that a replay of the capture gives the same result files.",
    )
    parser.add_argument(
        "--seed", type=int, metavar="N",
        help="the session: the same seed, the same times and results (default: random, printed)",
    )  # fmt: skip
    parser.add_argument(
        "--speedup", type=_speedup, default=50.0, metavar="X",
        help="how many times faster than real time (default: 50; 1: real time, about 30 min)",
    )  # fmt: skip
    parser.add_argument(
        "--port",
        type=int,
        metavar="N",
        help="the web scoreboard's port (default: 8080 if free, else any)",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        help="keep the files in this new or empty directory (default: a temporary one)",
    )
    parser.add_argument(
        "--keep-running", action="store_true",
        help="after the session, keep everything up (scoreboard, broker, daemon) until Ctrl-C",
    )  # fmt: skip
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from velotime.demo.session import DemoOptions, run_demo  # only the demo needs all that

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10_000)
    options = DemoOptions(
        seed=seed,
        speedup=args.speedup,
        directory=args.dir,
        port=args.port,
        keep_running=args.keep_running,
    )
    return run_demo(options)


def _speedup(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 10_000:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 10000, got {text}")
    return value
