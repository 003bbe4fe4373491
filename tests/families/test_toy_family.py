"""A protocol family added through the registry's one line is known everywhere protocols are
chosen: the configuration, `velotime decode`, `velotime simulate`, capture headers, `capture
info` and replay's sources."""

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.cli.helpers import assert_one_line_error, velotime_main
from velotime.capture import CaptureWriter
from velotime.capture.info import capture_info
from velotime.config import ConfigError, parse_config
from velotime.daemon.sources import description_from_builtins
from velotime.drivers.session import SessionCounters, SessionOutput
from velotime.families import (
    Family,
    family,
    lines_text,
    register,
    source_protocols,
    unregister,
)
from velotime.families.base import (
    Report,
    SourceConfig,
    SourceDescription,
    check_line,
)
from velotime.families.decoding import json_line
from velotime.families.family import Chunks, Part, SimulateCommand
from velotime.replay import DumpSource, Replayer
from velotime.replay.sinks import JsonLinesSink


class ToySessionState(msgspec.Struct):
    lines: int = 0


class ToySession:
    """Counts the lines its device sends; makes no events."""

    def __init__(self, source: str, lines: int = 0) -> None:
        self.source = source
        self.lines = lines
        self.fed: list[bytes] = []

    def connected(self, t_us: int) -> SessionOutput:
        return SessionOutput()

    def feed(self, t_us: int, data: bytes) -> SessionOutput:
        self.fed.append(data)
        self.lines += data.count(b"\n")
        return SessionOutput()

    def state(self) -> ToySessionState:
        return ToySessionState(self.lines)

    def poll_command(self) -> bytes | None:
        return None

    def counters(self) -> SessionCounters:
        return SessionCounters()


class ToyDescription(SourceDescription, frozen=True, kw_only=True, tag="toy"):
    line: str = "finish"

    def new_session(self, name: str) -> ToySession:
        state = msgspec.convert(self.resume or {}, ToySessionState)
        return ToySession(name, state.lines)

    def lines_text(self) -> str:
        return self.line


class ToySourceConfig(SourceConfig, frozen=True, kw_only=True, tag="toy"):
    line: str

    def check(self, report: Report, line_names: set[str] | None) -> "ToySourceConfig":
        check_line(report, ["line"], self.line, line_names)
        return self

    def describe(
        self, timezone: str, seq: int = 0, resume: dict[str, Any] | None = None
    ) -> ToyDescription:
        return ToyDescription(
            line=self.line, timezone=timezone, endpoint=str(self.endpoint), seq=seq, resume=resume
        )


def decode_toy(chunks: Chunks, print_records: bool) -> dict[str, Any]:
    lines = [line for c in chunks if isinstance(c, bytes) for line in c.splitlines()]
    if print_records:
        for line in lines:
            print(json_line({"type": "toy", "text": line.decode()}), end="")
    return {"records": len(lines)}


def toy_dump_description(line: str, timezone: str) -> ToyDescription:
    return ToyDescription(line=line, timezone=timezone)


def add_toy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lines", type=int, required=True, help="how many lines to send")


def run_toy(args: argparse.Namespace) -> int:
    """The toy device sends its lines to stdout."""
    lines: int = args.lines
    sys.stdout.write("".join(f"toy line {n}\n" for n in range(1, lines + 1)))
    return 0


TOY_SIMULATE = SimulateCommand(
    help="a toy device printing lines",
    description="A simulated toy device: it sends its lines to stdout.",
    add_arguments=add_toy_arguments,
    run=run_toy,
)


TOY = Family(
    name="toy",
    decode=Part(f"{__name__}:decode_toy"),
    config=Part(f"{__name__}:ToySourceConfig"),
    description=Part(f"{__name__}:ToyDescription"),
    simulate=Part(f"{__name__}:TOY_SIMULATE"),
    dump_description=Part(f"{__name__}:toy_dump_description"),
)

CONFIG = """\
[venue]
id = "toy-track"
track_length_m = 250

[[lines]]
name = "finish"
distance_m = 0

[[sources]]
name = "toy-1"
protocol = "toy"
transport = "tcp://10.0.0.9:4000"
line = "finish"
"""


@pytest.fixture
def toy() -> Iterator[Family]:
    register(TOY)  # the one line a family takes
    yield TOY
    unregister("toy")


