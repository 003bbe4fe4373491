"""`velotime simulate p3`: a simulated AMB P3 decoder on TCP, for demos and tests without hardware.

Commands on stdin, one per line: `drop` (close every client connection), `silent` (send
nothing, keep the connections), `resume` (end the silence), `quit`.
"""

import argparse
import asyncio
import contextlib
import os
import selectors
import signal
import socket
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from velotime.simulators.p3_decoder import P3DecoderSimulator
from velotime.simulators.p3_session import DEFAULT_DECODER_ID
from velotime.times import US_PER_SECOND

PROG = "velotime simulate p3"
FIRST_TRANSPONDER = 1001  # `--transponders N` numbers them from here
MAX_TRANSPONDER_COUNT = 10_000  # a larger count is more likely a single id missing its comma
LINGER_S = 1.0  # after --count passings, keep serving this long (for late RESENDs)
_U32_MAX = 0xFFFF_FFFF
_COMMANDS = ("drop", "silent", "resume", "quit")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "simulate",
        help="run a simulated timing device",
        description="Run a simulated timing device that hosts connect to as to the real one.",
    )
    devices = parser.add_subparsers(dest="device", required=True, metavar="DEVICE")
    p3 = devices.add_parser(
        "p3",
        help="an AMB/MYLAPS P3 decoder: a TCP server streaming passings",
        description="A simulated AMB P3 decoder: a TCP server that streams STATUS and PASSING "
        "records and answers GET_TIME and RESEND. Commands on stdin, one per line: "
        f"{', '.join(_COMMANDS)}.",
    )
    p3.add_argument(
        "--listen", required=True, type=_listen_address, metavar="HOST:PORT", help="port 0: any"
    )
    p3.add_argument(
        "--transponders",
        type=_transponders,
        default="4",
        metavar="N|ID,ID,...",
        help=f"N transponders numbered from {FIRST_TRANSPONDER}, or a comma list (default: 4)",
    )
    p3.add_argument(
        "--lap-time",
        type=_positive_us,
        default="17.5",
        metavar="SECONDS",
        help="mean lap time (default: 17.5)",
    )
    p3.add_argument(
        "--speedup", type=_speedup, default="1", metavar="X", help="1: real time (default)"
    )
    p3.add_argument(
        "--count", type=_natural, default=None, metavar="N", help="stop after N passings"
    )
    p3.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    p3.add_argument(
        "--decoder-id",
        type=_decoder_id,
        default=DEFAULT_DECODER_ID,
        metavar="N",
        help=f"default: {DEFAULT_DECODER_ID}",
    )
    p3.add_argument(
        "--status-interval",
        type=_positive_us,
        default="4",
        metavar="SECONDS",
        help="wall-clock seconds between STATUS records (default: 4)",
    )
    p3.set_defaults(run=run)


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
    try:
        await sim.start(host, port)
    except OSError as exc:
        await sim.stop()
        return _fail(f"cannot listen on {_address(host, port)}: {_reason(exc)}")
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    commands = asyncio.create_task(_read_commands(sim, stop))
    waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
    if args.count is not None:
        waiters.append(asyncio.create_task(_linger_after_count(sim)))
    try:
        print(
            f"{PROG}: listening on {_address(host, sim.port)} (decoder {args.decoder_id})",
            flush=True,
        )
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (*waiters, commands):
            task.cancel()
        await asyncio.gather(*waiters, commands, return_exceptions=True)
        for signum in signals:
            loop.remove_signal_handler(signum)
        await sim.stop()
    return 0


async def _linger_after_count(sim: P3DecoderSimulator) -> None:
    await sim.finished()
    await asyncio.sleep(LINGER_S)


