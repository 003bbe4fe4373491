"""The `velotime` command itself: every command's help and usage errors, and a start that
imports no command but the one that runs."""

import subprocess
import sys

import pytest

from tests.cli.helpers import assert_one_line_error, velotime, velotime_main
from velotime.cli import COMMANDS


def test_the_help_lists_every_command_with_its_one_line_help() -> None:
    result = velotime("--help")
    assert result.returncode == 0, result.stderr
    listed = " ".join(result.stdout.split())  # argparse wraps the lines
    for name, summary in COMMANDS.items():
        assert f"{name} {' '.join(summary.split())}" in listed


def test_the_help_says_what_velotime_is() -> None:
    result = velotime_main("--help")
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "timing daemon a velodrome runs on race day" in said
    for part in ("P3", "Timy", "FinishLynx", "MQTT", "UCI track events"):
        assert part in said


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_has_its_help(name: str) -> None:
    result = velotime_main(name, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: velotime {name}")


def test_an_unknown_or_missing_command_exits_2_with_one_line() -> None:
    assert_one_line_error(velotime_main("nope"), "invalid choice: 'nope' (choose from 'boards'")
    assert_one_line_error(velotime_main(), "the following arguments are required: command")


def test_the_help_imports_no_command_and_a_command_only_its_own() -> None:
    script = (
        "import sys\n"
        "from velotime.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('velotime.cli.')))\n"
    )

    def imported(*args: str) -> str:
        run = subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
        )
        return run.stdout.splitlines()[-1]

    assert imported("--help") == "[]"
    assert imported("decode", "--help") == "['velotime.cli.decode']"
