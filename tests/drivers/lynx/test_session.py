"""The photo-finish camera's stream as the daemon reads it (drivers/lynx/session.py): a camera
velotime met after the gun keeps its finish times, and a corrected block as FinishLynx resends
it is the camera's latest word, all of it. The keirin heat and every figure are those worked out
by hand in tests/scoring/test_engine_keirin.py."""

import asyncio
import contextlib
from datetime import UTC

import msgspec
import pytest

from tests.scoring.test_engine_keirin import (
    BELL,
    CORRECTED,
    EVENT,
    FINISH,
    FINISH_DECODER,
    FIRST_BLOCK,
    LAP_BEFORE_200,
    LAST_LAP_200,
    LINE_200_DECODER,
    LINES,
    TRANSPONDER,
    camera_results,
    meet,
    order,
)
from velotime.drivers.driver import SourceDriver
from velotime.drivers.endpoints import TcpListenEndpoint
from velotime.drivers.lynx.session import LynxSession
from velotime.drivers.p3.session import P3Session
from velotime.localvenue import free_port
from velotime.protocols import lynx, p3
from velotime.scoring.engine import ScoringEngine
from velotime.simulators.lynx import LynxCameraSimulator
from velotime.times import local_time_of_day, now_us
from velotime.wire.commands import Arm, SetStatus
from velotime.wire.events import Event, PhotoFinishData

pytestmark = pytest.mark.timeout(30)


def keirin_engine() -> ScoringEngine:
    engine = ScoringEngine(meet(), {"finish": 0, "200m": 200})
    engine.command(Arm(event=EVENT))
    return engine


def loops(start_us: int) -> list[Event]:
    """The heat's transponder crossings (bell and finish, the 200 m line on the lap before and
    the last lap), the decoders' clock being the venue clock, `start_us` the gun."""
    decoders = P3Session("p3", lambda decoder: LINES[decoder or 0], "decoder")
    crossings = [
        *((FINISH_DECODER, bib, t) for line in (BELL, FINISH) for bib, t in line.items()),
        *((LINE_200_DECODER, bib, t) for line in (LAP_BEFORE_200, LAST_LAP_200)
          for bib, t in line.items()),
    ]  # fmt: skip
    numbers = dict.fromkeys(LINES, 0)
    events: list[Event] = []
    for decoder, bib, after in sorted(crossings, key=lambda c: c[2]):
        numbers[decoder] += 1
        record = p3.Passing(
            passing_number=numbers[decoder],
            transponder=TRANSPONDER[bib],
            rtc_time_us=start_us + after,
            decoder_id=decoder,
        )
        events += decoders.feed(start_us + after + 50_000, p3.encode(record)).events
    return events


async def test_a_camera_met_after_the_gun_keeps_its_finish_times() -> None:
    """velotime connects after the gun: no armed, no running time, only the results block (its
    header says the start, 3 min 20 s ago, to 1/10,000 s). The camera's finishes keep their
    times on the venue clock, so the winner's last 200 m is the camera's: 22 crossed the 200 m
    line at 90.7255 s and the camera's finish at 100.1234 s: 9.3979 -> 9.397 (the loop's finish,
    100.122, would give 9.396), 720 / 9.397 = 76.620 km/h."""
    start_us = (now_us() - 200_000_000) // 100 * 100
    start_tod = local_time_of_day(start_us, UTC)
    port = free_port()
    delivered: list[Event] = []
    driver = SourceDriver(
        LynxSession("lynx", UTC),
        TcpListenEndpoint("127.0.0.1", port),
        capture=None,
        deliver=lambda _, events: delivered.extend(events),
        status_changed=lambda *_: None,
    )
    serving = asyncio.create_task(driver.run())
    camera = LynxCameraSimulator("127.0.0.1", port)
    try:
        await camera.connect()
        header, *results = camera_results(FIRST_BLOCK)
        assert isinstance(header, lynx.ResultsHeader)
        header = msgspec.structs.replace(header, start_time_of_day_us=start_tod)
        for record in (header, *results, lynx.ResultsComplete()):
            await camera.send(record)
        async with asyncio.timeout(10):
            while not any(getattr(e.data, "phase", "") == "complete" for e in delivered):
                await asyncio.sleep(0.01)
    finally:
        await camera.disconnect()
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving

    photo = [e.data for e in delivered if isinstance(e.data, PhotoFinishData)]
    assert [d.phase for d in photo] == ["started"] + ["result"] * 6 + ["complete"]
    assert photo[0].t_us == start_us
    finishes = [(d.bib, d.t_us) for d in photo if d.phase == "result"]
    assert finishes == [
        (bib, None if time_us is None else start_us + time_us) for _, bib, time_us in FIRST_BLOCK
    ]

    engine = keirin_engine()
    for event in [*loops(start_us), *delivered]:
        engine.take(event)
    engine.command(SetStatus(event=EVENT, bib=26, status="DNF", reason="crashed, last lap"))
    result = engine.results(EVENT)
    assert order(result) == [(1, 22, ""), (2, 24, ""), (3, 21, ""), (4, 23, ""), (5, 25, ""),
                             (None, 26, "DNF")]  # fmt: skip
    assert (result["winner_last_200"], result["winner_last_200_kmh"]) == ("9.397", "76.620")


