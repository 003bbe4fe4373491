"""The photo-finish camera end to end: a simulated FinishLynx (running velotime.lss) connects to
the daemon, the daemon publishes to a real Mosquitto, a subscriber counts."""

from pathlib import Path
from typing import Any

import pytest

from tests.daemon.harness import DaemonProcess, Subscriber, replays_the_same, unique_by_id
from velotime.localvenue import LocalBroker, free_port, source_toml, write_local_config
from velotime.simulators.lynx import LynxCameraSimulator

pytestmark = pytest.mark.timeout(120)
TOPIC = "velotime/pf-venue/timing/photofinish"


def results_of(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results of the latest block the camera sent (a block's ids name it: ":block:<us>:")."""
    kept = [p for p in unique_by_id(payloads).values() if p["data"]["phase"] == "result"]
    latest = max((p["id"].split(":block:")[1].split(":")[0] for p in kept), key=int, default="")
    return [p["data"] for p in kept if f":block:{latest}:" in p["id"]]


@pytest.mark.parametrize("transport", ["tcp-listen", "udp"])
async def test_a_camera_cut_off_mid_result_still_delivers_every_result_once(
    tmp_path: Path, broker: LocalBroker, transport: str
) -> None:
    port = free_port()
    source = source_toml("lynx", "lynx", f"{transport}://127.0.0.1:{port}")
    config = write_local_config(tmp_path, "pf-venue", broker.url, source)
    daemon = DaemonProcess(config, tmp_path / "daemon.log")
    camera = LynxCameraSimulator(
        "127.0.0.1",
        port,
        udp=transport == "udp",
        riders=6,
        speedup=20,
        seed=4,
        event="12",
        round=2,
        heat=3,
        drop_after_results=2,  # the link goes in the middle of the third result line
    )
    async with Subscriber(broker.port, TOPIC, f"pf-{transport}") as subscriber:
        daemon.start()
        try:
            if transport == "udp":
                await subscriber.wait_for(lambda: "listening" in daemon.log_text(), 10, "udp")
            await camera.run()
            await subscriber.wait_for(
                lambda: (
                    any(p["data"]["phase"] == "complete" for p in subscriber.payloads())
                    and len(results_of(subscriber.payloads())) >= 6
                ),
                30,
                "the results",
            )
        finally:
            assert daemon.stop() == 0, daemon.log_text()
    phases = [p["data"]["phase"] for p in subscriber.payloads()]
    assert phases[:2] == ["armed", "started"]
    received = results_of(subscriber.payloads())
    # Resent whole after the drop: the resent block has each result once, as the camera read it.
    assert [(r.get("place"), r.get("status"), r["bib"], r.get("time_us")) for r in received] == [
        (r.place, r.status, r.id, r.time_us) for r in camera.results
    ]
    assert {(r["event"], r["round"], r["heat"]) for r in received} == {("12", "2", "3")}
    started = next(p["data"] for p in subscriber.payloads() if p["data"]["phase"] == "started")
    winner = received[0]
    assert winner["t_us"] == started["t_us"] + winner["time_us"]
    assert replays_the_same(tmp_path, unique_by_id(subscriber.payloads()), runs=1)
    if transport == "tcp-listen":
        assert camera.connections == 2
        assert "skipped" in daemon.log_text()  # the half message before the drop
