"""A venue on this machine: an MQTT broker of our own and a configuration for sources on
loopback (simulators), for tests, benchmarks and the demo.

The broker is Mosquitto where its binary exists; elsewhere amqtt (the `embedded-broker` extra)
in a subprocess of its own, so that it never shares the timing event loop.
"""

import asyncio
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal


def mosquitto_binary() -> str | None:
    """Debian installs mosquitto in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which("mosquitto")
    if found:
        return found
    return "/usr/sbin/mosquitto" if os.access("/usr/sbin/mosquitto", os.X_OK) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                message = f"nothing listening on 127.0.0.1:{port} after {timeout_s} s"
                raise TimeoutError(message) from None
            time.sleep(0.02)


class _BrokerProcess:
    """A broker running as a child process of ours, on a loopback port."""

    def __init__(self, directory: Path, port: int | None) -> None:
        self.port = port or free_port()
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"mqtt://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class LocalMosquitto(_BrokerProcess):
    """One broker process on a fixed loopback port, so that it can be stopped and started again
    (its sessions and queued messages persist in `directory`, as at a venue)."""

    persistent_sessions = True
    protocol: Literal["5", "3.1.1"] = "5"  # [mqtt] protocol of its clients

    def __init__(self, directory: Path, port: int | None = None) -> None:
        binary = mosquitto_binary()
        if binary is None:
            raise FileNotFoundError("no mosquitto binary (Debian: apt-get install mosquitto)")
        self.binary = binary
        super().__init__(directory, port)
        self.config = directory / "mosquitto.conf"
        # Started as root, mosquitto switches to its own user, which cannot write in a private
        # temporary directory: keep it as who we are.
        run_as = "user root\n" if os.geteuid() == 0 else ""
        self.config.write_text(
            run_as + f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {directory}/\n"
            "max_queued_messages 100000\n"
            # As the venue's broker (config/mosquitto/velotime.conf): without it, Nagle's
            # algorithm and delayed ACKs hold a message back ~40 ms now and then.
            "set_tcp_nodelay true\n"
            f"log_dest file {directory}/mosquitto.log\n"
        )

    def start(self) -> None:
        self.process = subprocess.Popen([self.binary, "-c", str(self.config)])
        wait_for_port(self.port)


class LocalAmqtt(_BrokerProcess):
    """amqtt on a loopback port, in its own process. MQTT 3.1.1 only, and it keeps no sessions
    across its own restart: a stand-in where Mosquitto is not installed, not a venue broker."""

    persistent_sessions = False
    protocol: Literal["5", "3.1.1"] = "3.1.1"

    def __init__(self, directory: Path, port: int | None = None) -> None:
        if importlib.util.find_spec("amqtt") is None:
            raise FileNotFoundError(
                "amqtt is not installed (pip install 'velotime[embedded-broker]')"
            )
        super().__init__(directory, port)

    def start(self) -> None:
        with (self.directory / "amqtt.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "velotime.localvenue", "amqtt", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port)


LocalBroker = LocalMosquitto | LocalAmqtt


def local_broker(directory: Path) -> LocalBroker:
    """Mosquitto if installed, else amqtt if installed; FileNotFoundError if neither is."""
    if mosquitto_binary() is not None:
        return LocalMosquitto(directory)
    return LocalAmqtt(directory)


async def _serve_amqtt(port: int) -> None:
    from amqtt.broker import Broker

    broker = Broker(
        {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            },
        }
    )
    await broker.start()
    await asyncio.Event().wait()


def source_toml(name: str, protocol: str, transport: str, **settings: object) -> str:
    """One [[sources]] entry: `settings` values are strings, numbers, booleans, lists or
    tables (written as TOML inline tables, e.g. a Timy's channels)."""
    body = "".join(f"{key} = {_toml(value)}\n" for key, value in settings.items())
    return (
        f"[[sources]]\nname = {_toml(name)}\nprotocol = {_toml(protocol)}\n"
        f"transport = {_toml(transport)}\n{body}"
    )


def p3_source(decoder_port: int, **settings: object) -> str:
    """A P3 decoder on 127.0.0.1:`decoder_port` at the finish line."""
    return source_toml(
        "p3-finish", "p3", f"tcp://127.0.0.1:{decoder_port}", line="finish", **settings
    )


def line_toml(name: str, distance_m: float, role: str = "") -> str:
    """One [[lines]] entry; `role` "" is a line known by its distance alone."""
    role_key = f"role = {_toml(role)}\n" if role else ""
    return f"[[lines]]\nname = {_toml(name)}\ndistance_m = {distance_m:g}\n{role_key}\n"


def write_local_config(
    directory: Path,
    venue: str,
    broker_url: str,
    *sources: str,
    mqtt_protocol: str = "5",
    lines: Sequence[str] = (),
) -> Path:
    """A configuration for a 250 m track (finish and 200 m lines, and `lines`: more
    `line_toml` entries) with `sources`, its state under `directory`; `mqtt_protocol` is the
    broker's (`LocalBroker.protocol`)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "velotime.toml"
    path.write_text(
        f"""[venue]
id = "{venue}"
track_length_m = 250

[[lines]]
name = "finish"
distance_m = 0

[[lines]]
name = "200m"
distance_m = 200

{"".join(lines)}{"".join(sources)}
[mqtt]
url = "{broker_url}"
protocol = "{mqtt_protocol}"

[storage]
directory = {json.dumps(str(directory / "state"))}
"""
    )
    return path


def _toml(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)  # strings, numbers and booleans are written alike


if __name__ == "__main__" and sys.argv[1:2] == ["amqtt"]:
    asyncio.run(_serve_amqtt(int(sys.argv[2])))
