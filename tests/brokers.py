"""The real MQTT broker of the tests: Mosquitto, or amqtt where Mosquitto is not installed."""

import os
import re
import signal
import subprocess
import warnings
from pathlib import Path

import pytest

from velotime.localvenue import (
    LocalBroker,
    LocalMosquitto,
    local_broker,
    mosquitto_binary,
    wait_for_port,
)


def require_mosquitto() -> str:
    """The mosquitto binary; skip without one, except under CI (which installs it)."""
    binary = mosquitto_binary()
    if binary is None:
        message = "no mosquitto binary (apt-get install mosquitto)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run installs it, so CI must have it")
        pytest.skip(message)
    return binary


def mosquitto(directory: Path) -> LocalBroker:
    """Mosquitto; without it, amqtt with a warning in the test output; without either, skip."""
    if mosquitto_binary() is not None or os.environ.get("CI") == "true":
        require_mosquitto()
        return LocalMosquitto(directory)
    try:
        broker = local_broker(directory)
    except FileNotFoundError as exc:
        pytest.skip(f"no mosquitto binary and {exc}")
    warnings.warn(
        "no mosquitto binary: these tests use an embedded amqtt broker instead",
        stacklevel=2,
    )
    return broker


CONFIG_DIR = Path(__file__).resolve().parents[1] / "config" / "mosquitto"
SHIPPED_CONF = CONFIG_DIR / "velotime.conf"
SHIPPED_ACL = CONFIG_DIR / "velotime.acl"


def saving_once_a_minute_config() -> str:
    """The shipped configuration as it was before `autosave_on_changes`: the database saved
    every 60 s. Both lines must be there to change, or this would be the shipped one."""
    text = SHIPPED_CONF.read_text()
    for line in ("autosave_on_changes true\n", "autosave_interval 1\n"):
        assert line in text, f"{SHIPPED_CONF} no longer has {line!r}"
    return text.replace("autosave_on_changes true\n", "").replace(
        "autosave_interval 1\n", "autosave_interval 60\n"
    )


def shipped_config(port: int, directory: Path, text: str | None = None) -> str:
    """The shipped configuration (or `text`, a variant of it) with only what a test must change:
    the timing-LAN listener on 127.0.0.1:`port`, persistence and a log file in `directory`, and,
    as root, mosquitto kept as root (its own user cannot write in a private tmp_path)."""
    text, listeners = re.subn(
        r"(?m)^listener 1883\b.*$",
        f"listener {port} 127.0.0.1",
        SHIPPED_CONF.read_text() if text is None else text,
    )
    text, locations = re.subn(
        r"(?m)^persistence_location .*$", f"persistence_location {directory}/", text
    )
    assert (listeners, locations) == (1, 1), "velotime.conf lost its listener or persistence"
    run_as = "user root\n" if os.geteuid() == 0 else ""
    return run_as + text + f"\nlog_dest file {directory}/mosquitto.log\n"


class MosquittoProcess:
    """Mosquitto with a given configuration, which a test can kill -9 and start again (its
    persistence directory stays)."""

    def __init__(self, config: str, port: int, directory: Path) -> None:
        self.binary = require_mosquitto()
        self.port = port
        self.directory = directory
        self.config_path = directory / "mosquitto.conf"
        self.config_path.write_text(config)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.config_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(self.port)
        except TimeoutError:
            pytest.fail(f"mosquitto did not start:\n{self.log()}")

    def reload(self) -> None:
        """SIGHUP: mosquitto reads its password and ACL files again."""
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)

    def kill(self) -> None:
        """SIGKILL: a crash, with no chance to save anything."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        path = self.directory / "mosquitto.log"
        return path.read_text() if path.exists() else "(no log)"
