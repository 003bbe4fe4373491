"""The JSON Schemas in docs/mqtt.md, made from the types the code builds its payloads from.

    python -m velotime.docs.schemas            # write them into docs/mqtt.md
    python -m velotime.docs.schemas --check    # exit 1 if docs/mqtt.md is not up to date

`TOPICS` names every topic velotime publishes on, with its QoS, whether it is retained, and the
types of its payloads (more than one where a topic carries alternatives: a program online, or
gone). Each topic's schema stands in docs/mqtt.md between `<!-- schema:NAME -->` and
`<!-- /schema -->`; the text around the markers is written by hand and left alone.
tests/docs/test_mqtt_schemas.py checks that the file is up to date, and that what the code
publishes validates against the schemas.

The schemas are msgspec's (`msgspec.json.schema_components`), with one change: msgspec lists as
`required` only the fields without a default, which is what decoding needs. A published payload
has every field of its type, except where the type leaves defaults out (`omit_defaults`) and
the fields that are `UNSET`: `required` lists the keys that are always there. The one topic that
velotime reads rather than publishes, control/scoring, keeps msgspec's: what it accepts.
"""

import argparse
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple, get_args

import msgspec
import msgspec.inspect as mi
from msgspec import UNSET

from velotime.protocols.lif.upload import LifUpload
from velotime.wire.commands import Command
from velotime.wire.events import (
    CommandData,
    Envelope,
    GapData,
    ImpulseData,
    PassingData,
    PhotoFinishData,
)
from velotime.wire.replies import CommandReply
from velotime.wire.results import Current, EventResult, OmniumStandings, Standings, StartList
from velotime.wire.status import DaemonStatus, Description, ScoringStatus, SourceTopicStatus

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DOC = Path(__file__).resolve().parents[2] / "docs" / "mqtt.md"
COMMAND = "python -m velotime.docs.schemas"


class Topic(NamedTuple):
    name: str  # its marker in docs/mqtt.md: <!-- schema:NAME -->
    topic: str  # below <prefix>/<venue>/, as docs/mqtt.md's table writes it
    payloads: tuple[Any, ...]  # the type of its payloads, or of each alternative
    retained: bool
    qos: int = 1
    # A topic velotime reads (control/scoring): its schema says what is accepted, a key with a
    # default may be left out. Otherwise it says what is published: the keys always there.
    accepted: bool = False


TOPICS = (
    Topic("passing", "timing/passing", (Envelope[PassingData],), retained=False),
    Topic("impulse", "timing/impulse", (Envelope[ImpulseData],), retained=False),
    Topic("photofinish", "timing/photofinish", (Envelope[PhotoFinishData],), retained=False),
    Topic("gap", "timing/gap", (Envelope[GapData],), retained=False),
    Topic("command", "timing/command", (Envelope[CommandData],), retained=False),
    Topic("daemon", "status/daemon", get_args(DaemonStatus), retained=True),
    Topic("source", "status/sources/<source>", get_args(SourceTopicStatus), retained=True),
    Topic("control", "control/scoring", (Command,), retained=False, accepted=True),
    Topic("reply", "replies/scoring/<id>", (CommandReply,), retained=False),
    Topic("lif", "control/lif", (LifUpload,), retained=False, accepted=True),
    Topic("description", "config/description", (Description,), retained=True),
    Topic("results", "results/<event>", (EventResult,), retained=True),
    Topic("current", "current", get_args(Current), retained=True),
    Topic("standings", "standings/<competition>", (Standings, OmniumStandings), retained=True),
    Topic("startlists", "startlists/<event>", (StartList,), retained=True),
    Topic("scoring", "status/scoring", get_args(ScoringStatus), retained=True),
)


def topic_schema(topic: Topic) -> dict[str, Any]:
    """The JSON Schema of what is published on `topic` (control/scoring: what is accepted)."""
    schemas, components = msgspec.json.schema_components(topic.payloads)
    if not topic.accepted:
        _always_there(topic.payloads, components)
    for component in components.values():
        if "description" in component:
            component["description"] = _prose(component["description"])
    body = schemas[0] if len(schemas) == 1 else {"anyOf": list(schemas)}
    return {
        "$schema": DIALECT,
        "title": f"<prefix>/<venue>/{topic.topic}",
        **body,
        "$defs": dict(sorted(components.items())),
    }


