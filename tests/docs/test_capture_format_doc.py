"""docs/capture-format.md must document the header keys the code reads, and its example header
must be one that replay reads."""

import json
import re
from pathlib import Path

import msgspec
import pytest

from velotime.capture import CaptureHeader
from velotime.daemon.sources import description_types, open_capture
from velotime.drivers.timy.session import Channel
from velotime.families.base import SourceDescription

DOC = Path(__file__).resolve().parents[2] / "docs" / "capture-format.md"
KEY = re.compile(r"^\| `(\w+)` \|", re.MULTILINE)


def documented_keys(after: str) -> set[str]:
    """The keys of the first table after the text `after`."""
    text = DOC.read_text()
    assert after in text, f"docs/capture-format.md has no {after!r}"
    rest = text[text.index(after) + len(after) :]
    table = re.search(r"(?:^\|.*\n)+", rest, re.MULTILINE)
    assert table is not None
    return set(KEY.findall(table.group(0)))


def fields(typ: type[msgspec.Struct]) -> set[str]:
    return {field.name for field in msgspec.structs.fields(typ)}


COMMON = fields(SourceDescription)


def test_the_header_keys_are_documented() -> None:
    assert documented_keys("The header's keys:") == fields(CaptureHeader)


def test_the_keys_every_entry_has_are_documented() -> None:
    assert documented_keys("Keys every entry may have:") == COMMON | {"protocol"}


@pytest.mark.parametrize("protocol", ["p3", "timy", "raceresult", "protime"])
def test_each_family_s_own_keys_are_documented(protocol: str) -> None:
    own = fields(description_types()[protocol]) - COMMON
    assert documented_keys(f"**`{protocol}`**") == own


def test_a_timy_channel_s_keys_are_documented() -> None:
    assert documented_keys("Each channel of `channels`:") == fields(Channel)


def test_every_other_protocol_has_only_the_common_keys() -> None:
    """The doc says lynx and control add nothing: true of every protocol not tabled above."""
    for protocol, typ in description_types().items():
        if protocol not in ("p3", "timy", "raceresult", "protime"):
            assert fields(typ) == COMMON, protocol
            assert f"**`{protocol}`**" in DOC.read_text()


def test_the_example_header_is_read_by_replay(tmp_path: Path) -> None:
    block = re.search(r"```json\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert block is not None
    header = json.loads(block.group(1))
    path = tmp_path / "example.capture.jsonl"
    path.write_text(json.dumps(header) + "\n")
    _, descriptions = open_capture(path)
    assert {name: d.protocol for name, d in descriptions.items()} == {
        "p3-finish": "p3",
        "timy": "timy",
        "camera": "lynx",
        "control": "control",
        "lif": "lif",
    }
