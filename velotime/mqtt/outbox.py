"""The durable outbox between the drivers and the broker, and the drivers' saved state.

An event is appended (numbered with its source's next `seq`) in the same SQLite transaction that
saves its source's state, and stays in the outbox until the broker has acknowledged it. A broker
outage therefore only lets the outbox grow, and a daemon killed at any moment restarts with
every unacknowledged event still queued and with state that agrees with what was queued.

SQLite runs in WAL mode with synchronous=NORMAL: a commit survives the process being killed; a
power cut can lose the last commits, which the decoders still hold and are asked to resend.
Commits take tens of microseconds, so they run on the event loop rather than in a thread.
"""

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import msgspec

from velotime.wire.events import Envelope, Event, EventData

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL DEFAULT 0,
    state BLOB
);
"""

_encoder = msgspec.json.Encoder()


class SavedSource(NamedTuple):
    seq: int  # the seq of the source's last event
    state: bytes | None


class OutboxRow(NamedTuple):
    id: int
    topic: str
    payload: bytes


class Outbox:
    def __init__(self, path: Path | str) -> None:
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
        for column, kind in (
            ("source", "TEXT NOT NULL DEFAULT ''"),
            ("seq", "INTEGER NOT NULL DEFAULT 0"),
        ):
            if column not in columns:  # an outbox written by velotime 0.1 before these columns
                self._db.execute(f"ALTER TABLE outbox ADD COLUMN {column} {kind}")
        self._appended = asyncio.Event()

    def close(self) -> None:
        self._db.close()

    def append(
        self, source: str, events: Sequence[tuple[str, Event]], state: bytes | None
    ) -> list[Envelope[EventData]]:
        """Number and queue `events` (each with its topic) and save `source`'s state, all or
        nothing."""
        with _transaction(self._db):
            row = self._db.execute("SELECT seq FROM sources WHERE name = ?", (source,)).fetchone()
            seq = row[0] if row else 0
            envelopes = []
            for topic, event in events:
                seq += 1
                envelope = event.numbered(seq)
                envelopes.append(envelope)
                self._db.execute(
                    "INSERT INTO outbox (topic, payload, source, seq) VALUES (?, ?, ?, ?)",
                    (topic, _encoder.encode(envelope), source, seq),
                )
            self._db.execute(
                "INSERT INTO sources (name, seq, state) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET seq = excluded.seq, "
                "state = coalesce(excluded.state, sources.state)",
                (source, seq, state),
            )
        if envelopes:
            self._appended.set()
        return envelopes

    def resume(self, source: str, seq: int) -> None:
        """Continue `source`'s numbering after `seq`, forgetting queued events numbered beyond it.

        Replay does this where the live daemon restarted: the events it had numbered beyond the
        `seq` it resumed from never reached the outbox live (the daemon died between reading
        the bytes and queueing them), and came again later, resent by the device.
        """
        with _transaction(self._db):
            self._db.execute("DELETE FROM outbox WHERE source = ? AND seq > ?", (source, seq))
            self._db.execute(
                "INSERT INTO sources (name, seq) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET seq = excluded.seq",
                (source, seq),
            )

    def pending(self, limit: int) -> list[OutboxRow]:
        """The oldest events not yet acknowledged by the broker."""
        rows = self._db.execute(
            "SELECT id, topic, payload FROM outbox ORDER BY id LIMIT ?", (limit,)
        ).fetchall()
        return [OutboxRow(*row) for row in rows]

    def ack(self, ids: Sequence[int]) -> None:
        """The broker has these: forget them."""
        with _transaction(self._db):
            self._db.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids])

    def __len__(self) -> int:
        count: int = self._db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        return count

    def saved(self, source: str) -> SavedSource:
        row = self._db.execute(
            "SELECT seq, state FROM sources WHERE name = ?", (source,)
        ).fetchone()
        return SavedSource(*row) if row else SavedSource(0, None)

    async def wait_for_events(self) -> None:
        """Return once something was appended since the last call (or at once if it was)."""
        await self._appended.wait()
        self._appended.clear()


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error, explicitly (not sqlite3's implicit way)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
