"""`velotime sheets`: the result sheets, start lists and competitions' standings, HTML and PDF,
written to a folder from the venue's retained state, as the web scoreboard serves them under
/sheets/."""

import argparse
import asyncio
import dataclasses
import re
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from velotime.cli.options import load_config_or_report, venue_problem
from velotime.mqtt.client import BrokerConnectionError, broker_settings
from velotime.scoreboards.state import ScoreboardState, read_retained
from velotime.times import now_us
from velotime.wire.status import ScoringOnline
from velotime.wire.topics import Topics

if TYPE_CHECKING:
    from velotime.scoreboards.web import Meta

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")  # a meet's event ids (docs/meet-format.md)
# The broker sends every retained message at once on a subscription (as `watch --once`).
QUIET_S = 0.5
TIMEOUT_S = 5.0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "sheets",
        description="Read the venue's retained state from the broker once and write, into "
        "--output, each event's result sheet (<event>.html, .pdf and .csv), each event's start "
        "list (start/<event>.html and .pdf: every event of the meet, a keirin heat once drawn "
        "up), each competition's standings (standings/<competition>.html and .pdf: a sprint "
        "tournament, a keirin, pursuit or team sprint competition, an omnium) and index.html: "
        "what the web scoreboard serves under /sheets/. See docs/scoreboards.md.",
    )
    parser.add_argument("--config", type=Path, required=True, help="the venue's configuration")
    parser.add_argument("--output", type=Path, required=True, help="the folder to write into")
    parser.add_argument(
        "--event",
        action="append",
        metavar="ID",
        help="only this event's sheets (again for more; default: every event)",
    )
    parser.add_argument("--no-pdf", action="store_true", help="HTML (and CSV) only")
    parser.add_argument("--broker", help="MQTT broker URL, overriding the configuration")
    parser.add_argument(
        "--venue", help="the venue id (default: the configuration's; <id>-replay for a replay)"
    )
    parser.add_argument(
        "--meet",
        type=Path,
        help="the meet file, for its name (default: [scoring] meet of the configuration)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT_S,
        help=f"seconds to wait for the retained state at most (default {TIMEOUT_S:g})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_config_or_report(args)
    if config is None:
        return 2
    if problem := venue_problem(args.venue):
        return _fail(problem)
    # Imported here: the web stack loads only for the commands that use it.
    from velotime.scoreboards.web import meta_from

    topics = Topics(config.mqtt.topic_prefix, args.venue or config.venue.id)
    state = ScoreboardState()
    try:
        complete = asyncio.run(
            read_retained(
                broker_settings(config), topics, state, quiet_s=QUIET_S, timeout_s=args.timeout
            )
        )
    except BrokerConnectionError as exc:
        return _fail(str(exc), 1)
    if not complete:
        sys.stderr.write(
            f"velotime sheets: results still arriving after {args.timeout:g} s (--timeout): "
            "the sheets may not have the last of them\n"
        )
    meta = meta_from(config, args.meet or config.scoring.meet)
    if not meta.meet and isinstance(scoring := state.payloads.get("status/scoring"), ScoringOnline):
        meta = dataclasses.replace(meta, meet=scoring.meet)  # as the web scoreboard says
    return write_sheets(state, meta, args.output, events=args.event, pdf=not args.no_pdf)


def write_sheets(
    state: ScoreboardState, meta: "Meta", output: Path, *, events: list[str] | None, pdf: bool
) -> int:
    """Write the sheets of `state` into `output`; the exit status."""
    from velotime.scoreboards.web.pdf import PdfError, sheet_pdf
    from velotime.scoreboards.web.sheets import (
        result_sheet_html,
        sheets_index_html,
        standings_sheet_html,
        start_list_html,
    )
    from velotime.scoring.export import result_csv

    snapshot = state.snapshot()
    # An event id names a file: one that is no meet id (another program's topic) is left out.
    ids = [*snapshot.results, *snapshot.startlists, *snapshot.standings]
    odd = sorted({e for e in ids if not _ID.fullmatch(e)})
    if odd:
        sys.stderr.write(f"velotime sheets: {len(odd)} events with ids no meet has, left out: "
                         f"{', '.join(map(repr, odd[:5]))}\n")  # fmt: skip
    results = {k: v for k, v in snapshot.results.items() if k not in odd}
    start_lists = {k: v for k, v in snapshot.startlists.items() if k not in odd}
    standings = {k: v for k, v in snapshot.standings.items() if k not in odd}
    if events is not None:
        unknown = [e for e in events if e not in {**results, **start_lists, **standings}]
        if unknown:
            return _fail(
                f"--event: no result, start list or standings retained for {', '.join(unknown)}"
            )
        results = {k: v for k, v in results.items() if k in events}
        start_lists = {k: v for k, v in start_lists.items() if k in events}
        standings = {k: v for k, v in standings.items() if k in events}
    generated = now_us()
    result_page = partial(
        result_sheet_html, meet=meta.meet, venue=meta.venue, zone=meta.zone, generated_us=generated
    )
    start_page = partial(
        start_list_html, meet=meta.meet, venue=meta.venue, zone=meta.zone, generated_us=generated
    )
    pages: dict[Path, str] = {}
    csvs: dict[Path, str] = {}
    for event, result in results.items():
        pages[Path(f"{event}.html")] = result_page(result)
        csvs[Path(f"{event}.csv")] = result_csv(result.lines)
    for event, start_list in start_lists.items():
        pages[Path("start", f"{event}.html")] = start_page(start_list)
    for competition, table in standings.items():
        pages[Path("standings", f"{competition}.html")] = standings_sheet_html(
            table,
            results=snapshot.results,
            riders=meta.riders,
            meet=meta.meet,
            venue=meta.venue,
            zone=meta.zone,
            generated_us=generated,
        )
    index = sheets_index_html(
        results,
        start_lists,
        standings=standings,
        meet=meta.meet,
        venue=meta.venue,
        zone=meta.zone,
        generated_us=generated,
    )
    try:
        (output / "start").mkdir(parents=True, exist_ok=True)
        if standings:
            (output / "standings").mkdir(exist_ok=True)
        (output / "index.html").write_text(index, encoding="utf-8")
        for path, html in pages.items():
            (output / path).write_text(html, encoding="utf-8")
        for path, text in csvs.items():
            (output / path).write_text(text, encoding="utf-8", newline="")
        if pdf:
            for path, html in pages.items():
                (output / path.with_suffix(".pdf")).write_bytes(sheet_pdf(html))
    except OSError as exc:
        return _fail(f"{exc.filename or output}: cannot write: {exc.strerror or exc}", 1)
    except PdfError as exc:
        return _fail(f"the HTML sheets are written, no PDF: {exc}", 1)
    what = "HTML and PDF" if pdf else "HTML"
    written = [f"{len(results)} result sheets", f"{len(start_lists)} start lists"]
    if standings:
        written.append(f"{len(standings)} competitions' standings")
    print(f"{output}: {', '.join(written[:-1])} and {written[-1]} ({what}), index.html")
    if not results and not start_lists and not standings:
        sys.stderr.write(
            "velotime sheets: nothing retained: is the scoring service running for this venue?\n"
        )
    return 0


def _fail(message: str, status: int = 2) -> int:
    sys.stderr.write(f"velotime sheets: {message}\n")
    return status
