"""Official time strings: truncated to the thousandth (uci-rules.md, time conventions 4)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.times import format_duration, format_time_of_day, parse_duration, truncate_to_ms


@pytest.mark.parametrize(
    ("duration_us", "official"),
    [
        (10_724_600, "10.724"),  # the rules' own example: 10.7246 -> 10.724, never 10.725
        (10_724_999, "10.724"),
        (9_397_000, "9.397"),
        (60_981_000, "1:00.981"),
        (59_999_999, "59.999"),
        (3_723_456_789, "1:02:03.456"),
        (0, "0.000"),
        (-1_500, "-0.001"),
    ],
)
def test_official_strings_truncate(duration_us: int, official: str) -> None:
    assert format_duration(duration_us) == official


def test_truncation_is_toward_zero() -> None:
    assert truncate_to_ms(10_724_600) == 10_724_000
    assert truncate_to_ms(-10_724_600) == -10_724_000


def test_time_of_day_of_a_decoder_timestamp() -> None:
    # MANIFEST: RTC_TIME 1551542808933000 us is 2019-03-02 16:06:48.933 on the decoder clock.
    assert format_time_of_day(1_551_542_808_933_000) == "16:06:48.933"


@pytest.mark.parametrize(
    ("text", "duration_us"),
    [
        ("10.724", 10_724_000),
        ("10.72", 10_720_000),  # a hand time with two decimals
        ("1:00.981", 60_981_000),
        ("1:02:03.456", 3_723_456_000),
        (" 9.397 ", 9_397_000),
    ],
)
def test_an_operator_types_an_official_time(text: str, duration_us: int) -> None:
    assert parse_duration(text) == duration_us


@pytest.mark.parametrize("text", ["10.7246", "10", "1:60.000", "abc", "-1.000", "", "1::0.1"])
def test_a_mistyped_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"time|seconds"):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=10 * 3_600_000_000))
def test_official_strings_read_back(duration_us: int) -> None:
    assert parse_duration(format_duration(duration_us)) == truncate_to_ms(duration_us)
