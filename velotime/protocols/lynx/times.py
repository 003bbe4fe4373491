"""FinishLynx time strings, exactly, as integer microseconds (never floats).

FinishLynx writes times as `S.f`, `M:SS.f` or `H:MM:SS.f` with as many decimals as its
precision setting asks for (up to four), and pads them with spaces when a script formats them
with a width (`%12.12s`). Deltas may carry a sign. Times of day use the same form.
"""

from velotime.times import US_PER_SECOND

MAX_DIGITS = 6  # a microsecond: more decimals could not be kept exactly
_FIRST_PART_DIGITS = 9  # bounds the values (a billion hours); FinishLynx writes far fewer


def _is_digits(text: str) -> bool:
    # str.isdigit alone accepts other scripts' digits, which int() would then read.
    return text.isascii() and text.isdigit()


def parse_time(text: str) -> tuple[int, int] | None:
    """(microseconds, decimals shown) of a time, or None when the field is blank.

    Raises ValueError for anything else: a word such as "NWI" or "DNF", a minute or second of 60
    or more after the first part, more decimals than a microsecond.
    """
    value = text.strip(" ")
    if not value:
        return None
    sign = 1
    if value[0] in "+-":
        sign = -1 if value[0] == "-" else 1
        value = value[1:]
    whole, dot, fraction = value.partition(".")
    if dot and not (_is_digits(fraction) and len(fraction) <= MAX_DIGITS):
        raise ValueError(f"bad decimals in time {text!r}")
    parts = whole.split(":")
    first, rest = parts[0], parts[1:]
    if len(rest) > 2 or not _is_digits(first) or len(first) > _FIRST_PART_DIGITS:
        raise ValueError(f"not a time: {text!r}")
    seconds = int(first)
    for part in rest:
        if len(part) != 2 or not _is_digits(part) or int(part) >= 60:
            raise ValueError(f"bad minutes or seconds in time {text!r}")
        seconds = seconds * 60 + int(part)
    micro = int(fraction) * 10 ** (MAX_DIGITS - len(fraction)) if fraction else 0
    return sign * (seconds * US_PER_SECOND + micro), len(fraction)


def minimal_digits(time_us: int) -> int:
    """The fewest decimals that show a time exactly."""
    micro = abs(time_us) % US_PER_SECOND
    digits = MAX_DIGITS
    while digits and micro % 10 == 0:
        micro //= 10
        digits -= 1
    return digits if micro else 0


def format_time(time_us: int, digits: int | None = None) -> str:
    """FinishLynx's form of a time with `digits` decimals (default: as few as are exact).

    Raises ValueError when the time is not a whole number of those decimals, or too large.
    """
    if digits is None:
        digits = minimal_digits(time_us)
    if not 0 <= digits <= MAX_DIGITS:
        raise ValueError(f"decimals must be 0-{MAX_DIGITS}, got {digits}")
    unit = 10 ** (MAX_DIGITS - digits)
    sign = "-" if time_us < 0 else ""
    magnitude = abs(time_us)
    if magnitude % unit:
        raise ValueError(f"{time_us} us is not a whole number of {digits}-decimal units")
    seconds, micro = divmod(magnitude, US_PER_SECOND)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    fraction = f".{micro // unit:0{digits}d}" if digits else ""
    if hours:
        if len(str(hours)) > _FIRST_PART_DIGITS:
            raise ValueError(f"{time_us} us is too long a time")
        return f"{sign}{hours}:{minutes:02d}:{seconds:02d}{fraction}"
    if minutes:
        return f"{sign}{minutes}:{seconds:02d}{fraction}"
    return f"{sign}{seconds}{fraction}"