def render(text: str) -> str:
    """`text` (docs/mqtt.md) with every schema block made anew. Raises ValueError for a marker
    of no topic, or a topic without its marker."""
    topics = {topic.name: topic for topic in TOPICS}
    seen: list[str] = []

    def block(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in topics:
            raise ValueError(f"<!-- schema:{name} -->: no such topic in velotime.docs.schemas")
        seen.append(name)
        return _block(topics[name])

    rendered = _BLOCK.sub(block, text)
    missing = [name for name in topics if name not in seen]
    if missing:
        raise ValueError(f"no <!-- schema:NAME --> block for {', '.join(missing)}")
    return rendered


_BLOCK = re.compile(r"<!-- schema:(?P<name>[a-z-]+) -->\n.*?<!-- /schema -->", re.DOTALL)


def _block(topic: Topic) -> str:
    schema = _json(topic_schema(topic))
    return (
        f"<!-- schema:{topic.name} -->\n"
        f"<details><summary>JSON Schema of <code>{_html(topic.topic)}</code> "
        f"(generated by <code>{COMMAND}</code>)</summary>\n\n"
        f"```json\n{schema}\n```\n\n</details>\n<!-- /schema -->"
    )


def _json(value: Any, indent: int = 0) -> str:
    """Indented JSON, with each object or array that fits on one line on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if indent + len(flat) <= _WIDTH or not isinstance(value, dict | list) or not value:
        return flat
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        items = [
            f"{inner}{json.dumps(key, ensure_ascii=False)}: {_json(item, indent + 2)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [inner + _json(item, indent + 2) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


_WIDTH = 90  # the one-line objects and arrays keep the lines shorter than this, mostly


def _prose(doc: str) -> str:
    """A docstring as a description: its paragraphs, each on one line."""
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _always_there(types: tuple[Any, ...], components: dict[str, Any]) -> None:
    """`required`: every key a payload of the type always has (see the module's docstring)."""
    structs = _struct_types(types)
    for component in components.values():
        info = structs.get(component.get("title", ""))
        if info is None:
            continue
        cls = getattr(info.cls, "__origin__", info.cls)
        if cls.__struct_config__.omit_defaults:
            continue  # only the fields without a default are always there: msgspec's own list
        tag = [info.tag_field] if info.tag_field is not None else []
        fields = [f.encode_name for f in msgspec.structs.fields(cls) if f.default is not UNSET]
        component["required"] = tag + fields


def _struct_types(types: tuple[Any, ...]) -> dict[str, mi.StructType]:
    """Every Struct type in `types`, by the title msgspec gives its schema."""
    found: dict[str, mi.StructType] = {}

    def visit(info: mi.Type) -> None:
        if isinstance(info, mi.StructType):
            name = _class_name(info.cls)
            if name in found:
                if found[name].cls is not info.cls:
                    raise ValueError(f"two payload types are named {name}: rename one")
                return
            found[name] = info
            for field in info.fields:
                visit(field.type)
        elif isinstance(info, mi.Metadata):
            visit(info.type)
        elif isinstance(info, mi.CollectionType):
            visit(info.item_type)
        elif isinstance(info, mi.TupleType):
            for item in info.item_types:
                visit(item)
        elif isinstance(info, mi.DictType | mi.FrozenDictType):
            visit(info.key_type)
            visit(info.value_type)
        elif isinstance(info, mi.UnionType):
            for member in info.types:
                visit(member)

    for info in mi.multi_type_info(types):
        visit(info)
    return found


def _class_name(cls: Any) -> str:
    """As msgspec titles a schema: `PassingData`, `Envelope[PassingData]`."""
    origin = getattr(cls, "__origin__", None)
    if origin is None:
        return str(cls.__name__)
    args = ", ".join(a.__name__ if isinstance(a, type) else repr(a) for a in cls.__args__)
    return f"{origin.__name__}[{args}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=COMMAND, description="Write the MQTT payloads' JSON Schemas into docs/mqtt.md."
    )
    parser.add_argument("path", nargs="?", type=Path, default=DOC, help="default: %(default)s")
    parser.add_argument(
        "--check", action="store_true", help="change nothing: exit 1 if the file is not up to date"
    )
    args = parser.parse_args(argv)
    text = args.path.read_text(encoding="utf-8")
    try:
        rendered = render(text)
    except ValueError as exc:
        sys.stderr.write(f"{args.path}: {exc}\n")
        return 2
    if rendered == text:
        return 0
    if args.check:
        sys.stderr.write(f"{args.path}: the JSON Schemas are out of date: run {COMMAND}\n")
        return 1
    args.path.write_text(rendered, encoding="utf-8")
    sys.stderr.write(f"{args.path}: JSON Schemas written\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
