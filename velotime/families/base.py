"""The two types every family's sources derive from, and the checks their settings share.

A `SourceConfig` is a `[[sources]]` entry of the configuration; a `SourceDescription` is what the
daemon writes of that source into each capture header, and what replay rebuilds its session
from. Both are msgspec structs tagged on `protocol`: each family subclasses them with its tag
and its own settings, so a setting of another protocol is an unknown key, not silently kept.
"""

import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Self

import msgspec

from velotime.drivers.endpoints import Endpoint, parse_transport
from velotime.drivers.session import Session

Key = str | int  # a step in a key path: a table key or an array index
Report = Callable[[Sequence[Key], str], None]  # (key path under the source, what is wrong)
START = "start"  # the line an impulse channel wired to the start gate is mapped to
# The pursuits' and the team sprint's start gates, on the pursuit lines: the home straight's
# (red disc) and the back straight's (green disc); only at a venue with pursuit lines.
GATE_HOME = "gate-home"
GATE_BACK = "gate-back"
GATES = (START, GATE_HOME, GATE_BACK)  # impulse channels that are a gate, not a photocell


class Wiring(msgspec.Struct, frozen=True, kw_only=True):
    """The timing lines a source serves, as `config/description` publishes them."""

    line: str | None = None  # the one line of the source (a P3 decoder's loop)
    decoder_lines: dict[str, str] = {}  # decoder id -> line, where one source has several
    channels: dict[str, str] = {}  # impulse channel ("C0".."C9") -> line


class SourceDescription(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, tag_field="protocol"
):
    """A source as a capture header describes it (a family's subclass adds its settings).

    Unknown keys are ignored, not refused: headers written before the families had types of
    their own hold every protocol's defaults."""

    timezone: str = "UTC"  # the venue's: a device's time of day is local time
    endpoint: str | None = None
    seq: int = 0  # seq of the last event published before this capture began
    resume: dict[str, Any] | None = None  # the session state the daemon resumed from
    # When the daemon started (host clock, unix us): the session's start, which a device's
    # records may predate (P3's horizon). None: the first receive time (a dump, an old header).
    started_us: int | None = None

    @property
    def protocol(self) -> str:
        return str(self.__struct_config__.tag)

    def new_session(self, name: str) -> Session:
        raise NotImplementedError(f"{type(self).__name__} makes no session")

    def photocell_lines(self) -> set[str]:
        """The timing lines this source's photocells time (the start gate is not one)."""
        return set()

    def lines_text(self) -> str:
        """Its timing lines for people, as `velotime capture info` shows them."""
        return ""

    def to_builtins(self) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(self)
        return data


class SourceConfig(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="protocol"
):
    """A `[[sources]]` entry: what every source has (a family's subclass adds its settings)."""

    # How long a link may stay silent before it counts as dead: None, a device quiet between
    # races; a family whose device sends a heartbeat sets it.
    default_silence_timeout_s: ClassVar[float | None] = None
    # Why a key of another family's is wrong here, where "it is for X sources" is not enough.
    foreign_key_hints: ClassVar[dict[str, str]] = {}

    name: str
    transport: str
    silence_timeout_s: float | None = None  # None: the family's default
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0

    @property
    def protocol(self) -> str:
        return str(self.__struct_config__.tag)

    @property
    def endpoint(self) -> Endpoint:
        """The parsed `transport`; cannot fail on a config from `load_config`/`parse_config`."""
        return parse_transport(self.transport)

    @property
    def silence_limit_s(self) -> float | None:
        if self.silence_timeout_s is not None:
            return self.silence_timeout_s
        return self.default_silence_timeout_s

    @property
    def poll_interval_s(self) -> float:
        """How often the driver asks the session for a command to send (if it has any)."""
        return 60.0

    def check(self, report: Report, line_names: set[str] | None) -> Self:
        """Report what is wrong with the family's own settings; return the settings in their
        canonical form. `line_names`: the venue's lines, None if they could not be read."""
        return self

    def describe(
        self, timezone: str, seq: int = 0, resume: dict[str, Any] | None = None
    ) -> SourceDescription:
        """The source as a capture header describes it, resuming from `resume`."""
        raise NotImplementedError

    def wiring(self) -> Wiring:
        return Wiring()

    def summary(self) -> str:
        """What `velotime check-config` says of the source after its protocol and endpoint."""
        return ""


def check_positive(report: Report, path: Sequence[Key], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        report(path, f"must be a number greater than 0, got {value!r}")


def check_not_negative(report: Report, path: Sequence[Key], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        report(path, f"must be a number of 0 or more, got {value!r}")


def check_whole(
    report: Report, path: Sequence[Key], value: int, low: int, high: int | None = None
) -> None:
    """Report `value` unless low <= value (<= high)."""
    if high is None and value < low:
        report(path, f"must be a whole number of {low} or more, got {value!r}")
    elif high is not None and not low <= value <= high:
        report(path, f"must be a whole number from {low} to {high}, got {value!r}")


def check_line(report: Report, path: Sequence[Key], name: str, line_names: set[str] | None) -> None:
    """Report `name` if it is no timing line of the venue. Without every line read, "no such
    line" could be a false alarm: then say nothing."""
    if line_names is not None and name not in line_names:
        known = ", ".join(repr(n) for n in sorted(line_names))
        report(path, f"no timing line {name!r} in [[lines]] (known: {known})")
