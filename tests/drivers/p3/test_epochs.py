"""Issue 12, items 1-4: a P3 decoder that reboots, sends absurd records or is cut off loses no
passing, and each passing keeps one identity (decoder, epoch, number).

The session is fed the bytes of a scripted decoder (below) on real clock values, with the
default settings (horizon at the session start, gap bound 10000, 5 tries, 24 h window). The
decoder answers GET_TIME and RESEND as docs/protocols/p3.md and the simulator do: RESEND sends
the passings it still holds in the range, and nothing for numbers it does not hold.
"""

import msgspec

from tests.drivers.p3.events import passing_data
from velotime.drivers.p3.session import (
    RESEND_RETRY_US,
    P3Session,
    P3SessionState,
    P3Settings,
)
from velotime.drivers.session import SessionOutput
from velotime.families.p3.source import P3Description
from velotime.protocols.p3 import GetTime, P3Stream, Passing, Resend, Status, encode
from velotime.wire.events import Event, GapData

DECODER = 268307
T0 = 1_795_266_000_000_000  # the session starts (host = venue clock), 2026-11-21 ~09:40 UTC
OFFSET = 3_600_000_123  # venue clock - decoder clock before any reboot
S = 1_000_000  # one second
READ_LAG_US = 50_000  # a live passing is read this long after it happened
ANSWER_US = 10_000  # the decoder answers a command this long after it was sent
U32_MAX = 0xFFFF_FFFF


class ScriptedDecoder:
    """A decoder as seen from the wire: it numbers passings, keeps them for RESEND, and its
    clock reads `venue + rtc_minus_venue_us`."""

    def __init__(self, first_number: int = 1) -> None:
        self.rtc_minus_venue_us = -OFFSET
        self.next_number = first_number
        self.held: dict[int, bytes] = {}

    def detect(self, venue_us: int, transponder: int = 1001) -> bytes:
        record = self.record(self.next_number, venue_us + self.rtc_minus_venue_us, transponder)
        self.held[self.next_number] = record
        self.next_number += 1
        return record

    @staticmethod
    def record(number: int, rtc_us: int, transponder: int = 1001) -> bytes:
        return encode(
            Passing(
                passing_number=number,
                transponder=transponder,
                rtc_time_us=rtc_us,
                decoder_id=DECODER,
            )
        )

    def reboot(self, clock_back_us: int = 0) -> None:
        """Memory cleared, numbers from 1 again, and the clock set back."""
        self.rtc_minus_venue_us -= clock_back_us
        self.next_number = 1
        self.held = {}

    def answer(self, command: bytes, venue_us: int) -> bytes:
        (request,) = P3Stream().feed(command)
        if isinstance(request, GetTime):
            rtc = venue_us + self.rtc_minus_venue_us
            return encode(GetTime(rtc_time_us=rtc, unknown_04=0, decoder_id=DECODER))
        assert isinstance(request, Resend)
        first, last = request.from_passing or 0, request.until_passing or 0
        return b"".join(self.held[n] for n in sorted(self.held) if first <= n <= last)


class Link:
    """The daemon's session connected to a scripted decoder: commands are answered."""

    def __init__(self, session: P3Session, decoder: ScriptedDecoder) -> None:
        self.session = session
        self.decoder = decoder
        self.events: list[Event] = []
        self.notices: list[str] = []
        self.commands: list[bytes] = []
        self.up = True

    def connect(self, t_us: int) -> None:
        self.up = True
        self._answer(t_us, self.session.connected(t_us))

    def send(self, t_us: int, data: bytes) -> None:
        """Bytes the decoder sends at `t_us` (venue clock), read by the daemon at once."""
        if self.up:
            self._answer(t_us, self.session.feed(t_us, data))

    def live(self, venue_us: int, transponder: int = 1001) -> None:
        """A passing detected at `venue_us` and sent at once, if the link is up."""
        self.send(venue_us + READ_LAG_US, self.decoder.detect(venue_us, transponder))

    def status(self, t_us: int) -> None:
        self.send(t_us, encode(Status(noise=40, decoder_id=DECODER)))

    def _answer(self, t_us: int, out: SessionOutput) -> None:
        self.events += out.events
        self.notices += out.notices
        self.commands += out.commands
        for command in out.commands:
            reply = self.decoder.answer(command, t_us + ANSWER_US)
            if reply:
                self.send(t_us + ANSWER_US, reply)

    def passings(self) -> list[Event]:
        return [e for e in self.events if e.kind == "passing"]

    def gaps(self) -> list[GapData]:
        return [e.data for e in self.events if isinstance(e.data, GapData)]


def started(settings: P3Settings | None = None) -> Link:
    session = P3Session("p3-finish", lambda decoder_id: "finish", "get_time", None, settings)
    link = Link(session, ScriptedDecoder())
    link.connect(T0)
    return link


