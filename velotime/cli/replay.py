"""`velotime replay`: recorded bytes through the same pipeline, offline or to a broker."""

import argparse
import asyncio
import itertools
import sys
import time as clock
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from velotime.capture.reader import CaptureFormatError
from velotime.cli.logs import setup_logging
from velotime.config import ConfigError, load_config, parse_mqtt_url
from velotime.daemon.outbox import Outbox
from velotime.daemon.publisher import BrokerSettings, Publisher
from velotime.daemon.replay import Chunk, DumpSource, Replayer
from velotime.daemon.service import broker_settings
from velotime.daemon.topics import Topics
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.export import result_csv
from velotime.scoring.meet import MeetError, load_meet

_PROGRESS_EVERY_S = 0.2
PROTOCOLS = ("p3", "timy", "lynx", "lif")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "replay",
        help="replay capture logs (or device dumps) through the pipeline",
        description="Replay capture files (in the order given) through the same parsers as "
        "the live daemon. With --offline, write the events as JSON Lines; otherwise publish "
        "them under a venue id of their own (default <venue>-replay), never the live one.",
    )
    parser.add_argument("paths", type=Path, nargs="+", metavar="CAPTURE")
    parser.add_argument("--offline", action="store_true", help="no broker: write JSON Lines")
    parser.add_argument("--output", type=Path, help="with --offline: file (default stdout)")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--fast", action="store_true", help="as fast as possible (the default)")
    pace.add_argument("--speed", type=float, help="pace by receive times: 1 = real time")
    parser.add_argument("--config", type=Path, help="take the broker and topic prefix from here")
    parser.add_argument("--broker", help="MQTT broker URL (default mqtt://127.0.0.1:1883)")
    parser.add_argument("--venue", help="venue id to publish under (default <venue>-replay)")
    parser.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        help="the paths are device dumps of this protocol, not captures",
    )
    parser.add_argument("--format", choices=("auto", "raw", "hex"), default="auto")
    parser.add_argument("--meet", type=Path, help="score the session with this meet file")
    parser.add_argument(
        "--results",
        type=Path,
        help="with --meet and --offline: write DIR/<event>.json and .csv, "
        "DIR/standings/<competition>.json",
    )
    parser.add_argument("--line", default="finish", help="p3 dump: the decoder's timing line")
    parser.add_argument("--timezone", default="UTC", help="timy/lynx/lif dump: the venue's")
    parser.add_argument(
        "--date", type=date.fromisoformat, help="timy/lynx/lif dump: the day it was recorded"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.speed is not None and args.speed <= 0:
        return _fail("--speed must be above 0")
    try:
        zone = ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return _fail(f"unknown time zone {args.timezone!r}")
    if args.date is not None:
        noon = datetime.combine(args.date, time(12), tzinfo=zone)
        args.received_us = (noon - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    else:
        args.received_us = 0
    if args.output and not args.offline:
        return _fail("--output goes with --offline")
    if args.results and not (args.meet and args.offline):
        return _fail("--results goes with --meet and --offline")
    try:
        if args.offline:
            return _offline(args)
        setup_logging()
        return asyncio.run(_online(args))
    except (OSError, CaptureFormatError, ConfigError, MeetError) as exc:
        return _fail(str(exc).replace("\n", "; "))


def _chunks(replayer: Replayer, args: argparse.Namespace) -> Iterator[Chunk]:
    for path in args.paths:
        yield from _file_chunks(replayer, args, path)


def _file_chunks(replayer: Replayer, args: argparse.Namespace, path: Path) -> Iterator[Chunk]:
    if args.protocol:
        dump = DumpSource(
            protocol=args.protocol,
            format=None if args.format == "auto" else args.format,
            line=args.line,
            timezone=args.timezone,
            received_us=args.received_us,
        )
        yield from replayer.dump_chunks(path, dump)
    else:
        yield from replayer.capture_chunks(path)


def _offline(args: argparse.Namespace) -> int:
    outbox = Outbox(":memory:")
    meet = load_meet(args.meet) if args.meet else None
    replayer = Replayer(outbox, Topics("velotime", "replay"), meet)
    output: BinaryIO = args.output.open("wb") if args.output else sys.stdout.buffer
    progress = _Progress()

    def drain() -> None:
        rows = outbox.pending(1 << 30)
        if rows:
            output.write(b"".join(row.payload + b"\n" for row in rows))
            outbox.ack([row.id for row in rows])

    try:
        for path in args.paths:
            chunks = _file_chunks(replayer, args, path)
            # The next file's header may take back events of the previous file (those a killed
            # daemon never published): write them out only once it has been read.
            first = next(chunks, None)
            drain()
            for chunk in itertools.chain([first] if first else [], chunks):
                replayer.feed(chunk)
                progress.update(replayer)
        drain()
    finally:
        if args.output:
            output.close()
        else:
            output.flush()
    progress.done()
    if args.results and replayer.engine is not None:
        _write_results(replayer.engine, args.results)
    _summary(replayer)
    return 0


def _write_results(engine: ScoringEngine, directory: Path) -> None:
    """One file per event that was run, as the results topic carries it: the same capture and
    meet always give the same bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    for publication in engine.snapshot():
        kind, _, name = publication.key.partition("/")
        if kind == "results":
            path = directory / f"{name}.json"
            csv_text = result_csv(publication.payload)
            path.with_suffix(".csv").write_bytes(csv_text.encode("utf-8"))
        elif kind == "standings":
            path = directory / "standings" / f"{name}.json"
        else:
            continue  # "current" is what was on the track, not a result
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(publication.encoded() + b"\n")


async def _online(args: argparse.Namespace) -> int:
    prefix, broker = "velotime", BrokerSettings(host="127.0.0.1")
    if args.config:
        config = load_config(args.config, broker=args.broker)
        prefix, broker = config.mqtt.topic_prefix, broker_settings(config)
    elif args.broker:
        try:
            host, port, tls = parse_mqtt_url(args.broker)
        except ValueError as exc:
            return _fail(f"--broker: {exc}")
        broker = BrokerSettings(host=host, port=port, tls=tls)
    outbox = Outbox(":memory:")
    replayer = Replayer(outbox, Topics(prefix, args.venue or "replay"))
    chunks = _chunks(replayer, args)
    first = next(chunks, None)  # reads the first header, which names the venue
    if not args.venue:
        replayer.topics = Topics(prefix, f"{replayer.venue}-replay")
    online = b'{"online":true,"replay":true}'
    publisher = Publisher(broker, outbox, replayer.topics.daemon_status, lambda: online)
    stop = asyncio.Event()
    progress = _Progress()
    async with asyncio.TaskGroup() as group:
        task = group.create_task(publisher.run(stop))
        started = clock.monotonic()
        first_t = first.t_us if first else 0
        for chunk in itertools.chain([first] if first else [], chunks):
            if args.speed:
                due = started + (chunk.t_us - first_t) / 1e6 / args.speed
                await asyncio.sleep(max(0.0, due - clock.monotonic()))
            else:
                await asyncio.sleep(0)  # let the publisher drain as we go
            replayer.feed(chunk)
            progress.update(replayer)
        while len(outbox) and not task.done():
            await asyncio.sleep(0.05)
        stop.set()
    progress.done()
    _summary(replayer)
    return 0


class _Progress:
    """A one-line progress report on a terminal; silent otherwise."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._last = 0.0

    def update(self, replayer: Replayer) -> None:
        now = clock.monotonic()
        if self.enabled and now - self._last >= _PROGRESS_EVERY_S:
            self._last = now
            stats = replayer.stats
            sys.stderr.write(f"\rreplay: {stats.chunks} chunks, {stats.events} events ")

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _summary(replayer: Replayer) -> None:
    stats = replayer.stats
    problems = len(stats.capture_problems)
    sys.stderr.write(
        f"replayed {stats.files} files: {stats.chunks} chunks, {stats.bytes} bytes, "
        f"{stats.events} events, {stats.frame_errors} frame errors, "
        f"{problems} unreadable capture lines, {stats.bad_hex_lines} bad hex lines, "
        f"{stats.lif_warnings} result file warnings, {stats.commands} commands "
        f"({stats.bad_commands} unreadable)\n"
    )
    for problem in stats.capture_problems:
        sys.stderr.write(f"  line {problem.line_number}: {problem.reason}\n")


def _fail(message: str) -> int:
    sys.stderr.write(f"velotime replay: {message}\n")
    return 2
