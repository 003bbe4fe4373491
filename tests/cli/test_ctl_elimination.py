"""`velotime ctl` for an elimination race's commissaires: `eliminate` and `green-flag` make the
commands the engine reads, and a sprint number below 1 is refused at the desk with one line."""

import argparse

import pytest

from tests.cli.helpers import velotime_main
from velotime.cli import ctl
from velotime.localvenue import free_port
from velotime.wire.commands import Command, Eliminate, GreenFlag


def parsed(*args: str) -> Command:
    parser = argparse.ArgumentParser()
    ctl.register(parser.add_subparsers())
    args_ = parser.parse_args(["ctl", "--broker", "mqtt://x", "--venue", "v", *args])
    return ctl.command_of(args_, "desk-1")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["eliminate", "e", "5", "8"], Eliminate(id="desk-1", event="e", sprint=5, bib=8)),
        (["eliminate", "e", "6", "3", "--reason", "blue band"],
         Eliminate(id="desk-1", event="e", sprint=6, bib=3, reason="blue band")),
        (["green-flag", "e", "2", "--reason", "late"],
         GreenFlag(id="desk-1", event="e", sprint=2, reason="late")),
    ],
)  # fmt: skip
def test_each_elimination_subcommand_makes_its_command(args: list[str], expected: Command) -> None:
    assert parsed(*args) == expected


def test_a_sprint_number_below_1_is_refused_at_the_desk() -> None:
    nobody = f"mqtt://127.0.0.1:{free_port()}"  # refused before any connection is tried
    for args in (["eliminate", "e", "0", "8"], ["green-flag", "e", "0"]):
        result = velotime_main("ctl", "--broker", nobody, "--venue", "v", *args)
        assert result.returncode == 2
        assert "a sprint number is 1 or more" in result.stderr
        assert len(result.stderr.splitlines()) == 1
