"""Typed, immutable records of velotime's FinishLynx scoreboard stream.

Each record class names its two-letter message code, the LSS script section that sends it and
its fields in wire order (`FIELDS`), each with the LSS variable that supplies it. The decoder,
the encoder, the script test and the documentation test all derive from these declarations.

Every field is optional: FinishLynx leaves a variable blank when it has no value. A field whose
text cannot be read as its kind (a lane "A", a time "NWI") is `None`, and its text is kept in
`invalid`: nothing is dropped, and encoding writes that text back.
"""

from enum import Enum
from typing import ClassVar, NamedTuple

import msgspec


class Kind(Enum):
    """How a field's text is read."""

    TEXT = "text"  # str; spaces around it are dropped and an empty field is None
    INT = "int"  # a non-negative decimal integer
    TIME = "time"  # integer microseconds from `S.f`, `M:SS.f`, `H:MM:SS.f` (times.py)
    PLACE = "place"  # a number is `place`, a word (DNF, DNS, DQ, "aufg.") is `status`
    OFFICIAL = "official"  # OFFICIAL is True, UNOFFICIAL is False


class WireField(NamedTuple):
    name: str  # the record attribute
    kind: Kind
    lss: tuple[int, int]  # the LSS group and variable codes that supply it in the script
    # TIME: the attribute keeping how many decimals FinishLynx showed; PLACE: the status one.
    companion: str | None = None


class InvalidField(msgspec.Struct, frozen=True, array_like=True):
    """A field's text as it arrived, when it could not be read as its kind."""

    name: str
    text: str


class LynxRecord(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, tag_field="type"):
    CODE: ClassVar[str] = ""
    SECTION: ClassVar[str] = ""  # the LSS section of velotime.lss that sends this message
    FIELDS: ClassVar[tuple[WireField, ...]] = ()

    invalid: tuple[InvalidField, ...] = ()


# The formatted time with four decimals: FinishLynx's finest.
_TIME = WireField("time_us", Kind.TIME, (0x11, 0x04), "time_digits")
# The start time of day, 1/10000 s (the same value the LIF header holds).
_START_TIME_OF_DAY = WireField("start_time_of_day_us", Kind.TIME, (0x13, 0x0D))
_EVENT_NAME = WireField("event_name", Kind.TEXT, (0x13, 0x02))
_EVENT = WireField("event", Kind.TEXT, (0x13, 0x04))  # may be alphanumeric: "18B"
_ROUND = WireField("round", Kind.INT, (0x13, 0x05))
_HEAT = WireField("heat", Kind.INT, (0x13, 0x06))
_COUNT = WireField("count", Kind.INT, (0x13, 0x08))
_ID = WireField("id", Kind.TEXT, (0x14, 0x03))
_LANE = WireField("lane", Kind.INT, (0x14, 0x02))
_NAME = WireField("name", Kind.TEXT, (0x14, 0x04))
_AFFILIATION = WireField("affiliation", Kind.TEXT, (0x14, 0x05))


class Armed(LynxRecord, frozen=True, tag="armed"):
    """FinishLynx is armed for the next start of this heat."""

    CODE = "AR"
    SECTION = "TimeArmed"
    FIELDS = (_EVENT, _ROUND, _HEAT, _EVENT_NAME)

    event: str | None = None
    round: int | None = None
    heat: int | None = None
    event_name: str | None = None


class RunningTime(LynxRecord, frozen=True, tag="running_time"):
    """The running time, about ten times a second from the start until it stops.

    `start_time_of_day_us` is the start as a time of day (microseconds since midnight on the
    FinishLynx computer's clock). Where it is blank, the start is the receive time minus
    `time_us`.
    """

    CODE = "TR"
    SECTION = "TimeRunning"
    FIELDS = (_TIME, _START_TIME_OF_DAY)

    time_us: int | None = None
    time_digits: int | None = None
    start_time_of_day_us: int | None = None


class Paused(LynxRecord, frozen=True, tag="paused"):
    """The running time held for a few seconds at a beam break (a split), then running again."""

    CODE = "TP"
    SECTION = "TimePaused"
    FIELDS = (_TIME,)

    time_us: int | None = None
    time_digits: int | None = None


class Stopped(LynxRecord, frozen=True, tag="stopped"):
    """The running time stopped, by a beam break or by the operator."""

    CODE = "TS"
    SECTION = "TimeStopped"
    FIELDS = (_TIME,)

    time_us: int | None = None
    time_digits: int | None = None


