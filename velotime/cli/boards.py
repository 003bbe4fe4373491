"""`velotime boards`: the configured UNT4 text boards on their own (`velotime run` drives them
too)."""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from velotime.cli.logs import setup_logging
from velotime.config import Config, ConfigError, load_config
from velotime.mqtt.client import BrokerSettings, broker_settings
from velotime.scoreboards.boards import run_boards
from velotime.stopping import stop_on_signals


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "boards",
        description="Show the event on the track (else the latest result) on every [[boards]] "
        "entry of the configuration, from the venue's retained results on MQTT: over TCP or "
        "serial, reconnecting when a board goes away. Stops cleanly on Ctrl-C or SIGTERM, "
        "leaving the boards marked offline.",
    )
    parser.add_argument("--config", type=Path, required=True, help="the venue's configuration")
    parser.add_argument("--broker", help="MQTT broker URL, overriding the configuration")
    parser.add_argument("--verbose", action="store_true", help="debug logging")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config, broker=args.broker)
        config.check_files()  # the password and TLS files: fail now, not later
        broker = broker_settings(config)
    except ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if not config.boards:
        sys.stderr.write(f"velotime boards: {args.config}: no [[boards]] entry to drive\n")
        return 2
    setup_logging(args.verbose)
    asyncio.run(_serve(config, broker))
    return 0


async def _serve(config: Config, broker: BrokerSettings) -> None:
    stop = stop_on_signals()
    await run_boards(config, stop, broker=broker)
