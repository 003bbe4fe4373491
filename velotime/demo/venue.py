"""The demo's venue on this machine: an MQTT broker, the simulated devices and the daemon.

- the broker: Mosquitto where its binary exists, else amqtt in a process of its own
  (`velotime.localvenue`);
- four P3 decoders (TCP servers, scripted: `detect`) on the finish, 200 m and the two pursuit
  lines, their clocks on the venue clock (`clock = "decoder"`);
- an ALGE Timy on a pseudo-terminal, reached through a symbolic link as a serial port: the
  start gates (time trials, and the pursuits' on the pursuit lines) and the photocells;
- a FinishLynx camera that connects to the daemon's `tcp-listen` source;
- `velotime run` as a process of its own with the configuration written here: the daemon, the
  scoring service (`[scoring] meet`) and the web scoreboard (`[scoreboard] listen`).

Everything lives under one directory: the broker's files, the configuration and the meet, the
daemon's state (capture logs, outbox, scoring journal) and its log.
"""

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
from pathlib import Path

from velotime.demo.script import VENUE_ID
from velotime.localvenue import (
    LocalBroker,
    free_port,
    line_toml,
    local_broker,
    source_toml,
    write_local_config,
)
from velotime.simulators.lynx import LynxCameraSimulator
from velotime.simulators.p3_decoder import P3DecoderSimulator
from velotime.simulators.timy import TimySimulator

# The pursuit lines, in the middle of the straights (docs/hardware.md): the finish is near the
# end of the home straight, 15 m after its middle; the back one is half a lap (125 m) on.
PURSUIT_LINES = {"pursuit-home": 15.0, "pursuit-back": 140.0}  # name (= its role) -> distance
LINES = {"finish": 0.0, "200m": 200.0, **PURSUIT_LINES}  # what write_local_config writes
ROLES = {name: name for name in PURSUIT_LINES}  # line name -> role
DECODER_IDS = {"finish": 268401, "200m": 268402, "pursuit-home": 268403, "pursuit-back": 268404}
SCOREBOARD_PORT = 8080  # when free; else any free port
TIMY_CHANNELS: dict[str, dict[str, str | int]] = {
    "C0": {"line": "start", "dead_time_ms": 1000},
    "C1": {"line": "finish", "dead_time_ms": 200},
    "C2": {"line": "gate-home", "dead_time_ms": 1000},
    "C3": {"line": "gate-back", "dead_time_ms": 1000},
    "C4": {"line": "200m", "dead_time_ms": 200},
    "C5": {"line": "pursuit-home", "dead_time_ms": 200},
    "C6": {"line": "pursuit-back", "dead_time_ms": 200},
}
DAEMON_STOP_TIMEOUT_S = 15.0


class VenueError(Exception):
    """Something the demo needs cannot be had (no broker, a port in use...)."""


