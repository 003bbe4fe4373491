"""What every `velotime simulate` device shares: its lines on stdout and stderr, stdin commands,
stopping on SIGINT and SIGTERM, and the argument types.

A device's commands are a mapping from name to action (given the simulator); `quit` is always
there. Usage errors are argparse's: an argument type raises ArgumentTypeError, which argparse
turns into one usage line and exit 2.
"""

import argparse
import asyncio
import contextlib
import os
import selectors
import socket
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol, TypeVar

from velotime.stopping import STOP_SIGNALS
from velotime.times import US_PER_SECOND

QUIT = "quit"


class Simulator(Protocol):
    async def stop(self) -> None: ...


Device = TypeVar("Device", bound=Simulator)
Commands = Mapping[str, Callable[[Device], None]]


def say(prog: str, message: str) -> None:
    """A line on stdout, flushed: callers wait for these (the ready line above all)."""
    print(f"{prog}: {message}", flush=True)


def report(prog: str, message: str) -> None:
    """A line on stderr: command replies and errors."""
    sys.stderr.write(f"{prog}: {message}\n")


def fail(prog: str, message: str) -> int:
    """Report a failure in one line; the exit status for it."""
    report(prog, message)
    return 2


def reason(exc: OSError) -> str:
    # asyncio wraps a bind failure in a long message; the errno says it in a few words.
    if exc.errno and exc.errno > 0 and not isinstance(exc, socket.gaierror):
        return os.strerror(exc.errno)
    return exc.strerror or str(exc)


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def command_names(commands: Commands[Any]) -> str:
    return ", ".join((*commands, QUIT))


# -- running until stopped -----------------------------------------------------------------------


@contextlib.contextmanager
def on_stop_signals(handler: Callable[[], object]) -> Iterator[None]:
    """SIGINT and SIGTERM call `handler` meanwhile, so that the device can shut down cleanly."""
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, handler)
    try:
        yield
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


