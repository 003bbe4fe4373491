"""The `velotime` command."""

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from velotime import __version__
from velotime.cli import (
    boards,
    capture,
    check_config,
    ctl,
    decode,
    demo,
    import_lif,
    replay,
    run,
    score,
    scoreboard,
    simulate,
    watch,
)


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 2 with one line, like every other velotime error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="velotime", description=__doc__)
    parser.add_argument("--version", action="version", version=f"velotime {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    boards.register(commands)
    capture.register(commands)
    check_config.register(commands)
    ctl.register(commands)
    decode.register(commands)
    demo.register(commands)
    import_lif.register(commands)
    run.register(commands)
    replay.register(commands)
    score.register(commands)
    scoreboard.register(commands)
    simulate.register(commands)
    watch.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); not an error of ours.
        sys.stderr.close()
        return 0
    return status
