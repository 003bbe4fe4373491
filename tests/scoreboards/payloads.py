"""Scoreboard snapshots as `ScoreboardState` makes them from retained payloads: the tests'
payloads go through the same boundary as the broker's (decoded into the wire types)."""

import asyncio
import json
from collections.abc import Iterable
from typing import Any

import msgspec

from velotime.scoreboards.state import ScoreboardState, Snapshot
from velotime.wire.status import ScoringOnline

ONLINE: dict[str, Any] = msgspec.to_builtins(
    ScoringOnline(
        version="0.1.0", pid=1, started_us=0, meet="test-meet", meet_sha256="0" * 64,
        journal="test.journal.jsonl", events=0, restored=0, duplicates=0, malformed=0,
        skipped_commands=0, errors=0,
    )
)  # fmt: skip


def snapshot_of(
    payloads: Iterable[tuple[str, Any]],
    *,
    connected: bool = True,
    live: bool = True,
    skipped: int | None = 0,
) -> Snapshot:
    """The snapshot after these retained messages, in order (the last result is the latest);
    `live`: the scoring service says it is online; `skipped`: how many of them are no message
    of their topic (None: any number)."""

    async def fill() -> Snapshot:
        state = ScoreboardState()
        await state.set_connected(connected)
        if live:
            await state.update("status/scoring", json.dumps(ONLINE).encode())
        for key, payload in payloads:
            await state.update(key, json.dumps(payload).encode())
        assert skipped is None or state.skipped == skipped, f"{state.skipped} skipped"
        return state.snapshot()

    return asyncio.run(fill())
