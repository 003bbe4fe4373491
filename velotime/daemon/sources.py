"""What the daemon knows of a source, as written into each capture header.

Each device source is described by its protocol family (velotime/families/); the operator's
commands are a source too, described here. Replay rebuilds its sessions from these
descriptions, so it needs no configuration file and starts exactly where the live daemon
resumed.
"""

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import msgspec

from velotime.daemon.control import ControlSession
from velotime.drivers.p3.session import ClockMode
from velotime.drivers.session import Session
from velotime.drivers.timy.session import SIMULTANEOUS_US, Channel
from velotime.families import SourceDescription as FamilyDescription
from velotime.families import description_from_builtins as family_description


class ControlDescription(FamilyDescription, frozen=True, kw_only=True, tag="control"):
    """The operator's commands (`control/#`), recorded in the capture as a source."""

    def new_session(self, name: str) -> Session:
        return ControlSession(name)


def description_from_builtins(data: Mapping[str, Any]) -> FamilyDescription:
    """A capture header's source entry; msgspec.ValidationError if no family describes it."""
    return family_description(data, extra=(ControlDescription,))


def photocell_lines(sources: Iterable["FamilyDescription | SourceDescription"]) -> set[str]:
    """The timing lines an impulse timer's photocells are wired to (the start gate is not one):
    the scoring engine knows from these, before any impulse, that photocells time those lines."""
    return {line for source in sources for line in source.photocell_lines()}


class SourceDescription(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Every family's header fields in one struct: only `velotime/daemon/replay.py` still
    builds its sources with it, until replay moves to `velotime/replay/` and takes the
    families' descriptions (`description_from_builtins`, `Family.dump_description`,
    `ControlDescription`). Everything it does is the family description's."""

    protocol: Literal["p3", "timy", "lynx", "control"]
    line: str | None = None
    decoder_lines: dict[str, str] = {}
    clock: ClockMode = "get_time"
    channels: dict[str, Channel] = {}
    simultaneous_us: int = SIMULTANEOUS_US
    init_commands: tuple[str, ...] = ()
    timezone: str = "UTC"
    endpoint: str | None = None
    seq: int = 0
    resume: dict[str, Any] | None = None

    def described(self) -> FamilyDescription:
        return description_from_builtins(self.to_builtins())

    def new_session(self, name: str) -> Session:
        return self.described().new_session(name)

    def photocell_lines(self) -> set[str]:
        return self.described().photocell_lines()

    def to_builtins(self) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(self)
        return data

    @classmethod
    def from_builtins(cls, data: dict[str, Any]) -> "SourceDescription":
        return msgspec.convert(data, cls)