def numbers(events: list[Event]) -> list[int]:
    return [passing_data(e).passing_number or 0 for e in events]


def resends(commands: list[bytes]) -> list[tuple[int, int]]:
    requests = [r for c in commands for r in P3Stream().feed(c) if isinstance(r, Resend)]
    return [(r.from_passing or 0, r.until_passing or 0) for r in requests]


# -- 1: a reboot ---------------------------------------------------------------------------------


def test_a_reboot_with_the_link_up_starts_an_epoch_and_loses_nothing() -> None:
    link = started()
    for i in range(20):
        link.live(T0 + (10 + i) * S)
    link.decoder.reboot(clock_back_us=3600 * S)
    after = [T0 + (100 + 5 * i) * S for i in range(15)]
    for venue_us in after:
        link.live(venue_us)
    reborn = link.passings()[20:]
    # All 15 published (the old code dropped them as duplicates of 1..15), on the venue clock:
    # the clock was asked again when the count restarted.
    assert numbers(reborn) == list(range(1, 16))
    assert [passing_data(e).t_us for e in reborn] == after
    assert {passing_data(e).epoch for e in reborn} == {1}
    first = passing_data(reborn[0])
    assert reborn[0].id == f"p3:{DECODER}:e1:1:{first.rtc_time_us}"
    assert link.passings()[0].id.startswith(f"p3:{DECODER}:1:")  # epoch 0 ids as before
    assert link.session.stats.epochs == 1
    assert link.session.stats.duplicates == 0
    assert any("restarted at 1" in n for n in link.notices)


def test_a_reboot_that_drops_the_link_is_seen_from_the_clock_answer() -> None:
    link = started()
    for i in range(20):
        link.live(T0 + (10 + i) * S)
    link.up = False
    link.decoder.reboot(clock_back_us=3600 * S)
    link.connect(T0 + 60 * S)  # GET_TIME: the decoder clock went back an hour
    after = [T0 + (70 + 5 * i) * S for i in range(15)]
    for venue_us in after:
        link.live(venue_us)
    reborn = link.passings()[20:]
    assert numbers(reborn) == list(range(1, 16))
    assert [passing_data(e).t_us for e in reborn] == after
    assert link.session.stats.epochs == 1


def test_a_resend_is_still_a_duplicate() -> None:
    link = started()
    for i in range(5):
        link.live(T0 + (10 + i) * S)
    link.send(T0 + 20 * S, link.decoder.held[3])  # the same number and the same time again
    link.send(T0 + 21 * S, link.decoder.held[1] + link.decoder.held[5])
    assert numbers(link.passings()) == [1, 2, 3, 4, 5]
    assert link.session.stats.duplicates == 3
    assert link.session.stats.epochs == 0


# -- 2: an absurd time ---------------------------------------------------------------------------


def test_an_absurd_time_is_flagged_and_a_restart_after_it_is_still_seen() -> None:
    link = started()
    for i in range(20):
        link.live(T0 + (10 + i) * S)
    fifty_years_us = 50 * 365 * 86_400 * S
    rtc = T0 + 40 * S + fifty_years_us - OFFSET
    link.send(T0 + 40 * S, ScriptedDecoder.record(21, rtc))
    link.decoder.reboot()  # the clock is kept, the count restarts
    after = [T0 + (50 + 5 * i) * S for i in range(10)]
    for venue_us in after:
        link.live(venue_us)
    passings = link.passings()
    # The 10 passings after the restart are published (the old code lost them all).
    assert numbers(passings[21:]) == list(range(1, 11))
    absurd = passing_data(passings[20])
    assert (absurd.passing_number, absurd.flag) == (21, "implausible_time")
    assert [passing_data(e).flag for e in passings[21:]] == [None] * 10
    assert link.session.stats.flagged == 1
    assert link.session.stats.epochs == 1


def test_an_absurd_time_is_judged_on_a_fresh_clock_answer() -> None:
    """A decoder whose clock was set a day ahead: the clock is asked before flagging, and its
    passings are then on time, not flagged."""
    link = started()
    link.live(T0 + 10 * S)
    link.decoder.rtc_minus_venue_us += 2 * 86_400 * S
    link.live(T0 + 20 * S)
    second = passing_data(link.passings()[1])
    assert (second.flag, second.t_us) == (None, T0 + 20 * S)
    assert link.session.stats.flagged == 0


# -- 3: a restart behind an outage; before the first connection ----------------------------------


