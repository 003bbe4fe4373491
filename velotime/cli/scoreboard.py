"""`velotime scoreboard`: the web scoreboard on its own (`velotime run` can serve it too)."""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from velotime.cli.logs import setup_logging
from velotime.cli.options import load_config_or_report, venue_problem
from velotime.config import parse_listen
from velotime.stopping import stop_on_signals

if TYPE_CHECKING:
    from velotime.scoreboards.web import WebScoreboard

DEFAULT_LISTEN = "0.0.0.0:8080"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "scoreboard",
        description="Mirror the venue's retained MQTT state (results, standings, what is on the "
        "track) and serve it over HTTP: the scoreboard page (/), a transparent overlay for "
        "OBS/vMix (/overlay), JSON snapshots (/api/...), a Server-Sent Events stream "
        "(/api/events) and printable result sheets (/sheets/). Stops cleanly on Ctrl-C or "
        "SIGTERM. See docs/scoreboards.md.",
    )
    parser.add_argument("--config", type=Path, required=True, help="the venue's configuration")
    parser.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help=f"where to serve (default: [scoreboard] listen of the configuration, else "
        f"{DEFAULT_LISTEN})",
    )
    parser.add_argument("--broker", help="MQTT broker URL, overriding the configuration")
    parser.add_argument(
        "--venue", help="the venue id to show (default: the configuration's; <id>-replay for a "
        "replay)",
    )  # fmt: skip
    parser.add_argument(
        "--meet",
        type=Path,
        help="the meet file, for its name and riders (default: [scoring] meet of the "
        "configuration)",
    )
    parser.add_argument("--verbose", action="store_true", help="debug logging")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_config_or_report(args)
    if config is None:
        return 2
    listen = args.listen or config.scoreboard.listen or DEFAULT_LISTEN
    try:
        address = parse_listen(listen)
    except ValueError as exc:
        sys.stderr.write(f"velotime scoreboard: --listen: {exc}\n")
        return 2
    if problem := venue_problem(args.venue):
        sys.stderr.write(f"velotime scoreboard: {problem}\n")
        return 2
    setup_logging(args.verbose)
    # Imported here: the web stack loads only for the commands that serve it.
    from velotime.scoreboards.web import WebScoreboard

    scoreboard = WebScoreboard.from_config(config, address, venue=args.venue, meet=args.meet)
    try:
        asyncio.run(_serve(scoreboard))
    except OSError as exc:
        sys.stderr.write(f"velotime scoreboard: cannot listen on {listen}: {exc.strerror or exc}\n")
        return 1
    return 0


async def _serve(scoreboard: "WebScoreboard") -> None:
    stop = stop_on_signals()
    await scoreboard.run(stop)
