"""`velotime import-lif`: FinishLynx result files as photo-finish events, once or as they appear."""

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from velotime.cli.logs import setup_logging
from velotime.config import ConfigError, load_config, parse_mqtt_url
from velotime.families.lif.events import heat_events
from velotime.mqtt.client import BrokerSettings, broker_settings
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import Publisher
from velotime.protocols.lif import parse_lif
from velotime.wire.status import IMPORT_ONLINE
from velotime.wire.topics import Topics


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "import-lif",
        description="Turn FinishLynx result files into the photo-finish events the live camera "
        "stream gives. Without --config or --broker the events are printed as JSON Lines. "
        "Warnings about odd rows go to stderr, counted; the good rows are always imported.",
    )
    parser.add_argument("paths", type=Path, nargs="+", metavar="PATH", help=".lif files or folders")
    parser.add_argument("--watch", action="store_true", help="keep importing new or changed files")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks")
    parser.add_argument("--config", type=Path, help="publish to this venue's broker")
    parser.add_argument("--broker", help="publish to this broker (with --venue)")
    parser.add_argument("--venue", help="venue id to publish under (default: the config's)")
    parser.add_argument("--timezone", help="the venue's time zone (default: the config's, or UTC)")
    parser.add_argument("--source", default="lynx-files", help="source name in the events")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        return _fail(f"no such file or folder: {', '.join(missing)}")
    if args.interval <= 0:
        return _fail("--interval must be above 0")
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
    return asyncio.run(_online(importer, broker, args))


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
        topic = self.topics.timing("photofinish")
        self.outbox.append(self.source, [(topic, event) for event in events], None)

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


async def _online(importer: _Importer, broker: BrokerSettings, args: argparse.Namespace) -> int:
    status = importer.topics.source_status(importer.source)
    publisher = Publisher(broker, importer.outbox, status, lambda: IMPORT_ONLINE)
    stop = asyncio.Event()
    async with asyncio.TaskGroup() as group:
        task = group.create_task(publisher.run(stop))
        importer.scan(args.paths)
        while args.watch and not task.done():
            await asyncio.sleep(args.interval)
            importer.scan(args.paths)
        while len(importer.outbox) and not task.done():
            await asyncio.sleep(0.05)
        stop.set()
    sys.stderr.write(importer.summary())
    return 0


def _fail(message: str) -> int:
    sys.stderr.write(f"velotime import-lif: {message}\n")
    return 2
