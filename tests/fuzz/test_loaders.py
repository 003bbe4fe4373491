"""Regression tests for what fuzzing the TOML loaders found (tests/fuzz/config_loader.py,
meet_loader.py): each input gives one-line problems, never a traceback."""

from pathlib import Path

import pytest

from velotime.config import ConfigError, load_config
from velotime.scoring.meet import MeetError, load_meet

# 1,000 levels: tomllib recurses once a level or more, past Python's default limit of 1,000.
NESTED_ARRAYS = "a = " + "[" * 1000 + "]" * 1000 + "\n"
NESTED_TABLES = "a = " + "{b = " * 1000 + "1" + "}" * 1000 + "\n"

_RECURSION = pytest.mark.xfail(
    raises=RecursionError,
    strict=True,
    reason="tomllib raises RecursionError on deeply nested TOML (issue 12 item 7, h-errors)",
)


@_RECURSION
@pytest.mark.parametrize("text", [NESTED_ARRAYS, NESTED_TABLES], ids=["arrays", "tables"])
def test_a_deeply_nested_config_is_one_line_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "velodrome.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_config(path, env={})
    assert len(raised.value.problems) == 1
    assert "\n" not in raised.value.problems[0]
    assert str(path) in raised.value.problems[0]


@_RECURSION
@pytest.mark.parametrize("text", [NESTED_ARRAYS, NESTED_TABLES], ids=["arrays", "tables"])
def test_a_deeply_nested_meet_file_is_one_line_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "meet.toml"
    path.write_text(text)
    with pytest.raises(MeetError) as raised:
        load_meet(path)
    assert len(raised.value.problems) == 1
    assert "\n" not in raised.value.problems[0]
    assert str(path) in raised.value.problems[0]
