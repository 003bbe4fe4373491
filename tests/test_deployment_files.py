"""The deployment files in config/: the systemd unit and the Mosquitto configuration and ACL."""

import asyncio
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiomqtt
import pytest

from tests.brokers import require_mosquitto
from velotime.localvenue import free_port

CONFIG = Path(__file__).resolve().parents[1] / "config"
UNIT = CONFIG / "systemd" / "velotime.service"
MOSQUITTO_CONF = CONFIG / "mosquitto" / "velotime.conf"
MOSQUITTO_ACL = CONFIG / "mosquitto" / "velotime.acl"

Unit = dict[str, dict[str, list[str]]]  # section -> key -> every value assigned, in order


def parse_unit(text: str) -> Unit:
    """Sections of `Key=value` lines, as systemd reads them; anything else is an error."""
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        assert not line.endswith("\\"), f"line {number}: continuation lines are not used"
        if heading := re.fullmatch(r"\[([A-Za-z]+)\]", line):
            assert heading[1] not in unit, f"line {number}: [{heading[1]}] twice"
            section = unit[heading[1]] = {}
            continue
        assignment = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*)=(.*)", line)
        assert assignment, f"line {number} is neither [Section] nor Key=value: {raw!r}"
        assert section is not None, f"line {number}: assignment before the first [Section]"
        section.setdefault(assignment[1], []).append(assignment[2].strip())
    return unit


def test_the_unit_runs_velotime_as_a_notify_service_under_the_watchdog() -> None:
    unit = parse_unit(UNIT.read_text())
    assert set(unit) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert service["Type"] == ["notify"]
    assert service["NotifyAccess"] == ["main"]
    assert re.fullmatch(r"[1-9]\d*s?", service["WatchdogSec"][-1])  # whole seconds, not 0 (off)
    [exec_start] = service["ExecStart"]
    assert re.fullmatch(r"/\S+/velotime run --config /\S+\.toml", exec_start)
    assert service["Restart"] == ["on-failure"]
    assert "network-online.target" in unit["Unit"]["Wants"][-1].split()
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]


def test_the_unit_is_confined_but_keeps_the_serial_timers_visible() -> None:
    service = parse_unit(UNIT.read_text())["Service"]
    # PrivateDevices=yes would replace /dev with pseudo-devices only: no /dev/ttyUSB*.
    assert all(
        value.lower() not in {"yes", "true", "on", "1"}
        for value in service.get("PrivateDevices", [])
    )
    assert "dialout" in service["SupplementaryGroups"][-1].split()
    assert service["ProtectSystem"] == ["strict"]
    assert service["StateDirectory"] == ["velotime"]  # the [storage] default, /var/lib/velotime
    assert service["NoNewPrivileges"] == ["yes"]


