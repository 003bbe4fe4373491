"""The `velotime` command."""

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from velotime import __version__

# Each command's one-line help, in the order `--help` lists them. A command's module (its name
# with `_` for `-`, under velotime.cli) is imported only when that command runs: importing all
# of them costs several times what `velotime --help` should take.
COMMANDS: dict[str, str] = {
    "boards": "drive the configured UNT4 text boards from the retained MQTT state",
    "capture": "look inside capture files",
    "check-config": "validate a configuration file and print a summary",
    "ctl": "send an operator command to the scoring engine",
    "decode": "decode a recorded device dump to JSON lines",
    "demo": "run a whole session on simulated hardware and print the results",
    "import-lif": "import FinishLynx result files (.lif) as photo-finish events",
    "meet": "the meet's riders from and to CSV; start lists for the photo-finish camera",
    "run": "run the timing daemon",
    "replay": "replay capture logs (or device dumps) through the pipeline",
    "score": "score a meet live: timing events from MQTT in, retained results out",
    "scoreboard": "serve the web scoreboard, overlay and result sheets from the retained results",
    "sheets": "write the result sheets and start lists (HTML and PDF) from the retained state",
    "simulate": "run a simulated timing device",
    "watch": "the live results in a terminal",
}


# What `velotime --help` says velotime is, before the list of commands.
DESCRIPTION = (
    "velotime is the timing daemon a velodrome runs on race day: it reads P3 transponder "
    "decoders, ALGE Timy timers and FinishLynx cameras, publishes lap, impulse and finish events "
    "over MQTT, and scores UCI track events from them."
)


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 2 with one line, like every other velotime error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class _WithHelp:
    """What a command module's `register` adds its parser to: the subcommands, with the
    command's one-line help from `COMMANDS`."""

    def __init__(self, commands: Any) -> None:
        self._commands = commands

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self._commands.add_parser(
            name, help=COMMANDS[name], **kwargs
        )
        return parser


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command's name and help, with the arguments of `command` only (the
    one the command line names): the others' modules stay unimported."""
    parser = _Parser(prog="velotime", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"velotime {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, summary in COMMANDS.items():
        if name == command:
            module = importlib.import_module(f"velotime.cli.{name.replace('-', '_')}")
            module.register(_WithHelp(commands))
        else:
            commands.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else list(argv)
    # The options before a command take no value, so the first other word names the command.
    command = next((arg for arg in args_list if not arg.startswith("-")), None)
    args = build_parser(command).parse_args(args_list)
    try:
        status: int = args.run(args)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); not an error of ours.
        sys.stderr.close()
        return 0
    return status