def test_a_restart_during_an_outage_asks_for_the_new_count_from_1() -> None:
    link = started()
    for i in range(10):
        link.live(T0 + (10 + i) * S)
    link.up = False
    link.decoder.reboot()  # the clock is kept
    for i in range(4):
        link.live(T0 + (40 + i) * S)  # made while nobody listened
    link.connect(T0 + 60 * S)
    link.live(T0 + 70 * S)
    reborn = link.passings()[10:]
    assert sorted(numbers(reborn)) == [1, 2, 3, 4, 5]  # the old code never asked for 1..4
    assert {passing_data(e).epoch for e in reborn} == {1}
    assert (1, 4) in resends(link.commands)


def test_passings_made_during_an_outage_are_asked_for_on_reconnecting() -> None:
    link = started()
    for i in range(3):
        link.live(T0 + (10 + i) * S)
    link.up = False
    for i in range(4):
        link.live(T0 + (20 + i) * S)
    link.connect(T0 + 30 * S)  # no passing after it: only asking shows 4..7
    assert numbers(link.passings()) == [1, 2, 3, 4, 5, 6, 7]
    assert (4, 3 + 10_000) in resends(link.commands)


def test_passings_before_the_first_connection_are_asked_for_back_to_the_horizon() -> None:
    session = P3Session(
        "p3-finish", lambda _: "finish", "get_time", None, P3Settings(horizon_s=600)
    )
    link = Link(session, ScriptedDecoder())
    link.up = False
    for i in range(10):
        link.live(T0 - 7200 * S + i * S)  # two hours before velotime started: too old
    for i in range(3):
        link.live(T0 - 300 * S + i * S)  # five minutes before: wanted
    link.connect(T0)
    link.live(T0 + 10 * S)
    assert sorted(numbers(link.passings())) == [11, 12, 13, 14]  # 14 live, then the resend
    assert session.stats.before_horizon == 10
    assert session.open_gaps() == {str(DECODER): []}


def test_by_default_passings_before_the_session_start_are_counted_not_published() -> None:
    session = P3Session("p3-finish", lambda _: "finish")
    link = Link(session, ScriptedDecoder())
    link.up = False
    for i in range(5):
        link.live(T0 - 100 * S + i * S)
    link.connect(T0)
    link.live(T0 + 10 * S)
    for i in range(8):  # time goes by: nothing is asked again, nothing given up
        link.status(T0 + (15 + 5 * i) * S)
    assert numbers(link.passings()) == [6]
    assert session.stats.before_horizon == 5
    assert link.gaps() == []
    # Nothing silent: the resend asked and each passing dropped have a line in the log.
    assert (
        f"decoder {DECODER} first seen at passing 6: asking the decoder to resend 1..5, "
        "made before velotime reached it" in link.notices
    )
    dropped = [n for n in link.notices if "made before the horizon" in n]  # resent 1..5
    assert len(dropped) == 5
    assert dropped[0] == (
        f"decoder {DECODER} passing 1 was made before the horizon (0 s before velotime "
        "started): counted, not published"
    )


# -- 4: an absurd number, gaps given up ----------------------------------------------------------


def test_an_absurd_number_is_flagged_and_never_asked_for() -> None:
    link = started()
    for i in range(10):
        link.live(T0 + (10 + i) * S)
    link.send(T0 + 25 * S, ScriptedDecoder.record(U32_MAX, T0 + 25 * S - OFFSET))
    for i in range(5):
        link.live(T0 + (30 + i) * S)
    for i in range(12):
        link.status(T0 + (40 + 5 * i) * S)
    link.connect(T0 + 120 * S)
    asked = resends(link.commands)
    assert all(last - first < 10_000 for first, last in asked), asked  # not 11..4294967294
    passings = link.passings()
    assert numbers(passings) == [*range(1, 11), U32_MAX, *range(11, 16)]
    assert passing_data(passings[10]).flag == "number_jump"
    assert link.session.stats.flagged == 1
    assert link.session.open_gaps() == {str(DECODER): []}


def test_a_counter_moved_on_is_followed_and_the_numbers_skipped_given_up() -> None:
    link = started()
    for i in range(3):
        link.live(T0 + (10 + i) * S)
    link.decoder.next_number = 1_000_000
    for i in range(3):
        link.live(T0 + (20 + i) * S)
    passings = link.passings()
    assert numbers(passings) == [1, 2, 3, 1_000_000, 1_000_001, 1_000_002]
    assert passing_data(passings[3]).flag == "number_jump"  # alone, it could be garbage
    assert [passing_data(e).flag for e in passings[4:]] == [None, None]
    assert [(g.first, g.last, g.reason) for g in link.gaps()] == [(4, 999_999, "too_large")]
    assert link.session.stats.unrecoverable_gaps == 1


