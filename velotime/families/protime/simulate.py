"""`velotime simulate protime`: a Tag Heuer / Chronelec Protime decoder on a pseudo-terminal.
Commands on stdin, one per line: `unplug`, `replug`, `corrupt` (spoil the next telegram),
`loseack` (ignore the host's next ACK), `quit`."""

import argparse
import asyncio
import contextlib
from pathlib import Path

from velotime.families.family import SimulateCommand
from velotime.simulators.console import (
    Commands,
    command_names,
    fail,
    natural,
    positive_us,
    reason,
    report,
    say,
    serve_until_stopped,
)
from velotime.simulators.protime import RESEND_AFTER_S, ProtimeSimulator
from velotime.times import US_PER_SECOND

PROG = "velotime simulate protime"
DRAIN_TIMEOUT_S = 2.0  # after --count passings, how long to wait for the host's ACKs


def _unplug(sim: ProtimeSimulator) -> None:
    report(PROG, "unplugged" if sim.unplug() else "already unplugged")


def _replug(sim: ProtimeSimulator) -> None:
    try:
        path = sim.replug()
    except OSError as exc:
        report(PROG, f"cannot open a pseudo-terminal: {reason(exc)}")
        return
    report(PROG, "plugged in again")
    say(PROG, f"device {path}")


def _corrupt(sim: ProtimeSimulator) -> None:
    sim.corrupt_next()
    report(PROG, "the next telegram will arrive corrupt")


def _lose_ack(sim: ProtimeSimulator) -> None:
    sim.lose_next_ack()
    report(PROG, "the host's next ACK will be lost")


COMMANDS: Commands[ProtimeSimulator] = {
    "unplug": _unplug,
    "replug": _replug,
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
    parser.add_argument(
        "--link",
        type=Path,
        default=None,
        metavar="PATH",
        help="keep a symbolic link here to the current pty (as udev's /dev/serial/by-id)",
    )


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> int:
    sim = ProtimeSimulator(
        link=args.link, resend_after_s=args.resend_after / US_PER_SECOND, started=args.started
    )
    try:
        path = sim.start()
    except OSError as exc:
        await sim.stop()
        return fail(PROG, f"cannot open a pseudo-terminal: {reason(exc)}")
    work = sim.run(interval_s=args.interval / US_PER_SECOND, count=args.count, seed=args.seed)
    await serve_until_stopped(
        PROG, sim, COMMANDS, ready=f"device {path}", work=work, then=lambda: _drain(sim)
    )
    return 0


async def _drain(sim: ProtimeSimulator) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(sim.drain(), DRAIN_TIMEOUT_S)


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