def unit_syntax_errors(path: Path, systemd_analyze: str) -> list[str]:
    """What `systemd-analyze verify` says about lines of `path`, i.e. syntax problems.

    Other complaints (the binary or user missing on this machine, other units) are ignored.
    """
    result = subprocess.run(
        [systemd_analyze, "verify", "--man=no", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return [
        line for line in (result.stdout + result.stderr).splitlines() if line.startswith(f"{path}:")
    ]


def test_systemd_analyze_finds_no_syntax_error_in_the_unit(tmp_path: Path) -> None:
    systemd_analyze = shutil.which("systemd-analyze")
    if systemd_analyze is None:
        pytest.skip("no systemd-analyze on this machine to verify the unit with")
    # First make sure it reports syntax errors here at all, so that silence means something.
    broken = tmp_path / "velotime.service"
    broken.write_text(UNIT.read_text().replace("[Service]\n", "[Service]\nWatchdogSecs=30\n"))
    if not any("WatchdogSecs" in line for line in unit_syntax_errors(broken, systemd_analyze)):
        pytest.skip("systemd-analyze verify does not report an unknown key here")
    assert unit_syntax_errors(UNIT, systemd_analyze) == []


def adapted_config(port: int, directory: Path) -> str:
    """The shipped configuration with only the listener and persistence_location changed."""
    text, listeners = re.subn(
        r"(?m)^listener 1883\b.*$", f"listener {port} 127.0.0.1", MOSQUITTO_CONF.read_text()
    )
    text, locations = re.subn(
        r"(?m)^persistence_location .*$", f"persistence_location {directory}/", text
    )
    assert (listeners, locations) == (1, 1), "velotime.conf lost its listener or persistence"
    return text


@contextmanager
def running_mosquitto(config: str, port: int, directory: Path) -> Iterator[Path]:
    """Start mosquitto with `config` and wait for its port; stop it after. Yields its log."""
    binary = require_mosquitto()
    config_path = directory / "mosquitto.conf"
    config_path.write_text(config)
    log_path = directory / "mosquitto.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [binary, "-c", str(config_path)], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 10.0
        while True:
            if process.poll() is not None:
                pytest.fail(f"mosquitto exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"mosquitto is not listening on {port}:\n{log_path.read_text()}")
                time.sleep(0.02)
        yield log_path
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, log_path.read_text()  # SIGTERM is a clean stop


def test_mosquitto_starts_with_the_shipped_configuration(tmp_path: Path) -> None:
    port = free_port()
    with running_mosquitto(adapted_config(port, tmp_path), port, tmp_path):
        # An MQTT 3.1.1 CONNECT with no user name, as timing-LAN clients send it.
        client_id = b"velotime-test"
        body = b"\x00\x04MQTT\x04\x02\x00\x3c" + len(client_id).to_bytes(2, "big") + client_id
        with socket.create_connection(("127.0.0.1", port), timeout=5.0) as sock:
            sock.sendall(bytes([0x10, len(body)]) + body)
            connack = sock.recv(4)
    assert connack == b"\x20\x02\x00\x00"  # CONNACK, accepted: allow_anonymous is on


async def test_the_shipped_acl_lets_only_velotime_and_the_desk_publish(tmp_path: Path) -> None:
    port = free_port()
    shutil.copy(MOSQUITTO_ACL, tmp_path / "velotime.acl")
    # The timing LAN's acl_file (the first), alone: usernames as anonymous clients give them.
    config, enabled = re.subn(
        r"(?m)^#acl_file .*$",
        f"acl_file {tmp_path}/velotime.acl",
        adapted_config(port, tmp_path),
        count=1,
    )
    assert enabled == 1, "velotime.conf lost its commented acl_file line"
    if os.geteuid() == 0:
        # As root mosquitto switches to its own user, which cannot read pytest's tmp_path.
        config = "user root\n" + config
    with running_mosquitto(config, port, tmp_path):
        received: list[str] = []
        async with aiomqtt.Client("127.0.0.1", port, identifier="reader") as reader:
            await reader.subscribe("velotime/#", qos=1)
            writers = [
                (None, "velotime/test/anonymous"),
                ("scoreboard", "velotime/test/scoreboard"),
                ("desk", "velotime/test/results/f200"),  # the desk only commands
                ("desk", "velotime/test/control/scoring"),
                ("velotime", "velotime/test/daemon"),
                ("velotime", "velotime/test/end"),
            ]
            for number, (username, topic) in enumerate(writers):
                # No "/" in a client id: with ACL patterns mosquitto denies such a client.
                async with aiomqtt.Client(
                    "127.0.0.1", port, username=username, identifier=f"writer-{number}"
                ) as writer:
                    await writer.publish(topic, b"{}", qos=1)  # returns after the PUBACK
            async with asyncio.timeout(5.0):
                async for message in reader.messages:
                    received.append(message.topic.value)
                    if message.topic.value == "velotime/test/end":
                        break
    # The broker acknowledges a denied publish under MQTT 3.1.1 but delivers nothing.
    assert received == [
        "velotime/test/control/scoring", "velotime/test/daemon", "velotime/test/end",
    ]  # fmt: skip
