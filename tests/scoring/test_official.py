"""Official figures, checked against the examples of uci-rules.md §4."""

import pytest

from velotime.scoring.rules.official import (
    gap_string,
    gap_us,
    official_string,
    official_string_or_none,
    official_us,
    speed_milli_kmh,
    speed_string,
    splits,
)


def test_times_are_truncated_never_rounded() -> None:
    assert official_us(10_724_600) == 10_724_000  # 10.7246 -> 10.724, never 10.725
    assert official_string(10_724_999) == "10.724"
    assert official_string(60_981_000) == "1:00.981"
    assert official_string(9_350_000) == "9.350"  # trailing zeros kept


def test_no_time_prints_as_none() -> None:
    """A heat's entrant without a time (not finished, caught) has none printed; one with a
    time is printed as any: 4:15.1239 s truncates to "4:15.123"."""
    assert official_string_or_none(None) is None
    assert official_string_or_none(255_123_900) == "4:15.123"


@pytest.mark.parametrize(
    ("distance_m", "time_us", "speed"),
    [
        (200, 10_724_000, "67.139"),  # flying 200 m: 720 / t
        (250, 12_556_000, "71.678"),  # flying lap on 250 m: 900 / t
        (1000, 55_433_000, "64.943"),  # kilometre: 3600 / t
        (1000, 60_981_000, "59.034"),
        (200, 9_397_000, "76.620"),  # keirin last 200 m, Paris 2024
    ],
)
def test_speeds_match_the_rules_examples(distance_m: int, time_us: int, speed: str) -> None:
    assert speed_string(speed_milli_kmh(distance_m * 1000, time_us)) == speed


def test_speed_comes_from_the_truncated_time() -> None:
    # 10.7249 s must give the speed of 10.724 s, not of the raw time.
    assert speed_milli_kmh(200_000, 10_724_900) == speed_milli_kmh(200_000, 10_724_000)


def test_gaps_are_differences_of_official_times() -> None:
    assert gap_string(gap_us(9_091_000, 9_088_000)) == "+0.003"
    assert gap_string(gap_us(official_us(61_000_400), official_us(60_981_900))) == "+0.019"


def test_lap_splits_add_up_exactly_to_the_total() -> None:
    # Raw cumulative times of a kilometre at 250, 500, 750 and 1000 m.
    raw = [18_123_456, 32_456_789, 46_789_999, 61_000_500]
    result = splits(raw)
    assert [s.cumulative_us for s in result] == [18_123_000, 32_456_000, 46_789_000, 61_000_000]
    assert [s.lap_us for s in result] == [18_123_000, 14_333_000, 14_333_000, 14_211_000]
    assert sum(s.lap_us for s in result) == result[-1].cumulative_us
