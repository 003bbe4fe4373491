"""The registry of protocol families: each protocol velotime speaks, contributed in one place.

A `Family` (families/family.py) gathers what the rest of velotime asks of a protocol: its codec,
the session its driver feeds, its `velotime simulate` command, its `[[sources]]` settings and
capture header entry (msgspec structs tagged on `protocol`), and its hooks for `velotime
decode`, `velotime capture info` and replay. The configuration, the daemon, replay, capture
info and the CLI look protocols up here; none of them names one.

This package sits between `config` and the layers it gathers (drivers, simulators, capture,
protocols), so that all of those above it can use it and it imports nothing above it.
Importing it costs the families' names only: each family's parts are imported on first use
(families/family.py, `Part`).
Adding a family: its folder under velotime/families/, imported below and named in the one
registry line (docs/architecture.md, "Adding a decoder family").
"""

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Union

import msgspec

from velotime.families import lif, lynx, p3, protime, raceresult, timy
from velotime.families.family import Family

if TYPE_CHECKING:
    from velotime.families.base import SourceConfig, SourceDescription

__all__ = [
    "Family",
    "description_from_builtins",
    "families",
    "family",
    "lines_text",
    "register",
    "source_config_type",
    "source_config_types",
    "source_protocols",
    "unregister",
]

_FAMILIES: dict[str, Family] = {}


def register(family: Family) -> Family:
    """Make `family` known; ValueError if its name is taken."""
    if family.name in _FAMILIES:
        raise ValueError(f"protocol family {family.name!r} is registered already")
    _FAMILIES[family.name] = family
    return family


def unregister(name: str) -> None:
    """Forget a family (tests that register one of their own clean up with this)."""
    del _FAMILIES[name]


# The registry line: every family velotime ships, in the order they are listed to people.
for _family in (p3.FAMILY, timy.FAMILY, lynx.FAMILY, lif.FAMILY, raceresult.FAMILY, protime.FAMILY):
    register(_family)


def families() -> tuple[Family, ...]:
    return tuple(_FAMILIES.values())


def family(name: str) -> Family:
    """The family called `name`; KeyError if there is none."""
    return _FAMILIES[name]


def source_protocols() -> tuple[str, ...]:
    """The protocols a `[[sources]]` entry may name: the families with a live source."""
    return tuple(f.name for f in _FAMILIES.values() if f.config is not None)


def source_config_type(protocol: object) -> "type[SourceConfig] | None":
    """The settings type of a `[[sources]]` entry of `protocol`; None if no family has one."""
    found = _FAMILIES.get(protocol) if isinstance(protocol, str) else None
    return found.config.load() if found is not None and found.config is not None else None


def source_config_types() -> "tuple[type[SourceConfig], ...]":
    """The settings types of every family with a live source."""
    return tuple(f.config.load() for f in _FAMILIES.values() if f.config is not None)


def description_from_builtins(
    data: Mapping[str, Any], extra: "Iterable[type[SourceDescription]]" = ()
) -> "SourceDescription":
    """A capture header's source entry as its family's description; `extra`: descriptions of
    sources that are no device (the operator's commands). msgspec.ValidationError for an entry
    no family describes."""
    types = [f.description.load() for f in _FAMILIES.values() if f.description is not None]
    union: Any = Union[(*types, *extra)]  # built from the registry
    described: SourceDescription = msgspec.convert(data, union)
    return described


def lines_text(description: Mapping[str, Any]) -> str:
    """The timing lines of a capture header's source entry, for people (`velotime capture
    info`): "finish", "C0 start, C1 finish". Empty for a source no family here describes, or one
    its family cannot read (the summary still names its protocol)."""
    protocol = description.get("protocol")
    found = _FAMILIES.get(protocol) if isinstance(protocol, str) else None
    if found is None or found.description is None:
        return ""
    try:
        return msgspec.convert(description, found.description.load()).lines_text()
    except msgspec.ValidationError:
        return ""
