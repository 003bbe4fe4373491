"""What several commands check the same way: `--config` (with `--broker`) and `--venue`."""

import argparse
import re
import sys

from velotime.config import Config, ConfigError, load_config

_TOPIC_SAFE = re.compile(r"[a-z0-9_-]+")  # as velotime.config checks the venue id


def load_config_or_report(args: argparse.Namespace) -> Config | None:
    """The configuration of `--config`, `--broker` overriding its broker; None once what is
    wrong with it (or with the files it names for the broker) has been written to stderr (the
    command then exits 2)."""
    try:
        config = load_config(args.config, broker=args.broker)
        config.check_files()  # a missing secret is said now, not at the first connect
        return config
    except ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return None


def venue_problem(venue: str | None) -> str | None:
    """What is wrong with a `--venue` (it names MQTT topics), in one line; None if nothing."""
    if venue is None or _TOPIC_SAFE.fullmatch(venue):
        return None
    return f"--venue: lowercase letters, digits, '-' and '_' only, got {venue!r}"
