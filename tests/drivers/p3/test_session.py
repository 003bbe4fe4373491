"""The P3 session's decisions, fed scripted decoder bytes (no I/O)."""

from tests.drivers.p3.events import passing_data
from velotime.drivers.p3.session import (
    CLOCK_JUMP_US,
    CLOCK_WAIT_US,
    RESEND_RETRY_US,
    ClockMode,
    P3Session,
    P3SessionState,
    P3Settings,
)
from velotime.families.p3.source import P3Description
from velotime.protocols.p3 import GetTime, Passing, Resend, Status, encode

DECODER = 268307
T0 = 1_700_000_000_000_000  # host clock, us
OFFSET = 3_600_000_123  # venue clock - decoder clock in these tests


def passing(number: int, rtc_us: int, transponder: int = 1001) -> bytes:
    return encode(
        Passing(
            passing_number=number, transponder=transponder, rtc_time_us=rtc_us, decoder_id=DECODER
        )
    )


def clock_answer(rtc_us: int) -> bytes:
    return encode(GetTime(rtc_time_us=rtc_us, unknown_04=0, decoder_id=DECODER))


# These tests' decoder times are small numbers, nowhere near the venue clock: the horizon and
# the plausibility window are off here (test_epochs.py tests them, with real times).
NO_LIMITS = P3Settings(horizon_s=None, plausible_window_s=None)


def session(state: P3SessionState | None = None, clock: ClockMode = "get_time") -> P3Session:
    return P3Session("p3-finish", lambda decoder_id: "finish", clock, state, NO_LIMITS)


def clocked_session() -> P3Session:
    s = session()
    s.connected(T0)
    s.feed(T0, clock_answer(T0 - OFFSET))
    return s


def test_connecting_asks_for_the_decoder_clock() -> None:
    assert session().connected(T0).commands == [encode(GetTime.request())]
    assert session(clock="decoder").connected(T0).commands == []


def test_passings_become_events_on_the_venue_clock_exactly() -> None:
    s = clocked_session()
    out = s.feed(T0 + 10, passing(1, 5_000_000_001))
    (event,) = out.events
    assert passing_data(event).t_us == 5_000_000_001 + OFFSET
    assert passing_data(event).rtc_time_us == 5_000_000_001
    assert passing_data(event).clock_offset_us == OFFSET
    assert passing_data(event).received_us == T0 + 10
    assert passing_data(event).line == "finish"
    assert passing_data(event).transponder == 1001
    assert event.id == f"p3:{DECODER}:1:5000000001"
    assert passing_data(event).record["passing_number"] == 1


def test_passings_wait_for_the_clock_then_go_out_in_order() -> None:
    s = session()
    s.connected(T0)
    assert s.feed(T0 + 1, passing(1, 100) + passing(2, 200)).events == []
    out = s.feed(T0 + 2, clock_answer(T0 + 2 - OFFSET))  # offset = received - decoder time
    assert [passing_data(e).t_us for e in out.events] == [100 + OFFSET, 200 + OFFSET]


def test_without_a_clock_answer_the_offset_comes_from_the_freshest_passing() -> None:
    s = session()
    s.connected(T0)
    # Passing 1 is resent (read long after it happened); passing 2 is live (read 3 us after).
    s.feed(T0, passing(1, T0 - OFFSET - 60_000_000) + passing(2, T0 - OFFSET - 3))
    out = s.feed(T0 + CLOCK_WAIT_US, encode(Status(noise=1, decoder_id=DECODER)))
    assert [passing_data(e).clock_offset_us for e in out.events] == [OFFSET + 3, OFFSET + 3]
    assert any("did not answer GET_TIME" in n for n in out.notices)


def test_small_clock_differences_keep_the_offset_a_jump_replaces_it() -> None:
    s = clocked_session()
    s.feed(T0 + 60_000_000, clock_answer(T0 + 60_000_000 - OFFSET - 2_000))  # 2 ms drift
    assert passing_data(s.feed(T0 + 61_000_000, passing(1, 7)).events[0]).clock_offset_us == OFFSET
    assert s.stats.clock_drift_us == 2_000
    jumped = OFFSET + CLOCK_JUMP_US + 1
    out = s.feed(T0 + 62_000_000, clock_answer(T0 + 62_000_000 - jumped))
    assert any("jumped" in n for n in out.notices)
    assert passing_data(s.feed(T0 + 63_000_000, passing(2, 8)).events[0]).clock_offset_us == jumped


def test_a_gap_asks_for_a_resend_and_the_resent_passings_fill_it() -> None:
    s = clocked_session()
    s.feed(T0, passing(1, 10))
    out = s.feed(T0, passing(5, 50))
    assert out.commands == [encode(Resend(from_passing=2, until_passing=4))]
    resent = s.feed(T0, passing(3, 30) + passing(2, 20) + passing(4, 40))
    assert [passing_data(e).passing_number for e in resent.events] == [3, 2, 4]
    assert s.state().decoders[str(DECODER)].gaps == []


