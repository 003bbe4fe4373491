"""Exact text-to-microsecond conversion of the times FinishLynx writes. Integers only, no floats.

A float would turn "13:41:52.2875" into 49312.287499999... seconds; the digits are split and
scaled as integers instead, so every time with up to 6 decimals converts exactly. The reading is
FinishLynx's own (`lynx.times.parse_time`, as its scoreboard stream sends times), less the sign
a file's times never carry.
"""

from typing import NamedTuple

from velotime.protocols.lynx.times import parse_time
from velotime.times import US_PER_DAY


class ExactTime(NamedTuple):
    """A parsed time: exact microseconds and the number of decimals written."""

    us: int
    digits: int


def parse_duration(text: str) -> ExactTime | None:
    """`S.fff`, `M:SS.fff` or `H:MM:SS.fff` (0 to 6 decimals) to exact microseconds.

    Only the first component is unbounded ("105.611" or "75:00.0" are unusual but unambiguous);
    every one after a colon has two digits below 60 ("1:5.2" and "1:75.000" are not times).
    None when the text is not such a time; surrounding spaces are ignored.
    """
    value = text.strip()
    if not value or value[0] in "+-":
        return None
    try:
        parsed = parse_time(value)
    except ValueError:
        return None
    return None if parsed is None else ExactTime(*parsed)


def parse_time_of_day(text: str) -> ExactTime | None:
    """`H:MM:SS.ffff` to exact microseconds after midnight; None unless a real time of day."""
    time = parse_duration(text)
    if time is None:
        return None
    parts = text.strip().split(":")
    if len(parts) != 3 or len(parts[0]) > 2 or time.us >= US_PER_DAY:
        return None
    return time
