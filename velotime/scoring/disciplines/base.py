"""What the engine knows of an event, and what a discipline's scorer gives back."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple, Protocol

import msgspec

from velotime.scoring.meet import Meet, MeetEvent
from velotime.wire.results import AuditEntry, EventStatus, ResultLine, Status


class Role(StrEnum):
    """What a timing line is to the scoring: found from its distance to the finish."""

    START = "start"  # the start gate (an impulse timer channel mapped to "start")
    FINISH = "finish"
    LINE_100 = "100m"
    LINE_200 = "200m"


class Crossing(msgspec.Struct, frozen=True, kw_only=True):
    """One timing event as the scorers see it."""

    role: Role
    t_us: int  # venue clock
    transponder: int | None = None  # passings; None for a photocell or start gate impulse
    photocell: bool = False


@dataclass
class EventState:
    """Everything the engine has collected for one event of the meet."""

    event: MeetEvent
    status: EventStatus = "scheduled"  # running, provisional, final
    crossings: list[Crossing] = field(default_factory=list)
    decisions: dict[int, Status] = field(default_factory=dict)
    on_track: int | None = None  # time trials: the rider now riding (NextRider)
    marks: list[tuple[int, int]] = field(default_factory=list)  # (crossing index, bib) per start
    audit: list[AuditEntry] = field(default_factory=list)
    photo_finish: list[Mapping[str, Any]] = field(default_factory=list)  # results from the camera
    places: dict[int, int] = field(default_factory=dict)  # bib -> place, by correction
    times: dict[int, int] = field(default_factory=dict)  # bib -> official time, by correction
    start_us: int | None = None  # the race's start by the operator's word (Start)


class Scored(NamedTuple):
    lines: list[ResultLine]  # the event's result lines from everything collected so far
    # Discipline-specific fields of the published result (e.g. keirin's last 200 m): the
    # optional fields of velotime.wire.results.EventResult, by name.
    extra: dict[str, Any]


class Scorer(Protocol):
    def score(self, state: EventState, meet: Meet) -> Scored:
        """The event's result lines and extra fields, worked out once per publication."""
        ...