def test_duplicates_are_dropped() -> None:
    s = clocked_session()
    s.feed(T0, passing(1, 10) + passing(2, 20))
    assert s.feed(T0, passing(2, 20) + passing(1, 10)).events == []
    assert s.stats.duplicates == 2


def test_missing_passings_are_asked_for_again_until_they_come() -> None:
    s = clocked_session()
    s.feed(T0, passing(1, 10) + passing(4, 40))
    assert s.feed(T0 + RESEND_RETRY_US - 1, b"").commands == []
    again = s.feed(T0 + RESEND_RETRY_US, b"").commands
    assert again == [encode(Resend(from_passing=2, until_passing=3))]


def test_a_restarted_counter_is_new_passings_not_duplicates() -> None:
    s = clocked_session()
    s.feed(T0, passing(500, 1_000_000_000) + passing(501, 2_000_000_000))
    out = s.feed(T0, passing(1, 3_000_000_000))  # an old number, later than anything seen
    passings = [e for e in out.events if e.kind == "passing"]
    assert [passing_data(e).passing_number for e in passings] == [1]
    assert passing_data(passings[0]).epoch == 1
    assert s.stats.counter_resets == 1
    # 1..499, asked for when 500 came first, can no longer be asked for: given up.
    assert [e.id for e in out.events if e.kind == "gap"] == [f"p3:{DECODER}:gap:1-499"]
    assert s.feed(T0, passing(2, 4_000_000_000)).commands == []  # no bogus gap after it


def test_saved_state_carries_gaps_and_clock_across_a_restart() -> None:
    first = clocked_session()
    first.feed(T0, passing(1, 10) + passing(3, 30))
    state = first.state()
    # The restarted daemon asks for what was missing as soon as it connects...
    second = session(state)
    assert encode(Resend(from_passing=2, until_passing=2)) in second.connected(T0 + 1).commands
    # ...waits for the clock's answer, keeps the clock it knew when none comes, and notices
    # passings made while it was down.
    out = second.feed(T0 + 2, passing(6, 60))
    assert out.events == []
    out = second.feed(T0 + 2 + CLOCK_WAIT_US, encode(Status(noise=1, decoder_id=DECODER)))
    assert passing_data(out.events[0]).clock_offset_us == OFFSET
    assert encode(Resend(from_passing=4, until_passing=5)) in out.commands
    assert second.feed(T0 + 3, passing(3, 30)).events == []  # already published before


def test_state_round_trips_through_json() -> None:
    import msgspec

    s = clocked_session()
    s.feed(T0, passing(1, 10) + passing(4, 40))
    encoded = msgspec.json.encode(s.state())
    assert msgspec.json.decode(encoded, type=P3SessionState) == s.state()


def test_bytes_split_across_a_reconnect_are_not_glued_together() -> None:
    s = clocked_session()
    whole = passing(1, 10)
    s.feed(T0, whole[:10])
    out = s.connected(T0 + 1)
    assert [e.kind for e in out.errors] == ["truncated"]
    assert s.feed(T0 + 2, whole[10:]).events == []


def test_a_passing_from_a_decoder_mapped_to_no_line_is_published_flagged_and_counted() -> None:
    """One link, three decoders chained (finish, 100m, 200m), each in decoder_lines, and no
    `line`. A passing from a fourth decoder, 14, belongs to no line: it is published on line ""
    flagged unknown_decoder (scoring passes over flagged passings), counted in the source's
    `flagged` and logged; its number is still tracked, so the same passing resent is a
    duplicate, not a second event. A record with no decoder id has no line either."""
    source = P3Description(
        decoder_lines={"11": "finish", "12": "100m", "13": "200m"},
        clock="decoder",
        horizon_s=None,
        plausible_window_s=None,
    )
    s = source.new_session("p3-chain")
    s.connected(T0)

    def from_decoder(decoder_id: int | None, number: int) -> bytes:
        record = Passing(
            passing_number=number, transponder=1001, rtc_time_us=T0 + number, decoder_id=decoder_id
        )
        return encode(record)

    records = [from_decoder(11, 1), from_decoder(12, 1), from_decoder(13, 1), from_decoder(14, 1)]
    out = s.feed(T0 + 10, b"".join(records))
    published = [(passing_data(e).decoder_id, passing_data(e).line, passing_data(e).flag)
                 for e in out.events]  # fmt: skip
    assert published == [
        (11, "finish", None),
        (12, "100m", None),
        (13, "200m", None),
        (14, "", "unknown_decoder"),
    ]
    (notice,) = [n for n in out.notices if "unknown_decoder" in n]
    assert notice.startswith("decoder 14 passing 1 ")
    assert "in neither line nor decoder_lines" in notice
    assert s.counters().flagged == 1

    again = s.feed(T0 + 20, from_decoder(14, 1))  # the decoder resends it
    assert again.events == []
    assert s.counters().duplicates == 1
    assert s.counters().flagged == 1

    (anonymous,) = s.feed(T0 + 30, from_decoder(None, 7)).events
    assert (passing_data(anonymous).line, passing_data(anonymous).flag) == ("", "unknown_decoder")
    assert s.counters().flagged == 2
