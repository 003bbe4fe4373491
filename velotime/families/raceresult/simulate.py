"""`velotime simulate raceresult`: a Race Result decoder on TCP. Commands on stdin, one per line:
`drop` (close every client connection), `lose` (the next passing is stored, not pushed: the host
sees a gap and fetches it), `quit`."""

import argparse
import asyncio

from velotime.families.family import SimulateCommand
from velotime.simulators.console import (
    Commands,
    command_names,
    fail,
    host_port,
    natural,
    positive_us,
    report,
    serve_listening,
    speedup,
)
from velotime.simulators.raceresult import RaceResultSimulator

PROG = "velotime simulate raceresult"
FIRST_TRANSPONDER = 1001
LINGER_S = 1.0  # after --count passings, keep serving this long (for late fetches)


def _lose(sim: RaceResultSimulator) -> None:
    sim.lose_pushes(1)
    report(PROG, "the next passing will not be pushed")


COMMANDS: Commands[RaceResultSimulator] = {
    "drop": lambda sim: report(PROG, f"dropped {sim.drop_clients()} client(s)"),
    "lose": _lose,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--listen", required=True, type=host_port, metavar="HOST:PORT", help="port 0: any"
    )
    parser.add_argument(
        "--transponders",
        type=natural,
        default=4,
        metavar="N",
        help=f"N transponders numbered from {FIRST_TRANSPONDER} (default: 4)",
    )
    parser.add_argument(
        "--lap-time", type=positive_us, default="17.5", metavar="SECONDS", help="default: 17.5"
    )
    parser.add_argument(
        "--speedup", type=speedup, default="1", metavar="X", help="1: real time (default)"
    )
    parser.add_argument(
        "--count", type=natural, default=None, metavar="N", help="stop after N passings"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    parser.add_argument(
        "--timezone", default="UTC", metavar="ZONE", help="its clock's local time (default: UTC)"
    )


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> int:
    host, port = args.listen
    if args.transponders < 1:
        return fail(PROG, "at least one transponder is needed")
    sim = RaceResultSimulator(
        transponders=range(FIRST_TRANSPONDER, FIRST_TRANSPONDER + args.transponders),
        lap_time_us=args.lap_time,
        speedup=args.speedup,
        count=args.count,
        seed=args.seed,
        timezone=args.timezone,
    )
    return await serve_listening(
        PROG,
        sim,
        COMMANDS,
        host,
        port,
        ready=lambda where: f"listening on {where}",
        linger_s=None if args.count is None else LINGER_S,
    )


COMMAND = SimulateCommand(
    help="a Race Result decoder: a TCP server pushing passings",
    description="A simulated Race Result decoder: a TCP server (port 3601 on a real one) that "
    "pushes passings, answers fetches by passing number, GETTIME and SETTIME. Commands on "
    f"stdin, one per line: {command_names(COMMANDS)}.",
    add_arguments=add_arguments,
    run=run,
)
