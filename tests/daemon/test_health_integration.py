"""A source's health on MQTT, counted by hand: a stand-in decoder on a real TCP socket sends
hand-built P3 bytes (good passings, garbage, a broken CRC, a cut-off frame, a duplicate, a
passing without a transponder) to the daemon, which runs in this process against a real
Mosquitto; the retained `status/sources/p3-finish` must hold exactly the counts made by hand.

The decoder is the test's own server, not velotime's simulator: the simulator sends only good
records, and the point is input whose every byte the test knows.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from tests.daemon.harness import write_config
from velotime.config import load_config
from velotime.daemon.service import Daemon
from velotime.localvenue import LocalBroker
from velotime.protocols.p3 import P3Stream, Passing, Resend, encode
from velotime.times import now_us

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

VENUE = "health-velodrome"
DECODER = 4242
GARBAGE_1 = b"0123456789"  # 10 bytes; none is SOR (0x8E), EOR (0x8F) or ESC (0x8D)
GARBAGE_2 = b"not a P3 record at all!!"  # 24 bytes, likewise


def passing(made_us: int, number: int, transponder: int | None = 1001) -> bytes:
    """Passing `number`, made `number` seconds after `made_us` (the decoder clock is taken as
    it is: `clock = "decoder"`)."""
    return encode(
        Passing(
            passing_number=number,
            transponder=transponder,
            rtc_time_us=made_us + number * 1_000_000,
            decoder_id=DECODER,
        )
    )


_ESCAPES = {0x8D, 0x8E, 0x8F}  # P3's escape and frame bytes, escaped wherever else they occur


def with_bad_crc(frame: bytes) -> bytes:
    """The frame with the low byte of its CRC (frame byte 4, not escaped here) changed."""
    assert frame[0] == 0x8E
    assert not _ESCAPES & {frame[4], frame[5], frame[4] ^ 0x01}
    wire = bytearray(frame)
    wire[4] ^= 0x01
    return bytes(wire)


def unescaped_crc_from(start_us: int) -> int:
    """The first microsecond from `start_us` whose passing 2 has its CRC bytes unescaped and
    still unescaped with the bit `with_bad_crc` flips: for some clock readings they are not (it
    made the test fail now and then), so the test picks one where they are."""
    made_us = start_us
    while True:
        crc = passing(made_us, 2)[4:6]
        if not _ESCAPES & {*crc, crc[0] ^ 0x01}:
            return made_us
        made_us += 1


def sent(made_us: int) -> list[bytes]:
    """What the decoder sends, and the counts each piece adds, by hand."""
    return [
        passing(made_us, 1),  # events 1
        GARBAGE_1,  # garbage bytes 10
        with_bad_crc(passing(made_us, 2)),  # frame errors 1, CRC errors 1: passing 2 is lost
        passing(made_us, 3),  # events 2; 2 is missing: gap 2..2, resend request 1
        GARBAGE_2,  # garbage bytes 10 + 24 = 34
        passing(made_us, 3),  # the same passing again: duplicates 1
        passing(made_us, 6),  # events 3; 4, 5 missing: gap 4..5, resend request 2
        passing(made_us, 7)[:9],  # a frame's start, cut off by the next SOR: frame errors 2
        passing(made_us, 7),  # events 4
        passing(made_us, 8, transponder=None),  # no transponder: skipped 1, number unread
    ]


EXPECTED = {
    "online": True,
    "detail": "connected",
    "connections": 1,
    "events": 4,  # passings 1, 3, 6, 7
    "frame_errors": 2,  # the broken CRC, the cut-off frame
    "crc_errors": 1,
    "garbage_bytes": 10 + 24,
    "duplicates": 1,
    "skipped": 1,
    "open_gaps": 2,  # 2..2 and 4..5
    "missing": 3,
    "resend_requests": 2,  # one per gap as it opened (the link never drops: no asking again)
    "unrecoverable_gaps": 0,
    "flagged": 0,
}


class StandInDecoder:
    """Sends `sent()`, a piece at a time, to the first connection; keeps it open and collects the
    RESEND requests the daemon sends back."""

    def __init__(self) -> None:
        self.port = 0
        self.resends: list[tuple[int, int]] = []
        self.pieces: list[bytes] = []
        self.sent = asyncio.Event()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.pieces = sent(unescaped_crc_from(now_us()))
        for piece in self.pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.01)  # separate reads, as a real link delivers them
        self.sent.set()
        stream = P3Stream()
        while data := await reader.read(4096):
            for record in stream.feed(data):
                if isinstance(record, Resend):
                    self.resends.append((record.from_passing or 0, record.until_passing or 0))
        writer.close()


@contextlib.asynccontextmanager
async def stand_in_decoder() -> AsyncIterator[StandInDecoder]:
    decoder = StandInDecoder()
    server = await asyncio.start_server(decoder.serve, "127.0.0.1", 0)
    decoder.port = server.sockets[0].getsockname()[1]
    async with server:
        yield decoder


async def retained_status(port: int) -> dict[str, Any]:
    """What a consumer that connects now reads on status/sources/p3-finish: the retained one."""
    async with aiomqtt.Client("127.0.0.1", port, identifier="health-reader") as client:
        await client.subscribe(f"velotime/{VENUE}/status/sources/p3-finish", qos=1)
        async with asyncio.timeout(5):
            async for message in client.messages:
                assert message.retain
                assert isinstance(message.payload, bytes)
                status: dict[str, Any] = json.loads(message.payload)
                return status
    raise AssertionError("no retained status")


async def test_the_source_status_counts_what_the_decoder_sent_as_counted_by_hand(
    tmp_path: Path, broker: LocalBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="velotime.source")
    async with stand_in_decoder() as decoder:
        path = write_config(
            tmp_path, VENUE, broker.url, decoder.port, clock="decoder", silence_timeout_s=60.0
        )
        daemon = Daemon(load_config(path, env={}))
        (driver,) = daemon.drivers
        assert driver.status_interval_s == 2.0  # the shipped rate: the test waits it out
        stop = asyncio.Event()
        before_us = now_us()
        running = asyncio.create_task(daemon.run(stop))
        try:
            await asyncio.wait_for(decoder.sent.wait(), 10)
            # The counts reach the broker within one status interval of the last change.
            status: dict[str, Any] = {}
            async with asyncio.timeout(15):
                while {k: status.get(k) for k in EXPECTED} != EXPECTED:
                    await asyncio.sleep(0.5)
                    status = await retained_status(broker.port)
            assert decoder.resends == [(2, 2), (4, 5)]  # what the decoder was really asked
        finally:
            stop.set()
            await asyncio.wait_for(running, 20)
    assert before_us <= status["last_event_us"] <= status["updated_us"] <= now_us()
    assert status["endpoint"] == f"tcp://127.0.0.1:{decoder.port}"
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == "velotime.source" and r.levelno >= logging.WARNING
    ]
    # One line per kind at once (garbage, bad_crc, truncated); the second piece of garbage came
    # within 10 s of the first: it is held back for the summary, not logged on its own.
    assert warnings[:3] == [
        "p3-finish: skipped 10 bytes (garbage)",
        f"p3-finish: skipped {len(decoder.pieces[2])} bytes (bad_crc)",
        "p3-finish: skipped 9 bytes (truncated) cut off by SOR",
    ]
    assert not any("skipped 24 bytes" in line for line in warnings)
