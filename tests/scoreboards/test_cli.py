"""`velotime scoreboard` and `velotime run` with `[scoreboard] listen`: the web scoreboard in the
same event loop as the daemon, up with it and stopped with it; the listen address checked.
`velotime sheets`: the sheets of the retained state written to a folder."""

import asyncio
import json
import socket
import time
from pathlib import Path

import aiomqtt
import pytest

from tests.cli.helpers import velotime, velotime_main
from tests.daemon.harness import DaemonProcess
from tests.scoreboards.http import get
from tests.scoreboards.payloads import ONLINE
from tests.scoreboards.pdf_text import page_lines, pdf_pages
from tests.scoreboards.test_sheets import KEIRIN, RUNNING, START_LIST
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


@pytest.mark.slow  # WeasyPrint renders two sheets
async def test_velotime_sheets_writes_the_retained_state_s_sheets(
    tmp_path: Path, broker: LocalBroker
) -> None:
    """`velotime sheets` writes each retained result's HTML, PDF and CSV, each start list's and
    each competition's standings' HTML and PDF, with the meet's id from status/scoring (no meet
    file here)."""
    venue = "sheets-cli"
    config = write_venue_config(tmp_path / "venue", venue, broker.url, {"finish": 0.0})
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        for key, payload in [
            ("status/scoring", ONLINE),
            ("results/keirin-final", KEIRIN),
            ("startlists/keirin-m-round-1-2", START_LIST),
            ("standings/sprint-w", RUNNING),
            ("results/..%2Fescape", {**KEIRIN, "event": "../escape"}),  # no file of an odd id
        ]:
            topic = f"velotime/{venue}/{key}"
            await client.publish(topic, json.dumps(payload).encode(), qos=1, retain=True)
    output = tmp_path / "sheets"
    done = await asyncio.to_thread(velotime_main, "sheets", "--config", config, "--output", output)
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout == f"{output}: 1 result sheets, 1 start lists and 1 competitions' standings "
        "(HTML and PDF), index.html\n"
    )
    assert "1 events with ids no meet has, left out: '..%2Fescape'" in done.stderr
    assert sorted(p.relative_to(output).as_posix() for p in output.rglob("*.*")) == [
        "index.html", "keirin-final.csv", "keirin-final.html", "keirin-final.pdf",
        "standings/sprint-w.html", "standings/sprint-w.pdf",
        "start/keirin-m-round-1-2.html", "start/keirin-m-round-1-2.pdf",
    ]  # fmt: skip
    result = page_lines(pdf_pages((output / "keirin-final.pdf").read_bytes())[0])
    # The meet's id from status/scoring, the venue's id (the configuration names no venue).
    assert "test-meet · sheets-cli Keirin, final 1-6 — PROVISIONAL" in result
    assert "2 1 Rider 1 GBR +0.002 CORRECTED" in result
    start = page_lines(pdf_pages((output / "start/keirin-m-round-1-2.pdf").read_bytes())[0])
    assert "1 34 Dirk <D> GER" in start
    # A competition's standings: no meet file nor race results to name its riders, bibs alone.
    standings = page_lines(pdf_pages((output / "standings/sprint-w.pdf").read_bytes())[0])
    assert "test-meet · sheets-cli Sprint — RUNNING" in standings
    assert "1 1 11 11.218 11.348 2" in standings
    index = (output / "index.html").read_text()
    assert 'href="standings/sprint-w.html"' in index

    only = await asyncio.to_thread(
        velotime_main, "sheets", "--config", config, "--output", tmp_path / "one",
        "--event", "keirin-m-round-1-2", "--no-pdf",
    )  # fmt: skip
    assert only.returncode == 0, only.stderr
    assert sorted(p.name for p in (tmp_path / "one").rglob("*.*")) == [
        "index.html",
        "keirin-m-round-1-2.html",
    ]
    unknown = await asyncio.to_thread(
        velotime_main, "sheets", "--config", config, "--output", output, "--event", "nope"
    )
    assert unknown.returncode == 2
    assert (
        "velotime sheets: --event: no result, start list or standings retained for nope"
        in unknown.stderr
    )


def test_velotime_sheets_says_when_the_broker_cannot_be_reached(tmp_path: Path) -> None:
    config = write_venue_config(
        tmp_path / "venue", "nobroker", f"mqtt://127.0.0.1:{free_port()}", {"finish": 0.0}
    )
    done = velotime_main(
        "sheets", "--config", config, "--output", tmp_path / "out", "--timeout", "2"
    )
    assert done.returncode == 1
    assert done.stderr.startswith("velotime sheets: cannot reach the broker at ")
    assert len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "out").exists()
