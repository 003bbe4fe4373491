"""The registry's families: what each contributes is there, and capture headers written before
each family had types of its own still load."""

import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest

from velotime.config import load_config
from velotime.daemon.sources import ControlDescription, description_from_builtins
from velotime.families import families, lines_text

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


def test_headers_written_before_the_families_load_as_the_daemon_now_describes() -> None:
    config = load_config(ROOT / "config" / "velodrome.example.toml", env={})
    now = [source.describe(config.venue.timezone, seq=3) for source in config.sources]
    assert [description_from_builtins(entry) for entry in OLD_HEADER_SOURCES] == now
    assert description_from_builtins({"protocol": "control", "seq": 2}) == ControlDescription(seq=2)
    assert [lines_text(entry) for entry in OLD_HEADER_SOURCES] == [
        "finish",
        "200m",
        "C0 start, C1 finish, C4 200m",
        "",
    ]


@pytest.mark.parametrize("family", families(), ids=lambda f: f.name)
def test_each_family_names_what_it_contributes(family: Any) -> None:
    importlib.import_module(family.codec)
    for typ in (family.config, family.description):
        if typ is not None:
            assert typ.__struct_config__.tag == family.name
    if family.simulator is not None:
        module, _, name = family.simulator.partition(":")
        assert inspect.isclass(getattr(importlib.import_module(module), name))
    assert (family.config is None) == (family.session is None) == (family.description is None)
