"""The Race Result session and the simulated decoder over a real TCP socket: a decoder whose
clock is 10 s off is set before timing begins, and its passings then land on the venue clock."""

import asyncio

import pytest

from velotime.drivers.raceresult.session import RaceResultSession, RaceResultSettings
from velotime.simulators.raceresult import RaceResultSimulator
from velotime.times import now_us
from velotime.wire.events import Event, PassingData

ZONE = "Europe/Amsterdam"
HOUR_US = 3_600_000_000


@pytest.mark.slow
async def test_a_clock_10_s_off_is_set_and_passings_land_on_the_venue_clock() -> None:
    """In Amsterdam in winter local time is UTC + 1 h. The decoder counts local time, so once
    set its clock less the venue clock is 1 h: the offset (venue - decoder) is -1 h, give or
    take the round trip of GETTIME (well under 0.2 s here). Before it was set, it was 1 h -
    10 s: SETTIME is due (10 s > the 1 s tolerance)."""
    decoder = RaceResultSimulator(
        transponders=[1001, 1002], lap_time_us=1_000_000, speedup=1,
        timezone=ZONE, clock_error_us=-10_000_000,
    )  # fmt: skip
    await decoder.start("127.0.0.1", 0, when_connected=True)
    session = RaceResultSession("rr", "finish", settings=RaceResultSettings(timezone=ZONE))
    reader, writer = await asyncio.open_connection("127.0.0.1", decoder.port)
    events: list[Event] = []
    try:
        writer.write(b"".join(session.connected(now_us()).commands))
        while len([e for e in events if isinstance(e.data, PassingData)]) < 3:
            data = await asyncio.wait_for(reader.read(4096), 10)
            out = session.feed(now_us(), data)
            writer.write(b"".join(out.commands))
            events += out.events
    finally:
        writer.close()
        await decoder.stop()
    assert [c for c in decoder.commands if c.startswith("SETTIME;")]  # set once...
    assert len([c for c in decoder.commands if c.startswith("SETTIME;")]) == 1
    offset = session.state().clock_offset_us
    assert offset is not None
    assert abs(offset + HOUR_US) < 200_000  # ...to the venue's local time
    for event in events:
        assert isinstance(event.data, PassingData)
        # Published on the venue clock: within a moment of when it was read.
        assert abs(event.data.t_us - event.data.received_us) < 200_000
