"""What a source says of its health: each session's counters, and the driver's counts of what its
session skipped, each checked against input counted by hand (no I/O: the driver is fed chunks as
its reader would feed them)."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import fields
from zoneinfo import ZoneInfo

import pytest

from velotime.daemon.control import ControlSession
from velotime.drivers.driver import SourceDriver
from velotime.drivers.endpoints import TcpEndpoint, TcpListenEndpoint
from velotime.drivers.lynx.session import LynxSession
from velotime.drivers.p3.session import P3Session
from velotime.drivers.session import Session, SessionCounters
from velotime.drivers.timy.session import Channel, TimySession
from velotime.localvenue import free_port
from velotime.protocols.lynx import Armed
from velotime.protocols.lynx import encode as encode_lynx
from velotime.protocols.p3 import Passing, Resend, encode
from velotime.times import now_us
from velotime.wire.events import Event
from velotime.wire.status import SourceStatus

# Now, when the tests begin: the driver stamps what it reads with the host clock, and passings
# are made just after it, as a decoder's are (not years away, which a session may flag).
T0 = now_us()
DECODER = 7
UTC = ZoneInfo("UTC")


def passing(number: int, rtc_us: int | None = None, transponder: int | None = 1001) -> bytes:
    rtc = rtc_us if rtc_us is not None else T0 + number * 1_000_000
    return encode(
        Passing(passing_number=number, transponder=transponder, rtc_time_us=rtc, decoder_id=DECODER)
    )


def bad_crc(record: bytes) -> bytes:
    """The record with one byte of its CRC (bytes 4-5 of the frame, never escaped here) off."""
    wire = bytearray(record)
    wire[4] ^= 0x01
    return bytes(wire)


def p3_session() -> P3Session:
    return P3Session("p3-finish", lambda decoder_id: "finish", "decoder")


# -- each session's counters ----------------------------------------------------------------------


def test_p3_counts_duplicates_gaps_resends_and_unusable_passings() -> None:
    s = p3_session()
    assert s.counters() == SessionCounters()
    s.connected(T0)
    s.feed(T0, passing(1) + passing(2))
    s.feed(T0, passing(2))  # a duplicate
    out = s.feed(T0, passing(6))  # 3, 4, 5 missing: one gap, one request
    assert out.commands == [encode(Resend(from_passing=3, until_passing=5))]
    s.feed(T0, passing(9))  # 7, 8 missing: a second gap, a second request
    s.feed(T0, passing(4))  # fills 4: the first gap splits into 3 and 5
    s.feed(T0, encode(Passing(passing_number=10, decoder_id=DECODER)))  # no transponder, time
    # Open now: 3, 5 and 7..8 (the passing without a transponder is skipped before its number
    # is looked at, so it opens no gap).
    assert s.counters() == SessionCounters(
        duplicates=1, skipped=1, open_gaps=3, missing=4, resend_requests=2
    )
    # A reconnection asks for each open range again (3), and for what came after the highest
    # while the link was down (1).
    s.connected(T0 + 1)
    assert s.counters().resend_requests == 2 + 3 + 1


def test_timy_counts_double_triggers_as_duplicates_and_unmapped_impulses_as_skipped() -> None:
    channels = {1: Channel(line="finish", dead_time_us=200_000)}
    s = TimySession("timy", channels, UTC)
    received = 1_764_331_200_000_000  # 2025-11-28 12:00:00 UTC
    out = s.feed(
        received,
        b" 0001 C1  12:00:00.0000 00\r"
        b" 0002 C1  12:00:00.1000 00\r"  # 0.1 s later on C1: inside the 0.2 s dead time
        b" 0003 C7  12:00:01.0000 00\r",  # C7: no line mapped
    )
    assert len(out.events) == 1
    assert s.counters() == SessionCounters(duplicates=1, skipped=1)


@pytest.mark.parametrize(
    "session",
    [LynxSession("lynx", UTC), ControlSession("control")],
    ids=["lynx", "control"],
)
def test_sessions_that_drop_nothing_count_zeros(session: Session) -> None:
    session.connected(T0)
    session.feed(T0, b"\x01AR\x02not a race\x04")
    assert session.counters() == SessionCounters()


def test_every_session_counter_is_in_the_source_status() -> None:
    names = {f.name for f in fields(SessionCounters)}
    assert names <= set(SourceStatus.__struct_fields__)


# -- the driver's counts --------------------------------------------------------------------------


class Published:
    def __init__(self) -> None:
        self.statuses: list[SourceStatus] = []

    def __call__(self, name: str, status: SourceStatus) -> None:
        self.statuses.append(status)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def driver_for(session: Session, clock: Clock | None = None) -> tuple[SourceDriver, Published]:
    published = Published()
    delivered: list[Event] = []
    driver = SourceDriver(
        session,
        TcpEndpoint("127.0.0.1", 5403),
        capture=None,
        deliver=lambda _, events: delivered.extend(events),
        status_changed=published,
        clock=clock or Clock(),
    )
    return driver, published


def test_p3_garbage_is_counted_in_bytes_and_a_bad_crc_as_a_frame_error() -> None:
    driver, published = driver_for(p3_session())
    driver._start("connected", None)
    # By hand: 7 bytes of garbage (no SOR 0x8E, EOR 0x8F or ESC 0x8D among them), a passing,
    # 5 more bytes of garbage, a passing with a broken CRC, 3 bytes, a passing.
    driver.received(b"garbage" + passing(1) + b"12345", None)
    driver.received(bad_crc(passing(2)) + b"abc" + passing(3), None)
    driver.report()
    status = published.statuses[-1]
    assert (status.garbage_bytes, status.frame_errors, status.crc_errors) == (7 + 5 + 3, 1, 1)
    assert status.events == 2  # passings 1 and 3
    assert (status.open_gaps, status.missing, status.resend_requests) == (1, 1, 1)  # number 2
    assert status.online
    assert status.detail == "connected"
    assert status.connections == 0


def test_timy_and_lynx_skipped_input_is_counted_by_kind() -> None:
    channels = {1: Channel(line="finish")}
    timy, published = driver_for(TimySession("timy", channels, UTC))
    timy._start("connected", None)
    timy.received(
        b"\x07\x07noise\r"  # line noise: 7 bytes without the line end
        b" 0001 C1  12:00:00.0000 00ZZ\r"  # a bad checksum (no "Z" ever matches)
        b" 0002 C1  12:00:00.5000 00\r",  # good
        None,
    )
    timy.report()
    status = published.statuses[-1]
    assert (status.garbage_bytes, status.frame_errors, status.crc_errors, status.events) == (
        7,
        1,
        1,
        1,
    )
    lynx, published = driver_for(LynxSession("lynx", UTC))
    lynx._start("connected", None)
    armed = encode_lynx(Armed(event="17", round=1, heat=1))
    # 4 bytes of garbage, a message cut off by the next SOH (a frame error), a good message.
    lynx.received(b"junk" + b"\x01AR\x02cut" + armed, None)
    lynx.report()
    status = published.statuses[-1]
    assert (status.garbage_bytes, status.frame_errors, status.crc_errors, status.events) == (
        4,
        1,
        0,
        1,
    )


def test_the_status_is_republished_when_counts_change_not_per_record() -> None:
    driver, published = driver_for(p3_session())
    driver._status(False, "cannot connect: refused")  # a link change: published at once
    driver.connections += 1
    driver._start("connected", None)
    assert [s.detail for s in published.statuses] == ["cannot connect: refused", "connected"]
    for number in range(1, 101):  # 100 records: no publication of their own
        driver.received(passing(number), None)
    assert len(published.statuses) == 2
    driver.report()  # the periodic report: the counts changed
    assert len(published.statuses) == 3
    latest = published.statuses[-1]
    assert latest.events == 100
    assert latest.last_event_us is not None
    assert latest.updated_us >= latest.last_event_us
    assert latest.since_us == published.statuses[1].since_us  # the link did not change
    driver.report()  # nothing changed: nothing published
    assert len(published.statuses) == 3
    driver.received(passing(100), None)  # a duplicate changes the counts
    driver.report()
    assert published.statuses[-1].duplicates == 1
    assert published.statuses[-1].events == 100


def test_nothing_is_published_before_the_first_connection_attempt() -> None:
    driver, published = driver_for(p3_session())
    driver.report()
    assert published.statuses == []


def test_120_pieces_of_garbage_give_a_handful_of_log_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each piece between two passings, one a second for two minutes: one line per piece
    before; now the first at once and one line per 10 s, with the bytes counted exactly."""
    caplog.set_level(logging.INFO, logger="velotime.source")
    clock = Clock()
    driver, published = driver_for(p3_session(), clock)
    driver._start("connected", None)
    caplog.clear()
    for number in range(1, 121):
        driver.received(passing(number) + b"garbage!", None)  # 8 bytes a piece
        clock.now += 1.0
        driver.report()
    clock.now += 10.0
    driver.report()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    # At 0 s the first piece; at 10, 20... 120 s a line for the pieces held back since.
    assert len(warnings) == 1 + 12
    assert warnings[0] == "p3-finish: skipped 8 bytes (garbage)"
    assert warnings[1] == (
        "p3-finish: skipped 72 bytes (garbage) in 9 pieces in the last 10 s "
        "(the last: p3-finish: skipped 8 bytes (garbage))"
    )
    assert published.statuses[-1].garbage_bytes == 120 * 8
    assert published.statuses[-1].events == 120


