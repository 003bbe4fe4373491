"""The ALGE Timy line format, declared once: the columns of a timing line and, for each field,
its text form and the exact inverse (`format_*` / `parse_*` pairs).

A timing line is 26 characters, 28 with its checksum:

    flag number lane token SP time SP group [checksum]
    ` 0035 C0  21:46:36.3910 00`

Everything here works on the line's bytes (code page 437, one byte per character), so that the
checksum is computed over exactly what travelled. Nothing here raises on bad input: a parser
returns None, or a reason, for text it does not accept. Formatters raise `ValueError` for values
the format cannot carry.
"""

import re

from velotime.times import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND

ENCODING = "cp437"  # the Timy's character set; decoding never fails (all 256 bytes map)

# -- the timing line: one table of columns, used by both `join_timing_line` and the parser ----

FLAG = slice(0, 1)  # " " normal, "?" not assigned, "c" cleared, "i" invalid, "d", ...
NUMBER = slice(1, 5)  # start number, 4 digits
LANE = slice(5, 6)  # a space; parallel slalom writes "b" or "r" (not interpreted here)
TOKEN = slice(6, 9)  # "C0 ", "C0M" (manual), "RT ", "TT "
TIME = slice(10, 23)  # "HH:MM:SS.ffff", fewer decimals padded with spaces on the right
GROUP = slice(24, 26)  # 2 digits
CHECKSUM = slice(26, 28)  # optional (the host sent CHK1)
SEPARATORS = (9, 23)  # always a space
TIMING_LINE_LENGTH = 26
CHECKED_LINE_LENGTH = 28

MAX_DIGITS = 4  # 1/10000 s, the Timy's finest precision
_SPACE = 0x20


def join_timing_line(
    flag: str, number: str, token: str, time: str, group: str, lane: str = " "
) -> str:
    """Place each field in its columns; every field must have its column's exact width."""
    chars = [" "] * TIMING_LINE_LENGTH
    for where, value in (
        (FLAG, flag),
        (NUMBER, number),
        (LANE, lane),
        (TOKEN, token),
        (TIME, time),
        (GROUP, group),
    ):
        if len(value) != where.stop - where.start:
            raise ValueError(f"{value!r} does not fill columns {where.start}-{where.stop - 1}")
        chars[where] = value
    return "".join(chars)


def is_timing_line(raw: bytes) -> bool:
    """The shape of a timing line: its length and its separators (the fields are checked later)."""
    return (
        len(raw) in (TIMING_LINE_LENGTH, CHECKED_LINE_LENGTH)
        and raw[SEPARATORS[0]] == _SPACE
        and raw[SEPARATORS[1]] == _SPACE
    )


# -- checksum (CHK1): sum of the 26 characters mod 256, each nibble sent as 0x30 + nibble ------

_NIBBLE_BASE = 0x30  # so the two characters are "0".."?"


def checksum(line: bytes) -> bytes:
    """The two checksum characters of a 26-byte timing line."""
    total = sum(line[:TIMING_LINE_LENGTH]) & 0xFF
    return bytes((_NIBBLE_BASE + (total >> 4), _NIBBLE_BASE + (total & 0x0F)))


def checksum_matches(line: bytes) -> bool:
    """Whether a 28-byte line ends with the checksum of its first 26 bytes. Exact comparison:
    a character outside "0".."?" never matches (no masking of stray bits)."""
    return line[CHECKSUM] == checksum(line)


# -- decimal fields --------------------------------------------------------------------------

_ASCII_DIGITS = frozenset(b"0123456789")  # not str.isdigit: cp437 decodes 0xFD to "²"


def format_digits(value: int, width: int) -> str:
    if not 0 <= value < 10**width:
        raise ValueError(f"{value} does not fit in {width} digits")
    return f"{value:0{width}d}"


def parse_digits(raw: bytes) -> int | None:
    """The value of ASCII digits only; None for anything else (a sign, a space, "²")."""
    if not raw or not _ASCII_DIGITS.issuperset(raw):
        return None
    return int(raw)


# -- times: "HH:MM:SS." then 1 to 4 decimals, space padded to 13 characters --------------------

