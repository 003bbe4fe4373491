"""`velotime simulate lynx`: a FinishLynx camera running velotime's scoreboard script; it connects
to a scoreboard port (TCP, or UDP datagrams) and plays one heat, then exits."""

import argparse
import asyncio
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from velotime.families.family import SimulateCommand
from velotime.protocols.lynx import Armed, EncodeError, encode
from velotime.simulators.console import (
    address,
    fail,
    host_port,
    integer_between,
    natural,
    on_stop_signals,
    positive_us,
    reason,
    report,
    say,
    speedup,
)
from velotime.simulators.lynx import MAX_RIDERS, LynxCameraSimulator
from velotime.times import US_PER_SECOND

PROG = "velotime simulate lynx"
# Rounds and heats: what the scoreboard format carries.
_lss_number = integer_between("a number", 0, 10**9 - 1)
_riders = integer_between("a rider count", 1, MAX_RIDERS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--connect",
        required=True,
        type=_connect_address,
        metavar="HOST:PORT",
        help="where velotime listens for FinishLynx",
    )
    parser.add_argument("--udp", action="store_true", help="send UDP datagrams instead of TCP")
    parser.add_argument(
        "--riders", type=_riders, default=None, metavar="N", help="riders in the heat (default: 6)"
    )
    parser.add_argument(
        "--bibs",
        type=_bibs,
        default=None,
        metavar="BIB,BIB,...",
        help="the riders' bibs (default: --riders bibs drawn from --seed); the finishing order "
        "is drawn from --seed",
    )
    parser.add_argument(
        "--timezone",
        type=_zone,
        default=UTC,
        metavar="ZONE",
        help="the venue's time zone (venue.timezone of its configuration), in which the camera "
        "stamps its times of day, as the daemon reads them (default: UTC, as the configuration's)",
    )
    parser.add_argument(
        "--speedup", type=speedup, default="1", metavar="X", help="1: real time (default)"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    parser.add_argument(
        "--event", type=_event, default="1", metavar="E", help="event number (default: 1)"
    )
    parser.add_argument(
        "--round", type=_lss_number, default="1", metavar="R", help="round (default: 1)"
    )
    parser.add_argument(
        "--heat", type=_lss_number, default="1", metavar="H", help="heat (default: 1)"
    )
    parser.add_argument(
        "--drop-after-results",
        type=natural,
        default=None,
        metavar="K",
        help="cut the connection in the middle of the results, after K result lines, then "
        "reconnect and send the results again",
    )
    parser.add_argument(
        "--connect-timeout",
        type=positive_us,
        default="5",
        metavar="SECONDS",
        help="how long to keep trying to connect, as FinishLynx does (default: 5)",
    )


def run(args: argparse.Namespace) -> int:
    host, port = args.connect
    where = address(host, port)
    transport = "udp" if args.udp else "tcp"

    def connected(connection: int) -> None:
        say(PROG, f"sending to {where} over {transport} (connection {connection})")

    riders, drop = args.riders, args.drop_after_results
    if args.bibs is not None:
        if riders is not None and riders != len(args.bibs):
            return fail(PROG, f"--riders {riders} but {len(args.bibs)} --bibs: give one of them")
        riders = len(args.bibs)
    riders = 6 if riders is None else riders
    if drop is not None and drop > riders:
        return fail(PROG, f"--drop-after-results must be at most --riders ({riders}), got {drop}")
    try:
        sim = LynxCameraSimulator(
            host,
            port,
            udp=args.udp,
            riders=riders,
            bibs=args.bibs,
            speedup=args.speedup,
            seed=args.seed,
            event=args.event,
            round=args.round,
            heat=args.heat,
            drop_after_results=args.drop_after_results,
            connect_timeout_s=args.connect_timeout / US_PER_SECOND,
            on_connect=connected,
            zone=args.timezone,
        )
    except ValueError as exc:
        return fail(PROG, str(exc))
    return asyncio.run(_play(sim, where))


async def _play(sim: LynxCameraSimulator, where: str) -> int:
    play = asyncio.create_task(sim.run())
    with on_stop_signals(play.cancel):
        await asyncio.wait([play])
    if not play.cancelled() and (exc := play.exception()) is not None:
        if not isinstance(exc, OSError):
            raise exc
        if not sim.sent:
            return fail(PROG, f"cannot connect to {where}: {reason(exc)}")
        report(PROG, f"connection to {where} lost: {reason(exc)}")
        return 1
    say(PROG, f"sent {len(sim.sent)} messages over {sim.connections} connection(s)")
    return 0


def _connect_address(text: str) -> tuple[str, int]:
    host, port = host_port(text)
    if port == 0:
        raise argparse.ArgumentTypeError("port 0 cannot be connected to")
    return host, port


def _event(text: str) -> str:
    try:
        encode(Armed(event=text))
    except EncodeError:
        raise argparse.ArgumentTypeError(
            f"an event is a non-empty Windows-1252 text without spaces around, got {text!r}"
        ) from None
    return text


def _bibs(text: str) -> list[int]:
    bibs: list[int] = []
    for item in text.split(","):
        if not item.strip().isascii() or not item.strip().isdigit() or int(item) < 1:
            raise argparse.ArgumentTypeError(f"a bib is a positive number, got {item.strip()!r}")
        if int(item) in bibs:
            raise argparse.ArgumentTypeError(f"bib {int(item)} twice")
        bibs.append(int(item))
    if len(bibs) > MAX_RIDERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_RIDERS} riders, got {len(bibs)}")
    return bibs


def _zone(text: str) -> tzinfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown IANA time zone {text!r}, e.g. 'Europe/Paris'"
        ) from None


COMMAND = SimulateCommand(
    help="a FinishLynx photo-finish camera: sends one heat to a scoreboard port",
    description="A simulated FinishLynx camera running velotime's scoreboard script "
    "(config/finishlynx/velotime.lss). It connects to HOST:PORT over TCP, as FinishLynx "
    "connects to a scoreboard, or sends UDP datagrams there, and plays one heat: armed, "
    "the running time, stopped, then the results.",
    add_arguments=add_arguments,
    run=run,
)
