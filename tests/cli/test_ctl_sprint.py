"""`velotime ctl sprint`: the judges' word on a sprint as the command the engine reads, the
placings parsed from what the desk types (round trip, garbage), and a mistyped one refused at
the desk with one line."""

import argparse

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.cli.helpers import velotime_main
from velotime.cli import ctl
from velotime.localvenue import free_port
from velotime.wire.commands import Command, SprintDecision


def parsed(*args: str) -> Command:
    parser = argparse.ArgumentParser()
    ctl.register(parser.add_subparsers())
    args_ = parser.parse_args(["ctl", "--broker", "mqtt://x", "--venue", "v", *args])
    return ctl.command_of(args_, "desk-1")


def test_a_sprint_is_confirmed_or_placed() -> None:
    assert parsed("sprint", "p", "3") == SprintDecision(id="desk-1", event="p", number=3)
    placed = parsed("sprint", "p", "4", "--placings", "12,5=7,3", "--reason", "photo")
    assert placed == SprintDecision(
        id="desk-1", event="p", number=4, placings=[[12], [5, 7], [3]], reason="photo"
    )


placings = st.lists(st.lists(st.integers(0, 999), min_size=1, max_size=3), min_size=1, max_size=6)


@given(placings)
def test_placings_typed_as_the_desk_types_them_read_back_the_same(value: list[list[int]]) -> None:
    text = ",".join("=".join(map(str, placing)) for placing in value)
    assert ctl.parse_placings(text) == value


@given(st.text(max_size=20))
@example("²")  # a digit to str.isdigit, not to int()
def test_anything_else_is_a_one_line_error_not_a_traceback(text: str) -> None:
    why = ""
    try:
        value = ctl.parse_placings(text)
    except ValueError as exc:
        why = str(exc)
    else:
        assert all(placing for placing in value)
    assert not why or why.startswith("--placings: bibs by place")


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["sprint", "p", "4", "--placings", "12,5", "--reason", " "],
         "the judges' placings need their reason"),
        (["sprint", "p", "0"], "a sprint's number is 1 or more"),
        (["sprint", "p", "4", "--placings", "12,,5", "--reason", "x"], "--placings: bibs by place"),
    ],
)  # fmt: skip
def test_a_mistyped_sprint_is_refused_at_the_desk(args: list[str], why: str) -> None:
    nobody = f"mqtt://127.0.0.1:{free_port()}"  # refused before any connection is tried
    result = velotime_main("ctl", "--broker", nobody, "--venue", "v", *args)
    assert result.returncode == 2
    assert why in result.stderr
    assert len(result.stderr.splitlines()) == 1
