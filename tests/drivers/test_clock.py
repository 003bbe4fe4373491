"""A device clock against the venue clock: the words of the reason, each session's measurement
of the offset, and what the driver makes of it (status, log). No I/O: the sessions and the
driver are fed bytes as their readers would feed them. Offsets are worked out by hand from the
times in the lines and when they were received."""

import logging
from zoneinfo import ZoneInfo

import pytest

from velotime.drivers.clock import DeviceClock, clock_problem, describe_offset, likely_cause
from velotime.drivers.driver import SourceDriver
from velotime.drivers.endpoints import TcpEndpoint
from velotime.drivers.lynx.session import LynxSession
from velotime.drivers.session import Session
from velotime.drivers.timy.session import Channel, TimySession
from velotime.protocols.lynx import Armed, RunningTime, TimeOfDay
from velotime.protocols.lynx import encode as encode_lynx
from velotime.times import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, now_us
from velotime.wire.events import ImpulseData, PhotoFinishData
from velotime.wire.status import SourceStatus

UTC = ZoneInfo("UTC")
NOON_US = 1_764_331_200_000_000  # 2025-11-28 12:00:00 UTC
TOLERANCE_US = 30 * US_PER_MINUTE  # the default, [venue] clock_tolerance_s = 1800
TIME_ZONE = (
    "time zone or summer time set wrong on the device? (or venue.timezone 'UTC' is not the venue's)"
)


# -- the words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset_us", "text"),
    [
        (US_PER_HOUR, "1 h 00 min"),
        (-US_PER_HOUR - 2_400_000, "1 h 00 min"),  # 1 h 2.4 s: to the nearest minute
        (2 * US_PER_HOUR + 29 * US_PER_SECOND, "2 h 00 min"),
        (2 * US_PER_HOUR + 31 * US_PER_SECOND, "2 h 01 min"),
        (59 * US_PER_MINUTE + 31 * US_PER_SECOND, "1 h 00 min"),  # 59.5 min and more: 1 h
        (45 * US_PER_MINUTE + 12 * US_PER_SECOND, "45 min 12 s"),
        (-2_500_000, "2.5 s"),
        (59_940_000, "1 min 00 s"),  # 59.94 s: 60 s to the nearest second
        (40_000, "0.0 s"),
    ],
)
def test_an_offset_in_words(offset_us: int, text: str) -> None:
    assert describe_offset(offset_us) == text


@pytest.mark.parametrize(
    ("offset_us", "time_zone"),
    [
        (US_PER_HOUR, True),  # summer time forgotten
        (-US_PER_HOUR, True),
        (-2 * US_PER_HOUR - 3 * US_PER_SECOND, True),  # a zone two hours off, set by hand
        (US_PER_HOUR + 5 * US_PER_MINUTE, True),  # the edge of "near a whole hour"
        (US_PER_HOUR + 5 * US_PER_MINUTE + 1, False),
        (45 * US_PER_MINUTE, False),  # neither a whole hour nor latency: set to a wrong time
        (31 * US_PER_MINUTE, False),
    ],
)
def test_whole_hours_off_are_a_time_zone_anything_else_a_clock_set_wrong(
    offset_us: int, time_zone: bool
) -> None:
    expected = TIME_ZONE if time_zone else "clock set wrong on the device?"
    assert likely_cause(offset_us, "UTC") == expected


def test_the_reason_names_the_source_the_offset_the_side_and_the_cause() -> None:
    assert clock_problem("timy", US_PER_HOUR, "UTC") == (
        f"timy: clock 1 h 00 min ahead of the venue clock: {TIME_ZONE}"
    )
    assert clock_problem("lynx", -(45 * US_PER_MINUTE + 12 * US_PER_SECOND), "UTC") == (
        "lynx: clock 45 min 12 s behind the venue clock: clock set wrong on the device?"
    )


def test_the_device_clock_goes_wrong_beyond_the_tolerance_and_right_again_within_it() -> None:
    clock = DeviceClock(TOLERANCE_US, "UTC")
    assert (clock.offset_us, clock.wrong, clock.problem("timy")) == (None, False, None)
    assert clock.measured(2 * US_PER_SECOND) is None  # 2 s: latency and a clock set by hand
    assert clock.measured(TOLERANCE_US) is None  # at the tolerance: still within it
    assert clock.measured(TOLERANCE_US + 1) is True
    assert clock.measured(US_PER_HOUR) is None  # still wrong: no change
    assert clock.problem("timy") == f"timy: clock 1 h 00 min ahead of the venue clock: {TIME_ZONE}"
    assert clock.measured(-100_000) is False
    assert clock.problem("timy") is None
    with pytest.raises(ValueError, match="positive"):
        DeviceClock(0, "UTC")


# -- each session measures its device's clock -----------------------------------------------------


def test_a_timy_impulse_tells_its_clock_against_its_receive_time() -> None:
    """Received at 12:00:00 UTC; stamped 13:00:00 on C4 (a 250 us wireless delay, which is
    before the Timy stamps it: it changes the impulse's time, not the clock's offset): 1 h
    ahead. A cleared impulse may be a reprint of an old one: not a measure of the clock."""
    channels = {4: Channel(line="200m", delay_us=250), 1: Channel(line="finish")}
    session = TimySession("timy", channels, UTC)
    out = session.feed(NOON_US, b" 0001 C4  13:00:00.0000 00\r")
    assert out.clock_offsets == [US_PER_HOUR]
    impulse = out.events[0].data
    assert isinstance(impulse, ImpulseData)
    assert impulse.t_us == NOON_US + US_PER_HOUR - 250  # published as stamped
    out = session.feed(NOON_US, b"c0002 C1  09:00:00.0000 00\r 0003 C1  11:59:58.0000 00\r")
    assert out.clock_offsets == [-2 * US_PER_SECOND]
    assert len(out.events) == 2


