"""`velotime simulate timy`: an ALGE Timy on a pseudo-terminal. Commands on stdin, one per line:
`unplug` (close the pty: the host's reads fail), `replug` (a new pty; its path is printed again),
`quit`."""

import argparse
import asyncio

from velotime.families.family import SimulateCommand
from velotime.simulators.console import (
    Commands,
    add_link_argument,
    command_names,
    integer,
    natural,
    plug_commands,
    positive_us,
    seconds_us,
    serve_on_pty,
)
from velotime.simulators.timy import DEFAULT_BAUDRATE, DEFAULT_CHANNELS, TimySimulator
from velotime.times import US_PER_SECOND

PROG = "velotime simulate timy"
DRAIN_TIMEOUT_S = 1.0  # after --count impulses, how long to wait for the host to take them
_BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


COMMANDS: Commands[TimySimulator] = plug_commands(PROG)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--channels",
        type=_channels,
        default=",".join(map(str, DEFAULT_CHANNELS)),
        metavar="N,N,...",
        help="channels 0-9 each rider triggers (default: 0,4,1: start, 200 m, finish)",
    )
    parser.add_argument(
        "--interval",
        type=positive_us,
        default="2",
        metavar="SECONDS",
        help="mean time between a rider's impulses (default: 2)",
    )
    parser.add_argument(
        "--count", type=natural, default=None, metavar="N", help="exit after N impulses"
    )
    parser.add_argument(
        "--checksum", action="store_true", help="append the CHK1 checksum from the start"
    )
    parser.add_argument(
        "--baudrate",
        type=_baudrate,
        default=DEFAULT_BAUDRATE,
        metavar="RATE",
        help=f"set on the pty, as on the Timy (default: {DEFAULT_BAUDRATE})",
    )
    parser.add_argument(
        "--clock-offset",
        type=seconds_us,
        default="0",
        metavar="SECONDS",
        help="the Timy's clock this far ahead of this machine's (negative: behind), e.g. 3600 "
        "for a Timy left on the wrong time zone (default: 0)",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    add_link_argument(parser)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> int:
    sim = TimySimulator(
        checksum=args.checksum,
        baudrate=args.baudrate,
        link=args.link,
        clock_offset_us=args.clock_offset,
    )
    return await serve_on_pty(
        PROG,
        sim,
        COMMANDS,
        work=lambda: sim.run(
            channels=args.channels,
            interval_s=args.interval / US_PER_SECOND,
            count=args.count,
            seed=args.seed,
        ),
        # --count reached: let the host take the last lines before the line goes away.
        drain_timeout_s=DRAIN_TIMEOUT_S,
    )


def _channels(text: str) -> list[int]:
    items = [item.strip() for item in text.split(",")]
    if not all(item.isascii() and item.isdigit() and int(item) <= 9 for item in items):
        raise argparse.ArgumentTypeError(f"expected channels 0-9 separated by commas, got {text!r}")
    channels = [int(item) for item in items]
    if len(set(channels)) != len(channels):
        raise argparse.ArgumentTypeError(f"a channel is given twice in {text!r}")
    return channels


def _baudrate(text: str) -> int:
    value = integer(text, "a baud rate")
    if value not in _BAUDRATES:
        known = ", ".join(map(str, _BAUDRATES))
        raise argparse.ArgumentTypeError(f"must be one of {known}, got {value}")
    return value


COMMAND = SimulateCommand(
    help="an ALGE Timy impulse timer: a pseudo-terminal streaming impulse lines",
    description="A simulated ALGE Timy on a pseudo-terminal: open the printed device path as "
    "its serial port. Riders trigger the channels one after another (start C0, then the "
    "intermediate channels, finish C1), stamped with this machine's local time of day. "
    "Host commands are read and ignored, except CHK1/CHK0 (checksum on/off). Commands on "
    f"stdin, one per line: {command_names(COMMANDS)}. A replug opens a new pty and prints "
    "its path; --link keeps a symbolic link pointing at the current one.",
    add_arguments=add_arguments,
    run=run,
)
