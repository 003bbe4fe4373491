"""The P3 driver over a serial line: a real pseudo-terminal, read through pyserial-asyncio-fast."""

import asyncio
import contextlib
import os
import tty
from collections.abc import Iterator

import pytest

from tests.drivers.p3.events import passing_data
from velotime.drivers.driver import SourceDriver
from velotime.drivers.endpoints import SerialEndpoint
from velotime.drivers.p3.session import P3Session
from velotime.protocols.p3 import GetTime, P3Stream, Passing, encode
from velotime.wire.events import Event


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    """The device's end (master fd) and the port the driver opens (slave path)."""
    master, slave = os.openpty()
    tty.setraw(master)
    os.set_blocking(master, False)  # the test polls it from the event loop
    path = os.ttyname(slave)
    yield master, path
    os.close(master)
    os.close(slave)


async def test_passings_over_a_serial_line_become_events(pty: tuple[int, str]) -> None:
    master, path = pty
    delivered: list[Event] = []
    session = P3Session("p3-serial", lambda _: "finish", "get_time")
    driver = SourceDriver(
        session,
        SerialEndpoint(path, 38400),
        capture=None,
        deliver=lambda _session, events: delivered.extend(events),
        status_changed=lambda _name, _status: None,
    )
    task = asyncio.create_task(driver.run())
    try:
        # On connecting, the driver asks the decoder for its clock, over the same line.
        request = b""
        async with asyncio.timeout(5):
            while not P3Stream().feed(request):
                await asyncio.sleep(0.01)
                with contextlib.suppress(BlockingIOError):
                    request += os.read(master, 1024)
        assert P3Stream().feed(request) == [GetTime.request()]
        now_rtc = 1_700_000_000_000_000
        os.write(master, encode(GetTime(rtc_time_us=now_rtc, decoder_id=5)))
        for n in range(1, 6):
            passing = Passing(
                passing_number=n, transponder=77, rtc_time_us=now_rtc + n, decoder_id=5
            )
            wire = encode(passing)
            os.write(master, wire[:7])  # a serial line delivers records in pieces
            await asyncio.sleep(0.01)
            os.write(master, wire[7:])
        async with asyncio.timeout(5):
            while len(delivered) < 5:
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [passing_data(e).passing_number for e in delivered] == [1, 2, 3, 4, 5]
    assert [passing_data(e).rtc_time_us - now_rtc for e in delivered] == [1, 2, 3, 4, 5]
    assert len({passing_data(e).clock_offset_us for e in delivered}) == 1
