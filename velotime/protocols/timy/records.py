"""Typed, immutable records of the ALGE Timy line format.

Every record keeps `text`, the line as it travelled (without its line end), for audits. A record
made by hand gets the text it would be sent as, and making it checks that every field fits the
format (`ValueError` otherwise). `to_line()` formats the fields with `layout`, the exact inverse
of what `parse_line` does with them, so a decoded record encodes back to the line it came from.
"""

from typing import ClassVar

from velotime.protocols.framing import LineRecord
from velotime.protocols.timy import layout

_NUMBER_WIDTH = layout.NUMBER.stop - layout.NUMBER.start
_GROUP_WIDTH = layout.GROUP.stop - layout.GROUP.start


class TimyRecord(LineRecord, frozen=True, kw_only=True, tag_field="type"):
    """A line the Timy sent. Each record class declares its fields itself, `text` last, so that
    JSON shows them in reading order."""


def _timing_line(
    flag: str, number: int, token: str, time: str, group: int, checksum_ok: bool | None
) -> str:
    if len(flag) != 1 or layout.has_control_characters(flag.encode(layout.ENCODING)):
        raise ValueError(f"the flag must be one printable character, got {flag!r}")
    line = layout.join_timing_line(
        flag,
        layout.format_digits(number, _NUMBER_WIDTH),
        token,
        time,
        layout.format_digits(group, _GROUP_WIDTH),
    )
    if checksum_ok is None:
        return line
    if not checksum_ok:
        raise ValueError("a line with a wrong checksum cannot be made (checksum_ok=False)")
    return line + layout.checksum(line.encode(layout.ENCODING)).decode("ascii")


class Impulse(TimyRecord, frozen=True, kw_only=True, tag="impulse"):
    """A photocell, start gate or keypad impulse: ` 0035 C0  21:46:36.3910 00`.

    - `flag`: the first character (" " normal, "?" not assigned to a valid number, "c" cleared,
      "i" invalid, "d" disqualified, ...).
    - `channel` 0-9 (`C0` start, `C1` finish); `manual`: from the keypad (`C0M`).
    - `time_of_day_us`: microseconds after midnight on the Timy's clock, exact.
    - `digits`: how many decimals the Timy wrote (1-4; 4 is 1/10000 s).
    - `checksum_ok`: True when the line carried a checksum (CHK1) and it matched; None when it
      carried none. A wrong checksum never makes a record (the stream reports a `bad_checksum`
      error instead), so it is never False.
    """

    flag: str = " "
    number: int
    channel: int
    manual: bool = False
    time_of_day_us: int
    digits: int = layout.MAX_DIGITS
    group: int = 0
    checksum_ok: bool | None = None
    text: str = ""

    def to_line(self) -> str:
        return _timing_line(
            self.flag,
            self.number,
            layout.format_channel(self.channel, self.manual),
            layout.format_time(self.time_of_day_us, self.digits, layout.TIME_OF_DAY_LIMIT_US),
            self.group,
            self.checksum_ok,
        )


class _DerivedTime(TimyRecord, frozen=True, kw_only=True):
    """A time the Timy computed, to 1/100 s on the TdC 8001: ` 0001 RT  00:00:59.76   00`.
    Fields as in `Impulse`; `duration_us` is exact and below 100 hours."""

    TOKEN: ClassVar[str]

    flag: str = " "
    number: int
    duration_us: int
    digits: int = 2
    group: int = 0
    checksum_ok: bool | None = None
    text: str = ""

    def to_line(self) -> str:
        return _timing_line(
            self.flag,
            self.number,
            self.TOKEN,
            layout.format_time(self.duration_us, self.digits, layout.MAX_DURATION_US),
            self.group,
            self.checksum_ok,
        )


class RunTime(_DerivedTime, frozen=True, kw_only=True, tag="run_time"):
    """`RT`: the run time of `number` (finish minus start)."""

    TOKEN: ClassVar[str] = layout.RUN_TIME_TOKEN


class TotalTime(_DerivedTime, frozen=True, kw_only=True, tag="total_time"):
    """`TT`: the total time of `number` over its runs."""

    TOKEN: ClassVar[str] = layout.TOTAL_TIME_TOKEN


class NextNumber(TimyRecord, frozen=True, kw_only=True, tag="next_number"):
    """`n0012`: the operator set the next start number."""

    number: int
    text: str = ""

    def to_line(self) -> str:
        return layout.format_next_number(self.number)


class UnknownLine(TimyRecord, frozen=True, kw_only=True, tag="unknown"):
    """A well-formed line velotime does not interpret (another code such as `DT`, a parallel
    slalom lane, an answer to a host command): kept as it came."""

    text: str

    def to_line(self) -> str:
        return self.text


TimingRecord = Impulse | RunTime | TotalTime
TIMING_RECORD_CLASSES: tuple[type[TimyRecord], ...] = (Impulse, RunTime, TotalTime)
RECORD_CLASSES: tuple[type[TimyRecord], ...] = (*TIMING_RECORD_CLASSES, NextNumber, UnknownLine)
