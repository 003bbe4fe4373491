"""The monotonic-clock wait the simulators and the demo director pace their messages with."""

import asyncio
import time

NS_PER_S = 1_000_000_000


async def sleep_until(deadline_ns: int) -> None:
    """Sleep until the monotonic clock reaches the deadline (asyncio may wake a tick early)."""
    while (remaining_ns := deadline_ns - time.monotonic_ns()) > 0:
        await asyncio.sleep(remaining_ns / NS_PER_S)
