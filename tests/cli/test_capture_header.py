"""A capture whose header is of the wrong shape: `velotime replay` and `velotime capture info`
each say so in one line naming the file and the key, and exit 2; never a traceback."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import assert_one_line_error, velotime_main

# A well-formed header of each kind of source, written by hand from docs/capture-format.md.
HEADER: dict[str, Any] = {
    "format": "velotime-capture",
    "version": 1,
    "venue": "test-velodrome",
    "sources": {
        "p3-finish": {"protocol": "p3", "line": "finish", "clock": "get_time", "seq": 4},
        "timy-1": {
            "protocol": "timy",
            "timezone": "Europe/Amsterdam",
            "channels": {"C0": {"line": "start"}, "C1": {"line": "finish", "delay_us": 5}},
        },
        "camera": {"protocol": "lynx", "timezone": "Europe/Amsterdam"},
        "control": {"protocol": "control", "seq": 2},
    },
    "started_us": 1795273200000000,
    "lines": {"finish": 0.0},
    "track_length_m": 250.0,
}
CHUNK = {"t_us": 1795273201000000, "src": "timy-1", "data": ""}


def broken(change: Any) -> dict[str, Any]:
    header = copy.deepcopy(HEADER)
    change(header)
    return header


def _set(path: list[str], value: object) -> Any:
    def change(header: dict[str, Any]) -> None:
        node = header
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


# (the header's first line, what the one line of error says after "FILE: ")
CASES = [
    pytest.param(
        broken(_set(["sources", "timy-1", "channels", "C1", "delay_us"], "5")),
        "header: sources.timy-1.channels.C1.delay_us: expected an integer, got a string '5'",
        id="timy-delay-a-string",
    ),
    pytest.param(
        [HEADER],
        "header: expected an object, got an array",
        id="not-an-object",
    ),
    pytest.param(
        broken(lambda header: header.pop("sources")),
        "header: sources: required key is missing",
        id="no-sources",
    ),
    pytest.param(
        broken(_set(["sources", "timy-1", "protocol"], "tmy")),
        "header: sources.timy-1.protocol: unknown protocol 'tmy' (did you mean 'timy'?) "
        "(known: p3, timy, lynx, lif, raceresult, protime, control)",
        id="unknown-protocol",
    ),
    pytest.param(
        broken(lambda header: header["sources"]["camera"].pop("protocol")),
        "header: sources.camera.protocol: required key is missing",
        id="no-protocol",
    ),
    pytest.param(
        broken(_set(["sources", "p3-finish", "clock"], "gps")),
        "header: sources.p3-finish.clock: unknown value 'gps'; valid: decoder, get_time",
        id="p3-clock-unknown",
    ),
    pytest.param(
        broken(_set(["sources", "control", "seq"], None)),
        "header: sources.control.seq: expected an integer, got null",
        id="control-seq-null",
    ),
    pytest.param(
        broken(_set(["sources", "camera", "timezone"], "Europe/Amsterdm")),
        "header: sources.camera.timezone: unknown time zone 'Europe/Amsterdm'",
        id="camera-zone-unknown",
    ),
    pytest.param(
        broken(_set(["sources", "p3-finish", "resume"], {"decoders": {"7": {"highest": "x"}}})),
        "header: sources.p3-finish.resume: not a saved state",
        id="p3-resume-malformed",
    ),
]


def capture(tmp_path: Path, header: object) -> Path:
    path = tmp_path / "capture.jsonl"
    path.write_text(json.dumps(header) + "\n" + json.dumps(CHUNK) + "\n")
    return path


@pytest.mark.parametrize(("header", "message"), CASES)
@pytest.mark.parametrize(
    "command", [("replay", "--offline"), ("capture", "info")], ids=["replay", "capture-info"]
)
def test_a_malformed_header_is_one_line_naming_the_key(
    tmp_path: Path, command: tuple[str, str], header: object, message: str
) -> None:
    path = capture(tmp_path, header)
    result = velotime_main(*command, path)
    name = " ".join(command[:1] if command[0] == "replay" else command)
    assert_one_line_error(result, f"velotime {name}: {path}: {message}")


@pytest.mark.parametrize(
    "command", [("replay", "--offline"), ("capture", "info")], ids=["replay", "capture-info"]
)
def test_the_well_formed_header_is_read(tmp_path: Path, command: tuple[str, str]) -> None:
    """The cases above differ from a header both commands read: each is refused for its key."""
    result = velotime_main(*command, capture(tmp_path, HEADER))
    assert result.returncode == 0, result.stderr


def test_a_header_that_is_no_json_is_no_capture(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    path.write_text("velotime-capture, version 1\n")
    for command in (("replay", "--offline"), ("capture", "info")):
        result = velotime_main(*command, path)
        assert_one_line_error(result, f"{path}: not a velotime capture header")
