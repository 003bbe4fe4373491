"""One line at a time: what each line becomes, and the encoder's side of the same format.

Expected values are worked out by hand from the format in ../shared/docs/protocols.md 4.3.
"""

import pytest

from velotime.protocols.timy import (
    EncodeError,
    ErrorKind,
    Impulse,
    LineError,
    NextNumber,
    RunTime,
    TimyRecord,
    TotalTime,
    UnknownLine,
    encode,
    parse_line,
)

# ' 0035 C0  21:46:36.3910 00': the byte values add up to 1248 (32+48+48+51+53+32+67+48+32+32
# +50+49+58+52+54+58+51+54+46+51+57+49+48+32+48+48); 1248 mod 256 = 224 = 0xE0, whose nibbles
# 0xE and 0x0 are sent as chr(0x30 + 0xE) = ">" and chr(0x30) = "0".
LINE = b" 0035 C0  21:46:36.3910 00"
CHECKED_LINE = LINE + b">0"


def parsed(raw: bytes, *, require_checksum: bool = False) -> TimyRecord:
    item = parse_line(raw, require_checksum=require_checksum)
    assert isinstance(item, TimyRecord), item
    return item


def rejected(raw: bytes, *, require_checksum: bool = False) -> ErrorKind:
    item = parse_line(raw, require_checksum=require_checksum)
    assert isinstance(item, LineError), item
    assert item.raw == raw
    return item.kind


def test_an_impulse_to_the_ten_thousandth() -> None:
    # 21 h 46 min 36.3910 s = (21 * 3600 + 46 * 60 + 36) s + 0.3910 s = 78396.3910 s
    assert parsed(LINE) == Impulse(
        flag=" ",
        number=35,
        channel=0,
        manual=False,
        time_of_day_us=78_396_391_000,
        digits=4,
        group=0,
        checksum_ok=None,
        text=" 0035 C0  21:46:36.3910 00",
    )


@pytest.mark.parametrize(
    ("time_field", "time_of_day_us", "digits"),
    [
        # The field is 13 characters, then the separator: the brief's "21:46:48.12   ".
        (b"21:46:48.12   ", 78_408_120_000, 2),  # fewer decimals, space padded
        (b"21:46:48.1    ", 78_408_100_000, 1),
        (b"21:46:48.123  ", 78_408_123_000, 3),
        (b"00:00:00.0001 ", 100, 4),
        (b"23:59:59.9999 ", 86_399_999_900, 4),
    ],
)
def test_time_of_day_at_every_precision(
    time_field: bytes, time_of_day_us: int, digits: int
) -> None:
    line = b"?0007 C1  " + time_field + b"03"
    record = parsed(line)
    assert isinstance(record, Impulse)
    assert (record.time_of_day_us, record.digits) == (time_of_day_us, digits)
    assert (record.flag, record.number, record.channel, record.group) == ("?", 7, 1, 3)
    assert encode(record) == line + b"\r"


def test_a_keypad_impulse_is_manual() -> None:
    record = parsed(b"c0001 C0M 09:00:38.7600 00")
    assert isinstance(record, Impulse)
    assert (record.flag, record.channel, record.manual) == ("c", 0, True)
    assert record.time_of_day_us == (9 * 3600 + 38) * 1_000_000 + 760_000


def test_run_and_total_times_to_the_hundredth() -> None:
    assert parsed(b" 0001 RT  00:00:59.76   00") == RunTime(
        number=1, duration_us=59_760_000, digits=2, text=" 0001 RT  00:00:59.76   00"
    )
    assert parsed(b"i0002 TT  00:01:58.03   00") == TotalTime(
        flag="i", number=2, duration_us=118_030_000, digits=2, text="i0002 TT  00:01:58.03   00"
    )
    # A duration may pass 23 hours; two digits are all the hours there are.
    long_run = parsed(b" 0001 RT  99:59:59.99   00")
    assert isinstance(long_run, RunTime)
    assert long_run.duration_us == 359_999_990_000


def test_next_number() -> None:
    assert parsed(b"n0012") == NextNumber(number=12, text="n0012")


def test_the_checksum_is_verified() -> None:
    record = parsed(CHECKED_LINE)
    assert isinstance(record, Impulse)
    assert record.checksum_ok is True
    assert record.text == " 0035 C0  21:46:36.3910 00>0"
    assert rejected(LINE + b">1") is ErrorKind.BAD_CHECKSUM
    assert rejected(LINE + b"0>") is ErrorKind.BAD_CHECKSUM
    # Characters outside "0".."?" are never masked into a match: "N" is 0x4E, whose low nibble
    # 0xE is what ">" carries.
    assert rejected(LINE + b"N0") is ErrorKind.BAD_CHECKSUM
    assert rejected(b" 0036" + CHECKED_LINE[5:]) is ErrorKind.BAD_CHECKSUM  # one digit changed


def test_a_required_checksum_must_be_there() -> None:
    assert rejected(LINE, require_checksum=True) is ErrorKind.MISSING_CHECKSUM
    assert rejected(b" 0001 RT  00:00:59.76   00", require_checksum=True) is (
        ErrorKind.MISSING_CHECKSUM
    )
    assert isinstance(parsed(CHECKED_LINE, require_checksum=True), Impulse)
    assert parsed(b"n0012", require_checksum=True) == NextNumber(number=12)


