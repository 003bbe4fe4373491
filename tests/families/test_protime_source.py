"""A Protime source's settings: what `check-config` refuses, and how the source describes its
lines (capture info, config/description)."""

from typing import Any

import msgspec
import pytest

from velotime.families import description_from_builtins, lines_text
from velotime.families.base import Wiring
from velotime.families.protime.source import ProtimeDescription, ProtimeSourceConfig

LINES = {"finish", "200m", "100m"}


def problems(**settings: Any) -> list[str]:
    config = msgspec.convert(
        {"protocol": "protime", "name": "protime", "transport": "udp://0.0.0.0:2008", **settings},
        ProtimeSourceConfig,
    )
    found: list[str] = []
    config.check(lambda path, what: found.append(f"{'.'.join(map(str, path))}: {what}"), LINES)
    return found


def test_a_good_source_has_no_problems_and_wires_its_channels() -> None:
    assert problems(line="finish", channel_lines={"BOX": "200m", "B01": "100m"}) == []
    config = msgspec.convert(
        {"protocol": "protime", "name": "p", "transport": "udp://0.0.0.0:2008", "line": "finish",
         "channel_lines": {"BOX": "200m"}},
        ProtimeSourceConfig,
    )  # fmt: skip
    assert config.wiring() == Wiring(line="finish", channels={"BOX": "200m"})
    header = config.describe("Europe/Paris").to_builtins()
    assert isinstance(description_from_builtins(header), ProtimeDescription)
    assert lines_text(header) == "STA finish, BOX 200m"


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({}, "line: a protime source needs the timing line of its STA loop"),
        ({"line": "250m"}, "line: no timing line '250m' in [[lines]]"),
        ({"line": "finish", "channel_lines": {"box": "200m"}}, "channel_lines.box: a channel is 3"),
        (
            {"line": "finish", "repeat_tries": 0},
            "repeat_tries: must be a whole number of 1 or more",
        ),
        (
            {"line": "finish", "transport": "serial:///dev/ttyUSB0?baudrate=9600"},
            "transport: a Protime decoder talks at 19200 baud",
        ),
    ],
)
def test_mistakes_are_reported_by_key(settings: dict[str, Any], problem: str) -> None:
    [found] = problems(**settings)
    assert found.startswith(problem), found
