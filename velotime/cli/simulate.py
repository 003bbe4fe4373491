"""`velotime simulate`: simulated timing devices, for demos and tests without hardware.

- `velotime simulate p3`: an AMB P3 decoder on TCP. Commands on stdin, one per line: `drop`
  (close every client connection), `silent` (send nothing, keep the connections), `resume` (end
  the silence), `quit`.
- `velotime simulate timy`: an ALGE Timy on a pseudo-terminal. Commands on stdin: `unplug`
  (close the pty: the host's reads fail), `replug` (a new pty; its path is printed again),
  `quit`.
- `velotime simulate lynx`: a FinishLynx camera running velotime's scoreboard script; it
  connects to a scoreboard port (TCP, or UDP datagrams) and plays one heat, then exits.
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
from pathlib import Path
from typing import Any

from velotime.protocols.lynx import Armed, EncodeError, encode
from velotime.simulators.lynx import MAX_RIDERS, LynxCameraSimulator
from velotime.simulators.p3_decoder import P3DecoderSimulator
from velotime.simulators.p3_session import DEFAULT_DECODER_ID
from velotime.simulators.timy import DEFAULT_BAUDRATE, DEFAULT_CHANNELS, TimySimulator
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
    _register_timy(devices)
    _register_lynx(devices)


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
    commands = asyncio.create_task(_read_commands(lambda line: _obey(line, sim, stop)))
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


async def _read_commands(obey: Callable[[bytes], bool]) -> None:
    """Obey stdin line by line without blocking the loop (`obey` returns False after `quit`);
    EOF just ends the commands."""
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
                if not obey(line):
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
                obey(b"<a line too long>")
                continue
            if not line:
                return
            if not obey(line):
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


# -- lynx: a FinishLynx camera sending one heat to a scoreboard port ----------------------------

LYNX_PROG = "velotime simulate lynx"
_LSS_NUMBER_LIMIT = 10**9  # rounds and heats: what the scoreboard format carries


def _register_lynx(devices: Any) -> None:
    lynx = devices.add_parser(
        "lynx",
        help="a FinishLynx photo-finish camera: sends one heat to a scoreboard port",
        description="A simulated FinishLynx camera running velotime's scoreboard script "
        "(config/finishlynx/velotime.lss). It connects to HOST:PORT over TCP, as FinishLynx "
        "connects to a scoreboard, or sends UDP datagrams there, and plays one heat: armed, "
        "the running time, stopped, then the results.",
    )
    lynx.add_argument(
        "--connect",
        required=True,
        type=_connect_address,
        metavar="HOST:PORT",
        help="where velotime listens for FinishLynx",
    )
    lynx.add_argument("--udp", action="store_true", help="send UDP datagrams instead of TCP")
    lynx.add_argument(
        "--riders", type=_riders, default="6", metavar="N", help="riders in the heat (default: 6)"
    )
    lynx.add_argument(
        "--speedup", type=_speedup, default="1", metavar="X", help="1: real time (default)"
    )
    lynx.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    lynx.add_argument(
        "--event", type=_event, default="1", metavar="E", help="event number (default: 1)"
    )
    lynx.add_argument(
        "--round", type=_lss_number, default="1", metavar="R", help="round (default: 1)"
    )
    lynx.add_argument(
        "--heat", type=_lss_number, default="1", metavar="H", help="heat (default: 1)"
    )
    lynx.add_argument(
        "--drop-after-results",
        type=_natural,
        default=None,
        metavar="K",
        help="cut the connection in the middle of the results, after K result lines, then "
        "reconnect and send the results again",
    )
    lynx.set_defaults(run=_run_lynx)


def _run_lynx(args: argparse.Namespace) -> int:
    host, port = args.connect
    where = _address(host, port)
    transport = "udp" if args.udp else "tcp"

    def connected(connection: int) -> None:
        print(
            f"{LYNX_PROG}: sending to {where} over {transport} (connection {connection})",
            flush=True,
        )

    riders, drop = args.riders, args.drop_after_results
    if drop is not None and drop > riders:
        return _lynx_fail(f"--drop-after-results must be at most --riders ({riders}), got {drop}")
    try:
        sim = LynxCameraSimulator(
            host,
            port,
            udp=args.udp,
            riders=args.riders,
            speedup=args.speedup,
            seed=args.seed,
            event=args.event,
            round=args.round,
            heat=args.heat,
            drop_after_results=args.drop_after_results,
            on_connect=connected,
        )
    except ValueError as exc:
        return _lynx_fail(str(exc))
    return asyncio.run(_play_lynx(sim, where))


async def _play_lynx(sim: LynxCameraSimulator, where: str) -> int:
    loop = asyncio.get_running_loop()
    play = asyncio.create_task(sim.run())
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, play.cancel)
    try:
        await asyncio.wait([play])
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
    if not play.cancelled() and (exc := play.exception()) is not None:
        if not isinstance(exc, OSError):
            raise exc
        if not sim.sent:
            return _lynx_fail(f"cannot connect to {where}: {_reason(exc)}")
        _lynx_fail(f"connection to {where} lost: {_reason(exc)}")
        return 1
    print(
        f"{LYNX_PROG}: sent {len(sim.sent)} messages over {sim.connections} connection(s)",
        flush=True,
    )
    return 0


def _lynx_fail(message: str) -> int:
    sys.stderr.write(f"{LYNX_PROG}: {message}\n")
    return 2


def _connect_address(text: str) -> tuple[str, int]:
    host, port = _listen_address(text)
    if port == 0:
        raise argparse.ArgumentTypeError("port 0 cannot be connected to")
    return host, port


def _riders(text: str) -> int:
    value = _integer(text, "a rider count")
    if not 1 <= value <= MAX_RIDERS:
        raise argparse.ArgumentTypeError(f"must be 1-{MAX_RIDERS}, got {value}")
    return value


def _lss_number(text: str) -> int:
    value = _integer(text, "a number")
    if not 0 <= value < _LSS_NUMBER_LIMIT:
        raise argparse.ArgumentTypeError(f"must be 0-{_LSS_NUMBER_LIMIT - 1}, got {value}")
    return value


def _event(text: str) -> str:
    try:
        encode(Armed(event=text))
    except EncodeError:
        raise argparse.ArgumentTypeError(
            f"an event is a non-empty Windows-1252 text without spaces around, got {text!r}"
        ) from None
    return text


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


# -- timy --------------------------------------------------------------------------------------

TIMY_PROG = "velotime simulate timy"
_TIMY_COMMANDS = ("unplug", "replug", "quit")
DRAIN_TIMEOUT_S = 1.0  # after --count impulses, how long to wait for the host to take them


def _register_timy(devices: Any) -> None:
    timy = devices.add_parser(
        "timy",
        help="an ALGE Timy impulse timer: a pseudo-terminal streaming impulse lines",
        description="A simulated ALGE Timy on a pseudo-terminal: open the printed device path as "
        "its serial port. Riders trigger the channels one after another (start C0, then the "
        "intermediate channels, finish C1), stamped with this machine's local time of day. "
        "Host commands are read and ignored, except CHK1/CHK0 (checksum on/off). Commands on "
        f"stdin, one per line: {', '.join(_TIMY_COMMANDS)}. A replug opens a new pty and prints "
        "its path; --link keeps a symbolic link pointing at the current one.",
    )
    timy.add_argument(
        "--channels",
        type=_channels,
        default=",".join(map(str, DEFAULT_CHANNELS)),
        metavar="N,N,...",
        help="channels 0-9 each rider triggers (default: 0,4,1: start, 200 m, finish)",
    )
    timy.add_argument(
        "--interval",
        type=_positive_us,
        default="2",
        metavar="SECONDS",
        help="mean time between a rider's impulses (default: 2)",
    )
    timy.add_argument(
        "--count", type=_natural, default=None, metavar="N", help="exit after N impulses"
    )
    timy.add_argument(
        "--checksum", action="store_true", help="append the CHK1 checksum from the start"
    )
    timy.add_argument(
        "--baudrate",
        type=_baudrate,
        default=DEFAULT_BAUDRATE,
        metavar="RATE",
        help=f"set on the pty, as on the Timy (default: {DEFAULT_BAUDRATE})",
    )
    timy.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    timy.add_argument(
        "--link",
        type=Path,
        default=None,
        metavar="PATH",
        help="keep a symbolic link here to the current pty (as udev's /dev/serial/by-id)",
    )
    timy.set_defaults(run=run_timy)


def run_timy(args: argparse.Namespace) -> int:
    return asyncio.run(_serve_timy(args))


async def _serve_timy(args: argparse.Namespace) -> int:
    sim = TimySimulator(checksum=args.checksum, baudrate=args.baudrate, link=args.link)
    try:
        path = sim.start()
    except OSError as exc:
        await sim.stop()
        return _fail_timy(f"cannot open a pseudo-terminal: {_reason(exc)}")
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    commands = asyncio.create_task(_read_commands(lambda line: _obey_timy(line, sim, stop)))
    impulses = asyncio.create_task(
        sim.run(
            channels=args.channels,
            interval_s=args.interval / US_PER_SECOND,
            count=args.count,
            seed=args.seed,
        )
    )
    waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait()), impulses]
    try:
        _print_device(path)
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        if impulses.done() and not impulses.cancelled() and impulses.exception() is None:
            # --count reached: let the host take the last lines before the line goes away.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sim.drain(), DRAIN_TIMEOUT_S)
    finally:
        for task in (*waiters, commands):
            task.cancel()
        await asyncio.gather(*waiters, commands, return_exceptions=True)
        for signum in signals:
            loop.remove_signal_handler(signum)
        await sim.stop()
    return 0


def _print_device(path: str) -> None:
    print(f"{TIMY_PROG}: device {path}", flush=True)


def _obey_timy(line: bytes, sim: TimySimulator, stop: asyncio.Event) -> bool:
    """Carry out one command line; False after `quit`."""
    command = line.decode("utf-8", "replace").strip()
    if not command:
        return True
    if command == "unplug":
        sys.stderr.write(f"{TIMY_PROG}: {'unplugged' if sim.unplug() else 'already unplugged'}\n")
    elif command == "replug":
        try:
            path = sim.replug()
        except OSError as exc:
            sys.stderr.write(f"{TIMY_PROG}: cannot open a pseudo-terminal: {_reason(exc)}\n")
            return True
        sys.stderr.write(f"{TIMY_PROG}: plugged in again\n")
        _print_device(path)
    elif command == "quit":
        sys.stderr.write(f"{TIMY_PROG}: quitting\n")
        stop.set()
        return False
    else:
        known = ", ".join(_TIMY_COMMANDS)
        sys.stderr.write(f"{TIMY_PROG}: unknown command {command!r} (known: {known})\n")
    return True


def _fail_timy(message: str) -> int:
    sys.stderr.write(f"{TIMY_PROG}: {message}\n")
    return 2


def _channels(text: str) -> list[int]:
    items = [item.strip() for item in text.split(",")]
    if not all(item.isascii() and item.isdigit() and int(item) <= 9 for item in items):
        raise argparse.ArgumentTypeError(f"expected channels 0-9 separated by commas, got {text!r}")
    channels = [int(item) for item in items]
    if len(set(channels)) != len(channels):
        raise argparse.ArgumentTypeError(f"a channel is given twice in {text!r}")
    return channels


_BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


def _baudrate(text: str) -> int:
    value = _integer(text, "a baud rate")
    if value not in _BAUDRATES:
        known = ", ".join(map(str, _BAUDRATES))
        raise argparse.ArgumentTypeError(f"must be one of {known}, got {value}")
    return value