@pytest.mark.parametrize(
    "line",
    [
        b" 0035 C0  24:00:00.0000 00",  # no 24th hour in a day
        b" 0035 C0  21:60:36.3910 00",
        b" 0035 C0  21:46:60.3910 00",
        b" 0035 C0  21:46:363.910 00",
        b" 0035 C0  21:46:36.     00",  # none
        b" 0035 C0  21:46:36 3910 00",
        b" 0035 C0  21:46:36.39 1 00",  # a space inside the decimals
        b" 0035 C0   1:46:36.391  00",  # hours not zero padded
        b" 0035 C0  21:46:3\xfd.3910 00",  # cp437 0xFD is "\xb2" (superscript two): a digit to
        # str.isdigit, never to the Timy
        b" 0001 RT  00:00:59,76   00",
    ],
)
def test_bad_times(line: bytes) -> None:
    assert len(line) == 26
    assert rejected(line) is ErrorKind.BAD_TIME


@pytest.mark.parametrize(
    "line",
    [
        b" 00a5 C0  21:46:36.3910 00",  # number not digits
        b" 0035 C0  21:46:36.3910 0x",  # group not digits
        b"  035 C0  21:46:36.3910 00",
        b" 0035 C0 21:46:36.3910 00",  # a character lost: 25 long
        b" 0035 C0  21:46:36.3910 000",  # one too many: 27
        b" 0035 C0  21:46:36.3910 00>0 ",  # 29
        b" 003 C0  21:46:36.3910 00",  # lost in the number: the time still shows
        b"n0012 C0",  # a flag and four digits, but no known length
    ],
)
def test_damaged_data_lines_are_malformed(line: bytes) -> None:
    assert rejected(line) is ErrorKind.MALFORMED


def test_control_characters_are_garbage() -> None:
    assert rejected(b" 0035 C0\x00 21:46:36.3910 00") is ErrorKind.GARBAGE
    assert rejected(b"\x1b[0m") is ErrorKind.GARBAGE
    assert rejected(b"\x7f") is ErrorKind.GARBAGE


@pytest.mark.parametrize(
    "line",
    [
        b" 0001 DT  00:00:00.12   00",  # a difference time (parallel slalom): another code
        b" 0001bC3  10:04:55.6513 00",  # a parallel-slalom lane in column 5
        b"s0012",  # start number selected
        b"n0012r",
        b"TIMY V 1.9",  # an answer to a host command
        b"CLASSEMENT:",
        b"   ",
        b"\x81ber",  # cp437: "\xfcber"
    ],
)
def test_lines_velotime_does_not_interpret_are_kept(line: bytes) -> None:
    assert parsed(line) == UnknownLine(text=line.decode("cp437"))


def test_an_unknown_timing_line_still_has_its_checksum_checked() -> None:
    line = b" 0001 DT  00:00:00.12   00"
    total = sum(line) % 256
    good = line + bytes([0x30 + total // 16, 0x30 + total % 16])
    assert parsed(good) == UnknownLine(text=good.decode())
    assert rejected(good[:-1] + bytes([good[-1] ^ 1])) is ErrorKind.BAD_CHECKSUM


def test_records_made_by_hand_get_their_line() -> None:
    assert Impulse(number=35, channel=0, time_of_day_us=78_396_391_000).text == LINE.decode()
    made = Impulse(number=35, channel=0, time_of_day_us=78_396_391_000, checksum_ok=True)
    assert made.text == CHECKED_LINE.decode()
    assert encode(made) == CHECKED_LINE + b"\r"
    assert encode(made, line_end=b"\r\n") == CHECKED_LINE + b"\r\n"
    assert encode(NextNumber(number=7), line_end=b"\n") == b"n0007\n"
    assert RunTime(number=1, duration_us=59_760_000).text == " 0001 RT  00:00:59.76   00"
    assert TotalTime(number=3, duration_us=144_140_000, group=12).text == (
        " 0003 TT  00:02:24.14   12"
    )
    manual = Impulse(flag="c", number=80, channel=0, manual=True, time_of_day_us=0, digits=1)
    assert manual.text == "c0080 C0M 00:00:00.0    00"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Impulse(number=10_000, channel=0, time_of_day_us=0),
        lambda: Impulse(number=1, channel=10, time_of_day_us=0),
        lambda: Impulse(number=1, channel=0, time_of_day_us=86_400_000_000),
        lambda: Impulse(number=1, channel=0, time_of_day_us=-100),
        lambda: Impulse(number=1, channel=0, time_of_day_us=150),  # finer than 1/10000 s
        lambda: Impulse(number=1, channel=0, time_of_day_us=10_000, digits=1),  # finer than 1/10
        lambda: Impulse(number=1, channel=0, time_of_day_us=0, digits=5),
        lambda: Impulse(number=1, channel=0, time_of_day_us=0, group=100),
        lambda: Impulse(number=1, channel=0, time_of_day_us=0, flag="\r"),
        lambda: Impulse(number=1, channel=0, time_of_day_us=0, flag="ab"),
        lambda: Impulse(number=1, channel=0, time_of_day_us=0, checksum_ok=False),
        lambda: RunTime(number=1, duration_us=100 * 3600 * 1_000_000),
        lambda: RunTime(number=1, duration_us=59_765_000),  # finer than 1/100 s
        lambda: NextNumber(number=-1),
    ],
)
def test_fields_the_format_cannot_carry_are_refused(make: object) -> None:
    assert callable(make)
    with pytest.raises(ValueError):  # noqa: PT011 (each case has its own reason)
        make()


def test_unknown_lines_that_cannot_travel_are_refused() -> None:
    for text in ("", "two\rlines", "\u20ac"):  # empty, a line end, not in code page 437
        with pytest.raises(EncodeError):
            encode(UnknownLine(text=text))
    with pytest.raises(EncodeError):
        encode(NextNumber(number=1), line_end=b";")
