"""The registry's families: what each contributes is there, and capture headers written before
each family had types of its own still load."""

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from velotime.config import load_config
from velotime.daemon.sources import ControlDescription, description_from_builtins
from velotime.families import Family, families, lines_text
from velotime.families.base import SourceConfig, SourceDescription
from velotime.families.family import SimulateCommand
from velotime.families.p3.source import P3SourceConfig
from velotime.families.timy.source import TimySourceConfig

ROOT = Path(__file__).resolve().parents[2]

# What the daemon wrote into capture headers for config/velodrome.example.toml before the
# families (one flat struct for every protocol: each entry carries the others' defaults).
OLD_HEADER_SOURCES: list[dict[str, Any]] = [
    {"protocol": "p3", "line": "finish", "simultaneous_us": 300, "init_commands": ["CHK1"],
     "timezone": "America/Detroit", "endpoint": "tcp://192.168.1.50:5403", "seq": 3},
    {"protocol": "p3", "line": "200m", "simultaneous_us": 300, "init_commands": ["CHK1"],
     "timezone": "America/Detroit", "endpoint": "tcp://192.168.1.51:5403", "seq": 3},
    {"protocol": "timy", "channels": {
        "C0": {"line": "start", "delay_us": 0, "dead_time_us": 1000000},
        "C1": {"line": "finish", "delay_us": 0, "dead_time_us": 200000},
        "C4": {"line": "200m", "delay_us": 0, "dead_time_us": 200000}},
     "simultaneous_us": 300, "init_commands": ["CHK1"], "timezone": "America/Detroit",
     "endpoint": "serial:///dev/serial/by-id/usb-FTDI_ALGE_Timy-if00-port0?baudrate=38400",
     "seq": 3},
    {"protocol": "lynx", "simultaneous_us": 300, "init_commands": ["CHK1"],
     "timezone": "America/Detroit", "endpoint": "tcp-listen://0.0.0.0:5050", "seq": 3},
]  # fmt: skip


def as_before_pursuit_lines(source: SourceConfig) -> SourceConfig:
    """A source of the example as it was then, before the pursuit lines' decoders and Timy
    channels were added to it."""
    if isinstance(source, P3SourceConfig):
        return msgspec.structs.replace(source, decoder_lines={})
    if isinstance(source, TimySourceConfig):
        kept = {key: c for key, c in source.channels.items() if key in ("C0", "C1", "C4")}
        return msgspec.structs.replace(source, channels=kept)
    return source


def test_headers_written_before_the_families_load_as_the_daemon_now_describes() -> None:
    config = load_config(ROOT / "config" / "velodrome.example.toml", env={})
    sources = [as_before_pursuit_lines(source) for source in config.sources]
    now = [source.describe(config.venue.timezone, seq=3) for source in sources]
    # The example's sources of families added since (raceresult) had no such headers.
    now = now[: len(OLD_HEADER_SOURCES)]
    assert [description_from_builtins(entry) for entry in OLD_HEADER_SOURCES] == now
    assert description_from_builtins({"protocol": "control", "seq": 2}) == ControlDescription(seq=2)
    assert [lines_text(entry) for entry in OLD_HEADER_SOURCES] == [
        "finish",
        "200m",
        "C0 start, C1 finish, C4 200m",
        "",
    ]


@pytest.mark.parametrize("family", families(), ids=lambda f: f.name)
def test_each_family_names_what_it_contributes(family: Family) -> None:
    # The registry names its parts by import path: each must load and be what its field says.
    assert callable(family.decode.load())
    for part, base in ((family.config, SourceConfig), (family.description, SourceDescription)):
        if part is not None:
            typ = part.load()
            assert issubclass(typ, base)
            assert typ.__struct_config__.tag == family.name
    if family.simulate is not None:
        assert isinstance(family.simulate.load(), SimulateCommand)
    if family.dump_description is not None:
        assert family.description is not None
        described = family.dump_description.load()("finish", "UTC")
        assert isinstance(described, family.description.load())
    if family.read_file is not None:
        assert callable(family.read_file.load())
    # A live source has a capture header entry; the daemon's result files (lif) have an entry
    # and no `[[sources]]` settings: every daemon takes them (velotime import-lif).
    assert family.config is None or family.description is not None


def test_decoding_one_protocol_imports_only_its_own_family_parts(tmp_path: Path) -> None:
    # What `velotime decode` imports is most of its start-up (docs/architecture.md).
    dump = tmp_path / "empty.out"
    dump.write_bytes(b"")
    script = (
        "import sys\n"
        "from velotime.cli import main\n"
        "main(sys.argv[1:])\n"
        "print(sorted(m for m in sys.modules if m.startswith('velotime.')))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, "decode", "--protocol", "p3", "--summary", str(dump)],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = ast.literal_eval(run.stdout.splitlines()[-1])
    assert "velotime.families.p3.decode" in imported
    # Every family's name is imported (the registry), no other family's parts, no driver.
    others = tuple(
        f"velotime.{layer}.{f.name}{end}"
        for f in families()
        if f.name != "p3"
        for layer, end in (("families", "."), ("protocols", ""))
    )
    p3_parts = ("velotime.families.p3.source", "velotime.families.p3.simulate")
    layers = ("velotime.drivers", "velotime.simulators", "velotime.config")
    unwanted = [m for m in imported if m.startswith((*layers, *others, *p3_parts))]
    assert unwanted == []
