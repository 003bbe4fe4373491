"""Faults of the links to the decoder: a TCP link cut again and again, a serial cable pulled out
and put back. The decoder keeps detecting through each; the daemon fetches what it missed."""

from pathlib import Path

import pytest

from tests.faults.harness import scene, settle, wait

pytestmark = [pytest.mark.faults, pytest.mark.integration, pytest.mark.timeout(90)]


async def test_link_flaps(tmp_path: Path) -> None:
    """The decoder's link is cut five times, down for 0.3 to 1.5 s each time."""
    async with scene(tmp_path, count=100, seed=11) as s:
        s.run.start()
        await s.delivered_at_least(10)
        for down_s in (0.3, 1.5, 0.5, 1.0, 0.3):
            await s.sim.set_reachable(False)
            await settle(lambda: False, down_s)
            await s.sim.set_reachable(True)
            await wait(lambda: s.sim.client_count > 0, 10, "the daemon back on the decoder")
            await settle(lambda: False, 0.7)
        await s.finish("link flaps (5 cuts)")


async def test_serial_unplug_and_replug(tmp_path: Path) -> None:
    """A decoder on a serial port (a pty reached through a by-id style link): its cable is
    pulled out for 2 s, twice; it comes back as a new pty behind the same link."""
    async with scene(tmp_path, count=90, seed=12, serial=True) as s:
        s.run.start()
        await s.delivered_at_least(15)
        for _ in range(2):
            s.sim.unplug()
            await settle(lambda: False, 2.0)
            s.sim.replug()
            await settle(lambda: False, 1.5)
        await s.finish("serial unplug/replug (2 times)")
    assert s.sim.dropped_bytes == 0  # nothing lost on the line itself: the daemon read it all
