"""What the operator tells the scoring engine (over MQTT control topics, or `velotime ctl`).

Commands are data, so that they can be recorded in the capture log and replayed: a replay
applies the same commands at the same points and reproduces the results exactly.
"""

import re
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from velotime.times import parse_duration
from velotime.wire.errors import WireError

# A command's id names the topic its answer comes on (replies/scoring/<id>): one topic level.
# (msgspec searches for the pattern, and "$" matches before a last newline: "(?!\n)" refuses it.)
COMMAND_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}(?!\n)$"
_COMMAND_ID = re.compile(COMMAND_ID_PATTERN)
CommandId = Annotated[str, msgspec.Meta(pattern=COMMAND_ID_PATTERN)]


class _Command(msgspec.Struct, frozen=True, kw_only=True):
    """Every command: `id`, chosen by its sender, names the answer's topic
    (`replies/scoring/<id>`); a command without one (older desks, older captures) is applied
    the same and goes unanswered."""

    id: CommandId | UnsetType = UNSET


class Arm(_Command, frozen=True, kw_only=True, tag="arm"):
    """This event is on the track now: its timing events count from here."""

    event: str


class NextRider(_Command, frozen=True, kw_only=True, tag="next_rider"):
    """This rider rides now. In a time trial the timing from here is theirs; in a flying 200 m
    it is optional (transponders name the riders) and shows who is on the track. The same rider
    named again means a restart: only the last start counts (3.2.021 ter, 3.2.028)."""

    event: str
    bib: int


# "" undoes an earlier decision. "crashed": came down in the last kilometre of a scratch race,
# or could not get back in it (3.2.251 ter): not classified (3.2.182); in an omnium, the next
# free place and its points.
Decision = Literal["DNS", "DNF", "DSQ", "REL", "crashed", ""]


class SetStatus(_Command, frozen=True, kw_only=True, tag="status"):
    """A commissaires' decision about one rider in one event."""

    event: str
    bib: int
    status: Decision
    reason: str = ""


class Correct(_Command, frozen=True, kw_only=True, tag="correct"):
    """A manual correction, with its reason, kept in the result's audit trail.

    `place` puts the rider at that place among the ranked riders (the lots of a draw, a
    photo-required pair, a commissaire's order); `time` ("10.724", "1:00.981") replaces the
    measured time (a backup timing after a fault). A rider's place and time are kept apart
    (a set time, then the lots of the draw it makes); a correction with neither withdraws both.
    """

    event: str
    bib: int
    place: int | None = None
    time: str | None = None
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("a correction needs its reason")
        if self.place is not None and self.time is not None:
            raise ValueError("one correction corrects a place or a time, not both")
        if self.place is not None and self.place < 1:
            raise ValueError("a place is 1 or more")
        if self.time is not None:
            parse_duration(self.time)  # a mistyped time is refused here, at the desk

    @property
    def time_us(self) -> int | None:
        return None if self.time is None else parse_duration(self.time)


class Confirm(_Command, frozen=True, kw_only=True, tag="confirm"):
    """An official confirms a measured time the engine holds under "check" (outside the
    event's plausible window, docs/meet-format.md): the rider is ranked with it. It confirms
    that time only: other evidence giving the rider another time puts it under check again."""

    event: str
    bib: int
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("a confirmation needs its reason")


class Start(_Command, frozen=True, kw_only=True, tag="start"):
    """The race has started (the keirin's gun, a start without a working gate): scoreboards
    run the clock from when the daemon received this, unless the camera or the gate says
    better."""

    event: str


class Abandon(_Command, frozen=True, kw_only=True, tag="abandon"):
    """The race is stopped to be run again (a keirin neutralised after a crash in the first
    lap): its timing so far no longer counts; decisions and corrections stay."""

    event: str
    reason: str = ""


class Neutralise(_Command, frozen=True, kw_only=True, tag="neutralise"):
    """A bunch race is neutralised (a crash, 3.2.020 bis, 3.2.131): every rider's next `laps`
    laps across the finish line from now are ridden, not counted; the lap board stays."""

    event: str
    laps: int
    reason: str = ""

    def __post_init__(self) -> None:
        if not 1 <= self.laps <= 100:
            raise ValueError("a neutralisation is 1 to 100 laps")


