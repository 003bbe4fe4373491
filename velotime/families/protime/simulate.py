"""`velotime simulate protime`: a Tag Heuer / Chronelec Protime decoder on a pseudo-terminal.
Commands on stdin, one per line: `unplug`, `replug`, `corrupt` (spoil the next telegram),
`loseack` (ignore the host's next ACK), `quit`."""

import argparse
import asyncio

from velotime.families.family import SimulateCommand
from velotime.simulators.console import (
    Commands,
    add_link_argument,
    command_names,
    natural,
    plug_commands,
    positive_us,
    report,
    serve_on_pty,
)
from velotime.simulators.protime import RESEND_AFTER_S, ProtimeSimulator
from velotime.times import US_PER_SECOND

PROG = "velotime simulate protime"
DRAIN_TIMEOUT_S = 2.0  # after --count passings, how long to wait for the host's ACKs


def _corrupt(sim: ProtimeSimulator) -> None:
    sim.corrupt_next()
    report(PROG, "the next telegram will arrive corrupt")


def _lose_ack(sim: ProtimeSimulator) -> None:
    sim.lose_next_ack()
    report(PROG, "the host's next ACK will be lost")


COMMANDS: Commands[ProtimeSimulator] = {
    **plug_commands(PROG),
    "corrupt": _corrupt,
    "loseack": _lose_ack,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--interval",
        type=positive_us,
        default="2",
        metavar="SECONDS",
        help="mean time between passings (default: 2)",
    )
    parser.add_argument(
        "--count", type=natural, default=None, metavar="N", help="exit after N passings"
    )
    parser.add_argument(
        "--started",
        action="store_true",
        help="send passings without waiting for the host's start command",
    )
    parser.add_argument(
        "--resend-after",
        type=positive_us,
        default=str(RESEND_AFTER_S),
        metavar="SECONDS",
        help=f"resend a telegram not acknowledged within this (default: {RESEND_AFTER_S})",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    add_link_argument(parser)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> int:
    sim = ProtimeSimulator(
        link=args.link, resend_after_s=args.resend_after / US_PER_SECOND, started=args.started
    )
    return await serve_on_pty(
        PROG,
        sim,
        COMMANDS,
        work=lambda: sim.run(
            interval_s=args.interval / US_PER_SECOND, count=args.count, seed=args.seed
        ),
        drain_timeout_s=DRAIN_TIMEOUT_S,
    )


COMMAND = SimulateCommand(
    help="a Tag Heuer / Chronelec Protime decoder: a pseudo-terminal sending passing telegrams",
    description="A simulated Protime transponder decoder on a pseudo-terminal (19200 baud): "
    "open the printed device path as its serial port. It sends passings on its STA loop once "
    "the host starts it, each telegram again until the host acknowledges it, and at once on a "
    "repeat request; it takes the host's set-time command. Commands on stdin, one per line: "
    f"{command_names(COMMANDS)}. A replug opens a new pty and prints its path; --link keeps a "
    "symbolic link pointing at the current one.",
    add_arguments=add_arguments,
    run=run,
)
