"""Faults of the daemon's own machine: its disk full for 8 s, itself killed (kill -9) while
events wait in its outbox for a broker that is down."""

from pathlib import Path

import pytest

from tests.disks import small_disk
from tests.faults.harness import scene, settle, wait

pytestmark = [pytest.mark.faults, pytest.mark.integration, pytest.mark.timeout(90)]


async def test_disk_full_for_8_seconds(tmp_path: Path) -> None:
    """The daemon's [storage] directory (capture log, outbox) is a 16 MB tmpfs; a file fills it
    to the last byte and is deleted 8 s later."""
    with small_disk(tmp_path / "state", size_mb=16) as disk:
        async with scene(tmp_path, count=140, seed=21) as s:
            s.run.start()
            await s.delivered_at_least(20)
            disk.fill()
            await settle(lambda: False, 8.0)
            disk.free()
            await s.finish("disk full for 8 s", settle_s=10.0)


async def test_daemon_kill_during_a_backlog(tmp_path: Path) -> None:
    """The broker goes down; events queue in the outbox; the daemon is killed (kill -9) with
    them queued, stays dead 1 s (the decoder keeps detecting), is started again and queues
    more; then the broker comes back."""
    async with scene(tmp_path, count=80, seed=22) as s:
        s.run.start()
        await s.delivered_at_least(15)
        s.broker.stop()
        await settle(lambda: False, 2.0)  # 20 passings into the outbox
        s.run.kill()
        await settle(lambda: False, 1.0)
        s.run.start()
        await settle(lambda: False, 2.0)
        s.broker.start()
        await wait(lambda: s.sim.done, 30, "the decoder's last passing")
        await s.finish("daemon kill -9 during a backlog (broker down)")
