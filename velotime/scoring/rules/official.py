"""Official figures from raw integer-microsecond times (uci-rules.md, "Time and precision").

Times are truncated toward zero to the thousandth, never rounded; speeds, gaps and splits are
derived from the truncated times, so that every figure on a result sheet agrees with the others.
"""

from collections.abc import Sequence
from typing import NamedTuple

from velotime.times import format_duration, truncate_to_ms


def official_us(elapsed_us: int) -> int:
    """The time that counts: truncated to the thousandth (10.7246 s -> 10.724 s)."""
    return truncate_to_ms(elapsed_us)


def official_string(elapsed_us: int) -> str:
    """As printed: "10.724", "1:00.981" (always three decimals, truncated)."""
    return format_duration(elapsed_us)


def official_string_or_none(elapsed_us: int | None) -> str | None:
    """`official_string`, or None where there is no time yet (or none to give)."""
    return official_string(elapsed_us) if elapsed_us is not None else None


def speed_milli_kmh(distance_mm: int, elapsed_us: int) -> int:
    """Speed in thousandths of km/h from the official time, truncated: v = 3.6 * d / t.

    Distances in millimetres keep 333.33 m tracks exact. 200 m in 10.724 s -> 67139 (67.139).
    """
    official = official_us(elapsed_us)
    if official <= 0:
        raise ValueError("a speed needs a positive time")
    return 3_600_000 * distance_mm // official


def speed_string(milli_kmh: int) -> str:
    """ "67.139": three decimals, as truncated."""
    return f"{milli_kmh // 1000}.{milli_kmh % 1000:03d}"


def gap_us(official_us_: int, leader_official_us: int) -> int:
    """The gap to the leader: a difference of official times, never rounded on its own."""
    return official_us_ - leader_official_us


def gap_string(gap: int) -> str:
    """ "+0.003"; the leader's own gap is shown as "" by result sheets, not by this."""
    return ("+" if gap >= 0 else "-") + format_duration(abs(gap))


class Split(NamedTuple):
    cumulative_us: int  # official (truncated) time at this point
    lap_us: int  # difference of official cumulative times: the laps add up to the total


def splits(cumulative_elapsed_us: Sequence[int]) -> list[Split]:
    """Lap splits that add up exactly: truncate each cumulative time, then take differences
    (metarace's convention, uci-rules.md §4.5)."""
    out: list[Split] = []
    previous = 0
    for elapsed in cumulative_elapsed_us:
        cumulative = official_us(elapsed)
        out.append(Split(cumulative, cumulative - previous))
        previous = cumulative
    return out
