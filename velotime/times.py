"""Integer-microsecond times and their official strings (UCI: truncate to the thousandth)."""

import re
import time
from datetime import UTC, date, datetime, timedelta, tzinfo

US_PER_MS = 1_000
US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 60 * US_PER_MINUTE
US_PER_DAY = 24 * US_PER_HOUR


def now_us() -> int:
    """The host's wall clock, unix microseconds: when bytes were read, a command received."""
    return time.time_ns() // 1000


def truncate_to_ms(duration_us: int) -> int:
    """Truncate toward zero to a whole thousandth: 10.7246 s -> 10.724 s, never 10.725."""
    sign = -1 if duration_us < 0 else 1
    return sign * (abs(duration_us) // US_PER_MS * US_PER_MS)


def format_duration(duration_us: int) -> str:
    """The official string of a duration: "10.724", "1:00.981", "1:02:03.456" (truncated)."""
    sign = "-" if duration_us < 0 else ""
    ms = abs(duration_us) // US_PER_MS
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds, ms = divmod(ms, 1_000)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{seconds:02d}.{ms:03d}"
    if minutes:
        return f"{sign}{minutes}:{seconds:02d}.{ms:03d}"
    return f"{sign}{seconds}.{ms:03d}"


_DURATION = re.compile(r"(?:(?:(\d+):)?([0-5]?\d):)?(\d+)\.(\d{1,3})")


def parse_duration(text: str) -> int:
    """An official string back to microseconds: "10.724", "1:00.981", "1:02:03.456". At most
    three decimals (official times are thousandths); "10.72" is 10.720. Raises ValueError."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a time like 10.724 or 1:00.981: {text!r}")
    hours, minutes, seconds, fraction = match.groups()
    if minutes is not None and int(seconds) >= 60:
        raise ValueError(f"seconds past 59 in {text!r}")
    total_ms = ((int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(seconds)) * 1_000
    return (total_ms + int(fraction.ljust(3, "0"))) * US_PER_MS


def format_time_of_day(timestamp_us: int) -> str:
    """HH:MM:SS.fff of a timestamp (microseconds since an epoch at midnight), truncated."""
    of_day = timestamp_us % US_PER_DAY
    hours, rest = divmod(of_day, US_PER_HOUR)
    minutes, rest = divmod(rest, US_PER_MINUTE)
    seconds, rest = divmod(rest, US_PER_SECOND)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{rest // US_PER_MS:03d}"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_DAY = timedelta(days=1)


def local_time_of_day_to_unix_us(time_of_day_us: int, near_us: int, zone: tzinfo) -> int:
    """The instant (unix microseconds) at which local clocks in `zone` show `time_of_day_us`
    after midnight, on the day (yesterday, today or tomorrow) that puts it nearest `near_us`.

    Devices that give time of day only (impulse timers, the photo-finish camera) need a date:
    an impulse at 23:59:59.9 read just after midnight is yesterday's. Exact integers throughout.
    """
    today = (_EPOCH + near_us * _ONE_US).astimezone(zone).date()
    return min(
        (_on_day(day, time_of_day_us, zone) for day in (today - _DAY, today, today + _DAY)),
        key=lambda instant: abs(instant - near_us),
    )


def local_time_of_day(unix_us: int, zone: tzinfo) -> int:
    """Microseconds after local midnight in `zone` at the instant `unix_us`."""
    local = (_EPOCH + unix_us * _ONE_US).astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    return (local.replace(tzinfo=None) - midnight) // _ONE_US


def _on_day(day: date, time_of_day_us: int, zone: tzinfo) -> int:
    local = datetime(day.year, day.month, day.day) + time_of_day_us * _ONE_US
    return (local.replace(tzinfo=zone) - _EPOCH) // _ONE_US