def test_a_corrected_block_as_the_camera_resends_it_is_applied_whole() -> None:
    """The camera sends its block, then after the operator's correction the whole block again:
    22, 24 and 21 unchanged, 25 and 23 swapped. Every line of the resend counts (none is taken
    for a repeat of the first block's), so the heat is 22, 24, 21, 25, 23; the resend supersedes
    two lines of the first block (23 and 25), counted and told."""
    start_tod = 50_400_000_000  # 14:00:00
    start_us = 1_795_219_200_000_000 + start_tod  # 2026-11-21, UTC
    camera = LynxSession("lynx", UTC)
    engine = keirin_engine()
    notices: list[str] = []

    def send(at_us: int, *records: lynx.LynxRecord) -> None:
        out = camera.feed(at_us, b"".join(lynx.encode(r) for r in records))
        notices.extend(out.notices)
        for event in out.events:
            engine.take(event)

    send(start_us - 30_000_000, lynx.Armed(event="7", round=1, heat=1, event_name="Keirin"))
    send(start_us + 100_000, lynx.RunningTime(time_us=100_000, time_digits=1,
                                              start_time_of_day_us=start_tod))  # fmt: skip
    send(start_us + 160_000_000, *camera_results(FIRST_BLOCK), lynx.ResultsComplete())
    assert notices == []  # a first block supersedes nothing
    send(start_us + 200_000_000, *camera_results(CORRECTED), lynx.ResultsComplete())

    engine.command(SetStatus(event=EVENT, bib=26, status="DNF", reason="crashed, last lap"))
    assert order(engine.results(EVENT)) == [(1, 22, ""), (2, 24, ""), (3, 21, ""), (4, 25, ""),
                                            (5, 23, ""), (None, 26, "DNF")]  # fmt: skip
    assert engine.duplicates == 0  # nothing of the resend dropped
    assert camera.counters().superseded == 2
    (notice,) = notices
    assert "supersedes 2 lines" in notice
    assert "bib 23 4 in 100699000 us -> 5 in 100701000 us" in notice
    assert "bib 25 5 in 100701000 us -> 4 in 100699000 us" in notice


def test_the_same_block_delivered_twice_is_a_repeat() -> None:
    """At-least-once delivery: the same events again keep their ids, and are dropped as such;
    only a new block from the camera counts anew."""
    camera = LynxSession("lynx", UTC)
    block = b"".join(lynx.encode(r) for r in (*camera_results(FIRST_BLOCK), lynx.ResultsComplete()))
    first = camera.feed(1_000, block).events
    replayed = LynxSession("lynx", UTC).feed(1_000, block).events
    assert [e.id for e in first] == [e.id for e in replayed]
    resent = camera.feed(2_000, block).events
    assert not {e.id for e in first} & {e.id for e in resent}
    assert camera.counters().superseded == 0  # the same lines: nothing superseded
