"""`velotime simulate p3`, run as a user runs it: a real process, spoken to over TCP and stdin."""

import asyncio
import errno
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from tests.cli.helpers import assert_one_line_error, velotime, velotime_main
from tests.simulators import P3Host
from velotime.families.p3.simulate import FIRST_TRANSPONDER, LINGER_S
from velotime.protocols.p3 import Passing, Resend
from velotime.simulators.p3_session import DEFAULT_DECODER_ID

COMMAND = (sys.executable, "-m", "velotime", "simulate", "p3")
LISTENING = re.compile(
    rf"velotime simulate p3: listening on 127\.0\.0\.1:(\d+) \(decoder {DEFAULT_DECODER_ID}\)\n"
)


class Simulator:
    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.port = port
        self.listening_at = time.monotonic()

    async def command(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def exit_status(self) -> int:
        return await asyncio.wait_for(self.process.wait(), 10)

    async def stderr(self) -> str:
        assert self.process.stderr is not None
        return (await self.process.stderr.read()).decode()


@asynccontextmanager
async def simulate(*args: str) -> AsyncIterator[Simulator]:
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        *args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        match = LISTENING.fullmatch(line)
        assert match, line
        yield Simulator(process, int(match[1]))
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.mark.slow
async def test_count_passings_are_served_then_it_exits() -> None:
    async with simulate(
        "--listen",
        "127.0.0.1:0",
        "--count",
        "20",
        "--speedup",
        "200",
        "--lap-time",
        "17.5",
        "--transponders",
        "5",
    ) as sim:
        host = await P3Host.connect(sim.port)
        # Some may have passed before we connected: ask for them; the rest arrive live.
        host.send(Resend(from_passing=1, until_passing=20))
        await host.receive_until(lambda: len({p.passing_number for p in host.passings}) == 20)
        assert await sim.exit_status() == 0
        exited_at = time.monotonic()
        await host.receive_until(lambda: host.eof)
    by_number: dict[int, Passing] = {}
    for passing in host.passings:
        assert passing.passing_number is not None
        assert by_number.setdefault(passing.passing_number, passing) == passing  # repeats agree
    assert sorted(by_number) == list(range(1, 21))
    in_order = [by_number[n] for n in range(1, 21)]
    times = [p.rtc_time_us for p in in_order]
    assert None not in times
    assert times == sorted(times, key=lambda t: t or 0)
    # Laps differ by a few per cent, far less than a lap over four crossings: each of the five
    # riders crosses exactly four times in the first twenty passings.
    riders = range(FIRST_TRANSPONDER, FIRST_TRANSPONDER + 5)
    assert Counter(p.transponder for p in in_order) == dict.fromkeys(riders, 4)
    assert exited_at - sim.listening_at >= LINGER_S  # it stays up a while after the count


async def test_stdin_commands_drop_silence_and_quit() -> None:
    async with simulate("--listen", "127.0.0.1:0", "--speedup", "200") as sim:
        first = await P3Host.connect(sim.port)
        await first.receive_until(lambda: bool(first.passings))
        await sim.command("drop")
        await first.receive_until(lambda: first.eof)

        second = await P3Host.connect(sim.port)
        await second.receive_until(lambda: bool(second.passings))
        await sim.command("silent")
        await second.receive_for(0.05)  # what was on its way
        assert await second.receive_for(0.3) == b""  # a passing every ~22 ms were it talking
        await sim.command("resume")
        heard = len(second.passings)
        await second.receive_until(lambda: len(second.passings) > heard)

        await sim.command("bogus")
        await sim.command("quit")
        assert await sim.exit_status() == 0
        await second.receive_until(lambda: second.eof)
        errors = [line for line in (await sim.stderr()).splitlines() if "unknown" in line]
    assert errors == [
        "velotime simulate p3: unknown command 'bogus' (known: drop, silent, resume, quit)"
    ]


async def test_end_of_stdin_is_not_the_end_sigterm_is() -> None:
    async with simulate("--listen", "127.0.0.1:0", "--speedup", "200") as sim:
        assert sim.process.stdin is not None
        sim.process.stdin.close()
        host = await P3Host.connect(sim.port)
        await host.receive_until(lambda: len(host.passings) >= 3)
        assert sim.process.returncode is None
        sim.process.send_signal(signal.SIGTERM)
        assert await sim.exit_status() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--listen", "localhost"), "expected HOST:PORT"),
        (("--listen", "127.0.0.1:65536"), "out of range"),
        (("--listen", "127.0.0.1:0", "--count", "-1"), "--count: must not be negative"),
        (("--listen", "127.0.0.1:0", "--lap-time", "0"), "--lap-time: must be positive"),
        (("--listen", "127.0.0.1:0", "--lap-time", "17.0000001"), "finer than a microsecond"),
        (("--listen", "127.0.0.1:0", "--speedup", "0"), "--speedup: must be positive"),
        (("--listen", "127.0.0.1:0", "--transponders", "1001,x"), "expected a transponder id"),
        ((), "required: --listen"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    assert_one_line_error(velotime_main("simulate", "p3", *args), message)


def test_a_port_in_use_exits_2_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = velotime("simulate", "p3", "--listen", f"127.0.0.1:{port}")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"velotime simulate p3: cannot listen on 127.0.0.1:{port}: {os.strerror(errno.EADDRINUSE)}"
    ]
