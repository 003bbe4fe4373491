"""A host name the resolver refuses (a label over 63 characters: Python's idna codec raises
UnicodeError, not OSError) is, for a source, a host that cannot be reached like any other: one
status line, and the source keeps trying. The configuration refuses such a name up front
(tests/cli/test_startup_errors.py); the endpoints here are built directly, as a programme using
the drivers may."""

import asyncio

import pytest

from velotime.drivers.driver import SourceDriver
from velotime.drivers.endpoints import TcpEndpoint, TcpListenEndpoint, UdpEndpoint
from velotime.drivers.p3.session import P3Session
from velotime.wire.status import SourceStatus

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
