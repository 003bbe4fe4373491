"""What the daemon knows of a source, as written into each capture header.

Each device source is described by its protocol family (velotime/families/); the operator's
commands are a source too, described here. Replay rebuilds its sessions from these
descriptions, so it needs no configuration file and starts exactly where the live daemon
resumed.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from velotime.daemon.control import ControlSession
from velotime.drivers.session import Session
from velotime.families import description_from_builtins as family_description
from velotime.families.base import SourceDescription


class ControlDescription(SourceDescription, frozen=True, kw_only=True, tag="control"):
    """The operator's commands (`control/#`), recorded in the capture as a source."""

    def new_session(self, name: str) -> Session:
        return ControlSession(name)


def description_from_builtins(data: Mapping[str, Any]) -> SourceDescription:
    """A capture header's source entry; msgspec.ValidationError if no family describes it."""
    return family_description(data, extra=(ControlDescription,))


def photocell_lines(sources: Iterable[SourceDescription]) -> set[str]:
    """The timing lines an impulse timer's photocells are wired to (the start gate is not one):
    the scoring engine knows from these, before any impulse, that photocells time those lines."""
    return {line for source in sources for line in source.photocell_lines()}
