"""status/daemon's health: degraded at once with its reasons, figures at most every 5 s, and the
change of state logged once each way. A test clock stands in for the 5 s."""

import logging
from pathlib import Path

import pytest

from tests.mqtt.test_outbox import big, fill_to_the_page_limit, give_space_back
from velotime.capture import CaptureWriter
from velotime.daemon.health import STATUS_INTERVAL_S, Health
from velotime.mqtt.outbox import Outbox


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_degraded_at_once_with_the_reason_then_ok_again_logged_once_each(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="velotime")
    clock = Clock()
    outbox = Outbox(tmp_path / "outbox.sqlite")
    capture = CaptureWriter.create(tmp_path / "captures", "v", {})
    health = Health(outbox, capture, (tmp_path,), 0, started_us=1, clock=clock)
    first = health.status()  # on connecting
    assert (first.state, first.reasons, first.outbox_depth, first.memory_backlog) == (
        "ok",
        [],
        0,
        0,
    )
    assert first.free_disk_bytes is not None
    assert first.free_disk_bytes > 0
    assert health.check() is None  # nothing changed

    fill_to_the_page_limit(outbox)
    outbox.append("p3", [("t", big(1)), ("t", big(2))], b"state")
    clock.now += 1
    degraded = health.check()
    assert degraded is not None  # at once, not after 5 s
    assert degraded.state == "degraded"
    assert degraded.reasons == [
        "outbox write failed: database or disk is full (2 events not on disk)"
    ]
    assert (degraded.outbox_depth, degraded.memory_backlog) == (2, 2)

    outbox.append("p3", [("t", big(3))], b"state")  # the same problem, new figures
    clock.now += 1
    assert health.check() is None
    clock.now += STATUS_INTERVAL_S
    later = health.check()
    assert later is not None
    assert later.reasons == ["outbox write failed: database or disk is full (3 events not on disk)"]

    give_space_back(outbox)
    outbox.retry()
    clock.now += 1
    recovered = health.check()
    assert recovered is not None
    assert (recovered.state, recovered.reasons, recovered.memory_backlog) == ("ok", [], 0)
    assert recovered.outbox_depth == 3
    said = [r.getMessage() for r in caplog.records if r.name == "velotime.daemon"]
    assert said == [
        "status degraded: outbox write failed: database or disk is full (2 events not on disk)",
        f"status ok again, after {1 + STATUS_INTERVAL_S + 1:.0f} s degraded",
    ]
    capture.close()
    outbox.close()


def test_the_free_space_alarm(tmp_path: Path) -> None:
    outbox = Outbox(":memory:")
    capture = CaptureWriter.create(tmp_path, "v", {})
    health = Health(outbox, capture, (tmp_path,), 10**18, started_us=1, clock=Clock())
    status = health.status()
    assert status.free_disk_bytes is not None
    assert status.state == "degraded"
    assert status.reasons == [
        f"free disk {status.free_disk_bytes // 1_000_000} MB below 1000000000000 MB"
    ]
    health.min_free_bytes = 0  # the alarm off
    assert health.status().state == "ok"
    capture.close()


def test_the_free_space_alarm_ends_only_well_above_its_threshold(tmp_path: Path) -> None:
    # Free space hovering at the threshold must not flap the status: the alarm starts below
    # the threshold and ends 5 % above it. The thresholds are set around this disk's free
    # space F, with margins of 1 % or more of F against other writers on the machine.
    outbox = Outbox(":memory:")
    capture = CaptureWriter.create(tmp_path, "v", {})
    health = Health(outbox, capture, (tmp_path,), 0, started_us=1, clock=Clock())
    free = health.status().free_disk_bytes
    assert free is not None
    health.min_free_bytes = int(free * 1.01)  # F below the threshold: alarm
    assert health.status().state == "degraded"
    health.min_free_bytes = int(free * 0.98)  # F 2 % above it: not 5 %, still the alarm
    assert health.status().state == "degraded"
    health.min_free_bytes = int(free * 0.9)  # F 11 % above it: over
    assert health.status().state == "ok"
    health.min_free_bytes = int(free * 0.98)  # 2 % above again, coming from ok: no alarm
    assert health.status().state == "ok"
    capture.close()


class _Problems:
    """A part of the daemon with problems of its own (the publisher's refusals, say)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def problems(self) -> list[str]:
        return self.lines


def test_problems_whose_lines_start_with_a_figure_are_still_told_apart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="velotime")
    part = _Problems()
    capture = CaptureWriter.create(tmp_path, "v", {})
    health = Health(Outbox(":memory:"), capture, (tmp_path,), 0, started_us=1, others=(part,))
    health.status()
    part.lines = ["5 events refused by the broker: Not authorized (0x87)"]
    assert health.check() is not None  # a new problem: at once
    part.lines = ["6 events refused by the broker: Not authorized (0x87)"]
    assert health.check() is None  # new figures of the same one: not before 5 s
    part.lines = ["2 acknowledgements lost: disk I/O error"]
    assert health.check() is not None  # another problem in its place, also a figure first
    capture.close()


def test_sources_whose_names_end_in_a_figure_are_told_apart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Two Timys, timy1 then timy2, an hour off: the second is a new problem, logged as one,
    not new figures of the first."""
    caplog.set_level(logging.INFO, logger="velotime.daemon")
    part = _Problems()
    capture = CaptureWriter.create(tmp_path, "v", {})
    health = Health(Outbox(":memory:"), capture, (tmp_path,), 0, started_us=1, others=(part,))
    health.status()
    timy1 = "timy1: clock 1 h 00 min ahead of the venue clock: clock set wrong on the device?"
    timy2 = timy1.replace("timy1", "timy2")
    part.lines = [timy1]
    assert health.check() is not None
    part.lines = [timy1, timy2]
    assert health.check() is not None  # a new problem: at once
    said = [r.getMessage() for r in caplog.records if r.name == "velotime.daemon"]
    assert said == [f"status degraded: {timy1}", f"status degraded, also: {timy2}"]
    capture.close()
