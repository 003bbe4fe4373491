"""A Timy and a camera whose clocks are an hour off (their time zone or summer time set wrong),
through the real daemon path: a simulated Timy on a pseudo-terminal and a simulated FinishLynx
over TCP, the daemon in this process, a real Mosquitto, a subscriber reading what the crew's
screens read. Before, their impulses and photo-finishes were published an hour away from the
loops, where scoring pairs none of them, and nothing said so.

The venue is in UTC (the local venue's configuration), so "the venue clock" is this machine's
clock in UTC, and the devices' times of day are worked out from it by hand: now + 2 s (a clock
set by hand: no problem), now + 1 h (summer time on a winter venue), now - 1 h.
"""

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.daemon.harness import Subscriber
from velotime.config import load_config
from velotime.daemon.service import Daemon
from velotime.localvenue import LocalBroker, free_port, source_toml, write_local_config
from velotime.simulators.lynx import LynxCameraSimulator
from velotime.simulators.timy import TimySimulator
from velotime.times import US_PER_DAY, US_PER_HOUR, US_PER_SECOND, now_us

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

VENUE = "clock-venue"
PREFIX = f"velotime/{VENUE}"
TIME_ZONE = (
    "time zone or summer time set wrong on the device? (or venue.timezone 'UTC' is not the venue's)"
)
TIMY_AHEAD = f"timy: clock 1 h 00 min ahead of the venue clock: {TIME_ZONE}"
CAMERA_BEHIND = f"lynx: clock 1 h 00 min behind the venue clock: {TIME_ZONE}"


def of_day(offset_us: int) -> int:
    """The time of day (UTC, to 1/10,000 s as the Timy gives it) of a clock `offset_us` ahead
    of this machine's."""
    t_us = now_us() + offset_us
    return t_us % US_PER_DAY // 100 * 100


def latest(subscriber: Subscriber, topic: str) -> dict[str, Any]:
    payloads = subscriber.payloads(f"{PREFIX}/{topic}")
    return payloads[-1] if payloads else {}


async def test_clocks_an_hour_off_degrade_their_sources_and_the_daemon_until_set_right(
    tmp_path: Path, broker: LocalBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="velotime")
    link = tmp_path / "timy-port"
    timy = TimySimulator(link=link)
    timy.start()
    camera_port = free_port()
    config = write_local_config(
        tmp_path,
        VENUE,
        broker.url,
        source_toml(
            "timy", "timy", f"serial://{link}?baudrate=38400", channels={"C1": {"line": "finish"}}
        ),
        source_toml("lynx", "lynx", f"tcp-listen://127.0.0.1:{camera_port}"),
        mqtt_protocol=broker.protocol,
    )
    daemon = Daemon(load_config(config, env={}))
    stop = asyncio.Event()
    async with Subscriber(broker.port, f"{PREFIX}/#", "clock-reader") as seen:
        running = asyncio.create_task(daemon.run(stop))
        try:
            await seen.wait_for(lambda: "CHK1" in timy.commands, 15, "the daemon opening the Timy")

            # 2 s ahead: a clock set by hand. The impulse is published, the status stays ok.
            timy.impulse(1, 1, of_day(2 * US_PER_SECOND))
            await seen.wait_for(
                lambda: latest(seen, "status/sources/timy").get("clock_offset_us") is not None,
                10,
                "the Timy's clock offset published",
            )
            status = latest(seen, "status/sources/timy")
            assert status["state"] == "ok"
            assert status["reasons"] == []
            assert 1_900_000 < status["clock_offset_us"] <= 2 * US_PER_SECOND
            assert latest(seen, "status/daemon")["state"] == "ok"

            # An hour ahead: the Timy left on summer time. Degraded at once, and the daemon too.
            ahead = of_day(US_PER_HOUR)
            timy.impulse(1, 2, ahead)
            await seen.wait_for(
                lambda: latest(seen, "status/daemon").get("reasons") == [TIMY_AHEAD],
                10,
                "status/daemon degraded by the Timy's clock",
            )
            assert latest(seen, "status/daemon")["state"] == "degraded"
            status = latest(seen, "status/sources/timy")
            assert (status["state"], status["reasons"]) == ("degraded", [TIMY_AHEAD])
            # The impulse is published all the same, as the Timy stamped it.
            impulses = [p["data"] for p in seen.payloads(f"{PREFIX}/timing/impulse")]
            assert [i["time_of_day_us"] for i in impulses][-1] == ahead

            # The camera an hour behind: its running times say so (start + running time).
            camera = LynxCameraSimulator(
                "127.0.0.1",
                camera_port,
                riders=2,
                speedup=20,
                start_time_of_day_us=of_day(-US_PER_HOUR),
            )
            await camera.run()
            await seen.wait_for(
                lambda: latest(seen, "status/daemon").get("reasons") == [TIMY_AHEAD, CAMERA_BEHIND],
                10,
                "status/daemon degraded by both clocks",
            )
            status = latest(seen, "status/sources/lynx")
            assert (status["state"], status["reasons"]) == ("degraded", [CAMERA_BEHIND])
            phases = [p["data"]["phase"] for p in seen.payloads(f"{PREFIX}/timing/photofinish")]
            assert phases.count("result") == 2  # the photo-finish flows as before

            # The Timy's clock set right: its next impulse clears it; the camera's stays.
            timy.impulse(1, 3, of_day(0))
            await seen.wait_for(
                lambda: latest(seen, "status/daemon").get("reasons") == [CAMERA_BEHIND],
                10,
                "the Timy's clock problem gone",
            )
            status = latest(seen, "status/sources/timy")
            assert (status["state"], status["reasons"]) == ("ok", [])
        finally:
            stop.set()
            await asyncio.wait_for(running, 20)
            await timy.stop()
    lines = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert (logging.WARNING, TIMY_AHEAD) in lines
    assert (logging.WARNING, CAMERA_BEHIND) in lines
    assert any(
        level == logging.INFO and text.startswith("timy: clock agrees with the venue clock again")
        for level, text in lines
    )
