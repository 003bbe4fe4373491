"""`velotime watch`: the live results in a terminal.

The venue's retained state comes from the broker through `velotime.scoreboards.state.mirror`
(which reconnects by itself); `velotime.scoreboards.terminal.render` draws it. The screen is
redrawn on each change of the state and every tenth of a second while a clock runs, from the
event loop itself: rich's Live refreshes only when told (no thread of its own).
"""

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live

from velotime.cli.options import load_config_or_report, venue_problem
from velotime.mqtt.client import BrokerConnectionError, BrokerSettings, broker_settings
from velotime.scoreboards.state import ScoreboardState, mirror, read_retained
from velotime.scoreboards.terminal import clock, render
from velotime.stopping import stop_on_signals
from velotime.times import now_us as host_now_us
from velotime.wire.topics import Topics

TICK_S = 0.1
# `watch --once`: the broker sends every retained message at once on a subscription, so a pause
# this long means all have come.
ONCE_QUIET_S = 0.5
ONCE_TIMEOUT_S = 5.0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "watch",
        description="Show what is on the track and its ranking, live, from the retained "
        "results on the venue's MQTT broker; for a keirin, the heat and the competition's "
        "standings. LIVE, STALE (the scoring service is not online) or OFFLINE (no broker) "
        "says whether it is current. Quit with Ctrl-C. With --once: the state once, as plain "
        "text, for a log.",
    )
    parser.add_argument("--config", type=Path, required=True, help="the venue's configuration")
    parser.add_argument("--broker", help="MQTT broker URL, overriding the configuration")
    parser.add_argument(
        "--venue", help="the venue id to watch (default: the configuration's; <id>-replay for "
        "a replay)",
    )  # fmt: skip
    parser.add_argument(
        "--once", action="store_true",
        help="print the current state once as plain text (no screen control) and exit: read "
        f"the retained results until none has come for {ONCE_QUIET_S:g} s; exit 1 with one "
        "line when the broker cannot be reached",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=ONCE_TIMEOUT_S, metavar="SECONDS",
        help=f"with --once: the longest to wait for the broker and its results (default "
        f"{ONCE_TIMEOUT_S:g})",
    )  # fmt: skip
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_config_or_report(args)
    if config is None:
        return 2
    venue = args.venue or config.venue.id
    if problem := venue_problem(venue):
        return _fail(problem)
    topics = Topics(config.mqtt.topic_prefix, venue)
    if args.once:
        if not args.timeout > 0:
            return _fail(f"--timeout: a number of seconds above 0, got {args.timeout:g}")
        return _once(broker_settings(config), topics, args.timeout)
    if not sys.stdout.isatty():
        return _fail("standard output is not a terminal (for a log: --once)")
    try:
        with contextlib.suppress(KeyboardInterrupt):  # before the signal handlers were in place
            asyncio.run(watch(broker_settings(config), topics))
    except Exception as exc:  # not a lost connection (those it rides out): e.g. a TLS file
        sys.stderr.write(f"velotime watch: {type(exc).__name__}: {exc}\n")
        return 1
    return 0


def _once(broker: BrokerSettings, topics: Topics, timeout_s: float) -> int:
    """Print the venue's state once, as plain text: no colours, no cursor movement."""
    state = ScoreboardState()
    try:
        complete = asyncio.run(
            read_retained(broker, topics, state, quiet_s=ONCE_QUIET_S, timeout_s=timeout_s)
        )
    except BrokerConnectionError as exc:
        sys.stderr.write(f"velotime watch: {exc}\n")
        return 1
    if not complete:  # printed all the same: what there is, said to be partial
        sys.stderr.write(
            f"velotime watch: results still arriving after {timeout_s:g} s (--timeout): "
            "the state below may be incomplete\n"
        )
    console = Console(color_system=None, force_terminal=False, highlight=False, emoji=False)
    console.print(render(state.snapshot(), host_now_us(), venue=topics.venue, width=console.width))
    return 0


async def watch(broker: BrokerSettings, topics: Topics, console: Console | None = None) -> None:
    """Show the venue's state until SIGINT, SIGTERM or SIGHUP."""
    console = console or Console()
    stop = stop_on_signals(signal.SIGHUP)
    # Log lines would tear the screen: the latest warning is shown in the header instead (a
    # handler on the root logger also keeps Python's last-resort stderr handler quiet).
    last = _LastMessage()
    logging.getLogger().addHandler(last)
    state = ScoreboardState()
    mirroring = asyncio.create_task(mirror(broker, topics, state))
    try:
        with Live(
            console=console, screen=True, auto_refresh=False,
            redirect_stdout=False, redirect_stderr=False,
        ) as live:  # fmt: skip
            await _show(live, console, state, topics.venue, last, stop, mirroring)
    finally:
        mirroring.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await mirroring
        logging.getLogger().removeHandler(last)


async def _show(
    live: Live,
    console: Console,
    state: ScoreboardState,
    venue: str,
    last: "_LastMessage",
    stop: asyncio.Event,
    mirroring: "asyncio.Task[None]",
) -> None:
    shown: tuple[object, ...] | None = None
    while not stop.is_set():
        if mirroring.done():
            mirroring.result()  # raises what stopped it (it only stops on a failure)
        version = state.version
        snapshot = state.snapshot()
        now_us = host_now_us()
        width, height = console.size
        # Redraw only when something on the screen changes: the state, the clock, the size.
        key = (version, clock(snapshot, now_us), width, height, last.text)
        if key != shown:
            screen = render(
                snapshot, now_us, venue=venue, width=width, height=height, message=last.text
            )
            live.update(screen, refresh=True)
            shown = key
        # Until the state changes, or the next tenth of a second (when the clock turns).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(TICK_S - time.time() % TICK_S):
                await state.wait_for_change(version)


class _LastMessage(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.text = record.getMessage().removeprefix("scoreboard: ")


def _fail(message: str) -> int:
    sys.stderr.write(f"velotime watch: {message}\n")
    return 2
