"""Exact text-to-microsecond conversion of the times FinishLynx writes. Integers only, no floats.

A float would turn "13:41:52.2875" into 49312.287499999... seconds; the digits are split and
scaled as integers instead, so every time with up to 6 decimals converts exactly.
"""

import re
from typing import NamedTuple

from velotime.times import US_PER_SECOND

MAX_DIGITS = 6  # microsecond resolution; FinishLynx writes at most 4

# ASCII digits only: str.isdigit() and \d would also accept "²" or Arabic-Indic digits.
# At most 9 digits in any component: 31 years of seconds is plenty, and Python refuses to
# convert a string of more than 4300 digits to int (a ValueError a garbage file must not cause).
_DIGITS = re.compile(r"[0-9]{1,9}")
_FRACTION = re.compile(r"[0-9]{1,6}")


class ExactTime(NamedTuple):
    """A parsed time: exact microseconds and the number of decimals written."""

    us: int
    digits: int


def _parse(text: str, max_parts: int) -> tuple[list[str], ExactTime] | None:
    """Split `[[H:]M:]S[.f]`; check that every component after a colon has two digits < 60."""
    whole, dot, fraction = text.strip().partition(".")
    if dot and _FRACTION.fullmatch(fraction) is None:
        return None  # "12." or "12.3456789" or "12.3a"
    parts = whole.split(":")
    if len(parts) > max_parts or any(_DIGITS.fullmatch(part) is None for part in parts):
        return None
    if any(len(part) != 2 or int(part) >= 60 for part in parts[1:]):
        return None  # "1:5.2" or "1:75.000": never written by FinishLynx, so not a time
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    fraction_us = int(fraction.ljust(MAX_DIGITS, "0")) if dot else 0
    return parts, ExactTime(seconds * US_PER_SECOND + fraction_us, len(fraction))


def parse_duration(text: str) -> ExactTime | None:
    """`S.fff`, `M:SS.fff` or `H:MM:SS.fff` (0 to 6 decimals) to exact microseconds.

    Only the first component is unbounded ("105.611" or "75:00.0" are unusual but unambiguous).
    None when the text is not such a time; surrounding spaces are ignored.
    """
    parsed = _parse(text, max_parts=3)
    return None if parsed is None else parsed[1]


def parse_time_of_day(text: str) -> ExactTime | None:
    """`H:MM:SS.ffff` to exact microseconds after midnight; None unless a real time of day."""
    parsed = _parse(text, max_parts=3)
    if parsed is None:
        return None
    parts, time = parsed
    if len(parts) != 3 or len(parts[0]) > 2 or int(parts[0]) >= 24:
        return None
    return time