def test_a_gap_the_decoder_no_longer_holds_is_given_up_after_the_tries() -> None:
    link = started()
    for i in range(3):
        link.live(T0 + (10 + i) * S)
    link.up = False
    for i in range(2):
        link.live(T0 + (20 + i) * S)  # 4 and 5: lost by the decoder too
    del link.decoder.held[4], link.decoder.held[5]
    link.up = True
    link.live(T0 + 30 * S)
    t = T0 + 30 * S
    for _ in range(8):
        t += RESEND_RETRY_US
        link.status(t)
    assert resends(link.commands).count((4, 5)) == 5  # resend_tries RESENDs, 5 s apart
    (gap,) = link.gaps()
    assert (gap.decoder_id, gap.epoch, gap.first, gap.last, gap.reason) == (
        DECODER,
        0,
        4,
        5,
        "not_answered",
    )
    assert link.session.stats.unrecoverable_gaps == 1
    assert link.session.open_gaps() == {str(DECODER): []}
    assert any("4..5" in n and "given up" in n for n in link.notices)


# -- saved state ---------------------------------------------------------------------------------


def test_a_state_saved_before_epochs_still_loads() -> None:
    old = (
        b'{"decoders": {"268307": {"highest": 12, "gaps": [[5, 6]], '
        b'"latest_rtc_us": 1795262400000000, "clock_offset_us": 3600000123}}}'
    )
    state = msgspec.json.decode(old, type=P3SessionState)
    session = P3Description(line="finish", resume=msgspec.to_builtins(state)).new_session("p3")
    assert isinstance(session, P3Session)
    assert (5, 6) in resends(session.connected(T0).commands)
    saved = session.state().decoders[str(DECODER)]
    assert (saved.epoch, saved.highest, saved.gaps) == (0, 12, [(5, 6)])


def test_the_epoch_is_saved_and_a_restarted_daemon_keeps_it() -> None:
    link = started()
    link.live(T0 + 10 * S)
    link.live(T0 + 11 * S)
    link.decoder.reboot()
    link.live(T0 + 20 * S)
    state = msgspec.json.decode(msgspec.json.encode(link.session.state()), type=P3SessionState)
    assert state.decoders[str(DECODER)].epoch == 1
    again = Link(P3Session("p3-finish", lambda _: "finish", "get_time", state), link.decoder)
    again.connect(T0 + 30 * S)
    again.live(T0 + 40 * S)
    (event,) = again.passings()
    assert (passing_data(event).epoch, passing_data(event).passing_number) == (1, 2)
    assert event.id.startswith(f"p3:{DECODER}:e1:2:")


def test_after_a_reconnect_a_clock_not_answered_is_kept_without_holding_passings() -> None:
    link = started()
    link.live(T0 + 10 * S)
    session = link.session
    session.connected(T0 + 20 * S)  # GET_TIME asked; this decoder never answers it
    out = session.feed(T0 + 23 * S, encode(Status(noise=40, decoder_id=DECODER)))
    assert any("did not answer GET_TIME" in n and "kept" in n for n in out.notices)
    out = session.feed(T0 + 30 * S + READ_LAG_US, link.decoder.detect(T0 + 30 * S))
    assert [passing_data(e).t_us for e in out.events] == [T0 + 30 * S]  # at once, on time


def test_a_passing_held_for_the_clock_is_asked_for_again_by_a_daemon_killed_meanwhile() -> None:
    # The passing that starts an epoch is counted, then held until GET_TIME is answered; the
    # daemon saves the state with the GET_TIME it sends. Killed before the answer, it must not
    # come back believing it has that passing.
    link = started()
    link.live(T0 + 10 * S)
    link.live(T0 + 11 * S)
    link.decoder.reboot()
    out = link.session.feed(T0 + 20 * S + READ_LAG_US, link.decoder.detect(T0 + 20 * S))
    assert out.events == []  # held until the clock is known
    assert out.commands  # GET_TIME asked: the daemon saves the state with it
    saved = msgspec.json.decode(msgspec.json.encode(link.session.state()), type=P3SessionState)
    again = Link(P3Session("p3-finish", lambda _: "finish", "get_time", saved), link.decoder)
    again.connect(T0 + 30 * S)
    (event,) = again.passings()
    assert (passing_data(event).epoch, passing_data(event).passing_number) == (1, 1)
    assert passing_data(event).t_us == T0 + 20 * S


def test_passings_made_after_the_daemon_started_before_it_reached_the_decoder_are_kept() -> None:
    # The daemon starts at T0 and reaches its decoder only 5 s later: the session began at T0
    # (the daemon's start, in the capture header), not at the first connection.
    session = P3Session("p3-finish", lambda _: "finish", settings=P3Settings(started_us=T0))
    link = Link(session, ScriptedDecoder())
    link.up = False
    for i in range(4):
        link.live(T0 - 2 * S + i * S)  # 2 before the daemon started, 2 after
    link.connect(T0 + 5 * S)
    link.live(T0 + 10 * S)
    assert sorted(numbers(link.passings())) == [3, 4, 5]
    assert session.stats.before_horizon == 2
