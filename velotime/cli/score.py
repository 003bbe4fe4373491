"""`velotime score`: the live scoring service on its own (`velotime run` can run it too)."""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from velotime.cli.logs import setup_logging
from velotime.cli.options import load_config_or_report, venue_problem
from velotime.config import Config, ConfigError
from velotime.scoring.meet import MeetError
from velotime.scoring.service import ScoringError, ScoringService
from velotime.stopping import stop_on_signals


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "score",
        description="Subscribe to the venue's timing events (a persistent session: the broker "
        "keeps them while the service is away), score them with the meet file and publish "
        "results/<event> and current, retained. Every event is journaled under "
        "storage.directory, so a restart loses nothing. Stops cleanly on Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--config", type=Path, required=True, help="the venue's configuration")
    parser.add_argument(
        "--meet", type=Path, help="the meet file (default: [scoring] meet of the configuration)"
    )
    parser.add_argument("--broker", help="MQTT broker URL, overriding the configuration")
    parser.add_argument(
        "--venue", help="the venue id to score (default: the configuration's; <id>-replay for a "
        "replay)",
    )  # fmt: skip
    parser.add_argument("--verbose", action="store_true", help="debug logging")
    parser.set_defaults(run=run)


def open_service(
    config: Config, config_path: Path, meet: Path | None, venue: str | None = None
) -> ScoringService | str:
    """The service, its meet read and its journal restored; or what is wrong, in one line.
    `meet` is the --meet option's; without it, the configuration's `scoring.meet`."""
    named_by = "--meet" if meet is not None else f"{config_path}: scoring.meet"
    meet = meet or config.scoring.meet
    if meet is None:
        return "give --meet, or set [scoring] meet in the configuration"
    if problem := venue_problem(venue):
        return problem
    try:
        return ScoringService.open(config, meet, venue=venue, meet_named_by=named_by)
    except (MeetError, ScoringError, ConfigError) as exc:
        return str(exc).replace("\n", "; ") if isinstance(exc, ConfigError) else str(exc)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}cannot open the scoring journal (storage.directory): {exc.strerror or exc}"


def run(args: argparse.Namespace) -> int:
    config = load_config_or_report(args)
    if config is None:
        return 2
    setup_logging(args.verbose)
    service = open_service(config, args.config, args.meet, args.venue)
    if isinstance(service, str):
        sys.stderr.write(f"velotime score: {service}\n")
        return 2
    try:
        asyncio.run(_serve(service))
    except Exception:
        return 1  # the service logged why (and said so in status/scoring)
    finally:
        service.close()
    return 0


async def _serve(service: ScoringService) -> None:
    stop = stop_on_signals()
    await service.run(stop)
