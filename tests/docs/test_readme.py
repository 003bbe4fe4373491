"""Every command the README shows is exercised by a test (or, for `make test`, by CI).

A README line is exercised when a test runs that velotime subcommand and passes each of the
line's options: the test files are searched for the subcommand's name and each option as string
literals, in files that start velotime processes. A new README line or option without a test
fails here, and so does a test deleted from under a documented command.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
TESTS = {path: path.read_text() for path in (ROOT / "tests").rglob("*.py")}
# How tests start velotime: the CLI helpers, or `python -m velotime`.
LAUNCHERS = ("velotime(", "run_velotime(", '"-m", "velotime"', "ScoreProcess(", "DaemonProcess(")


def command_lines() -> list[list[str]]:
    block = README.split("## Command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line.split("#", 1)[0].split() for line in block.splitlines()]
    return [words for words in lines if words and words[0] == "velotime"]


def subcommand(words: list[str]) -> list[str]:
    """`simulate p3`, `capture info`: the leading lowercase words after `velotime`."""
    out = []
    for word in words[1:]:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
            break
        out.append(word)
    return out


def options(words: list[str]) -> set[str]:
    return {m for word in words for m in re.findall(r"--[a-z][a-z-]*", word)}


def test_the_readme_lists_the_commands() -> None:
    names = {" ".join(subcommand(words)) for words in command_lines()}
    assert {"run", "replay", "score", "ctl", "scoreboard", "demo", "capture info"} <= names


def test_every_readme_command_and_option_is_exercised_by_a_test() -> None:
    missing = []
    for words in command_lines():
        names = subcommand(words)
        users = [
            text
            for text in TESTS.values()
            if any(launcher in text for launcher in LAUNCHERS)
            and all(f'"{name}"' in text for name in names)
        ]
        if not users:
            missing.append(f"velotime {' '.join(names)}: no test runs it")
            continue
        missing += [
            f"velotime {' '.join(names)} {option}: no test passes it"
            for option in sorted(options(words))
            if not any(f'"{option}"' in text for text in users)
        ]
    assert missing == []


def test_make_test_is_what_ci_runs_and_make_demo_runs_the_tested_demo() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/velotime demo" in demo  # tests/cli/test_demo.py runs `velotime demo`
