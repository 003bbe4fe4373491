"""`velotime import-lif`: FinishLynx result files as photo-finish events, once or as they appear.

With a broker, each file goes to the daemon (`control/lif`, one `protocols.lif.upload` message),
which records it in its capture as the `lif` source and publishes its events: a replay of the
capture then has every source of a result. A file counts as imported once its events come back
on `timing/photofinish`, that is once the daemon has recorded and queued them; one the daemon
does not confirm within `--wait` seconds is sent again (`--watch`) or named, with exit status 1.
"""

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiomqtt
import msgspec

from velotime.backoff import Backoff
from velotime.capture import LIF_SOURCE
from velotime.cli.logs import setup_logging
from velotime.config import ConfigError, load_config, parse_mqtt_url
from velotime.families.lif.events import heat_events
from velotime.mqtt.client import (
    BrokerSettings,
    PublishRefusedError,
    broker_settings,
    connection_failure,
    mqtt_client,
    publish_checked,
)
from velotime.mqtt.outbox import Outbox
from velotime.protocols.lif import parse_lif
from velotime.protocols.lif.upload import LifUpload, encode_upload
from velotime.wire.events import Event
from velotime.wire.status import IMPORT_ONLINE, OFFLINE
from velotime.wire.topics import Topics


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "import-lif",
        description="Turn FinishLynx result files into the photo-finish events the live camera "
        "stream gives. With --config or --broker each file goes to the venue's daemon, which "
        "records it in its capture and publishes its events; a file counts as imported once "
        "they come back. Without, the events are printed as JSON Lines. Warnings about odd "
        "rows go to stderr, counted; the good rows are always imported.",
    )
    parser.add_argument("paths", type=Path, nargs="+", metavar="PATH", help=".lif files or folders")
    parser.add_argument("--watch", action="store_true", help="keep importing new or changed files")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks")
    parser.add_argument("--config", type=Path, help="publish to this venue's broker")
    parser.add_argument("--broker", help="publish to this broker (with --venue)")
    parser.add_argument("--venue", help="venue id to publish under (default: the config's)")
    parser.add_argument("--timezone", help="the venue's time zone (default: the config's, or UTC)")
    parser.add_argument(
        "--wait",
        type=float,
        default=10.0,
        help="seconds to wait for the daemon to confirm a file (then it is sent again with "
        "--watch, else named, exit status 1)",
    )
    parser.add_argument(
        "--source",
        default=LIF_SOURCE,
        help="source name: of the printed events, and of this importer's status topic",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        return _fail(f"no such file or folder: {', '.join(missing)}")
    if args.interval <= 0:
        return _fail("--interval must be above 0")
    if args.wait <= 0:
        return _fail("--wait must be above 0")
    try:
        config = load_config(args.config, broker=args.broker) if args.config else None
        zone = ZoneInfo(args.timezone or (config.venue.timezone if config else "UTC"))
    except ConfigError as exc:
        return _fail(str(exc))
    except (ZoneInfoNotFoundError, ValueError):
        return _fail(f"unknown time zone {args.timezone!r}")
    venue = args.venue or (config.venue.id if config else "lif")
    prefix = config.mqtt.topic_prefix if config else "velotime"
    importer = _Importer(Outbox(":memory:"), Topics(prefix, venue), args.source, zone)
    if config is None and args.broker is None:
        return _offline(importer, args)
    if config is not None:
        try:
            config.check_files()  # the password and TLS files: one line now, not retries
            broker = broker_settings(config)
        except ConfigError as exc:
            return _fail(str(exc))
    else:
        try:
            host, port, tls = parse_mqtt_url(args.broker)
        except ValueError as exc:
            return _fail(f"--broker: {exc}")
        broker = BrokerSettings(host=host, port=port, tls=tls)
    setup_logging()
    try:
        return asyncio.run(_online(importer, broker, args))
    except KeyboardInterrupt:  # --watch until Ctrl-C
        sys.stderr.write(importer.summary())
        return 0


@dataclass
class _File:
    """A version of a result file, as the daemon is sent it, and the id of its last event: the
    daemon has recorded it once that event is published."""

    path: Path
    upload: bytes
    events: list[Event]  # what the daemon will make of it (and what is printed without one)
    sent_at: float = 0.0  # monotonic

    @property
    def last_event_id(self) -> str:
        return self.events[-1].id


class _Importer:
    """Imports each file once per version (its size and modification time)."""

    def __init__(self, outbox: Outbox, topics: Topics, source: str, zone: ZoneInfo) -> None:
        self.outbox = outbox
        self.topics = topics
        self.source = source
        self.zone = zone
        self.files = 0
        self.results = 0
        self.warnings = 0
        self._seen: dict[Path, tuple[int, int]] = {}
        self.new: list[_File] = []  # read by `scan`, for the daemon: taken by the caller

    def scan(self, paths: list[Path]) -> None:
        for path in _lif_files(paths):
            try:
                stat = path.stat()
                version = (stat.st_mtime_ns, stat.st_size)
                if self._seen.get(path) == version:
                    continue
                data = path.read_bytes()
            except OSError as exc:
                self.warnings += 1
                sys.stderr.write(f"{path}: cannot read: {exc.strerror or exc}\n")
                continue
            self._seen[path] = version
            self._import(path, data, stat.st_mtime_ns // 1000)

    def _import(self, path: Path, data: bytes, written_us: int) -> None:
        parsed = parse_lif(data, str(path))
        self.files += 1
        self.warnings += len(parsed.warnings)
        for warning in parsed.warnings:
            sys.stderr.write(warning.format(str(path)) + "\n")
        if parsed.heat is None:
            return
        self.results += len(parsed.heat.results)
        events = heat_events(parsed.heat, self.source, self.zone, written_us)
        upload = LifUpload(name=path.name, written_us=written_us, data=data)
        self.new.append(_File(path, encode_upload(upload), events))

    def summary(self) -> str:
        return f"imported {self.files} files: {self.results} results, {self.warnings} warnings\n"


def _lif_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += sorted(path.glob("*.lif")) if path.is_dir() else [path]
    return found


def _offline(importer: _Importer, args: argparse.Namespace) -> int:
    output: BinaryIO = sys.stdout.buffer

    def drain() -> None:
        topic = importer.topics.timing("photofinish")
        for file in importer.new:
            importer.outbox.append(importer.source, [(topic, e) for e in file.events], None)
        importer.new.clear()
        rows = importer.outbox.pending(1 << 30)
        if rows:
            output.write(b"".join(row.payload + b"\n" for row in rows))
            output.flush()
            importer.outbox.ack([row.id for row in rows])

    importer.scan(args.paths)
    drain()
    while args.watch:
        try:
            time.sleep(args.interval)
        except KeyboardInterrupt:
            break
        importer.scan(args.paths)
        drain()
    sys.stderr.write(importer.summary())
    return 0


class _Confirmation(msgspec.Struct):
    id: str


async def _online(importer: _Importer, broker: BrokerSettings, args: argparse.Namespace) -> int:
    """Send each file to the daemon and wait for its events to come back; reconnect with --watch.
    Exit status 1 if a file was not confirmed (without --watch) or the broker refused it."""
    topics = importer.topics
    status = topics.source_status(importer.source)
    pending: dict[str, _File] = {}  # by the id of the file's last event
    confirmed = 0
    backoff = Backoff(0.5, 30.0)
    decode = msgspec.json.Decoder(_Confirmation).decode
    importer.scan(args.paths)

    async def confirmations(client: aiomqtt.Client) -> None:
        nonlocal confirmed
        async for message in client.messages:
            try:
                event_id = decode(message.payload)
            except msgspec.DecodeError:
                continue  # not ours to judge: the daemon's events only are looked for
            if pending.pop(event_id.id, None) is not None:
                confirmed += 1

    async def send(client: aiomqtt.Client) -> None:
        while True:
            now = time.monotonic()
            pending.update((f.last_event_id, f) for f in importer.new)
            importer.new.clear()
            for file in list(pending.values()):
                if now - file.sent_at >= args.wait:
                    if file.sent_at:
                        if not args.watch:
                            return
                        sys.stderr.write(f"{file.path}: not confirmed yet, sent again\n")
                    file.sent_at = now
                    await publish_checked(client, topics.control(LIF_SOURCE), file.upload)
            if not args.watch and not pending:
                return
            await asyncio.sleep(min(args.interval, 0.05) if not args.watch else args.interval)
            if args.watch:
                importer.scan(args.paths)

    will = aiomqtt.Will(status, OFFLINE, qos=1, retain=True)
    while True:
        reached = False
        try:
            async with mqtt_client(broker, will=will) as client:
                reached = True
                backoff.reset()
                await client.subscribe(topics.timing("photofinish"), qos=1)
                await publish_checked(client, status, IMPORT_ONLINE, retain=True)
                listener = asyncio.create_task(confirmations(client))
                try:
                    await send(client)
                finally:
                    listener.cancel()
                await publish_checked(client, status, OFFLINE, retain=True)
            break
        except PublishRefusedError as exc:
            return _fail(str(exc), status=1)
        except aiomqtt.MqttError as exc:
            line = connection_failure(broker, exc, reached=reached)
            if not args.watch:
                return _fail(line, status=1)
            sys.stderr.write(f"velotime import-lif: {line}\n")
            for file in pending.values():
                file.sent_at = 0.0  # send again on the next connection
            await asyncio.sleep(backoff.next_delay())
    for file in pending.values():
        sys.stderr.write(
            f"{file.path}: the daemon did not confirm it within {args.wait:g} s "
            f"(is `velotime run` up for venue {topics.venue}?)\n"
        )
    sys.stderr.write(importer.summary().rstrip("\n") + f"; {confirmed} recorded by the daemon\n")
    return 1 if pending else 0


def _fail(message: str, status: int = 2) -> int:
    sys.stderr.write(f"velotime import-lif: {message}\n")
    return status
