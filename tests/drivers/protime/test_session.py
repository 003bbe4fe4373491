"""The Protime session's decisions, fed hand-written telegrams (no I/O): what is published, what
is acknowledged and when, what is asked for again, what is dropped as a resend."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from velotime.drivers.protime.session import ProtimeSession, ProtimeSessionState, ProtimeSettings
from velotime.wire.events import Event, PassingData

BERLIN = ZoneInfo("Europe/Berlin")
ACK = b"\x1b\x11"
REPEAT = b"\x1b\x12"
START = b"\x1b\x07"
SETTINGS = ProtimeSettings(line="finish", channel_lines={"BOX": "200m", "B01": "100m"})


def unix_us(
    year: int, month: int, day: int, hour: int, minute: int, second: int, us: int = 0,
    tz: tzinfo = BERLIN,
) -> int:  # fmt: skip
    """A wall-clock instant as unix microseconds, by hand: no velotime code involved."""
    moment = datetime(year, month, day, hour, minute, second, us, tzinfo=tz)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def telegram(data: str, checksum: int | None = None) -> bytes:
    """`<` data checksum `>` CR LF, the checksum summed here by hand (sum of the codes)."""
    assert len(data) == 32
    total = sum(data.encode("latin-1")) if checksum is None else checksum
    return f"<{data}{total:04d}>\r\n".encode("latin-1")


def sta(
    transponder: int, time: str, index: int = 1, channel: str = "STA", battery: int = 1
) -> bytes:
    return telegram(f"{channel} {transponder:06d} {time} 40 {index:02d} {battery} ")


def session(state: ProtimeSessionState | None = None, **settings: Any) -> ProtimeSession:
    return ProtimeSession("protime", replace(SETTINGS, **settings), BERLIN, state)


NOON = unix_us(2026, 11, 21, 12, 0, 0)  # 11:00 UTC: Berlin is UTC+1 in November


def passing_data(events: list[Event]) -> list[PassingData]:
    data = [event.data for event in events]
    assert all(isinstance(d, PassingData) for d in data)
    return data  # type: ignore[return-value]


def test_connecting_starts_the_decoder() -> None:
    assert session().connected(NOON).commands == [START]
    assert session(start=False).connected(NOON).commands == []


def test_a_passing_is_published_on_the_venue_clock_then_acknowledged() -> None:
    """11:59:58"391 Berlin time on 2026-11-21 (UTC+1) is 10:59:58.391 UTC; the decoder's clock
    (its time of day, 11 h 59 min 58.391 s = 43 198 391 000 us) plus the offset (Berlin's
    midnight of that day as unix us) is that instant."""
    s = session()
    s.connected(NOON)
    out = s.feed(NOON, sta(255, "11:59'58\"391"))
    [data] = passing_data(out.events)
    assert data.t_us == unix_us(2026, 11, 21, 10, 59, 58, 391_000, tz=UTC)
    assert data.rtc_time_us == 43_198_391_000
    assert data.rtc_time_us + data.clock_offset_us == data.t_us
    assert data.clock_offset_us == unix_us(2026, 11, 21, 0, 0, 0)
    assert (data.line, data.transponder, data.passing_number, data.strength) == (
        "finish",
        255,
        1,
        40,
    )
    assert data.record == {
        "type": "passing", "channel": "STA", "transponder": 255,
        "time_of_day_us": 43_198_391_000, "level": 40, "index": 1, "battery": 1,
    }  # fmt: skip
    # Handed on and acknowledged in one output: the driver queues the events before it writes
    # the commands, so the ACK leaves only once the passing is on disk.
    assert out.commands == [ACK]


def test_a_corrupt_telegram_is_asked_for_again_and_never_acknowledged() -> None:
    s = session()
    bad = telegram("STA 000255 11:59'58\"391 40 01 1 ", checksum=1234)
    out = s.feed(NOON, bad)
    assert (out.events, out.commands) == ([], [REPEAT])
    assert [e.kind for e in out.errors] == ["bad_checksum"]
    good = s.feed(NOON + 20_000, sta(255, "11:59'58\"391"))
    assert len(good.events) == 1
    assert good.commands == [ACK]
    assert s.counters().resend_requests == 1


def test_a_resent_telegram_is_acknowledged_again_but_published_once() -> None:
    """The ACK was lost: the decoder sends the same telegram (channel, transponder, time,
    index) again. A second passing of the same rider a lap later is another telegram."""
    s = session()
    first = s.feed(NOON, sta(255, "11:59'58\"391"))
    again = s.feed(NOON + 500_000, sta(255, "11:59'58\"391"))
    lap = s.feed(NOON + 17_000_000, sta(255, "12:00'15\"102", index=2))
    assert len(first.events) == 1
    assert first.commands == [ACK]
    assert again.events == []
    assert again.commands == [ACK]
    assert len(lap.events) == 1
    assert s.counters().duplicates == 1


def test_a_restarted_daemon_still_knows_the_telegrams_it_published() -> None:
    s = session()
    s.feed(NOON, sta(255, "11:59'58\"391"))
    saved = msgspec.json.decode(msgspec.json.encode(s.state()))
    resumed = session(msgspec.convert(saved, ProtimeSessionState))
    out = resumed.feed(NOON + 3_000_000, sta(255, "11:59'58\"391"))
    assert out.events == []
    assert out.commands == [ACK]


def test_channels_go_to_their_lines_and_unmapped_ones_are_skipped_but_acknowledged() -> None:
    s = session()
    box = s.feed(NOON, sta(12, "11:59'50\"000", channel="BOX"))
    b01 = s.feed(NOON, sta(12, "11:59'55\"000", channel="B01"))
    man = s.feed(NOON, sta(0, "11:59'56\"000", channel="MAN"))
    assert [d.line for d in passing_data(box.events + b01.events)] == ["200m", "100m"]
    assert man.events == []
    assert man.commands == [ACK]
    assert s.counters().skipped == 1


def test_a_telegram_that_never_arrives_whole_is_given_up_after_the_repeat_tries() -> None:
    s = session(repeat_tries=2)
    bad = telegram("STA 000255 11:59'58\"391 40 01 1 ", checksum=1)
    commands = [s.feed(NOON + i, bad).commands for i in range(3)]
    assert commands == [[REPEAT], [REPEAT], [ACK]]
    assert (s.counters().resend_requests, s.counters().unrecoverable_gaps) == (2, 1)


def test_a_low_battery_is_noticed() -> None:
    out = session().feed(NOON, sta(255, "11:59'58\"391", battery=2))
    assert out.notices == ["transponder 255: battery low"]


def test_a_passing_just_before_midnight_read_just_after_is_yesterday_s() -> None:
    read = unix_us(2026, 11, 22, 0, 0, 0, 300_000)
    [data] = passing_data(session().feed(read, sta(7, "23:59'59\"900")).events)
    assert data.t_us == unix_us(2026, 11, 21, 23, 59, 59, 900_000)


def test_the_clock_is_set_as_the_venue_clock_crosses_the_next_second() -> None:
    """Connected at 12:00:00.400 Berlin time: the command is due at 12:00:01.000 and says
    12:00:01 (ESC 0x48, 12, 0, 1, 0x74). At 12:00:01.000 exactly, the next is 12:00:02."""
    s = session()
    connected = NOON + 400_000
    s.connected(connected)
    assert s.clock_set(connected) == (NOON + 1_000_000, b"\x1b\x48\x0c\x00\x01\x74")
    assert s.clock_set(NOON + 1_000_000) == (NOON + 2_000_000, b"\x1b\x48\x0c\x00\x02\x74")
    assert session(set_clock=False).clock_set(connected) is None


@given(
    st.lists(st.integers(0, 999_999), min_size=2, max_size=12, unique=True),
    st.data(),
)
def test_a_corrupt_telegram_among_good_ones_is_never_acknowledged(
    transponders: list[int], data: st.DataObject
) -> None:
    """Each good telegram: one event, one ACK, in order; the corrupt one (a digit changed, the
    checksum kept): a repeat request, no event, no ACK; however the bytes are split."""
    lines = [sta(t, "11:59'58\"391") for t in transponders]
    victim = data.draw(st.integers(0, len(lines) - 1))
    spoilt = bytearray(lines[victim])
    spoilt[6] = ord("8") if spoilt[6] != ord("8") else ord("7")  # a transponder digit
    lines[victim] = bytes(spoilt)
    stream = b"".join(lines)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    s = session()
    events, commands = [], []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        out = s.feed(NOON, stream[start:end])
        events += passing_data(out.events)
        commands += out.commands
    good = [t for i, t in enumerate(transponders) if i != victim]
    assert [d.transponder for d in events] == good
    assert commands == [REPEAT if i == victim else ACK for i in range(len(lines))]
