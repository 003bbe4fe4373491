"""What the daemon knows of a source, as written into each capture header.

Each device source is described by its protocol family (velotime/families/); the operator's
commands are a source too, described here. Replay rebuilds its sessions from these
descriptions, so it needs no configuration file and starts exactly where the live daemon
resumed.
"""

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from velotime.capture import (
    CAPTURE_FORMAT,
    CAPTURE_VERSION,
    CONTROL_SOURCE,
    CaptureHeader,
    CaptureReader,
    read_capture,
)
from velotime.capture.reader import CaptureFormatError
from velotime.config.problems import Problems, did_you_mean, struct_fields, value_kind
from velotime.daemon.control import ControlSession
from velotime.drivers.session import Session
from velotime.families import description_from_builtins as family_description
from velotime.families import families
from velotime.families.base import SourceDescription


class ControlDescription(SourceDescription, frozen=True, kw_only=True, tag="control"):
    """The operator's commands (`control/#`), recorded in the capture as a source."""

    def new_session(self, name: str) -> Session:
        return ControlSession(name)


def description_from_builtins(data: Mapping[str, Any]) -> SourceDescription:
    """A capture header's source entry; msgspec.ValidationError if no family describes it."""
    return family_description(data, extra=(ControlDescription,))


def description_types() -> dict[str, type[SourceDescription]]:
    """Each protocol a capture header's source entry may name, with its description type."""
    types = {f.name: f.description.load() for f in families() if f.description is not None}
    types[CONTROL_SOURCE] = ControlDescription
    return types


def open_capture(path: Path) -> tuple[CaptureReader, dict[str, SourceDescription]]:
    """A capture and its sources, as replay rebuilds them. A header of the wrong shape (a key
    missing, a value of the wrong type, an unknown protocol) is one CaptureFormatError naming
    the file and the key: "FILE: header: sources.timy.channels.C0.delay_us: expected an
    integer, got a string '5'". Raises OSError too."""
    try:
        reader = read_capture(path)
    except CaptureFormatError:
        _refuse_header_shape(path)  # a clearer line where the header is JSON of the wrong shape
        raise
    problems = Problems(f"{path}: header")
    descriptions: dict[str, SourceDescription] = {}
    types = description_types()
    for name, entry in reader.header.sources.items():
        at = ["sources", name]
        protocol = entry.get("protocol")
        typ = types.get(protocol) if isinstance(protocol, str) else None
        if "protocol" not in entry:
            problems.add([*at, "protocol"], "required key is missing")
        elif typ is None:
            known = ", ".join(types)
            hint = did_you_mean(protocol, types) if isinstance(protocol, str) else ""
            problems.add([*at, "protocol"], f"unknown protocol {protocol!r}{hint} (known: {known})")
        else:
            # Keys the description does not know are ignored: older headers carry every
            # protocol's defaults (families/base.py).
            fields = struct_fields(typ) or {}
            known_keys = {key: value for key, value in entry.items() if key in fields}
            described = problems.convert(known_keys, typ, at)
            if described is None:
                continue
            try:
                ZoneInfo(described.timezone)
            except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
                problems.add([*at, "timezone"], f"unknown time zone {described.timezone!r}")
                continue
            try:
                described.new_session(name)  # it reads the saved state: refused here, not there
            except ValueError as exc:  # msgspec.ValidationError
                problems.add([*at, "resume"], f"not a saved state: {exc}")
                continue
            descriptions[name] = described
    if problems:
        raise CaptureFormatError("; ".join(problems.found))
    return reader, descriptions


def _refuse_header_shape(path: Path) -> None:
    """CaptureFormatError naming the key, where the first line is a version 1 header of the
    wrong shape; nothing where it is no header at all (read_capture's message says that)."""
    with path.open("rb") as handle:
        first = handle.readline()
    try:
        raw = msgspec.json.decode(first)
    except msgspec.DecodeError:
        return
    if not isinstance(raw, dict):
        raise CaptureFormatError(f"{path}: header: expected an object, got {value_kind(raw)}")
    if raw.get("format") != CAPTURE_FORMAT or raw.get("version") != CAPTURE_VERSION:
        return
    problems = Problems(f"{path}: header")
    fields = struct_fields(CaptureHeader) or {}
    problems.convert({k: v for k, v in raw.items() if k in fields}, CaptureHeader, [])
    if problems:
        raise CaptureFormatError("; ".join(problems.found))


def photocell_lines(sources: Iterable[SourceDescription]) -> set[str]:
    """The timing lines an impulse timer's photocells are wired to (the start gate is not one):
    the scoring engine knows from these, before any impulse, that photocells time those lines."""
    return {line for source in sources for line in source.photocell_lines()}
