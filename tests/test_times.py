"""Official time strings: truncated to the thousandth (uci-rules.md, time conventions 4)."""

import pytest

from velotime.times import format_duration, format_time_of_day, truncate_to_ms


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