TIME_WIDTH = TIME.stop - TIME.start
TIME_OF_DAY_LIMIT_US = US_PER_DAY  # 00:00:00 to 23:59:59.9999
MAX_DURATION_US = 100 * US_PER_HOUR  # RT/TT hours have two digits
_TIME = re.compile(rb"([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{1,4}) *")
_UNIT_US = {1: 100_000, 2: 10_000, 3: 1_000, 4: 100}  # of the last decimal written


def unit_us(digits: int) -> int:
    """The microseconds of the last decimal written: 4 decimals -> 100 us, 2 -> 10 000 us."""
    unit = _UNIT_US.get(digits)
    if unit is None:
        raise ValueError(f"digits must be 1-{MAX_DIGITS}, got {digits}")
    return unit


def format_time(time_us: int, digits: int, limit_us: int) -> str:
    """The 13-character time field of `time_us` (0 <= time_us < limit_us) to `digits` decimals.
    Refuses a time finer than the precision rather than round it."""
    unit = unit_us(digits)
    if not 0 <= time_us < limit_us:
        raise ValueError(f"time {time_us} us is outside 0..{limit_us - 1}")
    if time_us % unit:
        raise ValueError(f"time {time_us} us is finer than {digits} decimal(s)")
    hours, rest = divmod(time_us, US_PER_HOUR)
    minutes, rest = divmod(rest, US_PER_MINUTE)
    seconds, rest = divmod(rest, US_PER_SECOND)
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}.{rest // unit:0{digits}d}"
    return text.ljust(TIME_WIDTH)


def parse_time(raw: bytes, limit_us: int) -> tuple[int, int] | str:
    """(microseconds, decimals) of a time field, exactly, with integers only; or why not."""
    match = _TIME.fullmatch(raw)
    if match is None or len(raw) != TIME_WIDTH:
        return "not HH:MM:SS.f to HH:MM:SS.ffff padded to 13 characters"
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3])
    if minutes >= 60 or seconds >= 60:
        return "minutes or seconds above 59"
    decimals = match[4]
    digits = len(decimals)
    time_us = (
        hours * US_PER_HOUR
        + minutes * US_PER_MINUTE
        + seconds * US_PER_SECOND
        + int(decimals) * unit_us(digits)
    )
    if time_us >= limit_us:
        return "hours out of range"
    return time_us, digits


# -- tokens ----------------------------------------------------------------------------------

RUN_TIME_TOKEN = "RT "
TOTAL_TIME_TOKEN = "TT "
_CHANNEL = re.compile(rb"C([0-9])([ M])")


def format_channel(channel: int, manual: bool) -> str:
    if not 0 <= channel <= 9:
        raise ValueError(f"channel must be 0-9, got {channel}")
    return f"C{channel}{'M' if manual else ' '}"


def parse_channel(raw: bytes) -> tuple[int, bool] | None:
    """(channel, manual) of an impulse token such as b"C1 " or b"C0M"."""
    match = _CHANNEL.fullmatch(raw)
    if match is None:
        return None
    return int(match[1]), match[2] == b"M"


# -- the next-number line: "n0012" -----------------------------------------------------------

NEXT_NUMBER_FLAG = "n"
NEXT_NUMBER_LENGTH = 5


def format_next_number(number: int) -> str:
    return NEXT_NUMBER_FLAG + format_digits(number, NUMBER.stop - NUMBER.start)


# -- what tells device data from free text -----------------------------------------------------

_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_TIME_OF_A_LINE = re.compile(rb"[0-9]{2}:[0-9]{2}:[0-9]{2}\.")
# Data lines of these lengths begin with a flag and 4 digits but carry no time: "n0012",
# "s0012" (start number selected) and, in parallel slalom, "n0012b".
SHORT_DATA_LENGTHS = (NEXT_NUMBER_LENGTH, NEXT_NUMBER_LENGTH + 1)


def has_control_characters(raw: bytes) -> bool:
    return _CONTROL.search(raw) is not None


def looks_like_data(raw: bytes) -> bool:
    """A flag and four digits at the start, or a time with decimals anywhere: what a damaged
    timing line still shows (a lost or extra character keeps one of the two intact)."""
    return has_data_prefix(raw) or _TIME_OF_A_LINE.search(raw) is not None


def has_data_prefix(raw: bytes) -> bool:
    """A flag and four digits, as every line of device data begins."""
    return len(raw) >= NUMBER.stop and parse_digits(raw[NUMBER]) is not None
