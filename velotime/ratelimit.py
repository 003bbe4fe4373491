"""Log lines that repeat, rate-limited: the first at once, then one line per interval with a count.

A flood of bad input (a noisy line, a wrong baud rate) must stay visible without burying the log:
120 pieces of garbage once gave thousands of warnings. Lines are "the same" when the caller gives
the same key (a source and a kind of error, say). The first line of a key is logged at once and
opens an interval; the lines of that key within the interval are only counted, and once it is
over one line says how many there were, what they added up to, and the last one in full. A key
quiet for a whole interval is forgotten, so its next line is logged at once again.

`flush()` logs the summaries of the intervals that are over; call it periodically (the source
driver does, with its status), or a burst's tail waits for the key's next line.
"""

import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

LOG_INTERVAL_S = 10.0

# The summary line of the lines held back: (count, what their amounts add up to, the seconds
# they came in, as text) -> the line (followed by the last line held back).
Summary = Callable[[int, int, str], str]


def _more_like_this(count: int, amount: int, seconds: str) -> str:
    return f"{count} more like this in the last {seconds} s"


@dataclass
class _Window:
    opened: float  # clock time the interval began
    level: int
    summary: Summary
    count: int = 0  # lines held back since the interval began
    amount: int = 0  # what they add up to (bytes...)
    last: str = ""  # the last line held back


class RateLimitedLog:
    """Logs to `logger`, each key at most once per `interval_s` (on `clock`, in seconds)."""

    def __init__(
        self,
        logger: logging.Logger,
        interval_s: float = LOG_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self.logger = logger
        self.interval_s = interval_s
        self.clock = clock
        self.held_back = 0  # lines counted into a summary instead of logged, in all
        self._windows: dict[Hashable, _Window] = {}

    def log(
        self,
        level: int,
        key: Hashable,
        message: str,
        *,
        amount: int = 0,
        summary: Summary = _more_like_this,
    ) -> None:
        """`message` now, or counted for the key's summary line, which `summary` words from the
        count of lines held back and the sum of their `amount`s (bytes...); the line ends with
        the last one held back."""
        now = self.clock()
        window = self._windows.get(key)
        if window is not None and now - window.opened >= self.interval_s:
            self._close(key, window, now)
            window = self._windows.get(key)
        if window is None:
            self._windows[key] = _Window(opened=now, level=level, summary=summary)
            self.logger.log(level, "%s", message)
            return
        window.count += 1
        window.amount += amount
        window.last = message
        window.level = max(window.level, level)
        window.summary = summary
        self.held_back += 1

    def flush(self) -> None:
        """Log the summary of every interval that is over; forget the keys that were quiet."""
        now = self.clock()
        for key, window in list(self._windows.items()):
            if now - window.opened >= self.interval_s:
                self._close(key, window, now)

    def _close(self, key: Hashable, window: _Window, now: float) -> None:
        if not window.count:
            del self._windows[key]
            return
        seconds = f"{now - window.opened:.0f}"
        text = window.summary(window.count, window.amount, seconds)
        self.logger.log(window.level, "%s (the last: %s)", text, window.last)
        # Lines still coming: the next interval begins now and summarises them too.
        self._windows[key] = _Window(opened=now, level=window.level, summary=window.summary)
