"""Designed races for the scoring benchmark and the golden result set: who crosses which line
when, with no device and no velotime import (the benchmark runs against older code too).

`bunch_race`: a bunch race (points race, keirin of a whole field, six-day chase): every rider
crosses the finish line and the 200 m line (50 m after it on a 250 m track) on every lap,
close together, the order shuffling as the riders move up and drop back.
"""

import random
from typing import NamedTuple

LAP_US = 16_000_000  # 56 km/h on a 250 m track
LINE_200_AFTER = 0.2  # the 200 m line lies 50 m after the finish: a fifth of a lap


class Crossing(NamedTuple):
    t_us: int  # after the start
    line: str  # "finish" or "200m"
    bib: int


def bunch_race(riders: int, laps: int, seed: int) -> list[Crossing]:
    """Every crossing of `riders` riders (bibs 1..riders) over `laps` laps, in time order."""
    rng = random.Random(seed)
    at = {bib: bib * 150_000 for bib in range(1, riders + 1)}  # in a line at the start
    crossings: list[Crossing] = []
    for lap in range(laps):
        sprint = lap >= laps - 2  # the last two laps are ridden flat out
        for bib in at:
            lap_us = LAP_US - (2_500_000 if sprint else 0) + rng.randrange(-400_000, 400_000)
            crossings.append(Crossing(at[bib] + int(lap_us * LINE_200_AFTER), "200m", bib))
            at[bib] += lap_us
            crossings.append(Crossing(at[bib], "finish", bib))
    return sorted(crossings)
