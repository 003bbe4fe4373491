"""Log output of long-running commands: plain lines to stderr (journald adds its own time)."""

import logging
import sys


def setup_logging(verbose: bool = False) -> None:
    timestamps = sys.stderr.isatty()  # under systemd, journald timestamps every line
    fmt = (
        "%(asctime)s %(levelname)s %(name)s: %(message)s"
        if timestamps
        else ("%(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=fmt)
