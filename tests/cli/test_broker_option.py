"""`--broker URL` overrides the configuration's broker, for every command that talks to one:
the venue's file may name the race-day broker while a test bench or a second machine uses
another. Each command here is started with a configuration whose broker does not exist."""

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.helpers import velotime
from tests.scoreboards.http import get
from tests.scoring.live import Watch, write_venue_config
from tests.scoring.scenarios import kilometre
from velotime.localvenue import LocalBroker, free_port

pytestmark = pytest.mark.timeout(60)


def nowhere() -> str:
    return f"mqtt://127.0.0.1:{free_port()}"  # nobody listens there


def start(*args: str | Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "velotime", *map(str, args)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def online(watch: Watch, status: str) -> bool:
    return (watch.json(status) or {}).get("online") is True


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr.decode(errors="replace")


async def test_run_and_score_publish_to_the_broker_given(
    tmp_path: Path, broker: LocalBroker
) -> None:
    config = write_venue_config(tmp_path / "v", "opt-venue", nowhere(), {"finish": 0.0})
    meet = kilometre.write_meet(tmp_path)
    async with Watch(broker.port, "velotime/opt-venue/status/+") as watch:
        daemon = start("run", "--config", config, "--broker", broker.url)
        scoring = start("score", "--config", config, "--meet", meet, "--broker", broker.url)
        try:
            daemon_status, scoring_status = (
                f"velotime/opt-venue/status/{who}" for who in ("daemon", "scoring")
            )
            await watch.wait_for(lambda: online(watch, daemon_status), "the daemon online", 15)
            await watch.wait_for(lambda: online(watch, scoring_status), "scoring online", 15)
        finally:
            stop(daemon)
            stop(scoring)


async def test_the_scoreboard_mirrors_the_broker_given(tmp_path: Path, broker: LocalBroker) -> None:
    config = write_venue_config(tmp_path / "v", "opt-venue", nowhere(), {"finish": 0.0})
    port = free_port()
    scoreboard = start(
        "scoreboard", "--config", config, "--broker", broker.url, "--listen", f"127.0.0.1:{port}"
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if (await get(port, "/api/state")).json()["connected"]:
                    break
            except (OSError, json.JSONDecodeError):
                pass
            assert time.monotonic() < deadline, "the scoreboard never connected"
            await asyncio.sleep(0.05)
    finally:
        stop(scoreboard)


@pytest.mark.parametrize("command", ["watch", "boards"])
def test_a_malformed_broker_url_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    config = write_venue_config(tmp_path / "v", "opt-venue", nowhere(), {"finish": 0.0})
    result = velotime(command, "--config", config, "--broker", "http://somewhere:80/")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "mqtt://" in result.stderr  # says what a broker URL looks like
