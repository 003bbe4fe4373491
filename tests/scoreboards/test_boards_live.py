"""The boards end to end: retained results on a real broker, `run_boards` and `velotime boards`
reading them, and boards on a pseudo-terminal and on TCP decoding what they show."""

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

import aiomqtt
import pytest

from tests.cli.helpers import velotime
from tests.scoreboards.payloads import ONLINE
from tests.scoreboards.test_unt4 import F200
from tests.scoreboards.test_unt4_output import EXPECTED
from tests.scoreboards.unt4_board import TIMEOUT_S, Board, Screen, board_pty, read_pty_until
from velotime.config import Config, load_config
from velotime.localvenue import LocalBroker, free_port, p3_source, write_local_config
from velotime.scoreboards.boards import run_boards

VENUE = "boards-test"


def config_with_board(directory: Path, broker: LocalBroker, transport: str) -> Path:
    path = write_local_config(directory, VENUE, broker.url, p3_source(free_port()))
    board = f'\n[[boards]]\nname = "finish"\nprotocol = "unt4"\ntransport = "{transport}"\n'
    path.write_text(path.read_text() + board + "rows = 3\ncolumns = 24\n")
    return path


async def publish_results(port: int) -> None:
    """What the scoring service leaves on the broker: retained state."""
    root = f"velotime/{VENUE}/"
    async with aiomqtt.Client("127.0.0.1", port) as client:
        for key, payload in (
            ("status/scoring", ONLINE),
            ("current", {"v": 1, "event": None}),
            ("results/f200", F200),
        ):
            await client.publish(root + key, json.dumps(payload).encode(), qos=1, retain=True)


async def test_retained_results_reach_a_serial_board(tmp_path: Path, broker: LocalBroker) -> None:
    with board_pty() as (master, path):
        config = load_config(config_with_board(tmp_path, broker, f"serial://{path}"), env={})
        await _boards_until_stopped(config, broker, master)


async def _boards_until_stopped(config: Config, broker: LocalBroker, master: int) -> None:
    await publish_results(broker.port)
    stop = asyncio.Event()
    task = asyncio.create_task(run_boards(config, stop))
    screen = Screen(3, 24)
    try:
        await read_pty_until(master, screen, lambda: screen.lines() == EXPECTED)
    finally:
        stop.set()
        async with asyncio.timeout(TIMEOUT_S):
            await task
    await read_pty_until(master, screen, lambda: "OFFLINE" in screen.lines()[0])


@pytest.mark.parametrize("command", ["boards", "run"])
async def test_velotime_boards_and_run_drive_a_tcp_board_until_sigterm(
    tmp_path: Path, broker: LocalBroker, command: str
) -> None:
    board = Board()
    await board.start()
    config = config_with_board(tmp_path, broker, f"tcp://127.0.0.1:{board.port}")
    await publish_results(broker.port)
    process = subprocess.Popen(
        [sys.executable, "-m", "velotime", command, "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        await board.wait_for(lambda: board.shows(EXPECTED), timeout_s=15)
        process.send_signal(signal.SIGTERM)
        await board.wait_for(lambda: "OFFLINE" in board.screens[0].lines()[0])
        assert process.wait(timeout=TIMEOUT_S) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        await board.stop()
    assert process.stderr is not None
    assert b"board finish: connected" in process.stderr.read()


def test_velotime_boards_without_boards_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = write_local_config(tmp_path, VENUE, "mqtt://127.0.0.1:1", p3_source(free_port()))
    done = velotime("boards", "--config", path)
    assert done.returncode == 2
    assert done.stderr == f"velotime boards: {path}: no [[boards]] entry to drive\n"
