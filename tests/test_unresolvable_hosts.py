"""A host name the resolver refuses (a label over 63 characters: Python's idna codec raises
UnicodeError, not OSError) is a host that cannot be reached like any other: for a source, one
status line, for the broker one warning, and each keeps trying. The configuration refuses such a
name up front (tests/cli/test_startup_errors.py); the addresses here are given directly, as a
programme using these parts may."""

import asyncio
import logging

import pytest

from velotime.drivers.driver import SourceDriver
from velotime.drivers.endpoints import TcpEndpoint, TcpListenEndpoint, UdpEndpoint
from velotime.drivers.p3.session import P3Session
from velotime.mqtt.client import BrokerSettings
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import Publisher
from velotime.scoreboards.state import ScoreboardState, mirror
from velotime.wire.status import SourceStatus
from velotime.wire.topics import Topics

LONG_LABEL = "a" * 64


@pytest.mark.parametrize(
    ("endpoint", "detail"),
    [
        (TcpEndpoint(f"{LONG_LABEL}.example", 5403), "cannot connect: cannot resolve 'aaaa"),
        (TcpListenEndpoint(LONG_LABEL, 5403), "cannot listen: "),
        (UdpEndpoint(LONG_LABEL, 5403), "cannot listen: "),
    ],
)
async def test_a_label_over_63_characters_is_a_host_that_cannot_be_reached(
    endpoint: TcpEndpoint | TcpListenEndpoint | UdpEndpoint, detail: str
) -> None:
    statuses: list[SourceStatus] = []
    driver = SourceDriver(
        P3Session("p3-a", lambda _: "finish", "get_time"),
        endpoint,
        capture=None,
        deliver=lambda _session, _events: None,
        status_changed=lambda _name, status: statuses.append(status),
        reconnect_min_s=0.01,
        reconnect_max_s=0.01,
    )
    task = asyncio.create_task(driver.run())
    try:
        async with asyncio.timeout(5):
            while len(statuses) < 3:  # it tried three times: still running
                await asyncio.sleep(0.01)
        assert not task.done()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert all(not status.online for status in statuses)
    assert all(status.detail.startswith(detail) for status in statuses), statuses[0].detail
    assert "too long" in statuses[0].detail


async def warned_twice(caplog: pytest.LogCaptureFixture, task: "asyncio.Task[None]") -> list[str]:
    """The warnings logged once two have come (it tried twice), the task still running."""
    async with asyncio.timeout(10):
        while len(caplog.records) < 2:
            await asyncio.sleep(0.05)
    assert not task.done()
    return [record.getMessage() for record in caplog.records]


async def test_a_broker_with_a_label_over_63_characters_is_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "velotime.mqtt")
    publisher = Publisher(
        BrokerSettings(host=f"{LONG_LABEL}.example"), Outbox(":memory:"), "s", lambda: b"{}"
    )
    stop = asyncio.Event()
    task = asyncio.create_task(publisher.run(stop))
    warnings = await warned_twice(caplog, task)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert all(
        w.startswith(f"cannot reach the broker at mqtt://{LONG_LABEL}.example:1883: ")
        and "too long" in w
        for w in warnings
    )


async def test_a_scoreboard_broker_with_a_label_over_63_characters_is_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "velotime.scoreboards")
    state = ScoreboardState()
    broker = BrokerSettings(host=f"{LONG_LABEL}.example")
    task = asyncio.create_task(mirror(broker, Topics("velotime", "v"), state))
    try:
        warnings = await warned_twice(caplog, task)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert all(
        w.startswith(f"scoreboard: cannot reach the broker at {broker.url}: ") and "too long" in w
        for w in warnings
    )
    assert not state.connected
