"""The Timy session's decisions, fed hand-written Timy lines (no I/O)."""

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from velotime.drivers.timy.session import Channel, TimySession
from velotime.wire.events import Event, ImpulseData

BERLIN = ZoneInfo("Europe/Berlin")
CHANNELS = {
    0: Channel(line="start", dead_time_us=1_000_000),
    1: Channel(line="finish", dead_time_us=200_000),
    4: Channel(line="200m", delay_us=350),
}


def unix_us(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int,
    microsecond: int = 0,
    tz: tzinfo = BERLIN,
) -> int:
    """A wall-clock instant as unix microseconds, by hand: no velotime code involved."""
    moment = datetime(year, month, day, hour, minute, second, microsecond, tzinfo=tz)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def line(flag: str, number: int, channel: str, time: str) -> bytes:
    """A Timy impulse line as the device prints it: flag, number, channel, time, group, CR."""
    return f"{flag}{number:04d} {channel:<3} {time} 00\r".encode()


def impulses(events: list[Event]) -> list[ImpulseData]:
    data = [e.data for e in events]
    assert all(isinstance(d, ImpulseData) for d in data)
    return data  # type: ignore[return-value]


def session() -> TimySession:
    return TimySession("timy", CHANNELS, BERLIN, init_commands=("CHK1",))


NOON = unix_us(2026, 11, 21, 12, 0, 0)  # 11:00 UTC: Berlin is UTC+1 in November


def test_connecting_sends_the_init_commands() -> None:
    assert session().connected(NOON).commands == [b"CHK1\r"]


def test_an_impulse_lands_on_the_venue_clock_exactly() -> None:
    (impulse,) = impulses(session().feed(NOON, line(" ", 35, "C1", "11:59:58.3910")).events)
    # 11:59:58.3910 Berlin time on 2026-11-21 = 10:59:58.391 UTC.
    assert impulse.t_us == unix_us(2026, 11, 21, 10, 59, 58, 391000, tz=UTC)
    assert impulse.time_of_day_us == 43198391000  # 11 h 59 min 58.3910 s, by hand
    assert (impulse.line, impulse.channel, impulse.number, impulse.flag) == ("finish", "C1", 35, "")


def test_the_channel_delay_is_taken_off() -> None:
    (impulse,) = impulses(session().feed(NOON, line(" ", 1, "C4", "11:59:58.3910")).events)
    assert impulse.time_of_day_us == 43198391000 - 350
    assert impulse.delay_us == 350


def test_an_impulse_just_before_midnight_read_just_after_is_yesterdays() -> None:
    just_after = unix_us(2026, 11, 22, 0, 0, 0, 200000)
    (impulse,) = impulses(session().feed(just_after, line(" ", 1, "C1", "23:59:59.9000")).events)
    assert impulse.t_us == unix_us(2026, 11, 21, 23, 59, 59, 900000)


def test_an_impulse_just_after_midnight_read_just_before_is_tomorrows() -> None:
    # A host clock a little behind the Timy's: the impulse is still today's future, by minutes.
    just_before = unix_us(2026, 11, 21, 23, 59, 58)
    (impulse,) = impulses(session().feed(just_before, line(" ", 1, "C1", "00:00:01.5000")).events)
    assert impulse.t_us == unix_us(2026, 11, 22, 0, 0, 1, 500000)


def test_summer_time_uses_that_days_offset() -> None:
    july_noon = unix_us(2026, 7, 1, 12, 0, 0)
    (impulse,) = impulses(session().feed(july_noon, line(" ", 1, "C1", "12:00:00.0000")).events)
    assert impulse.t_us == unix_us(2026, 7, 1, 10, 0, 0, tz=UTC)  # CEST is UTC+2


def test_a_double_trigger_inside_the_dead_time_is_dropped() -> None:
    s = session()
    out = s.feed(NOON, line(" ", 1, "C1", "11:00:00.0000") + line(" ", 1, "C1", "11:00:00.1500"))
    assert [i.time_of_day_us for i in impulses(out.events)] == [39600000000]
    assert s.double_triggers == 1
    assert any("double trigger" in n for n in out.notices)
    # 0.2 s later is outside the 200 ms dead time: a real impulse.
    later = s.feed(NOON, line(" ", 1, "C1", "11:00:00.2000"))
    assert len(later.events) == 1


def test_impulses_within_0_3_ms_on_two_channels_are_one_instant() -> None:
    s = session()
    out = s.feed(NOON, line(" ", 7, "C0", "11:00:00.0000") + line(" ", 7, "C1", "11:00:00.0002"))
    start, finish = impulses(out.events)
    assert finish.t_us == start.t_us
    assert finish.time_of_day_us == start.time_of_day_us
    assert finish.simultaneous_with == out.events[0].id
    # 0.3 ms apart is not the same instant.
    apart = s.feed(NOON, line(" ", 8, "C0", "11:00:05.0000") + line(" ", 8, "C1", "11:00:05.0003"))
    first, second = impulses(apart.events)
    assert second.t_us - first.t_us == 300
    assert second.simultaneous_with is None


def test_cleared_and_keypad_lines_are_published_with_their_flag_and_own_id() -> None:
    s = session()
    out = s.feed(
        NOON,
        line(" ", 1, "C0M", "11:00:00.7600")
        + line("c", 1, "C0M", "11:00:00.7600")
        + line("?", 0, "C1", "11:00:09.5106"),
    )
    manual, cleared, unassigned = impulses(out.events)
    assert (manual.manual, manual.flag) == (True, "")
    assert (cleared.flag, cleared.t_us) == ("c", manual.t_us)
    assert out.events[0].id != out.events[1].id  # a clearing is not a duplicate of the impulse
    assert unassigned.flag == "?"


def test_unmapped_channels_and_bookkeeping_lines_make_no_events() -> None:
    s = session()
    out = s.feed(
        NOON,
        line(" ", 1, "C7", "11:00:00.0000") + b"n0012\r" + b" 0001 RT  00:00:59.76   00\r",
    )
    assert out.events == []
    assert s.unmapped == 1
    assert out.errors == []


def test_a_line_cut_by_unplugging_is_reported_on_reconnection() -> None:
    s = session()
    s.feed(NOON, line(" ", 1, "C1", "11:00:00.0000")[:12])
    out = s.connected(NOON + 1)
    assert len(out.errors) == 1
