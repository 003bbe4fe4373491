"""`velotime simulate timy`, run as a user runs it: a real process, read through its pty."""

import asyncio
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.cli.helpers import assert_one_line_error, velotime_main
from tests.simulators.test_timy import host_of

COMMAND = (sys.executable, "-m", "velotime", "simulate", "timy")
DEVICE = re.compile(r"velotime simulate timy: device (/dev/\S+)\n")


class Simulator:
    def __init__(self, process: asyncio.subprocess.Process, path: str) -> None:
        self.process = process
        self.path = path

    async def command(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def device_line(self) -> str:
        """The path of the next `device` line on stdout."""
        assert self.process.stdout is not None
        line = (await asyncio.wait_for(self.process.stdout.readline(), 10)).decode()
        match = DEVICE.fullmatch(line)
        assert match, line
        return match[1]

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
        sim = Simulator(process, "")
        sim.path = await sim.device_line()
        yield sim
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def expected_impulses(count: int) -> list[tuple[int, int]]:
    """(number, channel) of the first `count` impulses with channels 0, 1 and 4: each rider
    triggers the start (0), then 200 m (4), then the finish (1)."""
    return [(n, c) for n in range(1, count + 1) for c in (0, 4, 1)][:count]


@pytest.mark.slow
async def test_count_impulses_are_written_as_decodable_lines_then_it_exits() -> None:
    count = 9
    async with (
        simulate("--channels", "0,1,4", "--interval", "0.15", "--count", str(count)) as sim,
        host_of(sim.path, require_checksum=False) as host,
    ):
        await host.until_gone(timeout_s=15)
        assert await sim.exit_status() == 0
    received = [(i.number, i.channel) for i in host.impulses]
    # The first impulse may be written before the port is open (opening it flushes the input,
    # as on a real serial port): what arrives is the end of the sequence, nothing else.
    assert len(received) >= count - 1
    assert received == expected_impulses(count)[-len(received) :]
    assert host.errors == []
    assert all(i.digits == 4 and i.checksum_ok is None for i in host.impulses)


async def test_checksum_from_the_start_or_on_the_hosts_chk1() -> None:
    async with (
        simulate("--checksum", "--interval", "0.02") as sim,
        host_of(sim.path, require_checksum=True) as host,
    ):
        await host.receive_until(lambda: len(host.impulses) >= 3)
        assert host.errors == []
        assert all(i.checksum_ok for i in host.impulses)

    async with simulate("--interval", "0.02") as sim, host_of(sim.path) as host:
        await host.receive_until(lambda: len(host.impulses) >= 1)
        assert host.impulses[0].checksum_ok is None
        host.send(b"TIMYINIT\rCHK1\r")
        await host.receive_until(lambda: any(i.checksum_ok for i in host.impulses))
        assert host.errors == []


async def test_stdin_commands_unplug_replug_and_quit(tmp_path: Path) -> None:
    link = tmp_path / "timy"
    async with simulate("--interval", "0.02", "--link", str(link)) as sim:
        async with host_of(sim.path) as first:
            await first.receive_until(lambda: bool(first.impulses))
            await sim.command("unplug")
            await first.until_gone()
        assert not link.exists()
        await sim.command("replug")
        new_path = await sim.device_line()
        async with host_of(link) as second:  # through the link, which follows the device
            await second.receive_until(lambda: bool(second.impulses))
        async with host_of(new_path) as third:
            await third.receive_until(lambda: bool(third.impulses))
        await sim.command("bogus")
        await sim.command("quit")
        assert await sim.exit_status() == 0
        lines = (await sim.stderr()).splitlines()
    assert lines == [
        "velotime simulate timy: unplugged",
        "velotime simulate timy: plugged in again",
        "velotime simulate timy: unknown command 'bogus' (known: unplug, replug, quit)",
        "velotime simulate timy: quitting",
    ]


async def test_end_of_stdin_is_not_the_end_sigterm_is() -> None:
    async with simulate("--interval", "0.02") as sim:
        assert sim.process.stdin is not None
        sim.process.stdin.close()
        async with host_of(sim.path) as host:
            await host.receive_until(lambda: len(host.impulses) >= 3)
            assert sim.process.returncode is None
            sim.process.send_signal(signal.SIGTERM)
            assert await sim.exit_status() == 0
            await host.until_gone()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--channels", "0,x"), "expected channels 0-9 separated by commas"),
        (("--channels", "10"), "expected channels 0-9"),
        (("--channels", ""), "expected channels 0-9"),
        (("--channels", "1,1"), "a channel is given twice"),
        (("--interval", "0"), "--interval: must be positive"),
        (("--interval", "soon"), "--interval: expected a number"),
        (("--count", "-1"), "--count: must not be negative"),
        (("--baudrate", "12345"), "--baudrate: must be one of"),
        (("--baudrate", "fast"), "--baudrate: expected a baud rate"),
        (("--seed", "x"), "--seed: invalid int value"),
        (("--bogus",), "unrecognized arguments: --bogus"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    assert_one_line_error(velotime_main("simulate", "timy", *args), message)
