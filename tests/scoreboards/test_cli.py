"""`velotime scoreboard` and `velotime run` with `[scoreboard] listen`: the web scoreboard in the
same event loop as the daemon, up with it and stopped with it; the listen address checked."""

import asyncio
import socket
import time
from pathlib import Path

import pytest

from tests.cli.helpers import velotime
from tests.daemon.harness import DaemonProcess
from tests.scoreboards.http import get
from tests.scoring.live import write_venue_config
from velotime.config import ConfigError, parse_config
from velotime.localvenue import LocalBroker, free_port

pytestmark = pytest.mark.timeout(60)

BASE = """\
[venue]
id = "t"
track_length_m = 250

[[lines]]
name = "finish"
distance_m = 0

[[sources]]
name = "p3"
protocol = "p3"
transport = "tcp://10.0.0.1:5403"
line = "finish"
"""


def test_the_listen_address_is_checked() -> None:
    config = parse_config(BASE + '[scoreboard]\nlisten = "0.0.0.0:8080"\n', env={})
    assert config.scoreboard.address == ("0.0.0.0", 8080)
    assert parse_config(BASE, env={}).scoreboard.address is None
    assert parse_config(BASE + '[scoreboard]\nlisten = ""\n', env={}).scoreboard.listen is None
    ipv6 = parse_config(BASE + '[scoreboard]\nlisten = "[::1]:80"\n', env={})
    assert ipv6.scoreboard.address == ("::1", 80)
    for listen, fragment in [
        ("0.0.0.0", "missing port"),
        ("0.0.0.0:0", "port must be a number from 1 to 65535"),
        ("0.0.0.0:http", "port must be a number"),
        ("http://0.0.0.0:80", "no path, query or fragment"),
    ]:
        with pytest.raises(ConfigError) as caught:
            parse_config(BASE + f'[scoreboard]\nlisten = "{listen}"\n', env={})
        assert caught.value.problems[0].startswith("<config>: scoreboard.listen: "), listen
        assert fragment in caught.value.problems[0], listen
    with pytest.raises(ConfigError, match=r"scoreboard\.port: unknown key"):
        parse_config(BASE + "[scoreboard]\nport = 8080\n", env={})


def test_the_command_says_what_is_wrong(tmp_path: Path) -> None:
    config = tmp_path / "velotime.toml"
    config.write_text(BASE)
    bad = velotime("scoreboard", "--config", config, "--listen", "nowhere")
    assert bad.returncode == 2
    assert "--listen: missing port" in bad.stderr
    bad_venue = velotime("scoreboard", "--config", config, "--venue", "Not A Venue")
    assert bad_venue.returncode == 2
    assert "--venue" in bad_venue.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = velotime("scoreboard", "--config", config, "--listen", f"127.0.0.1:{port}")
    assert busy.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in busy.stderr


async def test_velotime_run_serves_it_in_its_own_loop(tmp_path: Path, broker: LocalBroker) -> None:
    port = free_port()
    config = write_venue_config(tmp_path / "venue", "run-web", broker.url, {"finish": 0.0})
    config.write_text(config.read_text() + f'\n[scoreboard]\nlisten = "127.0.0.1:{port}"\n')
    daemon = DaemonProcess(config, tmp_path / "daemon.log")
    daemon.start()
    try:
        deadline = time.monotonic() + 15
        while True:  # the daemon's own retained status, through the broker, on the page's API
            try:
                state = (await get(port, "/api/state")).json()
                if (state["status"].get("daemon") or {}).get("online"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, daemon.log_text()
            await asyncio.sleep(0.05)
        assert (await get(port, "/")).status == 200
        assert state["connected"] is True
        assert state["live"] is False  # no scoring service at this venue: STALE on the page
    finally:
        started = time.monotonic()
        code = daemon.stop()
        took = time.monotonic() - started
    assert code == 0, daemon.log_text()
    assert took < 8, f"velotime run took {took:.1f} s to stop"
    assert "the timing goes on without it" not in daemon.log_text()
    assert "Traceback" not in daemon.log_text()
    assert f"scoreboard: http://127.0.0.1:{port}/" in daemon.log_text()