def test_notices_of_one_shape_are_rate_limited_together(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="velotime.source")
    clock = Clock()
    driver, _ = driver_for(p3_session(), clock)
    driver._start("connected", None)
    caplog.clear()
    # 1, then every third number: passings 2..3, 5..6, 8..9... missing, 30 notices of one shape.
    driver.received(b"".join(passing(n) for n in range(1, 92, 3)), None)
    clock.now += 10.0
    driver.report()
    notices = [r.getMessage() for r in caplog.records if "missing" in r.getMessage()]
    assert len(notices) == 2
    assert notices[0].startswith("p3-finish: passings 2..3 missing")
    assert notices[1].startswith(
        "p3-finish: 29 more notices like this in the last 10 s (the last: p3-finish: passings "
        "89..90 missing"
    )


async def test_a_listening_source_waiting_for_its_device_is_no_warning_but_a_lost_link_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A camera that connects to us when it is ready: waiting for it is normal (INFO); the link
    it made and lost is a WARNING, over a real socket."""
    caplog.set_level(logging.INFO, logger="velotime.source")
    published = Published()
    port = free_port()
    driver = SourceDriver(
        LynxSession("camera", UTC),
        TcpListenEndpoint("127.0.0.1", port),
        capture=None,
        deliver=lambda _, events: None,
        status_changed=published,
    )
    task = asyncio.create_task(driver.run())

    async def status(detail: str) -> None:
        while not any(s.detail == detail for s in published.statuses):
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(status("listening"), 5)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.wait_for(status("connected"), 5)
        writer.close()  # the camera PC goes away
        await asyncio.wait_for(
            _until(lambda: len(published.statuses) >= 3 and not published.statuses[-1].online), 5
        )
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    lines = [(r.levelno, r.getMessage()) for r in caplog.records]
    listening = f"camera: listening (tcp-listen://127.0.0.1:{port})"
    assert (logging.INFO, listening) in lines
    assert (logging.WARNING, listening) not in lines
    lost = published.statuses[-1].detail
    assert (logging.WARNING, f"camera: {lost} (tcp-listen://127.0.0.1:{port})") in lines


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)
