"""`velotime simulate p3`: an AMB P3 decoder on TCP. Commands on stdin, one per line: `drop`
(close every client connection), `silent` (send nothing, keep the connections), `resume` (end the
silence), `quit`."""

import argparse
import asyncio

from velotime.families.family import SimulateCommand
from velotime.protocols.p3.constants import U32_MAX
from velotime.simulators.console import (
    Commands,
    command_names,
    host_port,
    integer,
    integer_between,
    natural,
    positive_us,
    report,
    serve_listening,
    speedup,
)
from velotime.simulators.p3_decoder import P3DecoderSimulator
from velotime.simulators.p3_session import DEFAULT_DECODER_ID
from velotime.times import US_PER_SECOND

PROG = "velotime simulate p3"
FIRST_TRANSPONDER = 1001  # `--transponders N` numbers them from here
MAX_TRANSPONDER_COUNT = 10_000  # a larger count is more likely a single id missing its comma
LINGER_S = 1.0  # after --count passings, keep serving this long (for late RESENDs)


def _silence(sim: P3DecoderSimulator, silent: bool) -> None:
    sim.set_silent(silent)
    report(PROG, "silent" if silent else "sending again")


COMMANDS: Commands[P3DecoderSimulator] = {
    "drop": lambda sim: report(PROG, f"dropped {sim.drop_clients()} client(s)"),
    "silent": lambda sim: _silence(sim, True),
    "resume": lambda sim: _silence(sim, False),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--listen", required=True, type=host_port, metavar="HOST:PORT", help="port 0: any"
    )
    parser.add_argument(
        "--transponders",
        type=_transponders,
        default="4",
        metavar="N|ID,ID,...",
        help=f"N transponders numbered from {FIRST_TRANSPONDER}, or a comma list (default: 4)",
    )
    parser.add_argument(
        "--lap-time",
        type=positive_us,
        default="17.5",
        metavar="SECONDS",
        help="mean lap time (default: 17.5)",
    )
    parser.add_argument(
        "--speedup", type=speedup, default="1", metavar="X", help="1: real time (default)"
    )
    parser.add_argument(
        "--count", type=natural, default=None, metavar="N", help="stop after N passings"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    parser.add_argument(
        "--decoder-id",
        type=integer_between("a decoder id", 0, U32_MAX),
        default=DEFAULT_DECODER_ID,
        metavar="N",
        help=f"default: {DEFAULT_DECODER_ID}",
    )
    parser.add_argument(
        "--status-interval",
        type=positive_us,
        default="4",
        metavar="SECONDS",
        help="wall-clock seconds between STATUS records (default: 4)",
    )


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> int:
    host, port = args.listen
    sim = P3DecoderSimulator(
        transponders=args.transponders,
        lap_time_us=args.lap_time,
        speedup=args.speedup,
        count=args.count,
        decoder_id=args.decoder_id,
        status_interval_s=args.status_interval / US_PER_SECOND,
        seed=args.seed,
    )
    return await serve_listening(
        PROG,
        sim,
        COMMANDS,
        host,
        port,
        ready=lambda where: f"listening on {where} (decoder {args.decoder_id})",
        linger_s=None if args.count is None else LINGER_S,
    )


def _transponders(text: str) -> list[int]:
    if "," not in text:
        count = integer(text, "a transponder count")
        if not 1 <= count <= MAX_TRANSPONDER_COUNT:
            raise argparse.ArgumentTypeError(
                f"a transponder count must be 1-{MAX_TRANSPONDER_COUNT}, got {count} "
                "(give a single id as ID,)"
            )
        return list(range(FIRST_TRANSPONDER, FIRST_TRANSPONDER + count))
    ids = [integer(item, "a transponder id") for item in text.split(",") if item.strip()]
    if not ids or any(not 0 <= t <= U32_MAX for t in ids):
        raise argparse.ArgumentTypeError(f"transponder ids must be 0-{U32_MAX}, got {text!r}")
    return ids


COMMAND = SimulateCommand(
    help="an AMB/MYLAPS P3 decoder: a TCP server streaming passings",
    description="A simulated AMB P3 decoder: a TCP server that streams STATUS and PASSING "
    "records and answers GET_TIME and RESEND. Commands on stdin, one per line: "
    f"{command_names(COMMANDS)}.",
    add_arguments=add_arguments,
    run=run,
)
