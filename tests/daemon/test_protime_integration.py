"""The Protime decoder end to end, over real pseudo-terminals: a simulated decoder -> the daemon
(serial, through pyserial-asyncio-fast) -> a real Mosquitto -> a subscriber. A telegram
corrupted on the line comes again on the daemon's repeat request, an ACK lost on the line makes
the decoder resend one the daemon already published, and a pulled cable loses nothing the
decoder held: every passing arrives exactly once, and the capture replays to the same events."""

import time
from pathlib import Path

import pytest

from tests.daemon.harness import DaemonProcess, Subscriber, replays_the_same, unique_by_id
from velotime.localvenue import LocalBroker, source_toml, write_local_config
from velotime.protocols.protime import Ack, RepeatRequest, SetTime, Start
from velotime.simulators.protime import ProtimeSimulator

pytestmark = pytest.mark.timeout(120)
TOPIC = "velotime/protime-venue/timing/passing"
US_PER_DAY = 86_400_000_000


def now_of_day_us() -> tuple[int, int]:
    """(UTC midnight today, the time of day now to the millisecond) in microseconds."""
    now_us = time.time_ns() // 1000
    midnight = now_us - now_us % US_PER_DAY
    return midnight, (now_us - midnight) // 1000 * 1000


async def test_every_passing_once_through_corruption_lost_acks_and_a_pulled_cable(
    tmp_path: Path, broker: LocalBroker
) -> None:
    port = tmp_path / "protime-port"  # stays put across replugs, like /dev/serial/by-id/...
    decoder = ProtimeSimulator(link=port, resend_after_s=0.3)
    decoder.start()
    source = source_toml(
        "protime", "protime", f"serial://{port}?baudrate=19200", line="finish",
        channel_lines={"BOX": "200m"}, reconnect_min_s=0.1, reconnect_max_s=0.3,
    )  # fmt: skip
    config = write_local_config(tmp_path, "protime-venue", broker.url, source)
    daemon = DaemonProcess(config, tmp_path / "daemon.log")
    midnight, now_tod = now_of_day_us()
    # Riders 20 s apart on the decoder's clock, a few minutes before now (the daemon dates a
    # time of day by when it reads it), unless that would cross midnight.
    base = now_tod - 200_000_000 if now_tod > 300_000_000 else now_tod
    sent: list[tuple[str, int, int]] = []  # (channel, transponder, time of day)

    def ride(number: int) -> None:
        for channel, after_us in (("BOX", 0), ("STA", 10_456_000)):  # 200 m line, then finish
            when = base + number * 20_000_000 + after_us
            decoder.passing(1000 + number, channel, when, index=number % 100)
            sent.append((channel, 1000 + number, when))

    status_topic = "velotime/protime-venue/status/sources/protime"
    async with (
        Subscriber(broker.port, TOPIC, "passings") as subscriber,
        Subscriber(broker.port, status_topic, "status") as status,
    ):
        daemon.start()
        try:
            await subscriber.wait_for(lambda: decoder.started, 15, "the daemon's start command")
            await subscriber.wait_for(lambda: bool(decoder.clock_sets), 15, "the clock set")
            # Sent as the venue clock crossed the second it names: the decoder's clock, set to
            # it on arrival, is behind the venue clock by the time it took (a few ms), no more.
            print(f"clock set: decoder clock {decoder.clock_offset_us} us off")
            assert -50_000 < decoder.clock_offset_us <= 0
            for number in (1, 2):
                ride(number)
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 4, 15, "4 passings")

            decoder.corrupt_next()  # spoilt on the line: asked for again, published once
            ride(3)
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 6, 15, "6 passings")
            assert RepeatRequest() in decoder.commands

            decoder.lose_next_ack()  # the decoder sends it again: published once all the same
            ride(4)
            await decoder.drain()
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 8, 15, "8 passings")

            # The cable is pulled just after a passing was published, before its ACK came
            # back (lost), and the decoder holds the next one: after the replug it sends both,
            # the first again (dropped as a resend) and then the second.
            decoder.resend_after_s = 60.0  # nothing is resent before the cable is pulled
            decoder.lose_next_ack()
            ride(5)
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 9, 15, "9 passings")
            decoder.unplug()

            def noticed() -> bool:
                log = daemon.log_text()
                return "connection lost" in log or "closed" in log

            await subscriber.wait_for(noticed, 15, "the daemon noticing")
            decoder.replug()  # ...and the decoder sends what it held on the new line
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 10, 15, "10 passings")
            await decoder.drain()

            def counted() -> bool:  # the source's counts, republished every 2 s as they change
                return any(p.get("events") == 10 for p in status.payloads())

            await status.wait_for(counted, 10, "the source's last counts")
        finally:
            assert daemon.stop() == 0, daemon.log_text()
            await decoder.stop()

    received = subscriber.payloads()
    assert len(received) == 10  # nothing lost, nothing twice
    for (channel, transponder, tod), event in zip(sent, received, strict=True):
        data = event["data"]
        assert data["line"] == {"STA": "finish", "BOX": "200m"}[channel]
        assert (data["transponder"], data["rtc_time_us"]) == (transponder, tod)
        assert data["t_us"] == midnight + tod  # a UTC venue: midnight + the time of day
        assert data["record"]["channel"] == channel
    # The decoder sent more telegrams than it had passings: the corrupt one and two resends,
    # each of them acknowledged.
    assert sum(t.corrupt for t in decoder.transmissions) == 1
    # (One more when the telegram sent on plugging in was flushed by the host opening the
    # port, as a serial port's input is: the start command that follows brings it again.)
    assert len(decoder.transmissions) in (10 + 3, 10 + 4)
    assert decoder.commands.count(Start()) == 2  # started again on reconnecting
    assert decoder.commands.count(Ack()) == 12
    assert all(isinstance(c, SetTime) for c in decoder.clock_sets)
    assert "sent again: acknowledged, not published twice" in daemon.log_text()
    counts = next(p for p in status.payloads() if p.get("events") == 10)
    assert (counts["events"], counts["duplicates"]) == (10, 2)
    assert (counts["crc_errors"], counts["resend_requests"]) == (1, 1)
    # One daemon run, two connections: its capture replays to the same passings.
    assert replays_the_same(tmp_path, unique_by_id(received), runs=1)
