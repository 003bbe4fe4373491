"""What the engine knows of an event, what a discipline's scorer gives back, and the scorer's
hooks: the engine asks the scorer of each event, and knows no discipline by name."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple, Protocol, TypedDict, runtime_checkable

import msgspec

from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.keirin import Rider
from velotime.wire.commands import Command
from velotime.wire.events import PhotoFinishData
from velotime.wire.results import (
    AuditEntry,
    EliminationBoard,
    EventStatus,
    LapBoard,
    LapChangeLine,
    OnTrackLine,
    PursuitBoard,
    ResultLine,
    SprintBoard,
    SprintLine,
    Status,
    TeamSprintBoard,
)


class Role(StrEnum):
    """What a timing line is to the scoring: its role in the venue's configuration (the
    pursuit lines), else found from its distance to the finish; or the start gate an impulse
    timer channel is wired to."""

    START = "start"  # the start gate (an impulse timer channel mapped to "start")
    FINISH = "finish"
    LINE_100 = "100m"
    LINE_200 = "200m"
    PURSUIT_HOME = "pursuit-home"  # mid home straight (red disc), [[lines]] role
    PURSUIT_BACK = "pursuit-back"  # mid back straight (green disc), half a lap on
    GATE_HOME = "gate-home"  # the start gate on the home pursuit line (a channel "gate-home")
    GATE_BACK = "gate-back"  # the start gate on the back pursuit line (a channel "gate-back")


class Crossing(msgspec.Struct, frozen=True, kw_only=True, gc=False, array_like=True):
    """One timing event as the scorers see it. (Numbers only: no cycle, so the garbage
    collector need not track an event's many crossings. Packed as an array, not a map: a final
    event keeps its crossings packed, for a reopening, at a fifth of their size in memory.)"""

    role: Role
    t_us: int  # venue clock
    transponder: int | None = None  # passings; None for a photocell or start gate impulse
    photocell: bool = False


@dataclass
class EventState:
    """Everything the engine has collected for one event of the meet. Timing is only ever
    appended, until an Abandon throws it away (`abandons` counts those)."""

    event: MeetEvent
    status: EventStatus = "scheduled"  # running, provisional, final
    crossings: list[Crossing] = field(default_factory=list)
    decisions: dict[int, Status] = field(default_factory=dict)
    on_track: int | None = None  # time trials: the rider now riding (NextRider)
    marks: list[tuple[int, int]] = field(default_factory=list)  # (crossing index, bib) per start
    audit: list[AuditEntry] = field(default_factory=list)
    photo_finish: list[PhotoFinishData] = field(default_factory=list)  # entries from the camera
    places: dict[int, int] = field(default_factory=dict)  # bib -> place, by correction
    times: dict[int, int] = field(default_factory=dict)  # bib -> official time, by correction
    # bib -> the official time outside the plausible window an official confirmed (Confirm)
    confirmed: dict[int, int] = field(default_factory=dict)
    start_us: int | None = None  # the race's start by the operator's word (Start)
    abandons: int = 0  # Abandons so far: a scorer that saw fewer starts again from nothing
    # The commands applied to the event since the last Abandon, each with the number of
    # crossings collected before it and when it came: a bunch race's lap counter takes them
    # in their place among the crossings.
    commands: list[tuple[int, int | None, Command]] = field(default_factory=list)


class ResultExtra(TypedDict, total=False):
    """Discipline-specific fields of the published result: the optional fields of
    velotime.wire.results.EventResult, by name."""

    on_track: OnTrackLine | None  # time trial
    problems: list[str]  # time trial, bunch races
    winner_last_200: str  # keirin, once both crossings are known
    winner_last_200_kmh: str
    lap_board: LapBoard  # bunch races
    lap_changes: list[LapChangeLine]
    lap_proposals: list[LapChangeLine]
    sprints: list[SprintLine]  # points race, tempo
    sprint_board: SprintBoard
    elimination: EliminationBoard  # elimination race
    pursuit: PursuitBoard  # individual and team pursuit heats
    team_sprint: TeamSprintBoard  # team sprint heat


class Scored(NamedTuple):
    lines: list[ResultLine]  # the event's result lines from everything collected so far
    extra: ResultExtra


class Venue(NamedTuple):
    """What the scorers know of the venue, from its configuration or a capture's header."""

    track_length_m: float
    photocell_roles: frozenset[Role]  # the lines an impulse timer's photocells are wired to
    # (home, back): the pursuit lines' distances before the finish, metres; None: the venue
    # has no pursuit lines (a pursuit then starts and finishes on the finish line).
    pursuit_lines_m: tuple[float, float] | None = None


