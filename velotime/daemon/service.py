"""`velotime run`: every source, the capture log, the outbox and the broker, in one event loop."""

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import msgspec

from velotime import __version__
from velotime.capture import CONTROL_SOURCE, LIF_SOURCE, CaptureWriter
from velotime.config import Config, ConfigError
from velotime.daemon.control import SkippedCommand
from velotime.daemon.health import Health
from velotime.daemon.sources import ControlDescription
from velotime.daemon.systemd import SystemdNotifier, run_watchdog
from velotime.drivers.clock import DeviceClock
from velotime.drivers.driver import SourceDriver
from velotime.drivers.session import Session
from velotime.families.base import SourceConfig, SourceDescription
from velotime.families.lif.source import LifDescription
from velotime.mqtt.client import broker_settings
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import Publisher
from velotime.stopping import stop_on_signals
from velotime.times import now_us
from velotime.wire.events import Event
from velotime.wire.replies import CommandReply, encode_reply
from velotime.wire.status import (
    Description,
    LineDescription,
    SourceStatus,
    SourceSummary,
    VenueDescription,
)
from velotime.wire.topics import Topics

log = logging.getLogger("velotime.daemon")

HEALTH_INTERVAL_S = 1.0  # how often the daemon retries failed writes and checks its health

_json = msgspec.json.Encoder()


def describe(config: Config) -> bytes:
    """The retained self-description: the venue, its timing lines and its sources."""
    return _json.encode(
        Description(
            venue=VenueDescription(
                id=config.venue.id,
                name=config.venue.name,
                track_length_m=config.venue.track_length_m,
            ),
            lines=[LineDescription(name=ln.name, distance_m=ln.distance_m) for ln in config.lines],
            sources=[_summary(source) for source in config.sources],
        )
    )


def _summary(source: SourceConfig) -> SourceSummary:
    wiring = source.wiring()
    return SourceSummary(
        name=source.name,
        protocol=source.protocol,
        line=wiring.line,
        decoder_lines=wiring.decoder_lines,
        channels=wiring.channels,
    )


class StartupError(Exception):
    """What keeps the daemon from starting (its storage, its broker's password or TLS files),
    one line a problem, naming the file and the configuration key."""


def _storage_problem(what: str, path: Path, exc: OSError | sqlite3.Error) -> StartupError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    if isinstance(exc, FileExistsError):  # mkdir of a directory where a file is
        reason = "a file where a directory should be"
    filename = exc.filename if isinstance(exc, OSError) else None
    if filename is not None and str(filename) != str(path):  # the directory that could not be made
        reason = f"{reason}: {filename}"
    return StartupError(f"{path}: cannot open the {what} (storage.directory): {reason}")