class Break(LynxRecord, frozen=True, tag="break"):
    """A photo-eye beam break (FinishLynx sends it only with Running Time set to Raw)."""

    CODE = "TB"
    SECTION = "TimeBreak"
    FIELDS = (_TIME,)

    time_us: int | None = None
    time_digits: int | None = None


class TimeOfDay(LynxRecord, frozen=True, tag="time_of_day"):
    """The FinishLynx clock (microseconds since midnight), with "Send time of day" on."""

    CODE = "TD"
    SECTION = "TimeOfDay"
    FIELDS = (_TIME,)

    time_us: int | None = None
    time_digits: int | None = None


class ResultsHeader(LynxRecord, frozen=True, tag="results_header"):
    """Starts a block of results: `Result` lines follow, then `ResultsComplete`."""

    CODE = "LH"
    SECTION = "ResultsHeader"
    FIELDS = (
        WireField("official", Kind.OFFICIAL, (0x13, 0x01)),
        _EVENT_NAME,
        _EVENT,
        _ROUND,
        _HEAT,
        WireField("wind", Kind.TEXT, (0x13, 0x03)),
        _COUNT,
        _START_TIME_OF_DAY,
    )

    official: bool | None = None
    event_name: str | None = None
    event: str | None = None
    round: int | None = None
    heat: int | None = None
    wind: str | None = None  # as shown: "+0.6", "NWI"
    count: int | None = None  # number of participants
    start_time_of_day_us: int | None = None


class Result(LynxRecord, frozen=True, tag="result"):
    """One result line. `place` is a number; FinishLynx writes DNF/DNS/DQ in the same field,
    which velotime keeps in `status`. `time_digits` is the precision FinishLynx showed (its
    setting, up to 4); `delta_us` is as FinishLynx computed it."""

    CODE = "LR"
    SECTION = "Result"
    FIELDS = (
        WireField("place", Kind.PLACE, (0x14, 0x01), "status"),
        _ID,
        _LANE,
        _NAME,
        _AFFILIATION,
        WireField("time_us", Kind.TIME, (0x14, 0x06), "time_digits"),
        WireField("delta_us", Kind.TIME, (0x14, 0x07)),
        WireField("laps_to_go", Kind.INT, (0x14, 0x0A)),
    )

    place: int | None = None
    status: str | None = None
    id: str | None = None
    lane: int | None = None
    name: str | None = None
    affiliation: str | None = None
    time_us: int | None = None
    time_digits: int | None = None
    delta_us: int | None = None
    laps_to_go: int | None = None


class ResultsComplete(LynxRecord, frozen=True, tag="results_complete"):
    """Ends a block of results (a page, where paging is on)."""

    CODE = "LE"
    SECTION = "ResultsTrailer"


class StartListHeader(LynxRecord, frozen=True, tag="start_list_header"):
    """Starts a start list: `StartListEntry` lines follow, then `StartListComplete`."""

    CODE = "SH"
    SECTION = "StartListHeader"
    FIELDS = (_EVENT_NAME, _EVENT, _ROUND, _HEAT, _COUNT)

    event_name: str | None = None
    event: str | None = None
    round: int | None = None
    heat: int | None = None
    count: int | None = None


class StartListEntry(LynxRecord, frozen=True, tag="start_list_entry"):
    CODE = "SL"
    SECTION = "StartList"
    FIELDS = (_ID, _LANE, _NAME, _AFFILIATION)

    id: str | None = None
    lane: int | None = None
    name: str | None = None
    affiliation: str | None = None


class StartListComplete(LynxRecord, frozen=True, tag="start_list_complete"):
    CODE = "SE"
    SECTION = "StartListTrailer"


class Unknown(LynxRecord, frozen=True, tag="unknown"):
    """A well-framed message with a code velotime does not know: its fields as they arrived."""

    code: str
    fields: tuple[str, ...] = ()


RECORD_CLASSES: tuple[type[LynxRecord], ...] = (
    Armed,
    RunningTime,
    Paused,
    Stopped,
    Break,
    TimeOfDay,
    ResultsHeader,
    Result,
    ResultsComplete,
    StartListHeader,
    StartListEntry,
    StartListComplete,
)
CLASS_OF_CODE: dict[str, type[LynxRecord]] = {cls.CODE: cls for cls in RECORD_CLASSES}