async def serve_until_stopped(
    prog: str,
    device: Device,
    commands: Commands[Device],
    ready: str,
    work: Coroutine[Any, Any, object] | None = None,
    then: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Say `ready`, then obey stdin commands until SIGINT, SIGTERM, `quit` or the end of `work`;
    stop the device. `then` runs after `work` ends without error, while commands are still
    obeyed; a stop does not cut it short."""
    try:
        stop = asyncio.Event()
        with on_stop_signals(stop.set):
            reader = asyncio.create_task(
                read_commands(lambda line: _obey(line, prog, device, commands, stop))
            )
            waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
            worker = None if work is None else asyncio.create_task(work)
            if worker is not None:
                waiters.append(worker)
            try:
                say(prog, ready)
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                if then is not None and worker is not None and _ended_well(worker):
                    await then()
            finally:
                for task in (*waiters, reader):
                    task.cancel()
                await asyncio.gather(*waiters, reader, return_exceptions=True)
    finally:
        await device.stop()


def _ended_well(task: asyncio.Task[Any]) -> bool:
    return task.done() and not task.cancelled() and task.exception() is None


def _obey(
    line: bytes, prog: str, device: Device, commands: Commands[Device], stop: asyncio.Event
) -> bool:
    """Carry out one command line; False after `quit`."""
    command = line.decode("utf-8", "replace").strip()
    if not command:
        return True
    if command == QUIT:
        report(prog, "quitting")
        stop.set()
        return False
    action = commands.get(command)
    if action is None:
        report(prog, f"unknown command {command!r} (known: {command_names(commands)})")
        return True
    action(device)
    return True


async def read_commands(obey: Callable[[bytes], bool]) -> None:
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


# -- devices on a TCP port ------------------------------------------------------------------------


class TcpDevice(Simulator, Protocol):
    """A simulated device that hosts connect to, producing until a count is reached."""

    async def start(self, host: str, port: int) -> None: ...

    @property
    def port(self) -> int: ...

    async def finished(self) -> None: ...


TcpDeviceT = TypeVar("TcpDeviceT", bound=TcpDevice)


async def serve_listening(
    prog: str,
    device: TcpDeviceT,
    commands: Commands[TcpDeviceT],
    host: str,
    port: int,
    *,
    ready: Callable[[str], str],
    linger_s: float | None,
) -> int:
    """Start the device on host:port, say `ready` (given the bound address), and serve until
    stopped (`serve_until_stopped`); with `linger_s`, until that long after the device has
    produced its count (hosts may still ask for what they missed). The exit status."""
    try:
        await device.start(host, port)
    except OSError as exc:
        await device.stop()
        return fail(prog, f"cannot listen on {address(host, port)}: {reason(exc)}")

    async def linger_after_count() -> None:
        await device.finished()
        await asyncio.sleep(linger_s or 0)

    await serve_until_stopped(
        prog,
        device,
        commands,
        ready=ready(address(host, device.port)),
        work=None if linger_s is None else linger_after_count(),
    )
    return 0


# -- devices on a serial port (a pty) -------------------------------------------------------------


class SerialDevice(Simulator, Protocol):
    """A simulated device on a pty that can be unplugged and plugged in again."""

    def start(self) -> str: ...

    def unplug(self) -> bool: ...

    def replug(self) -> str: ...

    async def drain(self) -> None: ...


SerialDeviceT = TypeVar("SerialDeviceT", bound=SerialDevice)


def plug_commands(prog: str) -> Commands[SerialDevice]:
    """`unplug` (close the pty: the host's reads fail) and `replug` (a new pty, its path said
    again on stdout), the stdin commands of every device on a serial port."""

    def unplug(device: SerialDevice) -> None:
        report(prog, "unplugged" if device.unplug() else "already unplugged")

    def replug(device: SerialDevice) -> None:
        try:
            path = device.replug()
        except OSError as exc:
            report(prog, f"cannot open a pseudo-terminal: {reason(exc)}")
            return
        report(prog, "plugged in again")
        say(prog, f"device {path}")

    return {"unplug": unplug, "replug": replug}


def add_link_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--link",
        type=Path,
        default=None,
        metavar="PATH",
        help="keep a symbolic link here to the current pty (as udev's /dev/serial/by-id)",
    )


async def serve_on_pty(
    prog: str,
    device: SerialDeviceT,
    commands: Commands[SerialDeviceT],
    work: Callable[[], Coroutine[Any, Any, object]],
    drain_timeout_s: float,
) -> int:
    """Plug the device in, say its pty's path, and serve until stopped (`serve_until_stopped`);
    when `work` ends, wait up to `drain_timeout_s` for the host to take what is still unsent.
    The exit status."""
    try:
        path = device.start()
    except OSError as exc:
        await device.stop()
        return fail(prog, f"cannot open a pseudo-terminal: {reason(exc)}")

    async def drain() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(device.drain(), drain_timeout_s)

    await serve_until_stopped(
        prog, device, commands, ready=f"device {path}", work=work(), then=drain
    )
    return 0


# -- argument types ------------------------------------------------------------------------------


def host_port(text: str) -> tuple[str, int]:
    """HOST:PORT, [IPV6]:PORT; port 0 included."""
    host, colon, port_text = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not colon or not host or not (port_text.isascii() and port_text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    port = int(port_text)
    if port > 0xFFFF:
        raise argparse.ArgumentTypeError(f"port {port} is out of range 0-65535")
    return host, port


def seconds_us(text: str) -> int:
    """Seconds, exactly (decimal, maybe negative), as integer microseconds."""
    microseconds = decimal(text) * US_PER_SECOND
    if microseconds != microseconds.to_integral_value():
        raise argparse.ArgumentTypeError(f"{text!r} is finer than a microsecond")
    return int(microseconds)


def positive_us(text: str) -> int:
    """Seconds, exactly (decimal), as integer microseconds, above 0."""
    microseconds = seconds_us(text)
    if microseconds <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
    return microseconds


def speedup(text: str) -> Fraction:
    value = decimal(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
    return Fraction(value)


def integer_between(what: str, low: int, high: int) -> Callable[[str], int]:
    """An argument type: `what`, an integer from `low` to `high`."""

    def parse(text: str) -> int:
        value = integer(text, what)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low}-{high}, got {value}")
        return value

    return parse


def natural(text: str) -> int:
    value = integer(text, "a count")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def integer(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value
