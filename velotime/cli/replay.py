"""`velotime replay`: recorded bytes through the same pipeline, offline or to a broker.

On a terminal it shows its progress on one line; at the end it writes a summary to stderr
(`--quiet`: none): the files, each source's chunks, events and errors, the operator's commands,
the events by kind, unreadable capture lines and, with a meet, each event's result.

`--from`/`--to` replay part of a session by the venue's time of day. Everything before `--from`
still goes through the sessions (P3 clock offsets, a Timy's date...) and the scoring engine, so
that what is output is exactly what the full replay outputs in that range, with the same ids and
`seq`, and the results are scored on the whole session up to `--to`.
"""

import argparse
import asyncio
import itertools
import sys
import time as clock
from collections.abc import Generator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from velotime.capture.info import (
    LocalClock,
    load_zone,
    parse_time_of_day,
    session_instant,
    venue_timezone,
)
from velotime.capture.reader import CaptureFormatError
from velotime.cli.capture import table
from velotime.cli.logs import setup_logging
from velotime.config import ConfigError, load_config, parse_mqtt_url
from velotime.daemon.outbox import Outbox
from velotime.daemon.payloads import REPLAY_ONLINE
from velotime.daemon.publisher import BrokerSettings, Publisher
from velotime.daemon.replay import Chunk, DumpSource, Replayer
from velotime.daemon.service import broker_settings
from velotime.daemon.topics import Topics
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.export import result_csv
from velotime.scoring.meet import MeetError, load_meet

_PROGRESS_EVERY_S = 0.2
_LISTED = 10  # unreadable lines or skipped commands listed in the summary, at most
PROTOCOLS = ("p3", "timy", "lynx", "lif")
_KIND_ORDER = ("passing", "impulse", "photofinish", "command")
_COMMAND_ORDER = (
    *("arm", "next_rider", "start", "abandon", "status", "correct", "provisional", "final"),
)


