"""The Race Result session, fed bytes by hand: what it asks the decoder, the passings it
publishes on the venue clock, and how it gets back what it missed (fetch by passing number)."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from velotime.drivers.raceresult.session import (
    RaceResultSession,
    RaceResultSettings,
    transponder_number,
)
from velotime.protocols import raceresult as rr
from velotime.wire.events import Event, GapData, PassingData

S = 1_000_000
DAY = 86_400 * S
# 2026-12-07 is 20,794 days after 1970-01-01 (56 years of 365 days = 20,440, 14 leap days
# 1972..2024 = 20,454 to 2026-01-01, then 334 days of January to November 2026).
DAY_2026_12_07 = 20_794 * DAY
NOON = 12 * 3600 * S


def passing(
    number: int, seconds: str, *, code: str = "1001", pushed: bool = True, file: int = 1
) -> bytes:
    record = rr.Passing(
        pushed=pushed,
        passing_number=number,
        code=code,
        date="2026-12-07",
        time_of_day_us=rr.parse_time(seconds) or 0,
        hits=12,
        max_rssi=0x50,
        file_number=file,
        box_id="4711",
    )
    return rr.encode(record)  # pushed: prefixed `#P;`


def gettime(time: str) -> bytes:
    return rr.command("GETTIME", "2026-12-07", time)


def started(settings: RaceResultSettings | None = None) -> RaceResultSession:
    """A session connected at 12:00:00.000 UTC, its decoder answering GETTIME at once with
    12:00:00.250: the decoder is 0.250 s ahead, within the 1 s tolerance (not set)."""
    session = RaceResultSession("rr", "finish", settings=settings)
    session.connected(DAY_2026_12_07 + NOON)
    out = session.feed(DAY_2026_12_07 + NOON, gettime("12:00:00.250"))
    assert not out.commands
    return session


def passings(events: list[Event]) -> list[PassingData]:
    return [e.data for e in events if isinstance(e.data, PassingData)]


def test_on_connect_the_protocol_operation_pushes_and_clock_are_asked_for() -> None:
    session = RaceResultSession("rr", "finish")
    out = session.connected(0)
    assert out.commands == [
        b"GETPROTOCOL\r\n",
        b"SETPROTOCOL;3.2\r\n",
        b"STARTOPERATION\r\n",
        b"SETPUSHPASSINGS;1;0\r\n",
        b"GETTIME\r\n",
    ]


def test_an_older_decoder_is_set_to_the_highest_protocol_it_speaks() -> None:
    session = RaceResultSession("rr", "finish")
    session.connected(0)
    assert session.feed(0, b"GETPROTOCOL;2.5;1.0;2.5\r\n").commands == [b"SETPROTOCOL;2.5\r\n"]
    too_old = session.feed(0, b"GETPROTOCOL;1.5;1.0;1.5\r\n")
    assert too_old.commands == []
    assert "update its firmware" in too_old.notices[0]


def test_a_pushed_passing_is_published_on_the_venue_clock() -> None:
    """Offset = venue - decoder = 12:00:00.000 - 12:00:00.250 = -0.250 s. A passing at decoder
    12:00:10.500 is at venue 12:00:10.250 of 2026-12-07 (UTC)."""
    session = started()
    out = session.feed(DAY_2026_12_07 + NOON + 10_300_000, passing(1, "12:00:10.500"))
    (data,) = passings(out.events)
    assert data.rtc_time_us == DAY_2026_12_07 + NOON + 10_500_000
    assert data.clock_offset_us == -250_000
    assert data.t_us == DAY_2026_12_07 + NOON + 10_250_000
    assert (data.line, data.transponder, data.passing_number, data.decoder_id) == (
        "finish", 1001, 1, 4711,
    )  # fmt: skip
    assert (data.hits, data.strength) == (12, 0x50)
    assert data.record["time_of_day_us"] == 43_210_500_000  # every field of the line, kept
    assert len(data.record) == 23  # the 20 fields, pushed, text and the type tag


def test_a_gap_is_fetched_by_passing_number_and_filled_nothing_twice() -> None:
    session = started()
    t = DAY_2026_12_07 + NOON
    session.feed(t + S, passing(1, "12:00:01.000"))
    out = session.feed(t + 2 * S, passing(4, "12:00:04.000"))
    assert out.commands == [b"2:2\r\n"]  # passings 2 and 3: two from 2
    fetched = passing(2, "12:00:02.000", pushed=False) + passing(3, "12:00:03.000", pushed=False)
    out = session.feed(t + 3 * S, fetched + b"\r\n")
    assert [d.passing_number for d in passings(out.events)] == [2, 3]
    again = session.feed(t + 4 * S, passing(3, "12:00:03.000"))  # sent twice: dropped
    assert passings(again.events) == []
    assert session.counters().duplicates == 1
    assert session.counters().open_gaps == 0


def test_a_gap_never_sent_is_given_up_after_the_tries() -> None:
    """resend_tries 2: fetched when it opens (1), again 5 s later (2), given up 5 s after."""
    session = started(RaceResultSettings(resend_tries=2))
    t = DAY_2026_12_07 + NOON
    session.feed(t, passing(1, "12:00:00.000"))
    assert session.feed(t + S, passing(3, "12:00:01.000")).commands == [b"2:1\r\n"]
    assert session.feed(t + 6 * S, b"").commands == [b"2:1\r\n"]
    out = session.feed(t + 11 * S, b"")
    (gap,) = [e.data for e in out.events if isinstance(e.data, GapData)]
    assert (gap.first, gap.last, gap.reason) == (2, 2, "not_answered")


def test_after_a_reconnect_the_passings_made_meanwhile_are_fetched() -> None:
    session = started()
    t = DAY_2026_12_07 + NOON
    session.feed(t, passing(1, "12:00:00.000") + passing(2, "12:00:01.000"))
    out = session.connected(t + 30 * S)
    assert out.commands[-1] == b"3:10000\r\n"  # from the highest on, gap_bound at most
    # A restarted daemon, from the state saved with its last event, does the same.
    again = RaceResultSession("rr", "finish", session.state())
    assert again.connected(t + 60 * S).commands[-1] == b"3:10000\r\n"


def test_the_clock_is_set_before_timing_begins_and_never_after() -> None:
    """The decoder answers 11:59:50.000 at venue 12:00:00.000: 10 s behind, more than 1 s. It
    is set to the venue's local time (UTC here) and asked again; its new answer gives the
    offset. Once passings came, a clock 10 s off is only mapped."""
    session = RaceResultSession("rr", "finish")
    t = DAY_2026_12_07 + NOON
    session.connected(t)
    out = session.feed(t, gettime("11:59:50.000"))
    assert out.commands == [b"SETTIME;2026-12-07;12:00:00.000\r\n", b"GETTIME\r\n"]
    session.feed(t + 10_000, gettime("12:00:00.010"))
    (data,) = passings(session.feed(t + S, passing(1, "12:00:01.000")).events)
    assert data.t_us == t + S

    timing = started()
    timing.feed(t + S, passing(1, "12:00:01.000"))
    timing.connected(t + 2 * S)
    assert timing.feed(t + 2 * S, gettime("12:00:12.000")).commands == []


def test_a_new_file_is_a_new_epoch() -> None:
    session = started()
    t = DAY_2026_12_07 + NOON
    session.feed(t, passing(1, "12:00:00.000") + passing(2, "12:00:01.000"))
    out = session.feed(t + 2 * S, passing(1, "12:00:02.000", file=2))
    (data,) = passings(out.events)
    assert (data.epoch, data.passing_number) == (1, 1)
    assert out.commands == []  # numbering starts afresh: nothing is missing


def test_transponder_codes() -> None:
    assert transponder_number("4711") == 4711
    assert transponder_number("A1") == 10 * 36 + 1  # base 36: A = 10
    assert transponder_number("") is None
    assert transponder_number("A-1") is None


@given(st.lists(st.integers(0, 2000), max_size=10))
def test_any_split_of_the_decoder_s_bytes_makes_the_same_events(cuts: list[int]) -> None:
    """The same bytes, received in any pieces at one moment, make the same passings and fetches."""
    t = DAY_2026_12_07 + NOON
    data = (
        gettime("12:00:00.250")
        + b"\x00noise\r\n"
        + passing(1, "12:00:01.000")
        + passing(3, "12:00:02.000")
        + passing(2, "12:00:01.500", pushed=False)
        + b"\r\n"
    )

    def run(pieces: list[bytes]) -> tuple[list[Event], list[bytes]]:
        session = RaceResultSession("rr", "finish")
        session.connected(t)
        events: list[Event] = []
        commands: list[bytes] = []
        for piece in pieces:
            out = session.feed(t, piece)
            events += out.events
            commands += out.commands
        return events, commands

    bounds = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    pieces = [data[a:b] for a, b in itertools.pairwise(bounds)]
    assert run(pieces) == run([data])
    events, commands = run([data])
    assert [p.passing_number for p in passings(events)] == [1, 3, 2]
    assert commands == [b"2:1\r\n"]


def test_passings_made_before_velotime_reached_the_decoder_are_fetched_to_the_horizon() -> None:
    """velotime started at 12:00:00.000 (horizon 0); the decoder (0.250 s ahead) is first seen
    at passing 5: 1..4 are fetched. 1 (decoder 11:59:58.000 = venue 11:59:57.750) and 2 (venue
    11:59:59.750) were made before the start: dropped and counted; 3 and 4 are published."""
    t = DAY_2026_12_07 + NOON
    session = started(RaceResultSettings(started_us=t))
    out = session.feed(t + 5 * S, passing(5, "12:00:05.000"))
    assert out.commands == [b"1:4\r\n"]
    fetched = b"".join(
        passing(n, time, pushed=False)
        for n, time in (
            (1, "11:59:58.000"), (2, "12:00:00.000"), (3, "12:00:01.000"), (4, "12:00:02.000"),
        )
    )  # fmt: skip
    out = session.feed(t + 6 * S, fetched + b"\r\n")
    assert [p.passing_number for p in passings(out.events)] == [3, 4]
    assert session.counters().skipped == 2
    assert session.counters().open_gaps == 0


def test_a_passing_waiting_for_the_clock_is_fetched_again_after_a_restart() -> None:
    """Passing 1 came before the GETTIME answer: it waits, unpublished. A daemon stopped then
    saved it as missing: restarted from that state, it fetches it again."""
    t = DAY_2026_12_07 + NOON
    session = RaceResultSession("rr", "finish")
    session.connected(t)
    assert passings(session.feed(t + 100_000, passing(1, "12:00:00.000")).events) == []
    saved = session.state()
    assert (saved.highest, saved.gaps) == (1, [(1, 1)])
    again = RaceResultSession("rr", "finish", saved)
    assert b"1:1\r\n" in again.connected(t + S).commands
