"""The impulse timer end to end, over real pseudo-terminals: a simulated ALGE Timy -> the daemon
(serial, through pyserial-asyncio-fast) -> a real Mosquitto -> a subscriber."""

import time
from pathlib import Path

import pytest

from tests.daemon.harness import DaemonProcess, Subscriber, replays_the_same, unique_by_id
from velotime.localvenue import LocalBroker, source_toml, write_local_config
from velotime.simulators.timy import TimySimulator

pytestmark = pytest.mark.timeout(120)
TOPIC = "velotime/timy-venue/timing/impulse"
US_PER_DAY = 86_400_000_000


def now_of_day_us() -> tuple[int, int]:
    """(UTC midnight today, time of day now) in microseconds, the time of day to 1/10,000 s."""
    now_us = time.time_ns() // 1000
    midnight = now_us - now_us % US_PER_DAY
    return midnight, (now_us - midnight) // 100 * 100


async def test_impulses_arrive_exactly_and_unplugging_is_survived(
    tmp_path: Path, broker: LocalBroker
) -> None:
    port = tmp_path / "timy-port"  # stays put across replugs, like /dev/serial/by-id/...
    timy = TimySimulator(link=port)
    timy.start()
    channels = {
        "C0": {"line": "start"},
        "C1": {"line": "finish", "dead_time_ms": 200},
        "C4": {"line": "200m", "delay_us": 250},
    }
    source = source_toml(
        "timy", "timy", f"serial://{port}?baudrate=38400", channels=channels,
        reconnect_min_s=0.1, reconnect_max_s=0.3,
    )  # fmt: skip
    config = write_local_config(tmp_path, "timy-venue", broker.url, source)
    daemon = DaemonProcess(config, tmp_path / "daemon.log")
    sent: list[tuple[int, int, int]] = []  # (channel, number, time of day)

    midnight, first_tod = now_of_day_us()
    # Riders 30 s apart on the timer's clock, within 3 minutes of now (the daemon dates a time
    # of day by when it reads it): before now, unless that would cross midnight.
    base = first_tod - 200_000_000 if first_tod > 300_000_000 else first_tod

    def ride(number: int) -> None:
        start = base + number * 30_000_000  # start, then the 200 m line, then the finish
        for channel, after_us in ((0, 0), (4, 7_123_400), (1, 18_456_700)):
            when = start + after_us
            timy.impulse(channel, number, when)
            sent.append((channel, number, when))

    async with Subscriber(broker.port, TOPIC, "impulses") as subscriber:
        daemon.start()
        try:
            await subscriber.wait_for(lambda: "CHK1" in timy.commands, 15, "the daemon's CHK1")
            assert timy.checksum  # the daemon turned checksums on
            for number in (1, 2, 3):
                ride(number)
            await timy.drain()
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 9, 15, "9 impulses")

            timy.unplug()  # the cable is pulled...

            def noticed() -> bool:
                log = daemon.log_text()
                return "connection lost" in log or "closed" in log

            await subscriber.wait_for(noticed, 15, "the daemon noticing")
            timy.replug()  # ...and plugged in again: a new device behind the same path
            await subscriber.wait_for(lambda: timy.commands.count("CHK1") >= 2, 15, "reconnect")
            for number in (4, 5):
                ride(number)
            await timy.drain()
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 15, 15, "15 impulses")
        finally:
            assert daemon.stop() == 0, daemon.log_text()
            await timy.stop()

    received = subscriber.payloads()
    assert len(received) == 15
    lines = {0: "start", 4: "200m", 1: "finish"}
    delays = {0: 0, 4: 250, 1: 0}
    for (channel, number, tod), event in zip(sent, received, strict=True):
        data = event["data"]
        assert (data["channel"], data["number"], data["line"]) == (
            f"C{channel}",
            number,
            lines[channel],
        )
        assert data["time_of_day_us"] == tod - delays[channel]
        assert data["t_us"] == midnight + tod - delays[channel]  # UTC venue: midnight + time
    assert "connection lost" in daemon.log_text() or "closed" in daemon.log_text()
    # One daemon run, two connections: its capture replays to the same impulses.
    assert replays_the_same(tmp_path, unique_by_id(received), runs=1)
