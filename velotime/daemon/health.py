"""The daemon's own health on `status/daemon`: ok or degraded, why, and the figures behind it.

Degraded means something the crew must see fails now: the outbox cannot write (events are held
in memory), the capture log cannot write (bytes go uncaptured), the broker refuses events (they
stay in the outbox), free space for the storage directory is below `[storage] min_free_mb`, or
a source's device clock is further than `[venue] clock_tolerance_s` from the venue clock.
The change to degraded and the return to ok are logged once each; the status is published again
at once when a reason appears or goes, and otherwise at most every STATUS_INTERVAL_S while its
figures change.
"""

import logging
import os
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import msgspec

from velotime import __version__
from velotime.capture import CaptureWriter
from velotime.mqtt.outbox import Outbox
from velotime.times import now_us
from velotime.wire.status import DaemonOnline

log = logging.getLogger("velotime.daemon")

# Figures standing on their own: "5 events refused", not the 1 of a source named "timy1".
_FIGURES = re.compile(r"\b[0-9]+\b")

STATUS_INTERVAL_S = 5.0  # figures that change are published again at most this often
FREE_MARGIN = 1.05  # the free-space alarm ends 5 % above the threshold it started below


class Troubled(Protocol):
    def problems(self) -> list[str]:
        """What fails now, one line each."""
        ...


class Health:
    def __init__(
        self,
        outbox: Outbox,
        capture: CaptureWriter,
        storage_dirs: tuple[Path, ...],
        min_free_bytes: int,
        *,
        started_us: int,
        others: Sequence[Troubled] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.outbox = outbox
        self.capture = capture
        self.others = others  # more parts whose problems degrade it (the publisher, sources)
        self.storage_dirs = storage_dirs  # where the outbox and the captures are
        self.min_free_bytes = min_free_bytes  # 0: no alarm
        self.started_us = started_us
        self._clock = clock
        self._published: DaemonOnline | None = None  # the last published, now_us aside
        self._published_at = 0.0
        self._reason_kinds: tuple[str, ...] = ()
        self._degraded_since: float | None = None
        self._low = False  # free space below the threshold (until FREE_MARGIN above it)

    def status(self) -> DaemonOnline:
        """The status now (logging a change of state), taken as published: on connecting."""
        status, kinds = self._current()
        self._log_change(kinds, status.reasons)
        self._mark_published(status)
        return status

    def check(self) -> DaemonOnline | None:
        """The status now if it is to be published again (module docstring), else None."""
        status, kinds = self._current()
        reasons_changed = kinds != self._reason_kinds
        self._log_change(kinds, status.reasons)
        if self._published is not None and _figures(status) == self._published:
            return None
        if not reasons_changed and self._clock() - self._published_at < STATUS_INTERVAL_S:
            return None
        self._mark_published(status)
        return status

    def _current(self) -> tuple[DaemonOnline, tuple[str, ...]]:
        reasons = [*self.outbox.problems(), *self.capture.problems()]
        reasons += [problem for part in self.others for problem in part.problems()]
        free = self._free_bytes()
        if isinstance(free, str):
            reasons.append(free)
            free = None
        elif free is not None and self._low_on_disk(free):
            reasons.append(
                f"free disk {free // 1_000_000} MB below {self.min_free_bytes // 1_000_000} MB"
            )
        status = DaemonOnline(
            version=__version__,
            pid=os.getpid(),
            started_us=self.started_us,
            now_us=now_us(),
            state="degraded" if reasons else "ok",
            reasons=reasons,
            outbox_depth=len(self.outbox),
            memory_backlog=self.outbox.held_in_memory,
            capture_bytes=self.capture.bytes_captured,
            capture_bytes_lost=self.capture.bytes_lost,
            free_disk_bytes=free,
        )
        kinds = tuple(_kind(reason) for reason in reasons)
        return status, kinds

    def _low_on_disk(self, free: int) -> bool:
        """Below the threshold; once below, until FREE_MARGIN above it, so that free space
        hovering at the threshold does not switch the status (and the log) back and forth."""
        needed = self.min_free_bytes * (FREE_MARGIN if self._low else 1.0)
        self._low = free < needed
        return self._low

    def _free_bytes(self) -> int | str | None:
        """The least free space of the storage directories, or why it is not known."""
        free: int | None = None
        for directory in self.storage_dirs:
            try:
                stat = os.statvfs(directory)
            except OSError as exc:
                return f"free disk unknown: {directory}: {exc.strerror or exc}"
            space = stat.f_bavail * stat.f_frsize
            free = space if free is None else min(free, space)
        return free

    def _log_change(self, kinds: tuple[str, ...], reasons: list[str]) -> None:
        if kinds == self._reason_kinds:
            return
        if kinds and not self._reason_kinds:
            self._degraded_since = self._clock()
            log.error("status degraded: %s", "; ".join(reasons))
        elif kinds:
            new = [r for r, k in zip(reasons, kinds, strict=True) if k not in self._reason_kinds]
            if new:
                log.error("status degraded, also: %s", "; ".join(new))
        else:
            since = self._degraded_since if self._degraded_since is not None else self._clock()
            log.warning("status ok again, after %.0f s degraded", self._clock() - since)
            self._degraded_since = None
        self._reason_kinds = kinds

    def _mark_published(self, status: DaemonOnline) -> None:
        self._published = _figures(status)
        self._published_at = self._clock()


def _kind(reason: str) -> str:
    """What a reason is about: its text up to the first ':' with its figures left out, to tell
    a new problem from new figures of the same one ("5 events refused by the broker: ...")."""
    return _FIGURES.sub("#", reason.split(":", 1)[0]).strip()


def _figures(status: DaemonOnline) -> DaemonOnline:
    """The status without its time, to tell whether anything else changed."""
    return msgspec.structs.replace(status, now_us=0)
