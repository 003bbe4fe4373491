"""Exact conversion of LIF time texts, with the expected microseconds worked out by hand."""

import pytest

from velotime.protocols.lif import ExactTime, parse_duration, parse_time_of_day


@pytest.mark.parametrize(
    ("text", "us", "digits"),
    [
        ("11.285", 11_285_000, 3),
        ("12.80", 12_800_000, 2),  # 2 decimals as written in 017-2-01.lif
        ("0.001", 1_000, 3),
        ("7.6", 7_600_000, 1),
        ("10.7246", 10_724_600, 4),  # 4 decimals: exact, never truncated here
        ("1:45.611", 105_611_000, 3),  # 60 + 45.611
        ("1:06.013", 66_013_000, 3),
        ("59:59.9999", 3_599_999_900, 4),
        ("1:02:03.456", 3_723_456_000, 3),  # 3600 + 120 + 3.456
        ("10:00:00.0", 36_000_000_000, 1),
        ("105.611", 105_611_000, 3),  # seconds past 60 without a colon: unusual, unambiguous
        ("12", 12_000_000, 0),  # whole seconds
        ("0.000001", 1, 6),
        (" 7.636 ", 7_636_000, 3),  # spaces around are not part of the time
    ],
)
def test_durations_convert_exactly(text: str, us: int, digits: int) -> None:
    assert parse_duration(text) == ExactTime(us, digits)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "1:4x.611",
        "1:75.000",  # 75 seconds after a colon
        "1:5.200",  # one-digit seconds after a colon
        "1:60:00.0",
        "1:2:03.4",
        "1:02:03:04.5",  # four components
        "12.",
        ".5",
        "12.3456789",  # 7 decimals: not exact in microseconds
        "-1.5",
        "+1.5",
        "1,5",
        "\uff11\uff12.\uff15",  # fullwidth digits
        "1²",
        "DNF",
        "9" * 5000,  # beyond Python's int() digit limit: must not raise
    ],
)
def test_non_times_are_none(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "us", "digits"),
    [
        # 13 h = 46800 s, 41 min = 2460 s, + 52 s = 49312 s, then .2875 s = 287500 us.
        ("13:41:52.2875", 49_312_287_500, 4),
        ("13:41:52.29", 49_312_290_000, 2),
        ("0:00:00", 0, 0),
        ("9:05:07.1", 32_707_100_000, 1),  # 32400 + 300 + 7
        ("23:59:59.9999", 86_399_999_900, 4),
    ],
)
def test_times_of_day_convert_exactly(text: str, us: int, digits: int) -> None:
    assert parse_time_of_day(text) == ExactTime(us, digits)


@pytest.mark.parametrize(
    "text", ["24:00:00.0", "41:52.2875", "52.2875", "123:00:00", "13:60:00", "13:41:60", "", "x"]
)
def test_non_times_of_day_are_none(text: str) -> None:
    assert parse_time_of_day(text) is None
