"""Plausibility windows: the times a rider can physically ride over an event's distance.

A measured time outside its event's window is a timing fault far more often than a record:
two loops whose passings do not pair (or a `line` swapped in the configuration) gave a flying
200 m of 0.006 s, 120,000 km/h. Such a time is not ranked: its line carries `Flag.CHECK`, rank
None, with the time and speed as measured, until an official confirms it (`Confirm`, then
`Flag.CONFIRMED`) or corrects it (`Correct` with a time: the commissaires' time is theirs, it
is not checked).

**The defaults** (the meet file may set others, docs/meet-format.md):

- flying 200 m: 8.500 s to 20.000 s. The world record is 9.088 (Lavreysen, Paris 2024); 8.5 s
  is 84.7 km/h, 7 % faster, about metarace's 85 km/h ceiling for plausible speeds. 20 s is
  36 km/h: slower than a run-up lap is ridden, so a "best pass" that is a run-up or cool-down
  pass (the rider pulled out, or the effort was not seen) is not ranked as an effort.
- standing-start time trials (kilometre, 500 m, any distance): an average of 72 km/h to
  20 km/h, that is 50 ms to 180 ms a metre: a kilometre 50.000 s to 3:00.000, a 500 m
  25.000 s to 1:30.000. The fastest standing-start average ridden over any distance is the
  kilometre's (55.433, 64.9 km/h; the 500 m's 32.268 is 55.8 km/h, the 750 m team sprint's
  41.225 is 65.5 km/h); 72 km/h is 10 % above it. 20 km/h is metarace's floor for plausible
  speeds.
"""

from typing import NamedTuple

US_PER_M_FASTEST = 50_000  # 72 km/h = 20 m/s: 1 m in 50 ms
US_PER_M_SLOWEST = 180_000  # 20 km/h = 5.56 m/s: 1 m in 180 ms


class Window(NamedTuple):
    """Official times from `fastest_us` to `slowest_us`, both included, are plausible."""

    fastest_us: int
    slowest_us: int

    def outside(self, time_us: int) -> bool:
        return not self.fastest_us <= time_us <= self.slowest_us


FLYING_200 = Window(fastest_us=8_500_000, slowest_us=20_000_000)


def time_trial_window(distance_m: int) -> Window:
    """The default window of a standing-start time trial: 72 km/h to 20 km/h on average."""
    return Window(distance_m * US_PER_M_FASTEST, distance_m * US_PER_M_SLOWEST)
