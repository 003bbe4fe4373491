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
import sys
import time as clock
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from velotime.capture.info import LocalClock, load_zone
from velotime.capture.reader import CaptureFormatError
from velotime.cli.capture import table
from velotime.cli.logs import setup_logging
from velotime.config import ConfigError, load_config, parse_mqtt_url
from velotime.families import families
from velotime.mqtt.client import BrokerSettings, broker_settings
from velotime.replay import (
    Chunk,
    DumpSource,
    RangeError,
    Replayer,
    ReplayReport,
    Timeline,
    run_offline,
    run_online,
)
from velotime.scoring.meet import MeetError, load_meet
from velotime.wire.results import EventResult, OmniumStandings, ResultLine, Standings

_PROGRESS_EVERY_S = 0.2
_LIF_SUFFIX = ".lif"
_LISTED = 10  # unreadable lines or skipped commands listed in the summary, at most
_KIND_ORDER = ("passing", "impulse", "photofinish", "gap", "command")
_COMMAND_ORDER = (
    *("arm", "next_rider", "start", "abandon", "status", "correct", "confirm", "provisional"),
    "final",
)


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
        choices=[f.name for f in families() if f.dump_description or f.read_file],
        help="the paths are device dumps of this protocol, not captures",
    )
    parser.add_argument("--format", choices=("auto", "raw", "hex"), default="auto")
    parser.add_argument("--meet", type=Path, help="score the session with this meet file")
    parser.add_argument(
        "--results",
        type=Path,
        help="with --meet and --offline: write DIR/<event>.json and .csv, "
        "DIR/standings/<competition>.json and, if the scoring refused any command, "
        "DIR/refused-commands.jsonl (each, and why)",
    )
    parser.add_argument(
        "--line",
        default="finish",
        help="p3 or protime dump: the decoder's (STA loop's) timing line",
    )
    parser.add_argument(
        "--timezone",
        help="the venue's time zone, for --from, --to and the summary, and for "
        "timy/lynx/lif/protime dumps (default: the capture's, else UTC)",
    )
    parser.add_argument(
        "--date",
        type=date.fromisoformat,
        help="timy/lynx/lif/protime dump: the day it was recorded",
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
    if not args.protocol and all(path.suffix.lower() == _LIF_SUFFIX for path in args.paths):
        args.protocol = "lif"  # FinishLynx result files: no capture is named .lif
    if args.protocol and (args.from_ or args.to):
        return _fail("--from and --to take capture files: a dump has no receive times")
    try:
        timeline = Timeline(args.timezone, args.from_, args.to)
    except ValueError as exc:
        return _fail(str(exc))
    report: ReplayReport | None
    try:
        if args.offline:
            report = _offline(args, timeline)
        else:
            setup_logging()
            report = asyncio.run(_online(args, timeline))
    except _ERRORS as exc:
        return _fail(str(exc).replace("\n", "; "))
    except ExceptionGroup as group:  # from the task group of an online replay
        matched, _ = group.split(_ERRORS)
        if matched is None:
            raise
        return _fail(str(_first_leaf(matched)).replace("\n", "; "))
    if report is None:
        return 2
    if not args.quiet:
        sys.stderr.write("".join(line + "\n" for line in summary_lines(report)))
    stats = report.stats
    if stats.events == 0 and stats.held_back == 0 and not report.taken_back:
        sys.stderr.write("velotime replay: nothing replayed: the files gave no events\n")
    if args.results is not None and not any(
        isinstance(publication.message, EventResult) for publication in report.results
    ):
        return _fail(f"no event was scored: no result files written to {args.results}", 1)
    return 0


_ERRORS = (OSError, CaptureFormatError, ConfigError, MeetError, RangeError)


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first


def _dump(args: argparse.Namespace) -> DumpSource | None:
    """How to read the paths where they are device dumps (--protocol), not captures."""
    if not args.protocol:
        return None
    return DumpSource(
        protocol=args.protocol,
        format=None if args.format == "auto" else args.format,
        line=args.line,
        timezone=args.timezone or "UTC",
        received_us=args.received_us,
    )


def _offline(args: argparse.Namespace, timeline: Timeline) -> ReplayReport:
    meet = load_meet(args.meet, "--meet") if args.meet else None
    output: BinaryIO = args.output.open("wb") if args.output else sys.stdout.buffer
    progress = _Progress(args, timeline)
    try:
        return run_offline(
            args.paths,
            output,
            meet=meet,
            results=args.results,
            dump=_dump(args),
            timeline=timeline,
            progress=progress.update,
        )
    finally:
        progress.done()
        if args.output:
            output.close()
        else:
            output.flush()


async def _online(args: argparse.Namespace, timeline: Timeline) -> ReplayReport | None:
    prefix, broker = "velotime", BrokerSettings(host="127.0.0.1")
    if args.config:
        config = load_config(args.config, broker=args.broker)
        config.check_files()  # the password and TLS files: one line now, not retries
        prefix, broker = config.mqtt.topic_prefix, broker_settings(config)
    elif args.broker:
        try:
            host, port, tls = parse_mqtt_url(args.broker)
        except ValueError as exc:
            _fail(f"--broker: {exc}")
            return None
        broker = BrokerSettings(host=host, port=port, tls=tls)
    meet = load_meet(args.meet, "--meet") if args.meet else None
    progress = _Progress(args, timeline)
    try:
        return await run_online(
            args.paths,
            broker,
            prefix,
            venue=args.venue,
            meet=meet,
            dump=_dump(args),
            timeline=timeline,
            speed=args.speed,
            progress=progress.update,
        )
    finally:
        progress.done()


class _Progress:
    """One live line on a terminal: how much of the capture files is read, the venue's time of
    day reached, chunks and events, and with --speed the pace kept. Nothing when stderr is not
    a terminal (a log, a pipe), nor with --quiet."""

    def __init__(self, args: argparse.Namespace, timeline: Timeline) -> None:
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
        paced: tuple[float, int] | None,
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


def summary_lines(report: ReplayReport) -> list[str]:
    """The summary an official reads after a replay (stderr)."""
    stats, timeline = report.stats, report.timeline
    problems = len(stats.capture_problems)
    out = [
        f"replayed {len(stats.files)} files: {stats.chunks} chunks, {stats.bytes} bytes, "
        f"{stats.events} events, {stats.frame_errors} frame errors, "
        f"{problems} unreadable capture lines, {stats.bad_hex_lines} bad hex lines, "
        f"{stats.file_warnings} result file warnings, {stats.commands} commands "
        f"({stats.bad_commands} unreadable)"
    ]
    captures = not report.dumps
    clock_ = timeline.ensure_clock(stats)
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
        out += _listed(
            f"{path} line {problem.line_number}: {problem.reason}"
            for path, problem in stats.capture_problems
        )
    if report.taken_back:
        out.append(
            f"  not output: {report.taken_back} events of a capture that the next one's header "
            "takes back (the live daemon never published them)"
        )
    if stats.file_scoring:
        out.append("  result files scored without a capture (each arms the event its heat names):")
        out += [f"    {line}" for line in stats.file_scoring]
    if report.meet_id is not None:
        out += _results_lines(report)
    return out


def _range_lines(timeline: Timeline, clock_: LocalClock, events: int, held: int) -> list[str]:
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


def _results_lines(report: ReplayReport) -> list[str]:
    """Each event run: its status, its lines and who leads (or won); each competition's."""
    rows = []
    for publication in report.results:
        name = publication.key.partition("/")[2]
        message = publication.message
        if isinstance(message, EventResult):
            lines = message.lines
            rows.append([name, message.status, f"{len(lines)} lines", _leader(lines)])
        elif isinstance(message, Standings):
            rows.append([name, message.status, "standings", _leader(message.classification)])
        elif isinstance(message, OmniumStandings):
            rows.append([name, message.status, "omnium standings", _omnium_leader(message)])
    scope = " as they stood at --to" if report.timeline.stopped else ""
    out = [f"  results (meet {report.meet_id}){scope}:"]
    out += table(rows, indent="    ") if rows else ["    no event was armed"]
    if report.duplicates:
        out.append(f"  events the scoring had already (the same id), dropped: {report.duplicates}")
    unused = report.skipped_timing
    if unused:
        out.append(f"  timing the scoring did not use: {len(unused)}")
        out += _listed(unused)
    skipped = report.skipped_commands
    if skipped:
        out.append(f"  commands the scoring refused (nothing applied): {len(skipped)}")
        out += _listed(skipped)
    return out


def _listed(reasons: Iterable[str]) -> list[str]:
    """The first _LISTED reasons, one a line, then how many more there are."""
    lines = [f"    {reason}" for reason in reasons]
    if len(lines) > _LISTED:
        lines[_LISTED:] = [f"    ... and {len(lines) - _LISTED} more"]
    return lines


def _leader(lines: list[ResultLine]) -> str:
    ranked = [line for line in lines if line.rank is not None]
    if not ranked:
        return "no one ranked yet"
    top = ranked[0]
    text = f"{top.rank}. {top.bib} {top.name}".rstrip()
    return f"{text} {top.time}" if top.time else text


def _omnium_leader(standings: OmniumStandings) -> str:
    top = next((line for line in standings.lines if line.rank is not None), None)
    if top is None or not any(race.counted for race in standings.races):
        return "no race counted yet"
    return f"{top.rank}. {top.bib} {top.name}".rstrip() + f" {top.total} points"


def _fail(message: str, status: int = 2) -> int:
    sys.stderr.write(f"velotime replay: {message}\n")
    return status