class Daemon:
    def __init__(self, config: Config) -> None:
        """Opens the outbox and a new capture file; StartupError if either cannot be, or the
        broker's password or TLS files cannot be read."""
        self.config = config
        self.topics = Topics(config.mqtt.topic_prefix, config.venue.id)
        try:
            config.check_files()
            broker = broker_settings(config)  # reads mqtt.password_file
        except ConfigError as exc:
            raise StartupError(str(exc)) from None
        outbox_path = config.storage.outbox_path
        try:
            self.outbox = Outbox(outbox_path)
        except (OSError, sqlite3.Error) as exc:
            raise _storage_problem("outbox", outbox_path, exc) from None
        self.started_us = now_us()
        descriptions = {s.name: self._resumed(s.name) for s in config.sources}
        control_seq = self.outbox.saved(CONTROL_SOURCE).seq
        descriptions[CONTROL_SOURCE] = ControlDescription(seq=control_seq)
        self.control = descriptions[CONTROL_SOURCE].new_session(CONTROL_SOURCE)
        # FinishLynx result files `velotime import-lif` hands over (control/lif): recorded as a
        # source of their own, so that a replay of the capture has every source of a result.
        descriptions[LIF_SOURCE] = LifDescription(
            timezone=config.venue.timezone, seq=self.outbox.saved(LIF_SOURCE).seq
        )
        self.lif = descriptions[LIF_SOURCE].new_session(LIF_SOURCE)
        self._lif_topic = self.topics.control(LIF_SOURCE)
        try:
            # Made here, so that a file in its way is told as that, not as no free file name.
            config.storage.captures_dir.mkdir(parents=True, exist_ok=True)
            self.capture = CaptureWriter.create(
                config.storage.captures_dir,
                config.venue.id,
                {name: d.to_builtins() for name, d in descriptions.items()},
                lines={line.name: line.distance_m for line in config.lines},
                track_length_m=config.venue.track_length_m,
                roles=config.line_roles,
            )
        except OSError as exc:
            self.outbox.close()
            raise _storage_problem("capture log", config.storage.captures_dir, exc) from None
        self.publisher = Publisher(
            broker,
            self.outbox,
            self.topics.daemon_status,
            self._online,
            subscriptions={self.topics.control("#"): self._control},
        )
        self.drivers = [
            SourceDriver(
                descriptions[source.name].new_session(source.name),
                source.endpoint,
                capture=self.capture,
                deliver=self._deliver,
                status_changed=self._source_status,
                silence_timeout_s=source.silence_limit_s,
                poll_interval_s=source.poll_interval_s,
                reconnect_min_s=source.reconnect_min_s,
                reconnect_max_s=source.reconnect_max_s,
                # Checked where the session measures it (velotime.drivers.clock: Timy, camera).
                device_clock=DeviceClock(config.venue.clock_tolerance_us, config.venue.timezone),
            )
            for source in config.sources
        ]
        self.health = Health(
            self.outbox,
            self.capture,
            (config.storage.directory, config.storage.captures_dir),
            config.storage.min_free_bytes,
            started_us=self.started_us,
            others=(self.publisher, *self.drivers),
        )
        self.publisher.set_retained(self.topics.description, describe(config))

    def _resumed(self, name: str) -> SourceDescription:
        saved = self.outbox.saved(name)
        resume = msgspec.json.decode(saved.state) if saved.state else None
        source = self.config.source(name)
        described = source.describe(self.config.venue.timezone, saved.seq, resume)
        return msgspec.structs.replace(described, started_us=self.started_us)

    async def run(self, stop: asyncio.Event) -> None:
        notifier = SystemdNotifier()
        log.info(
            "velotime %s: venue %s, %d sources, capture %s",
            __version__,
            self.config.venue.id,
            len(self.drivers),
            self.capture.path,
        )
        try:
            async with asyncio.TaskGroup() as group:
                publisher = group.create_task(self.publisher.run(stop))
                others = [group.create_task(driver.run()) for driver in self.drivers]
                others.append(group.create_task(run_watchdog(notifier)))
                others.append(group.create_task(self._watch_health()))
                notifier.ready(f"{len(self.drivers)} sources")
                await stop.wait()
                notifier.stopping()
                log.info("stopping: %d events still to publish", len(self.outbox))
                for task in others:
                    task.cancel()
                await publisher
        finally:
            self.capture.close()
            self.outbox.close()

    def _deliver(self, session: Session, events: list[Event]) -> None:
        """Queue `events` with the session's state: on disk together, or, while the disk
        fails, held in memory together (velotime.mqtt.outbox), never lost to the driver."""
        state = _json.encode(session.state())
        self.outbox.append(session.source, self.topics.routed(events), state)

    async def _watch_health(self) -> None:
        """Every HEALTH_INTERVAL_S: retry what the disk refused, and publish status/daemon again
        when the health changed."""
        while True:
            await asyncio.sleep(HEALTH_INTERVAL_S)
            self.outbox.retry()
            status = self.health.check()
            if status is not None:
                self.publisher.set_retained(self.topics.daemon_status, _json.encode(status))

    def _control(self, topic: str, payload: bytes) -> None:
        """An operator command, or a result file from `velotime import-lif` (control/lif):
        recorded like any device's bytes, so replay applies it too, then its events queued in
        the event stream at the same place (velotime.daemon.control, families/lif/session.py).
        Both are in the capture and the outbox before this returns: import-lif counts a file
        imported once it sees its events published."""
        session = self.lif if topic == self._lif_topic else self.control
        t_us = now_us()
        self.capture.write(t_us, session.source, payload)
        out = session.feed(t_us, payload)
        for error in out.errors:
            log.warning("%s: %s %r: %s", session.source, error.kind, error.raw[:200], error.detail)
            if isinstance(error, SkippedCommand) and error.command_id is not None:
                # The scoring never sees it: its sender hears why from here.
                component = topic.rpartition("/")[2]
                reply = CommandReply(
                    id=error.command_id,
                    verdict="refused",
                    reason=f"not a command velotime reads: {error.detail}",
                    by="daemon",
                    at_us=t_us,
                )
                reply_topic = self.topics.reply(component, error.command_id)
                self.publisher.send(reply_topic, encode_reply(reply))
        for notice in out.notices:
            log.info("%s: %s", session.source, notice)
        if out.events:
            self._deliver(session, out.events)

    def _source_status(self, name: str, status: SourceStatus) -> None:
        self.publisher.set_retained(self.topics.source_status(name), _json.encode(status))

    def _online(self) -> bytes:
        """status/daemon on connecting; kept as retained state too, so that what the health
        watch publishes later replaces it in order."""
        payload = _json.encode(self.health.status())
        self.publisher.set_retained(self.topics.daemon_status, payload)
        return payload


Companion = Callable[[asyncio.Event], Awaitable[None]]


async def run_daemon(config: Config, *companions: Companion) -> None:
    """Run until SIGINT or SIGTERM, then publish what is queued and go offline cleanly.

    `companions` (the scoring service) run in the same event loop until the same stop. One that
    fails is logged and the timing goes on without it: capturing and publishing come first.
    """
    stop = stop_on_signals()
    daemon = Daemon(config)
    async with asyncio.TaskGroup() as group:
        for companion in companions:
            group.create_task(_isolated(companion, stop))
        await daemon.run(stop)


async def _isolated(companion: Companion, stop: asyncio.Event) -> None:
    try:
        await companion(stop)
    except Exception:
        name = getattr(companion, "__qualname__", repr(companion))
        log.exception("%s failed; the timing goes on without it", name)
