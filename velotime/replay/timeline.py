"""The venue's clock for a replay: its time zone and the range of the session to output."""

from velotime.capture.info import (
    LocalClock,
    load_zone,
    parse_time_of_day,
    session_instant,
    venue_timezone,
)
from velotime.replay.replayer import ReplayStats


class RangeError(ValueError):
    """--from and --to do not make a range of the session."""


class Timeline:
    """The venue's clock (`timezone`, else the first capture header's, else UTC) and the range
    from `from_` to `to` (times of day, "HH:MM[:SS]"), resolved at the session's first chunk.
    Raises ValueError for a time of day that is none."""

    def __init__(
        self, timezone: str | None = None, from_: str | None = None, to: str | None = None
    ) -> None:
        self.timezone = timezone
        self.from_tod = self._parse("--from", from_)
        self.to_tod = self._parse("--to", to)
        self.clock: LocalClock | None = None
        self.from_us: int | None = None
        self.to_us: int | None = None
        self.stopped = False  # a chunk at or after --to was reached

    @staticmethod
    def _parse(option: str, text: str | None) -> int | None:
        if text is None:
            return None
        try:
            return parse_time_of_day(text)
        except ValueError as exc:
            raise ValueError(f"{option}: {exc}") from None

    @property
    def ranged(self) -> bool:
        return self.from_tod is not None or self.to_tod is not None

    def admit(self, stats: ReplayStats, t_us: int) -> bool | None:
        """Whether to output what a chunk received at `t_us` makes: True; False before --from
        (the sessions and the scoring still get it); None at --to: stop there. Raises
        RangeError at the first chunk if the range is none."""
        if self.clock is None:
            self._start(stats, t_us)
        if self.to_us is not None and t_us >= self.to_us:
            self.stopped = True
            return None
        return self.from_us is None or t_us >= self.from_us

    def ensure_clock(self, stats: ReplayStats) -> LocalClock:
        """The clock, also for a replay that read no chunk (for the summary)."""
        if self.clock is None:
            header = stats.files[0].header if stats.files else None
            self.clock = self._clock(stats, (header.started_us if header else None) or 0)
        return self.clock

    def _clock(self, stats: ReplayStats, reference_us: int) -> LocalClock:
        header = stats.files[0].header if stats.files else None
        name = self.timezone or (venue_timezone(header) if header else None) or "UTC"
        return LocalClock(load_zone(name), name, reference_us)

    def _start(self, stats: ReplayStats, first_us: int) -> None:
        self.clock = clock = self._clock(stats, first_us)
        zone = clock.zone
        if self.from_tod is not None:
            self.from_us = session_instant(self.from_tod, first_us, zone)
        if self.to_tod is not None:
            self.to_us = session_instant(self.to_tod, first_us, zone)
        if self.from_us is not None and self.to_us is not None and self.from_us >= self.to_us:
            raise RangeError(
                f"--from {clock.date_time(self.from_us)} is not before "
                f"--to {clock.date_time(self.to_us)}: the capture begins "
                f"{clock.date_time(first_us)} {clock.zone_name}, and a time of day is taken "
                "from 6 hours before that to 18 hours after"
            )
