"""`velotime ctl` for a bunch race's lap board: each subcommand makes the command the engine
reads, and a mistyped one is refused at the desk with one line."""

import argparse

import pytest

from tests.cli.helpers import velotime_main
from velotime.cli import ctl
from velotime.localvenue import free_port
from velotime.wire.commands import Command, LapChangeDecision, Neutralise, SetLaps


def parsed(*args: str) -> Command:
    parser = argparse.ArgumentParser()
    ctl.register(parser.add_subparsers())
    args_ = parser.parse_args(["ctl", "--broker", "mqtt://x", "--venue", "v", *args])
    return ctl.command_of(args_, "desk-1")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["neutralise", "s", "--laps", "5", "--reason", "crash"],
         Neutralise(id="desk-1", event="s", laps=5, reason="crash")),
        (["laps", "s", "7", "--set", "24", "--reason", "fall"],
         SetLaps(id="desk-1", event="s", bib=7, laps=24, reason="fall")),
        (["lap-change", "s", "4", "+1"],
         LapChangeDecision(id="desk-1", event="s", bib=4, change=1)),
        (["lap-change", "s", "9", "-1", "--dismiss", "--reason", "not caught"],
         LapChangeDecision(id="desk-1", event="s", bib=9, change=-1, dismiss=True,
                           reason="not caught")),
    ],
)  # fmt: skip
def test_each_lap_board_subcommand_makes_its_command(args: list[str], expected: Command) -> None:
    assert parsed(*args) == expected


def test_a_mistyped_lap_board_command_is_refused_at_the_desk() -> None:
    nobody = f"mqtt://127.0.0.1:{free_port()}"  # refused before any connection is tried
    for args, why in (
        (["neutralise", "s", "--laps", "0"], "a neutralisation is 1 to 100 laps"),
        (["laps", "s", "7", "--set", "-1", "--reason", "x"], "a lap count is 0 or more"),
        (["laps", "s", "7", "--set", "3", "--reason", " "], "a lap count needs its reason"),
    ):
        result = velotime_main("ctl", "--broker", nobody, "--venue", "v", *args)
        assert result.returncode == 2
        assert why in result.stderr
        assert len(result.stderr.splitlines()) == 1