def scoreboard_port(wanted: int | None) -> int:
    """`wanted` (VenueError if it is taken), else 8080 when it is free, else any free port."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", SCOREBOARD_PORT if wanted is None else wanted))
        except OSError as exc:
            if wanted is not None:
                raise VenueError(f"cannot serve the scoreboard on port {wanted}: {exc}") from None
            return free_port()
    return SCOREBOARD_PORT if wanted is None else wanted


class DemoVenue:
    def __init__(self, directory: Path, meet_text: str, scoreboard_port: int) -> None:
        self.directory = directory
        self.meet_text = meet_text
        self.scoreboard_port = scoreboard_port
        self.venue_dir = directory / "venue"
        self.meet_path = self.venue_dir / "meet.toml"
        self.daemon_log = directory / "daemon.log"
        self.config_path = self.venue_dir / "velotime.toml"
        try:
            self.broker: LocalBroker = local_broker(directory / "broker")
        except FileNotFoundError as exc:
            raise VenueError(
                "the demo needs an MQTT broker: install Mosquitto (Debian, Ubuntu: apt-get "
                "install mosquitto; macOS: brew install mosquitto), or the embedded one with "
                f".venv/bin/pip install -e '.[embedded-broker]' (make demo does that) ({exc})"
            ) from None
        self.decoders = {
            line: P3DecoderSimulator(decoder_id=decoder_id, status_interval_s=4.0)
            for line, decoder_id in DECODER_IDS.items()
        }
        self.timy = TimySimulator(link=self.venue_dir / "timy")
        self.camera_port = free_port()
        self.camera = LynxCameraSimulator(
            "127.0.0.1", self.camera_port, event_name="Keirin", connect_timeout_s=30.0
        )
        self.daemon: asyncio.subprocess.Process | None = None
        self._camera_task: asyncio.Task[None] | None = None

    @property
    def broker_name(self) -> str:
        return "Mosquitto" if self.broker.persistent_sessions else "amqtt (embedded)"

    @property
    def scoreboard_url(self) -> str:
        return f"http://127.0.0.1:{self.scoreboard_port}/"

    def captures(self) -> list[Path]:
        return sorted((self.venue_dir / "state" / "captures").glob("*.capture.jsonl"))

    async def start(self) -> None:
        """The broker, the devices, then the daemon; the camera connects once it listens."""
        self.venue_dir.mkdir(parents=True, exist_ok=True)
        self._start_broker()
        for decoder in self.decoders.values():
            await decoder.start("127.0.0.1", 0)
        self.timy.start()
        self.meet_path.write_text(self.meet_text, encoding="utf-8")
        self._write_config()
        with self.daemon_log.open("ab") as log:
            self.daemon = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "velotime", "run", "--config", str(self.config_path),
                stdout=log, stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,  # Ctrl-C is the demo's to handle: it stops us in order
            )  # fmt: skip
        self._camera_task = asyncio.create_task(self.camera.connect())

    @property
    def camera_connected(self) -> bool:
        """Whether the camera has connected to the daemon (OSError if it gave up)."""
        task = self._camera_task
        if task is None or not task.done():
            return False
        task.result()
        return True

    @property
    def daemon_running(self) -> bool:
        return self.daemon is not None and self.daemon.returncode is None

    async def stop_daemon(self) -> int | None:
        """SIGTERM, as systemd stops it; its exit code (None if it never ran)."""
        daemon = self.daemon
        if daemon is None:
            return None
        if daemon.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                daemon.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(daemon.wait(), DAEMON_STOP_TIMEOUT_S)
            except TimeoutError:
                daemon.kill()
                await daemon.wait()
        return daemon.returncode

    async def stop(self) -> None:
        """Everything, the daemon first (it flushes to the broker), the broker last."""
        await self.stop_daemon()
        if self._camera_task is not None:
            self._camera_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await self._camera_task
        await self.camera.disconnect()
        await self.timy.stop()
        for decoder in self.decoders.values():
            await decoder.stop()
        await asyncio.to_thread(self.broker.stop)

    def _start_broker(self) -> None:
        """Started with its standard error in its own log, not on the demo's output (Mosquitto
        warns there when run as root). Takes a moment: nothing else runs yet."""
        self.broker.directory.mkdir(parents=True, exist_ok=True)
        saved = os.dup(2)
        try:
            with (self.broker.directory / "broker.stderr").open("ab") as log:
                os.dup2(log.fileno(), 2)
                try:
                    self.broker.start()
                finally:
                    os.dup2(saved, 2)
        finally:
            os.close(saved)

    def _write_config(self) -> None:
        sources = [
            source_toml(
                f"p3-{line}", "p3", f"tcp://127.0.0.1:{decoder.port}", line=line, clock="decoder"
            )
            for line, decoder in self.decoders.items()
        ]
        timy = f"serial://{self.timy.link}?baudrate=38400"
        sources.append(source_toml("timy", "timy", timy, channels=TIMY_CHANNELS))
        sources.append(source_toml("lynx", "lynx", f"tcp-listen://127.0.0.1:{self.camera_port}"))
        path = write_local_config(
            self.venue_dir,
            VENUE_ID,
            self.broker.url,
            *sources,
            mqtt_protocol=self.broker.protocol,
            lines=[line_toml(name, PURSUIT_LINES[name], ROLES[name]) for name in PURSUIT_LINES],
        )
        assert path == self.config_path
        path.write_text(
            path.read_text()
            + f"\n[scoring]\nmeet = {json.dumps(str(self.meet_path))}\n"
            + f'\n[scoreboard]\nlisten = "127.0.0.1:{self.scoreboard_port}"\n'
        )

    @property
    def source_names(self) -> list[str]:
        return [*(f"p3-{line}" for line in self.decoders), "timy", "lynx"]
