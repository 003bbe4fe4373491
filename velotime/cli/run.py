"""`velotime run`: the timing daemon."""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from velotime.cli.logs import setup_logging
from velotime.config import ConfigError, load_config
from velotime.daemon.service import run_daemon


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "run",
        help="run the timing daemon",
        description="Read every configured source, record every byte, publish events over "
        "MQTT. Stops cleanly on Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--config", type=Path, required=True, help="the TOML configuration")
    parser.add_argument("--broker", help="MQTT broker URL, overriding the configuration")
    parser.add_argument("--verbose", action="store_true", help="debug logging")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config, broker=args.broker)
    except ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    setup_logging(args.verbose)
    asyncio.run(run_daemon(config))
    return 0
