"""`velotime run`: the timing daemon."""

import argparse
import asyncio
import functools
import sys
from pathlib import Path
from typing import Any

from velotime.cli.logs import setup_logging
from velotime.cli.options import load_config_or_report
from velotime.cli.score import open_service
from velotime.config import Config
from velotime.daemon.service import Companion, StartupError, run_daemon


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "run",
        description="Read every configured source, record every byte, publish events over "
        "MQTT; with [scoring] meet in the configuration, score them too (as velotime score); "
        "with [scoreboard] listen, serve the web scoreboard (as velotime scoreboard); with "
        "[[boards]], drive the UNT4 text boards (as velotime boards). "
        "Stops cleanly on Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--config", type=Path, required=True, help="the TOML configuration")
    parser.add_argument("--broker", help="MQTT broker URL, overriding the configuration")
    parser.add_argument("--verbose", action="store_true", help="debug logging")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_config_or_report(args)
    if config is None:
        return 2
    setup_logging(args.verbose)
    companions = _scoreboard(config) + _boards(config)
    if config.scoring.meet is None:
        return _run_daemon(config, *companions)
    # The meet is read and checked, and the journal restored, before anything runs.
    scoring = open_service(config, args.config, None)
    if isinstance(scoring, str):
        sys.stderr.write(f"velotime run: [scoring]: {scoring}\n")
        return 2
    try:
        return _run_daemon(config, scoring.run, *companions)
    finally:
        scoring.close()


def _run_daemon(config: Config, *companions: Companion) -> int:
    try:
        asyncio.run(run_daemon(config, *companions))
    except StartupError as exc:
        sys.stderr.writelines(f"velotime run: {problem}\n" for problem in str(exc).splitlines())
        return 2
    return 0


def _scoreboard(config: Config) -> list[Companion]:
    """The web scoreboard, when [scoreboard] listen is set: in the same event loop, and like the
    scoring service, a failure of its own (a port in use) is logged and the timing goes on."""
    address = config.scoreboard.address
    if address is None:
        return []
    from velotime.scoreboards.web import WebScoreboard

    return [WebScoreboard.from_config(config, address).run]


def _boards(config: Config) -> list[Companion]:
    """The UNT4 text boards of [[boards]], in the same event loop: a failure there is logged and
    the timing goes on."""
    if not config.boards:
        return []
    from velotime.scoreboards.boards import run_boards

    return [functools.partial(run_boards, config)]
