"""[[boards]] in the configuration: the example's board, defaults, and every mistake named by
its key."""

import json
import re
from pathlib import Path

import pytest

from tests.test_config import BASE, EXAMPLE, assert_problem, parse, problems
from velotime.cli.check_config import summary
from velotime.config import BoardConfig, SerialEndpoint, TcpEndpoint, load_config


def board(**keys: object) -> str:
    values: dict[str, object] = {"name": "finish", "protocol": "unt4"}
    values |= {"transport": "tcp://10.0.0.9:1946", "rows": 3, "columns": 24} | keys
    body = "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())
    return "\n[[boards]]\n" + body


def test_the_examples_board_loads_once_uncommented(tmp_path: Path) -> None:
    text = EXAMPLE.read_text()
    block = text[text.index("#[[boards]]") :]
    uncommented = re.sub(r"(?m)^#(?!#| )", "", block)  # keys, not the comments
    path = tmp_path / "velodrome.toml"
    path.write_text(text.replace(block, uncommented))
    config = load_config(path, env={})
    assert config.boards == (
        BoardConfig(
            name="finish-straight", protocol="unt4", transport="tcp://192.168.1.60:1946",
            rows=8, columns=32, reconnect_min_s=0.5, reconnect_max_s=10.0,
        ),
    )  # fmt: skip
    assert config.boards[0].endpoint == TcpEndpoint("192.168.1.60", 1946)


def test_boards_are_optional() -> None:
    assert parse(BASE).boards == ()


def test_a_serial_board_talks_at_115200_unless_told() -> None:
    config = parse(
        BASE
        + board(name="a", transport="serial:///dev/ttyUSB4")
        + board(name="b", transport="serial:///dev/ttyUSB5?baudrate=9600", rows=8, columns=32)
    )
    assert [b.endpoint for b in config.boards] == [
        SerialEndpoint("/dev/ttyUSB4", 115200),
        SerialEndpoint("/dev/ttyUSB5", 9600),
    ]
    assert [(b.rows, b.columns) for b in config.boards] == [(3, 24), (8, 32)]


def test_board_mistakes_are_named_by_their_key() -> None:
    found = problems(
        BASE
        + board(name="Finish", transport="udp://0.0.0.0:1946", rows=1, columns=101)
        + board(name="b", transport="tcp://10.0.0.1:5403", reconnect_min_s=0, reconnect_max_s=-1)
        + board(name="b", transport="serial:///dev/ttyUSB0")
        + board(name="c", transport="serial:///dev/ttyUSB0?baudrate=9600")
    )
    assert_problem(found, "boards[0].name", "lowercase letters, digits")
    assert_problem(found, "boards[0].transport", "velotime connects to boards: expected tcp://")
    assert_problem(found, "boards[0].rows", "must be 2 to 100, got 1")
    assert_problem(found, "boards[0].columns", "must be 16 to 100, got 101")
    assert_problem(found, "boards[1].transport", "is already sources[0]'s transport")
    assert_problem(found, "boards[1].reconnect_min_s", "greater than 0")
    assert_problem(found, "boards[1].reconnect_max_s", "at least reconnect_min_s")
    assert_problem(found, "boards[2].name", "duplicate name 'b' (also boards[1])")
    assert_problem(found, "boards[3].transport", "is already boards[2]'s transport")
    assert len(found) == 9


@pytest.mark.parametrize(
    ("keys", "path", "message"),
    [
        ({"protocol": "gemini"}, "boards[0].protocol", "unknown value 'gemini'; valid: unt4"),
        ({"rows": "3"}, "boards[0].rows", "expected an integer"),
        ({"colums": 24}, "boards[0].colums", "unknown key (did you mean 'columns'?)"),
        ({"transport": "tcp://10.0.0.9"}, "boards[0].transport", "missing port"),
    ],
)
def test_board_types_and_keys(keys: dict[str, object], path: str, message: str) -> None:
    assert_problem(problems(BASE + board(**keys)), path, message)


def test_a_board_for_an_omniums_standings() -> None:
    """`standings` names the omnium (its id, as in standings/<omnium>); check-config says so,
    and an id that cannot be a topic is named by its key."""
    config = parse(BASE + board(standings="omnium-w"))
    assert config.boards[0].standings == "omnium-w"
    text = summary(Path("t.toml"), config, has_password=False, overrides=[])
    assert "3 rows x 24 columns, the standings of omnium-w\n" in text
    found = problems(BASE + board(standings="Omnium W"))
    assert_problem(found, "boards[0].standings", "lowercase letters, digits")
    assert_problem(problems(BASE + board(standings=3)), "boards[0].standings", "expected a string")


def test_a_missing_key_is_named() -> None:
    text = BASE + board().replace("rows = 3\n", "")
    assert_problem(problems(text), "boards[0].rows", "required key is missing")


def test_a_board_can_be_set_from_the_environment() -> None:
    config = parse(BASE + board(), env={"VELOTIME_BOARDS__0__ROWS": "8"})
    assert config.boards[0].rows == 8


def test_check_config_lists_the_boards() -> None:
    config = parse(BASE + board(name="finish-straight", transport="serial:///dev/ttyUSB0"))
    text = summary(Path("t.toml"), config, has_password=False, overrides=[])
    assert (
        "boards:\n  finish-straight  unt4 serial:///dev/ttyUSB0?baudrate=115200, "
        "3 rows x 24 columns\n"
    ) in text