class SetLaps(_Command, frozen=True, kw_only=True, tag="laps"):
    """A bunch race: the commissaires' count of one rider's laps now (the loops missed a lap,
    a rider back after a fall); the laps the rider rides from now add to it."""

    event: str
    bib: int
    laps: int
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("a lap count needs its reason")
        if self.laps < 0:
            raise ValueError("a lap count is 0 or more")


class LapChangeDecision(_Command, frozen=True, kw_only=True, tag="lap_change"):
    """A bunch race: the commissaires' lap gained (+1) or lost (-1) by a rider (3.2.017
    quater): the proposal it confirms, or their own. `dismiss`: the proposal is set aside
    instead (the rider stays on the bunch's lap)."""

    event: str
    bib: int
    change: Literal[1, -1]
    dismiss: bool = False
    reason: str = ""


class SprintDecision(_Command, frozen=True, kw_only=True, tag="sprint"):
    """A points race, a tempo race or a Madison: the judges' word on sprint `number`
    (uci-rules.md §2.6: the sprint is theirs to judge). No `placings`: the proposal of the loops
    and the camera is confirmed as it stands; `placings`: theirs over it, from the first place,
    each a list of the bibs sharing it (one bib, or more in a dead heat; in a Madison a team's
    number or either rider's bib), with the reason."""

    event: str
    number: int
    placings: list[list[int]] = []
    reason: str = ""

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError("a sprint's number is 1 or more")
        if self.placings and not self.reason.strip():
            raise ValueError("the judges' placings need their reason")
        if any(not placing for placing in self.placings):
            raise ValueError("an empty place among the placings")


class Eliminate(_Command, frozen=True, kw_only=True, tag="eliminate"):
    """An elimination race: the commissaires' word on who goes out at elimination sprint number
    `sprint` (3.2.223): the rider the loops or the camera propose (the last over the line, or a
    rider lapped or abandoning since the previous sprint) confirmed, or another rider instead
    (riding on the blue band)."""

    event: str
    sprint: int
    bib: int
    reason: str = ""

    def __post_init__(self) -> None:
        if self.sprint < 1:
            raise ValueError("a sprint number is 1 or more")


class GreenFlag(_Command, frozen=True, kw_only=True, tag="green_flag"):
    """An elimination race: nobody goes out at elimination sprint number `sprint`, the decision
    not announced in time (3.2.223); the race is a sprint longer."""

    event: str
    sprint: int
    reason: str = ""

    def __post_init__(self) -> None:
        if self.sprint < 1:
            raise ValueError("a sprint number is 1 or more")


class Provisional(_Command, frozen=True, kw_only=True, tag="provisional"):
    event: str


class Final(_Command, frozen=True, kw_only=True, tag="final"):
    """The result is official: later timing events no longer change it."""

    event: str


class Reopen(_Command, frozen=True, kw_only=True, tag="reopen"):
    """A final result is provisional again, for a reason kept in its audit trail (a protest
    upheld): corrections and decisions apply to it again, until it is made final again."""

    event: str
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("a reopening needs its reason")


Command = (
    Arm
    | NextRider
    | SetStatus
    | Correct
    | Confirm
    | Start
    | Abandon
    | Neutralise
    | SetLaps
    | LapChangeDecision
    | SprintDecision
    | Eliminate
    | GreenFlag
    | Provisional
    | Final
    | Reopen
)


_command = msgspec.json.Decoder(Command)


def decode_command(payload: bytes) -> Command:
    """A command from its JSON (`{"type": "arm", "event": "sprint-q"}`); raises WireError on a
    malformed one, for the caller to report."""
    try:
        return _command.decode(payload)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise WireError(str(exc)) from None


def readable_command_id(payload: bytes) -> str | None:
    """The `id` of a command that cannot be decoded, where it can still be read (a JSON
    object with a well-formed id), so that its sender hears why; None otherwise."""
    try:
        loose = msgspec.json.decode(payload)
    except msgspec.DecodeError:
        return None
    command_id = loose.get("id") if isinstance(loose, dict) else None
    if isinstance(command_id, str) and _COMMAND_ID.fullmatch(command_id):
        return command_id
    return None
