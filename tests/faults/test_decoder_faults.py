"""Faults of the decoder itself: a reboot, a clock 50 years ahead, a counter restarted while the
link was down, an absurd passing number. The decoder runs in real time (its clock is this host's
clock, GET_TIME as at a venue), ten riders lapping every second: ten passings a second."""

from pathlib import Path
from typing import Any

import pytest

from tests.faults.harness import (
    RIDERS,
    SETTLE_S,
    HasMessages,
    passing_events,
    scene,
    settle,
    wait,
)
from velotime.times import US_PER_SECOND

pytestmark = [pytest.mark.faults, pytest.mark.integration, pytest.mark.timeout(90)]

HOUR_US = 3600 * US_PER_SECOND
FIFTY_YEARS_US = 50 * 365 * 24 * HOUR_US
ABSURD_NUMBER = 2**32 - 1


def event_of(got: HasMessages, **match: Any) -> dict[str, Any] | None:
    for event in passing_events(got.messages).values():
        if all(event["data"].get(k) == v for k, v in match.items()):
            return event
    return None


async def test_a_decoder_reboot_mid_session(tmp_path: Path) -> None:
    """Its clock goes back an hour, its passing numbers restart at 1: 40 passings after it."""
    async with scene(tmp_path, count=70, seed=1) as s:
        s.run.start()
        await s.delivered_at_least(30)
        s.sim.reboot(clock_back_us=HOUR_US)
        await s.finish("decoder reboot")


async def test_a_passing_50_years_ahead_then_a_counter_restart(tmp_path: Path) -> None:
    """One record with a time 50 years ahead, then the counter restarts (clock unchanged)."""
    async with scene(tmp_path, count=70, seed=2) as s:
        s.run.start()
        await s.delivered_at_least(20)
        future = s.sim.decoder_clock_us() + FIFTY_YEARS_US
        ahead = s.sim.inject(RIDERS[0], rtc_time_us=future)
        await s.delivered_at_least(35)
        s.sim.restart_counter()
        await s.finish("time 50 years ahead, then counter restart", absurd=[ahead])
    # Published, and flagged as absurd: a scorer must not take it as a lap.
    event = event_of(s.got, passing_number=ahead.passing_number, rtc_time_us=future)
    assert event is not None
    assert event["data"].get("flag"), f"the passing 50 years ahead is not flagged: {event}"


async def test_a_counter_restart_seen_only_after_a_link_outage(tmp_path: Path) -> None:
    """The decoder is switched on once the daemon runs, but the daemon reaches it only 2 s
    later (passings made before its first connection, which it must fetch); later its link
    goes down, its counter restarts, and it is back 2 s later (passings 1..k of the new count
    made while nobody listened)."""
    async with scene(tmp_path, count=80, seed=3, decoder_on=False) as s:
        s.run.start()
        await wait(s.source_status_seen, 15, "the daemon trying to reach its decoder")
        await s.switch_on_decoder(reachable=False)
        await wait(lambda: len(s.sim.passings) >= 15, 10, "passings before a connection")
        await s.sim.set_reachable(True)
        await s.delivered_at_least(40)
        # In one step: nothing is made between the restart and the cut, so all the decoder
        # has forgotten had reached the daemon.
        s.sim.restart_counter()
        await s.sim.set_reachable(False)
        await wait(lambda: s.sim.next_passing_number > 15 or s.sim.done, 10, "15 while down")
        await s.sim.set_reachable(True)
        await s.finish("counter restart during a link outage, passings before first connection")


async def test_one_absurd_passing_number(tmp_path: Path) -> None:
    """One record numbered 2^32-1 amid passings numbered 21, 22...: every real passing arrives,
    the absurd one is published flagged (or reported as an unrecoverable gap), and what it seemed
    to show missing is not asked for forever: no RESEND at all in the last 6 s."""
    async with scene(tmp_path, count=60, seed=4) as s:
        s.run.start()
        await s.delivered_at_least(20)
        absurd = s.sim.inject(RIDERS[0], passing_number=ABSURD_NUMBER)
        await wait(lambda: s.sim.done, 60, "the decoder's last passing")
        await settle(s.everything_so_far_delivered, SETTLE_S)
        asked = len(s.sim.resend_requests)
        await settle(lambda: False, 6.0)  # more than a RESEND retry: is it asked again?
        asked_again = s.sim.resend_requests[asked:]
        requests = len(s.sim.resend_requests)
        await s.finish(
            f"absurd passing number 2^32-1 ({requests} RESEND asked, {len(asked_again)} in the "
            "last 6 s)",
            absurd=[absurd],
        )
    event = event_of(s.got, passing_number=ABSURD_NUMBER, rtc_time_us=absurd.rtc_time_us)
    # Or what it seemed to show missing given up at once, as one unrecoverable gap.
    gaps = [
        p
        for t, p in s.got.messages
        if t.endswith("/timing/gap") and p["data"].get("last", 0) >= ABSURD_NUMBER - 1
    ]
    problems = []
    if asked_again:
        problems.append(
            f"still asking after 6 s: {asked_again} (of {len(s.sim.resend_requests)} in all)"
        )
    if not ((event is not None and event["data"].get("flag")) or gaps):
        problems.append(f"the absurd passing is neither flagged nor reported: {event}")
    assert not problems, "\n".join(problems)
