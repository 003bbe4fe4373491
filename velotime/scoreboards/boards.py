"""The configured text boards ([[boards]]), in one event loop: one scoreboard state, mirrored from
the venue's retained MQTT topics, and one output per board.

`run_boards(config, stop)` is what `velotime boards` runs, and a companion of the daemon in
`velotime run` (velotime.daemon.service.run_daemon).
"""

import asyncio
import contextlib
import logging

from velotime.config import BoardConfig, Config
from velotime.mqtt.client import BrokerSettings, broker_settings
from velotime.scoreboards.state import ScoreboardState, mirror
from velotime.scoreboards.unt4 import Unt4Page
from velotime.scoreboards.unt4_output import Unt4Output
from velotime.wire.topics import Topics

log = logging.getLogger("velotime.boards")


def board_output(board: BoardConfig, state: ScoreboardState) -> Unt4Output:
    return Unt4Output(
        board.name,
        board.endpoint,
        state,
        Unt4Page(board.rows, board.columns, standings=board.standings),
        reconnect_min_s=board.reconnect_min_s,
        reconnect_max_s=board.reconnect_max_s,
    )


async def run_boards(
    config: Config, stop: asyncio.Event, *, broker: BrokerSettings | None = None
) -> None:
    """Drive every board of `config` until `stop`; then leave each one marked offline."""
    state = ScoreboardState()
    outputs = [board_output(board, state) for board in config.boards]
    topics = Topics(config.mqtt.topic_prefix, config.venue.id)
    log.info("%d board(s): %s", len(outputs), ", ".join(f"{o.name} {o.endpoint}" for o in outputs))
    async with asyncio.TaskGroup() as group:
        mirroring = group.create_task(mirror(broker or broker_settings(config), topics, state))
        for output in outputs:
            group.create_task(output.run(stop))
        await stop.wait()
        mirroring.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await mirroring
