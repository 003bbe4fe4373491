"""Integer-microsecond times and their official strings (UCI: truncate to the thousandth)."""

US_PER_MS = 1_000
US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 60 * US_PER_MINUTE
US_PER_DAY = 24 * US_PER_HOUR


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


def format_time_of_day(timestamp_us: int) -> str:
    """HH:MM:SS.fff of a timestamp (microseconds since an epoch at midnight), truncated."""
    of_day = timestamp_us % US_PER_DAY
    hours, rest = divmod(of_day, US_PER_HOUR)
    minutes, rest = divmod(rest, US_PER_MINUTE)
    seconds, rest = divmod(rest, US_PER_SECOND)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{rest // US_PER_MS:03d}"
