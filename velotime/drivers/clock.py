"""A device's clock against the venue clock: how far off it is, and what is likely wrong.

A Timy and the photo-finish camera stamp what they see with the time of day of their own clock,
which the timing crew sets by hand. Set in the wrong time zone, or on winter time in summer, it
is whole hours off: every impulse and photo-finish lands that far from the loops' passings, and
scoring pairs none of them. Each record that tells the device's "now" (an impulse, a running
time with its start) is measured against when it was received; a source whose clock is off by
more than `[venue] clock_tolerance_s` is degraded until a record shows it agrees again. The
records themselves go on as they are: moving them by a guessed offset would hide the fault.
"""

from velotime.times import US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND

DEFAULT_TOLERANCE_S = 1800.0  # half an hour: a wrong time zone is at least that, latency never
# Within this of a whole number of hours, an offset is a time zone or summer time set wrong
# (plus the few seconds a clock set by hand is off), not a clock set to a wrong time.
WHOLE_HOURS_SLACK_US = 5 * US_PER_MINUTE


def describe_offset(offset_us: int) -> str:
    """How far off, rounded for people: "1 h 00 min", "45 min 12 s", "2.5 s"."""
    size = abs(offset_us)
    minutes = (size + US_PER_MINUTE // 2) // US_PER_MINUTE
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    seconds = (size + US_PER_SECOND // 2) // US_PER_SECOND
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    tenths = (size + US_PER_SECOND // 20) // (US_PER_SECOND // 10)
    return f"{tenths // 10}.{tenths % 10} s"


def likely_cause(offset_us: int, timezone: str) -> str:
    """A whole number of hours off is a time zone or summer time set wrong (on the device, or
    the venue's `timezone` in the configuration); anything else, a clock set to a wrong time."""
    size = abs(offset_us)
    hours = (size + US_PER_HOUR // 2) // US_PER_HOUR
    if hours >= 1 and abs(size - hours * US_PER_HOUR) <= WHOLE_HOURS_SLACK_US:
        return (
            "time zone or summer time set wrong on the device?"
            f" (or venue.timezone {timezone!r} is not the venue's)"
        )
    return "clock set wrong on the device?"


def clock_problem(source: str, offset_us: int, timezone: str) -> str:
    """The status reason and log line: "timy: clock 1 h 00 min ahead of the venue clock: time
    zone or summer time set wrong on the device? ..."."""
    side = "ahead of" if offset_us > 0 else "behind"
    return (
        f"{source}: clock {describe_offset(offset_us)} {side} the venue clock: "
        f"{likely_cause(offset_us, timezone)}"
    )


class DeviceClock:
    """The latest offset of one device's clock (device minus venue, microseconds), and whether
    it is beyond the tolerance."""

    def __init__(self, tolerance_us: int, timezone: str) -> None:
        if tolerance_us <= 0:
            raise ValueError("the clock tolerance must be positive")
        self.tolerance_us = tolerance_us
        self.timezone = timezone  # the venue's, named in the likely cause
        self.offset_us: int | None = None  # None: no record has told it yet

    @property
    def wrong(self) -> bool:
        return self.offset_us is not None and abs(self.offset_us) > self.tolerance_us

    def measured(self, offset_us: int) -> bool | None:
        """Take a record's offset: True if the clock just went wrong, False if it just came
        right again, None if neither."""
        was = self.wrong
        self.offset_us = offset_us
        return None if self.wrong == was else self.wrong

    def problem(self, source: str) -> str | None:
        if not self.wrong:
            return None
        assert self.offset_us is not None
        return clock_problem(source, self.offset_us, self.timezone)