class Scorer(Protocol):
    """The scorer of one event. It keeps what it worked out between publications and reads
    only the timing added to the `EventState` since (and everything again after an Abandon),
    so that scoring an event costs what changed, not its whole history."""

    def score(self, state: EventState) -> Scored:
        """The event's result lines and extra fields, as they stand."""
        ...

    def start_us(self, state: EventState) -> int | None:
        """When the race (or the rider on the track) started, venue clock, for the scoreboards'
        clock: the operator's Start or what the devices say; None before a start."""
        ...

    def refuses(self, command: Command) -> str | None:
        """Why this event cannot take the command (a keirin has no times to correct), or None."""
        ...


@runtime_checkable
class CountsLaps(Protocol):
    """A bunch race's scorer: it takes the lap board's commands (Neutralise, SetLaps,
    LapChangeDecision), which other scorers have no use for."""

    def counts_laps(self) -> bool: ...


@runtime_checkable
class JudgesSprints(Protocol):
    """A bunch race with sprints (points race, tempo): it takes the judges' `sprint` command,
    which other scorers have no use for."""

    def judges_sprints(self) -> bool: ...


@runtime_checkable
class Eliminates(Protocol):
    """An elimination race's scorer: it takes the commissaires' Eliminate and GreenFlag, whose
    refusal depends on the race so far (a sprint not ridden yet, a rider already out)."""

    def refuses_now(self, command: Command, state: EventState) -> str | None: ...


class Discipline(Protocol):
    """Makes the scorer of one event of the discipline (velotime.scoring.disciplines)."""

    def __call__(self, event: MeetEvent, meet: Meet, venue: Venue) -> Scorer: ...


# The two gates of one release (team sprint, pursuit: 3.2.016) are stamped up to 0.3 ms apart
# (the Timy's channels) and may arrive one after the other. A side's gate impulse is missing
# only once the timing seen has moved past the other side's by more than this (a match window
# and a read's delivery: timing that may still be on its way), or the heat is provisional: a
# board never says a gate is missing while its impulse is in flight.
GATE_PAIR_US = 250_000


def timing_past(state: EventState, seen_us: int | None, t_us: int, window_us: int) -> bool:
    """All the timing up to `t_us` is in: the event is provisional (or final), or a crossing
    timed more than `window_us` after it has been seen (`seen_us`: the latest crossing's time,
    on any line; the venue clock is shared)."""
    if state.status in ("provisional", "final"):
        return True
    return seen_us is not None and seen_us - t_us > window_us


def latest_start(state: EventState, *device_starts: int | None) -> int | None:
    """The latest of the operator's Start and the starts the devices give."""
    candidates = [t for t in (state.start_us, *device_starts) if t is not None]
    return max(candidates, default=None)


def race_riders(meet: Meet, bibs: Iterable[int]) -> list[Rider]:
    """The riders of a race or heat as its rules know them, in the order given (the meet file is
    checked: every rider an event names is in [[riders]])."""
    return [
        Rider(bib=bib, name=rider.name, nation=rider.nation)
        for bib in bibs
        for rider in [meet.rider(bib)]
    ]


def bibs_by_transponder(meet: Meet, race: Collection[int]) -> dict[int, int]:
    """Transponder -> bib, for the riders of `race` only: a passing of anyone else is not theirs."""
    return {t: bib for t, bib in meet.bib_of_transponder().items() if bib in race}