def test_the_camera_tells_its_clock_by_start_plus_running_time_and_by_its_time_of_day() -> None:
    """Received at 12:00:05 UTC: a running time of 5 s from a start at 11:00:00 is 11:00:05 on
    the camera, 1 h behind; its time of day 11:00:05.5 is 59 min 59.5 s behind. A running time
    without its start tells nothing (velotime dates the start by the receive time then)."""
    session = LynxSession("lynx", UTC)
    received = NOON_US + 5 * US_PER_SECOND
    wire = encode_lynx(Armed(event="1", round=1, heat=1)) + encode_lynx(
        RunningTime(time_us=5 * US_PER_SECOND, time_digits=4, start_time_of_day_us=11 * US_PER_HOUR)
    )
    out = session.feed(received, wire)
    assert out.clock_offsets == [-US_PER_HOUR]
    phases = [e.data for e in out.events]
    assert all(isinstance(p, PhotoFinishData) for p in phases)
    assert [(p.phase, p.t_us) for p in phases if isinstance(p, PhotoFinishData)] == [
        ("armed", None),
        ("started", NOON_US - US_PER_HOUR),  # the start, as the camera gave it
    ]
    out = session.feed(
        received, encode_lynx(TimeOfDay(time_us=11 * US_PER_HOUR + 5_500_000, time_digits=4))
    )
    assert out.clock_offsets == [-US_PER_HOUR + 500_000]
    out = session.feed(received, encode_lynx(RunningTime(time_us=5 * US_PER_SECOND, time_digits=4)))
    assert out.clock_offsets == []


def test_a_time_of_day_just_before_midnight_read_just_after_is_close_not_a_day_off() -> None:
    session = LynxSession("lynx", UTC)
    midnight = NOON_US + 12 * US_PER_HOUR
    out = session.feed(
        midnight + 100_000, encode_lynx(TimeOfDay(time_us=US_PER_DAY - 200_000, time_digits=4))
    )
    assert out.clock_offsets == [-300_000]


# -- the driver: status and log -------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def driver_for(session: Session, clock: Clock) -> tuple[SourceDriver, list[SourceStatus]]:
    published: list[SourceStatus] = []
    driver = SourceDriver(
        session,
        TcpEndpoint("127.0.0.1", 5050),
        capture=None,
        deliver=lambda _, events: None,
        status_changed=lambda _, status: published.append(status),
        clock=clock,
        device_clock=DeviceClock(TOLERANCE_US, "UTC"),
    )
    driver._start("connected", None)
    return driver, published


def of_day(t_us: int) -> int:
    return t_us % US_PER_DAY


def test_a_camera_an_hour_behind_degrades_its_status_at_once_and_warns_rate_limited(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Running times from a start that is an hour behind on the camera's clock: the status
    goes degraded with the reason at once (not at the next report), one WARNING at once and one
    line per 10 s for the rest; a running time from a start on the right clock clears it, with a
    line in the log."""
    caplog.set_level(logging.INFO, logger="velotime.source")
    clock = Clock()
    driver, published = driver_for(LynxSession("lynx", UTC), clock)
    caplog.clear()
    start = of_day(now_us() - US_PER_HOUR)  # the camera's clock: an hour behind this machine's
    for tenth in range(50):  # 5 s of running times, 10 a second
        running = RunningTime(time_us=tenth * 100_000, time_digits=4, start_time_of_day_us=start)
        driver.received(encode_lynx(running), None)
        clock.now += 0.1
    degraded = [s for s in published if s.state == "degraded"]
    reason = f"lynx: clock 1 h 00 min behind the venue clock: {TIME_ZONE}"
    assert degraded[0].reasons == [reason]
    assert degraded[0].clock_offset_us is not None
    assert abs(degraded[0].clock_offset_us + US_PER_HOUR) < US_PER_SECOND
    assert driver.problems() == [reason]
    clock.now += 10.0
    driver.report()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings[0] == reason
    assert warnings[1].startswith("lynx: clock still off in 49 more records in the last 15 s")
    assert len(warnings) == 2

    caplog.clear()
    start = of_day(now_us())  # the clock set right, a new race
    driver.received(
        encode_lynx(RunningTime(time_us=0, time_digits=4, start_time_of_day_us=start)), None
    )
    assert published[-1].state == "ok"
    assert published[-1].reasons == []
    assert driver.problems() == []
    lines = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert len(lines) == 1
    assert lines[0][0] == logging.INFO
    assert lines[0][1].startswith("lynx: clock agrees with the venue clock again: ")


def test_a_timy_two_seconds_off_is_no_problem() -> None:
    clock = Clock()
    driver, published = driver_for(TimySession("timy", {1: Channel(line="finish")}, UTC), clock)
    stamp = of_day(now_us() + 2 * US_PER_SECOND)
    seconds, micro = divmod(stamp, US_PER_SECOND)
    line = f" 0001 C1  {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}."
    driver.received((line + f"{micro // 100:04d} 00\r").encode(), None)
    driver.report()
    status = published[-1]
    assert (status.state, status.reasons, status.events) == ("ok", [], 1)
    assert status.clock_offset_us is not None
    assert 1_900_000 < status.clock_offset_us <= 2 * US_PER_SECOND
    assert driver.problems() == []