def test_an_unregistered_protocol_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(CONFIG, source="t.toml")
    assert caught.value.problems == (
        "t.toml: sources[0].protocol: unknown value 'toy'; "
        "valid: lynx, p3, protime, raceresult, timy",
    )


def test_a_registered_family_is_known_to_the_configuration(toy: Family) -> None:
    assert source_protocols()[-1] == "toy"
    source = parse_config(CONFIG).source("toy-1")
    assert isinstance(source, ToySourceConfig)
    assert (source.protocol, source.line) == ("toy", "finish")
    with pytest.raises(ConfigError) as caught:
        parse_config(
            CONFIG.replace('line = "finish"', 'line = "200m"\nchannels = {}'), source="t.toml"
        )
    assert caught.value.problems == (
        "t.toml: sources[0].channels: 'channels' is for timy sources, not toy",
        "t.toml: sources[0].line: no timing line '200m' in [[lines]] (known: 'finish')",
    )


def test_a_registered_family_decodes_dumps(
    toy: Family, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from velotime.cli import main

    dump = tmp_path / "toy.dump"
    dump.write_bytes(b"one\ntwo\n")
    assert main(["decode", "--protocol", "toy", str(dump)]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert printed == [{"type": "toy", "text": "one"}, {"type": "toy", "text": "two"}]
    assert main(["decode", "--protocol", "toy", "--summary", str(dump)]) == 0
    assert json.loads(capsys.readouterr().out) == {"records": 2}


def test_a_registered_family_is_simulated_by_velotime_simulate(toy: Family) -> None:
    listed = velotime_main("simulate", "--help")
    assert listed.returncode == 0, listed.stderr
    assert "toy       a toy device printing lines" in listed.stdout
    assert velotime_main("simulate", "toy", "--help").stdout.startswith(
        "usage: velotime simulate toy [-h] --lines LINES"
    )
    ran = velotime_main("simulate", "toy", "--lines", "2")
    assert (ran.returncode, ran.stdout) == (0, "toy line 1\ntoy line 2\n")
    assert_one_line_error(
        velotime_main("simulate", "toy", "--lines", "many"), "argument --lines: invalid int"
    )


def test_a_registered_family_describes_its_sources_in_capture_headers(toy: Family) -> None:
    source = parse_config(CONFIG).source("toy-1")
    header_entry = source.describe("UTC", seq=4, resume={"lines": 7}).to_builtins()
    assert header_entry["protocol"] == "toy"
    described = description_from_builtins(json.loads(json.dumps(header_entry)))
    assert described == ToyDescription(
        line="finish", endpoint="tcp://10.0.0.9:4000", seq=4, resume={"lines": 7}
    )
    session = described.new_session("toy-1")
    assert isinstance(session, ToySession)
    assert session.lines == 7  # resumed where the daemon stopped
    assert family("toy").dump_description is not None


def test_replay_builds_a_registered_familys_sources(toy: Family, tmp_path: Path) -> None:
    config = parse_config(CONFIG)
    sources = {s.name: s.describe("UTC", resume={"lines": 2}).to_builtins() for s in config.sources}
    writer = CaptureWriter.create(tmp_path, "toy-track", sources, lines={"finish": 0})
    writer.write(1_000, "toy-1", b"")
    writer.write(2_000, "toy-1", b"a\nb\n")
    writer.close()

    replayer = Replayer(JsonLinesSink(None))
    for chunk in replayer.capture_chunks(writer.path):
        replayer.feed(chunk)
    session = replayer.sessions["toy-1"]
    assert isinstance(session, ToySession)
    assert (session.fed, session.lines) == ([b"a\nb\n"], 4)  # resumed at 2, then 2 more
    toy_stats = replayer.stats.sources["toy-1"]
    assert (toy_stats.protocol, toy_stats.chunks, toy_stats.connections) == ("toy", 2, 1)
    info = capture_info(writer.path, lines_text)
    assert (info.sources["toy-1"].protocol, info.sources["toy-1"].lines) == ("toy", "finish")

    dump = tmp_path / "toy.dump"
    dump.write_bytes(b"c\n")
    dumped = Replayer(JsonLinesSink(None))
    for chunk in dumped.dump_chunks(dump, DumpSource(protocol="toy", line="finish")):
        dumped.feed(chunk)
    assert isinstance(dumped.sessions["toy"], ToySession)
    assert dumped.stats.sources["toy"].bytes == 2
