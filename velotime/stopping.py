"""How every long-running command stops: cleanly, on Ctrl-C or SIGTERM (systemd's stop)."""

import asyncio
import signal

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_on_signals(*extra: signal.Signals) -> asyncio.Event:
    """An event that SIGINT, SIGTERM (and `extra`) set, in the running loop: the command then
    finishes what it is doing (publishes what is queued, says offline) and returns."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (*STOP_SIGNALS, *extra):
        loop.add_signal_handler(signum, stop.set)
    return stop
