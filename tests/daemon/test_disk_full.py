"""A full disk under the daemon: the state directory is a small tmpfs of the test's own, filled
for a while and freed again (tests/disks.py), with a simulated decoder on real TCP and a real
Mosquitto. Passings keep flowing from memory while the outbox cannot write; none is lost, and
status/daemon says what is wrong while it is."""

import asyncio
import logging
from pathlib import Path

import msgspec
import pytest

from tests.daemon.harness import DaemonProcess, Subscriber, unique_by_id, write_config
from tests.daemon.test_daemon_integration import (
    check_every_passing_arrived_exactly,
    passings_topic,
    running_decoder,
)
from tests.disks import small_disk
from velotime.config import load_config
from velotime.daemon.service import Daemon
from velotime.localvenue import LocalBroker
from velotime.mqtt.outbox import Outbox

pytestmark = [pytest.mark.timeout(150), pytest.mark.integration]

STATUS = "velotime/test-velodrome/status/daemon"
SOURCE = "p3-finish"
# Ten riders, 17 s laps, 100 times real time: about 60 passings a second, 1000 in 17 s.
SPEEDUP = 100
FULL_FOR_S = 8.0  # as long as the disk was full when the loss was measured (issue 12)


def config_on_a_small_disk(tmp_path: Path, broker: LocalBroker, decoder_port: int) -> Path:
    config = write_config(tmp_path, "test-velodrome", broker.url, decoder_port, clock="decoder")
    # [storage] is the file's last table; the 16 MB disk is always below the default alarm.
    config.write_text(config.read_text() + "min_free_mb = 1\n")
    return config


def degraded_by(status: Subscriber, reason: str) -> bool:
    return any(
        p.get("state") == "degraded" and any(r.startswith(reason) for r in p["reasons"])
        for p in status.payloads()
    )


async def test_a_full_disk_loses_no_passing_publishes_from_memory_and_says_so(
    tmp_path: Path, broker: LocalBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="velotime")
    with small_disk(tmp_path / "state", size_mb=16) as disk:
        async with (
            running_decoder(SPEEDUP) as decoder,
            Subscriber(broker.port, passings_topic(), "counter") as passings,
            Subscriber(broker.port, STATUS, "status") as status,
        ):
            config = load_config(config_on_a_small_disk(tmp_path, broker, decoder.port))
            daemon = Daemon(config)
            stop = asyncio.Event()
            running = asyncio.create_task(daemon.run(stop))
            try:
                await passings.wait_for(lambda: len(passings.messages) >= 100, 30, "100")
                disk.fill()
                full_since = asyncio.get_running_loop().time()
                await status.wait_for(
                    lambda: degraded_by(status, "outbox write failed: database or disk is full"),
                    10,
                    "status/daemon degraded by the outbox",
                )
                saved_during = daemon.outbox.saved(SOURCE).seq
                published_before = len(passings.messages)
                await passings.wait_for(
                    lambda: len(passings.messages) >= published_before + 100,
                    20,
                    "100 passings published while the disk is full",
                )
                # From memory: numbered beyond what the disk holds, and the disk holds no more.
                assert max(p["seq"] for p in passings.payloads()) > saved_during + 100
                assert daemon.outbox.saved(SOURCE).seq == saved_during
                left_s = FULL_FOR_S - (asyncio.get_running_loop().time() - full_since)
                await asyncio.sleep(max(0.0, left_s))
                disk.free()
                await passings.wait_for(
                    lambda: len(unique_by_id(passings.payloads())) >= 1000, 60, "all 1000"
                )
                await status.wait_for(
                    lambda: status.payloads()[-1]["state"] == "ok", 10, "status ok again"
                )
            finally:
                stop.set()
                await asyncio.wait_for(running, 20)
        session_state = msgspec.json.encode(daemon.drivers[0].session.state())
        outbox = Outbox(config.storage.outbox_path)  # what a restart would find
        saved = outbox.saved(SOURCE)
        left = outbox.pending(10)
        outbox.close()

    check_every_passing_arrived_exactly(decoder, passings.payloads(), caplog.text)
    # Everything acknowledged, and the saved state is the session's own: nothing to resend.
    assert left == []
    assert saved.state == session_state
    assert saved.seq == max(p["seq"] for p in passings.payloads())
    # What the crew saw on status/daemon while the disk was full, and after.
    reasons = [r for p in status.payloads() if p.get("state") == "degraded" for r in p["reasons"]]
    assert any(r.startswith("outbox write failed: database or disk is full (") for r in reasons)
    assert any(r.startswith("capture write failed: No space left on device (") for r in reasons)
    assert any(r.startswith("free disk 0 MB below 1 MB") for r in reasons)
    last = [p for p in status.payloads() if p["online"]][-1]  # before the clean stop's
    assert last["state"] == "ok"
    assert last["reasons"] == []
    assert last["memory_backlog"] == 0
    assert last["capture_bytes_lost"] > 0
    # No traceback, no lost connection, and each change of state logged once.
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    assert "unexpected error" not in caplog.text
    assert caplog.text.count("status degraded: ") == 1
    assert caplog.text.count("status ok again") == 1
    assert caplog.text.count("outbox write failed: database or disk is full;") == 1


async def test_a_daemon_killed_while_events_are_only_in_memory_gets_them_back_by_resend(
    tmp_path: Path, broker: LocalBroker
) -> None:
    with small_disk(tmp_path / "state", size_mb=16) as disk:
        async with (
            running_decoder(SPEEDUP) as decoder,
            Subscriber(broker.port, passings_topic(), "counter") as passings,
            Subscriber(broker.port, STATUS, "status") as status,
        ):
            daemon = DaemonProcess(
                config_on_a_small_disk(tmp_path, broker, decoder.port), tmp_path / "daemon.log"
            )
            daemon.start()
            try:
                await passings.wait_for(lambda: len(passings.messages) >= 100, 30, "100")
                disk.fill()
                await status.wait_for(
                    lambda: degraded_by(status, "outbox write failed: database or disk is full"),
                    10,
                    "status/daemon degraded by the outbox",
                )
                published_before = len(passings.messages)
                await passings.wait_for(
                    lambda: len(passings.messages) >= published_before + 50,
                    20,
                    "passings published from memory",
                )
                daemon.kill()  # with events held only in memory
                at_kill = len(passings.messages)
                made = len(decoder.passings)
                disk.free()
                await passings.wait_for(
                    lambda: len(decoder.passings) >= made + 50, 10, "passings while it is dead"
                )
                daemon.start()
                await passings.wait_for(
                    lambda: len(unique_by_id(passings.payloads())) >= 1000, 60, "all 1000"
                )
            finally:
                assert daemon.stop() == 0, daemon.log_text()
    log = daemon.log_text()
    check_every_passing_arrived_exactly(decoder, passings.payloads(), log)
    assert "asking the decoder to resend" in log
    # Passings published from memory came again after the restart: the saved state did not
    # count them (a state that did would not have asked for them).
    ids = [p["id"] for p in passings.payloads()]
    from_memory = set(ids[published_before:at_kill])
    assert from_memory & set(ids[at_kill:])
    assert "Traceback" not in log
    online = [p for p in status.payloads() if p.get("online")]
    assert online[-1]["state"] == "ok", online[-1]