async def _read_commands(sim: P3DecoderSimulator, stop: asyncio.Event) -> None:
    """Obey stdin line by line without blocking the loop; EOF just ends the commands."""
    if sys.stdin is None:
        return
    try:
        fd = sys.stdin.fileno()
    except (OSError, ValueError):  # closed, or replaced by an object without a descriptor
        return
    if not _pollable(fd):
        # A regular file or /dev/null: the loop cannot watch it, but reading it never blocks.
        with open(os.dup(fd), "rb") as handle:
            for line in handle:
                if not _obey(line, sim, stop):
                    return
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    was_blocking = os.get_blocking(fd)
    # A duplicate, because the pipe transport closes what it is given; it shares the blocking
    # mode with fd, which is restored at the end (a terminal is shared with the shell).
    pipe = open(os.dup(fd), "rb", buffering=0)  # noqa: SIM115 (the transport owns it)
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    try:
        while True:
            try:
                line = await reader.readline()
            except ValueError:  # a line longer than the reader's limit
                _obey(b"<a line too long>", sim, stop)
                continue
            if not line:
                return
            if not _obey(line, sim, stop):
                return
    finally:
        transport.close()
        with contextlib.suppress(OSError):
            os.set_blocking(fd, was_blocking)


def _pollable(fd: int) -> bool:
    """Whether the event loop can watch fd (epoll refuses regular files and /dev/null)."""
    with selectors.DefaultSelector() as selector:
        try:
            selector.register(fd, selectors.EVENT_READ)
        except (OSError, ValueError):
            return False
    return True


def _obey(line: bytes, sim: P3DecoderSimulator, stop: asyncio.Event) -> bool:
    """Carry out one command line; False after `quit`."""
    command = line.decode("utf-8", "replace").strip()
    actions: dict[str, Callable[[], str]] = {
        "drop": lambda: f"dropped {sim.drop_clients()} client(s)",
        "silent": lambda: _silence(sim, True),
        "resume": lambda: _silence(sim, False),
        "quit": lambda: "quitting",
    }
    if not command:
        return True
    action = actions.get(command)
    if action is None:
        sys.stderr.write(f"{PROG}: unknown command {command!r} (known: {', '.join(_COMMANDS)})\n")
        return True
    sys.stderr.write(f"{PROG}: {action()}\n")
    if command == "quit":
        stop.set()
        return False
    return True


def _silence(sim: P3DecoderSimulator, silent: bool) -> str:
    sim.set_silent(silent)
    return "silent" if silent else "sending again"


def _reason(exc: OSError) -> str:
    # asyncio wraps a bind failure in a long message; the errno says it in a few words.
    if exc.errno and exc.errno > 0 and not isinstance(exc, socket.gaierror):
        return os.strerror(exc.errno)
    return exc.strerror or str(exc)


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _fail(message: str) -> int:
    sys.stderr.write(f"{PROG}: {message}\n")
    return 2


# -- argument types (argparse turns ArgumentTypeError into one usage line and exit 2) ----------


def _listen_address(text: str) -> tuple[str, int]:
    host, colon, port_text = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not colon or not host or not (port_text.isascii() and port_text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    port = int(port_text)
    if port > 0xFFFF:
        raise argparse.ArgumentTypeError(f"port {port} is out of range 0-65535")
    return host, port


def _transponders(text: str) -> list[int]:
    if "," not in text:
        count = _integer(text, "a transponder count")
        if not 1 <= count <= MAX_TRANSPONDER_COUNT:
            raise argparse.ArgumentTypeError(
                f"a transponder count must be 1-{MAX_TRANSPONDER_COUNT}, got {count} "
                "(give a single id as ID,)"
            )
        return list(range(FIRST_TRANSPONDER, FIRST_TRANSPONDER + count))
    ids = [_integer(item, "a transponder id") for item in text.split(",") if item.strip()]
    if not ids or any(not 0 <= t <= _U32_MAX for t in ids):
        raise argparse.ArgumentTypeError(f"transponder ids must be 0-{_U32_MAX}, got {text!r}")
    return ids


def _positive_us(text: str) -> int:
    """Seconds, exactly (decimal), as integer microseconds."""
    seconds = _decimal(text)
    microseconds = seconds * US_PER_SECOND
    if microseconds != microseconds.to_integral_value():
        raise argparse.ArgumentTypeError(f"{text!r} is finer than a microsecond")
    if microseconds <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
    return int(microseconds)


def _speedup(text: str) -> Fraction:
    speedup = _decimal(text)
    if speedup <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
    return Fraction(speedup)


def _natural(text: str) -> int:
    value = _integer(text, "a count")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _decoder_id(text: str) -> int:
    value = _integer(text, "a decoder id")
    if not 0 <= value <= _U32_MAX:
        raise argparse.ArgumentTypeError(f"must be 0-{_U32_MAX}, got {value}")
    return value


def _integer(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value