class RangeError(ValueError):
    """--from and --to do not make a range of the session."""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "replay",
        description="Replay capture files (in the order given) through the same parsers as "
        "the live daemon. With --offline, write the events as JSON Lines; otherwise publish "
        "them under a venue id of their own (default <venue>-replay), never the live one. "
        "A summary goes to stderr at the end.",
    )
    parser.add_argument("paths", type=Path, nargs="+", metavar="CAPTURE")
    parser.add_argument("--offline", action="store_true", help="no broker: write JSON Lines")
    parser.add_argument("--output", type=Path, help="with --offline: file (default stdout)")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--fast", action="store_true", help="as fast as possible (the default)")
    pace.add_argument("--speed", type=float, help="pace by receive times: 1 = real time")
    parser.add_argument(
        "--from",
        dest="from_",
        metavar="HH:MM[:SS]",
        help="output only what was received from this time of day on (the venue's); what "
        "came before still goes to the sessions and the scoring",
    )
    parser.add_argument(
        "--to", metavar="HH:MM[:SS]", help="stop at this time of day (the venue's), excluded"
    )
    parser.add_argument("--quiet", action="store_true", help="no summary, no progress line")
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
    parser.add_argument(
        "--timezone",
        help="the venue's time zone, for --from, --to and the summary, and for timy/lynx/lif "
        "dumps (default: the capture's, else UTC)",
    )
    parser.add_argument(
        "--date", type=date.fromisoformat, help="timy/lynx/lif dump: the day it was recorded"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.speed is not None and args.speed <= 0:
        return _fail("--speed must be above 0")
    try:
        zone = load_zone(args.timezone or "UTC")
    except ValueError as exc:
        return _fail(str(exc))
    if args.date is not None:
        noon = datetime.combine(args.date, time(12), tzinfo=zone)
        args.received_us = (noon - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    else:
        args.received_us = 0
    if args.output and not args.offline:
        return _fail("--output goes with --offline")
    if args.results and not (args.meet and args.offline):
        return _fail("--results goes with --meet and --offline")
    if args.protocol and (args.from_ or args.to):
        return _fail("--from and --to take capture files: a dump has no receive times")
    try:
        timeline = _Timeline(args)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        if args.offline:
            return _offline(args, timeline)
        setup_logging()
        return asyncio.run(_online(args, timeline))
    except _ERRORS as exc:
        return _fail(str(exc).replace("\n", "; "))
    except ExceptionGroup as group:  # from the task group of an online replay
        matched, _ = group.split(_ERRORS)
        if matched is None:
            raise
        return _fail(str(_first_leaf(matched)).replace("\n", "; "))


_ERRORS = (OSError, CaptureFormatError, ConfigError, MeetError, RangeError)


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first


class _Timeline:
    """The venue's clock for a replay: its time zone (--timezone, else the first capture
    header's, else UTC) and the --from/--to range, resolved at the session's first chunk."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.timezone: str | None = args.timezone
        self.from_tod = self._parse("--from", args.from_)
        self.to_tod = self._parse("--to", args.to)
        self.clock: LocalClock | None = None
        self.from_us: int | None = None
        self.to_us: int | None = None
        self.stopped = False  # a chunk at or after --to was reached

    @staticmethod
    def _parse(option: str, text: str | None) -> int | None:
        if text is None:
            return None
        try:
            return parse_time_of_day(text)
        except ValueError as exc:
            raise ValueError(f"{option}: {exc}") from None

    @property
    def ranged(self) -> bool:
        return self.from_tod is not None or self.to_tod is not None

    def admit(self, replayer: Replayer, chunk: Chunk) -> bool | None:
        """Whether to output what `chunk` makes: True; False before --from (the sessions and
        the scoring still get it); None at --to: stop there."""
        if self.clock is None:
            self._start(replayer, chunk.t_us)
        if self.to_us is not None and chunk.t_us >= self.to_us:
            self.stopped = True
            return None
        return self.from_us is None or chunk.t_us >= self.from_us

    def ensure_clock(self, replayer: Replayer) -> LocalClock:
        """The clock, also for a replay that read no chunk (for the summary)."""
        if self.clock is None:
            header = replayer.stats.files[0].header if replayer.stats.files else None
            self.clock = self._clock(replayer, (header.started_us if header else None) or 0)
        return self.clock

    def _clock(self, replayer: Replayer, reference_us: int) -> LocalClock:
        header = replayer.stats.files[0].header if replayer.stats.files else None
        name = self.timezone or (venue_timezone(header) if header else None) or "UTC"
        return LocalClock(load_zone(name), name, reference_us)

    def _start(self, replayer: Replayer, first_us: int) -> None:
        self.clock = clock_ = self._clock(replayer, first_us)
        zone = clock_.zone
        if self.from_tod is not None:
            self.from_us = session_instant(self.from_tod, first_us, zone)
        if self.to_tod is not None:
            self.to_us = session_instant(self.to_tod, first_us, zone)
        if self.from_us is not None and self.to_us is not None and self.from_us >= self.to_us:
            raise RangeError(
                f"--from {clock_.date_time(self.from_us)} is not before "
                f"--to {clock_.date_time(self.to_us)}: the capture begins "
                f"{clock_.date_time(first_us)} {clock_.zone_name}, and a time of day is taken "
                "from 6 hours before that to 18 hours after"
            )


def _chunks(replayer: Replayer, args: argparse.Namespace) -> Generator[Chunk, None, None]:
    for path in args.paths:
        yield from _file_chunks(replayer, args, path)


def _file_chunks(
    replayer: Replayer, args: argparse.Namespace, path: Path
) -> Generator[Chunk, None, None]:
    if args.protocol:
        dump = DumpSource(
            protocol=args.protocol,
            format=None if args.format == "auto" else args.format,
            line=args.line,
            timezone=args.timezone or "UTC",
            received_us=args.received_us,
        )
        yield from replayer.dump_chunks(path, dump)
    else:
        yield from replayer.capture_chunks(path)


def _offline(args: argparse.Namespace, timeline: _Timeline) -> int:
    outbox = Outbox(":memory:")
    meet = load_meet(args.meet) if args.meet else None
    replayer = Replayer(outbox, Topics("velotime", "replay"), meet)
    output: BinaryIO = args.output.open("wb") if args.output else sys.stdout.buffer
    progress = _Progress(args, timeline)

    def drain() -> None:
        rows = outbox.pending(1 << 30)
        if rows:
            output.write(b"".join(row.payload + b"\n" for row in rows))
            outbox.ack([row.id for row in rows])

    try:
        for index, path in enumerate(args.paths):
            chunks = _file_chunks(replayer, args, path)
            try:
                # The next file's header may take back events of the previous file (those a
                # killed daemon never published): write them out only once it has been read.
                first = next(chunks, None)
                drain()
                for chunk in itertools.chain([first] if first else [], chunks):
                    admitted = timeline.admit(replayer, chunk)
                    if admitted is None:
                        break
                    replayer.feed(chunk, output=admitted)
                    progress.update(replayer, chunk, admitted)
            finally:
                chunks.close()
            if timeline.stopped:
                if not args.protocol and index + 1 < len(args.paths):
                    replayer.take_back(args.paths[index + 1])
                break
        drain()
    finally:
        progress.done()
        if args.output:
            output.close()
        else:
            output.flush()
    if args.results and replayer.engine is not None:
        _write_results(replayer.engine, args.results)
    _summary(replayer, timeline, args)
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


async def _online(args: argparse.Namespace, timeline: _Timeline) -> int:
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
    meet = load_meet(args.meet) if args.meet else None
    replayer = Replayer(outbox, Topics(prefix, args.venue or "replay"), meet)
    chunks = _chunks(replayer, args)
    first = next(chunks, None)  # reads the first header, which names the venue
    if first is not None:
        timeline.admit(replayer, first)  # a range that is none fails here, before publishing
    if not args.venue:
        replayer.topics = Topics(prefix, f"{replayer.venue}-replay")
    publisher = Publisher(broker, outbox, replayer.topics.daemon_status, lambda: REPLAY_ONLINE)
    stop = asyncio.Event()
    progress = _Progress(args, timeline)
    try:
        async with asyncio.TaskGroup() as group:
            task = group.create_task(publisher.run(stop))
            paced: tuple[float, int] | None = None  # (monotonic, t_us) of the first output
            try:
                for chunk in itertools.chain([first] if first else [], chunks):
                    admitted = timeline.admit(replayer, chunk)
                    if admitted is None:
                        break
                    if admitted and args.speed:  # what comes before --from is not waited for
                        if paced is None:
                            paced = (clock.monotonic(), chunk.t_us)
                        due = paced[0] + (chunk.t_us - paced[1]) / 1e6 / args.speed
                        await asyncio.sleep(max(0.0, due - clock.monotonic()))
                    else:
                        await asyncio.sleep(0)  # let the publisher drain as we go
                    replayer.feed(chunk, output=admitted)
                    progress.update(replayer, chunk, admitted, paced)
            finally:
                chunks.close()
            while len(outbox) and not task.done():
                await asyncio.sleep(0.05)
            stop.set()
    finally:
        progress.done()
    _summary(replayer, timeline, args)
    return 0


class _Progress:
    """One live line on a terminal: how much of the capture files is read, the venue's time of
    day reached, chunks and events, and with --speed the pace kept. Nothing when stderr is not
    a terminal (a log, a pipe), nor with --quiet."""

    def __init__(self, args: argparse.Namespace, timeline: _Timeline) -> None:
        self.enabled = sys.stderr.isatty() and not args.quiet
        self.timeline = timeline
        self.captures = not args.protocol
        self.speed: float | None = args.speed if not args.offline else None
        self.total: int | None = None
        if self.enabled and self.captures:
            try:
                self.total = sum(path.stat().st_size for path in args.paths)
            except OSError:
                self.total = None
        self._last = 0.0
        self._shown = False

    def update(
        self,
        replayer: Replayer,
        chunk: Chunk,
        admitted: bool,
        paced: tuple[float, int] | None = None,
    ) -> None:
        now = clock.monotonic()
        if not self.enabled or now - self._last < _PROGRESS_EVERY_S:
            return
        self._last = now
        stats = replayer.stats
        parts = ["replay"]
        if self.total:
            parts.append(f"{min(100, 100 * replayer.bytes_read // self.total):3d}%")
        if self.captures and self.timeline.clock is not None:
            parts.append(self.timeline.clock.time(chunk.t_us))
        parts += [f"{stats.chunks} chunks", f"{stats.events} events"]
        if not admitted:
            parts.append("(before --from: not output)")
        if self.speed and paced is not None and now > paced[0]:
            pace = (chunk.t_us - paced[1]) / 1e6 / (now - paced[0])
            parts.append(f"pace {pace:.1f}x of {self.speed:g}x")
        sys.stderr.write("\r" + "  ".join(parts) + "\x1b[K")
        sys.stderr.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _summary(replayer: Replayer, timeline: _Timeline, args: argparse.Namespace) -> None:
    if args.quiet:
        return
    sys.stderr.write("".join(line + "\n" for line in summary_lines(replayer, timeline, args)))


def summary_lines(replayer: Replayer, timeline: _Timeline, args: argparse.Namespace) -> list[str]:
    """The summary an official reads after a replay (stderr)."""
    stats = replayer.stats
    problems = len(stats.capture_problems)
    out = [
        f"replayed {len(stats.files)} files: {stats.chunks} chunks, {stats.bytes} bytes, "
        f"{stats.events} events, {stats.frame_errors} frame errors, "
        f"{problems} unreadable capture lines, {stats.bad_hex_lines} bad hex lines, "
        f"{stats.lif_warnings} result file warnings, {stats.commands} commands "
        f"({stats.bad_commands} unreadable)"
    ]
    captures = not args.protocol
    clock_ = timeline.ensure_clock(replayer)
    for replayed in stats.files:
        header = replayed.header
        if header is None:
            what = "result file" if replayed.protocol == "lif" else "dump"
            out.append(f"  file {replayed.path}: {replayed.protocol} {what}")
        else:
            started = (
                f"started {clock_.date_time(header.started_us)} {clock_.zone_name}"
                if header.started_us is not None
                else "start not recorded"
            )
            out.append(f"  file {replayed.path}: venue {header.venue}, {started}")
    if captures and stats.first_us is not None:
        out.append(
            f"  read {clock_.date_time(stats.first_us)} to {clock_.time(stats.last_us)} "
            f"({clock_.zone_name})"
        )
    if timeline.ranged:
        out += _range_lines(timeline, clock_, stats.events, stats.held_back)
    if stats.sources:
        rows = [["source", "protocol", "chunks", "bytes", "events", "errors"]]
        if captures:
            rows[0] += ["first", "last"]
        for name, source in stats.sources.items():
            row = [name, source.protocol, *map(str, (source.chunks, source.bytes))]
            row += [str(source.events), str(source.errors)]
            if captures:
                row += [clock_.time(source.first_us), clock_.time(source.last_us)]
            rows.append(row)
        out += table(rows, numeric={2, 3, 4, 5}, indent="  ")
    if stats.kinds:
        kinds = sorted(stats.kinds.items(), key=lambda item: _rank(_KIND_ORDER, item[0]))
        out.append("  events: " + ", ".join(f"{n} {kind}" for kind, n in kinds))
    if stats.command_types:
        types = stats.command_types.items()
        ordered = sorted(types, key=lambda item: _rank(_COMMAND_ORDER, item[0]))
        out.append("  commands by type: " + ", ".join(f"{n} {kind}" for kind, n in ordered))
    if stats.capture_problems:
        out.append("  unreadable capture lines:")
        out += [
            f"    {path} line {problem.line_number}: {problem.reason}"
            for path, problem in stats.capture_problems[:_LISTED]
        ]
        if problems > _LISTED:
            out.append(f"    ... and {problems - _LISTED} more")
    if replayer.engine is not None and replayer.meet is not None:
        out += _results_lines(replayer.engine, replayer.meet.meet.id, timeline)
    return out


def _range_lines(timeline: _Timeline, clock_: LocalClock, events: int, held: int) -> list[str]:
    """What part of the session was output, and what went before it."""
    start = clock_.time(timeline.from_us) if timeline.from_tod is not None else "the start"
    end = clock_.time(timeline.to_us) if timeline.to_tod is not None else "the end"
    text = f"  range {start} to {end} ({clock_.zone_name}): {events} events output"
    if timeline.to_tod is not None and not timeline.stopped:
        text += f"; the capture ends before {end}"
    out = [text]
    if timeline.from_tod is not None:
        out.append(f"  before {start}: {held} events, to the sessions and the scoring only")
    return out


def _rank(order: tuple[str, ...], kind: str) -> int:
    return order.index(kind) if kind in order else len(order)


def _results_lines(engine: ScoringEngine, meet_id: str, timeline: _Timeline) -> list[str]:
    """Each event run: its status, its lines and who leads (or won); each competition's."""
    rows = []
    for publication in engine.snapshot():
        kind, _, name = publication.key.partition("/")
        payload = publication.payload
        if kind == "results":
            lines = payload.get("lines", [])
            rows.append([name, payload["status"], f"{len(lines)} lines", _leader(lines)])
        elif kind == "standings":
            lines = payload.get("classification", [])
            rows.append([name, payload["status"], "standings", _leader(lines)])
    scope = " as they stood at --to" if timeline.stopped else ""
    out = [f"  results (meet {meet_id}){scope}:"]
    out += table(rows, indent="    ") if rows else ["    no event was armed"]
    skipped = engine.skipped_commands
    if skipped:
        out.append(f"  commands the scoring skipped: {len(skipped)}")
        out += [f"    {reason}" for reason in skipped[:_LISTED]]
        if len(skipped) > _LISTED:
            out.append(f"    ... and {len(skipped) - _LISTED} more")
    return out


def _leader(lines: list[dict[str, Any]]) -> str:
    ranked = [line for line in lines if line.get("rank") is not None]
    if not ranked:
        return "no one ranked yet"
    top = ranked[0]
    text = f"{top['rank']}. {top['bib']} {top.get('name', '')}".rstrip()
    return f"{text} {top['time']}" if top.get("time") else text


def _fail(message: str) -> int:
    sys.stderr.write(f"velotime replay: {message}\n")
    return 2
