"""The durable outbox between the drivers and the broker, and the drivers' saved state.

An event is appended (numbered with its source's next `seq`) in the same SQLite transaction that
saves its source's state, and stays in the outbox until the broker has acknowledged it. A broker
outage therefore only lets the outbox grow, and a daemon killed at any moment restarts with
every unacknowledged event still queued and with state that agrees with what was queued.

SQLite runs in WAL mode with synchronous=NORMAL: a commit survives the process being killed; a
power cut can lose the last commits, which the decoders still hold and are asked to resend.
Commits take tens of microseconds, so they run on the event loop rather than in a thread.

**When the disk fails** (full, an I/O error: the commit fails and SQLite rolls it back), the
events and their source's new state are held in memory, in order, behind anything already
held, and `append` returns as usual: the drivers go on timing and the publisher goes on
publishing, because `pending` serves the held events after those on disk and `ack` forgets them
there. Writing what is held is tried again with every append (at most every RETRY_INTERVAL_S)
and on every `retry()` (the daemon calls it every second); it writes, in one transaction, the
held events the broker has not acknowledged and the latest state of each held source (an event
acknowledged from memory is not written: the broker has it; the state is, since it counts it).
`problems()` says what is failing, for the daemon's status. An acknowledgement whose DELETE fails
is kept in memory and deleted later; until then `pending` leaves the event out.

The saved state on disk never counts an event that is not on disk (or acknowledged): if the
daemon is killed while events are held only in memory, it restarts from the older saved state,
so the session sees the passings after it as missing and asks the decoder to resend them. They
come again with the same event ids (consumers drop the copies they already had) and, since the
saved `seq` is older too, numbered again from the same place.
"""

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import msgspec

from velotime.wire.events import Envelope, Event, EventData

log = logging.getLogger("velotime.outbox")

RETRY_INTERVAL_S = 0.2  # while writes fail, appends try again no more often than this

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


class _Row(NamedTuple):
    """An event as it is written: its outbox id is given here, so that one held in memory keeps
    the id it was published under when it reaches the disk."""

    id: int
    topic: str
    payload: bytes
    source: str
    seq: int


class _SourceUpdate(NamedTuple):
    seq: int
    state: bytes | None  # None: keep the saved state


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
        # What is numbered so far, on disk or held: each source's last seq, the last outbox id.
        self._seq: dict[str, int] = dict(self._db.execute("SELECT name, seq FROM sources"))
        self._last_id: int = self._db.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0), "
            "coalesce((SELECT max(id) FROM outbox), 0))"
        ).fetchone()[0]
        self._on_disk: int = self._db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        # Held in memory while writes fail, in order: events by id, each source's latest update.
        self._held: dict[int, _Row] = {}
        self._held_sources: dict[str, _SourceUpdate] = {}
        self._not_on_disk = 0  # events appended since writing failed, acknowledged or not
        self._writing = _Failing(
            "outbox write failed: %s; holding events in memory, publishing goes on, "
            "retrying every second"
        )
        # Acknowledged, but their DELETE failed: to delete later, and not to publish again.
        self._acked: dict[int, None] = {}
        self._deleting = _Failing(
            "outbox cannot delete acknowledged events: %s; keeping them in memory "
            "(sent again after a restart, and dropped by id)"
        )

    def close(self) -> None:
        """Close, after a last try at writing what is held in memory (said if it fails)."""
        self.retry()
        if self._held or self._held_sources:
            log.error(
                "closing with %d events and the state of %d sources not written (%s): at the "
                "next start the decoders are asked to resend what the saved state lacks",
                len(self._held),
                len(self._held_sources),
                self._writing.error,
            )
        self._db.close()

    def append(
        self, source: str, events: Sequence[tuple[str, Event]], state: bytes | None
    ) -> list[Envelope[EventData]]:
        """Number and queue `events` (each with its topic) and save `source`'s state, all or
        nothing; held in memory if the disk fails (module docstring): never raises for that."""
        seq = self._seq.get(source, 0)
        envelopes = []
        rows: list[_Row] = []
        for topic, event in events:
            seq += 1
            envelope = event.numbered(seq)
            envelopes.append(envelope)
            rows.append(
                _Row(self._last_id + len(rows) + 1, topic, _encoder.encode(envelope), source, seq)
            )
        update = {source: _SourceUpdate(seq, state)}
        holding = bool(self._held or self._held_sources)
        if holding:  # behind what is held, in order
            self._hold(rows, update)
        else:
            try:
                self._write(rows, update)
            except sqlite3.DatabaseError as exc:
                if not _storage_failure(exc):
                    raise  # a bug, not the disk: nothing numbered, nothing held
                self._hold(rows, update)
                self._writing.failed(exc)
        self._seq[source] = seq
        self._last_id += len(rows)
        if holding:
            self._write_held(force=False)
        if envelopes:
            self._appended.set()
        return envelopes

    def retry(self) -> None:
        """Try again now to write what is held in memory and to delete what was acknowledged."""
        self._write_held(force=True)
        self._delete_acked(force=True)

    def problems(self) -> list[str]:
        """What fails now, one line each (empty when everything is on disk)."""
        problems = []
        if self._writing.error is not None:
            problems.append(
                f"outbox write failed: {self._writing.error} "
                f"({self._not_on_disk} events not on disk)"
            )
        if self._deleting.error is not None:
            problems.append(
                f"outbox acknowledgements not saved: {self._deleting.error} "
                f"({len(self._acked)} to delete)"
            )
        return problems

    @property
    def held_in_memory(self) -> int:
        """Events held only in memory (not yet on disk, not acknowledged by the broker)."""
        return len(self._held)

    def resume(self, source: str, seq: int) -> None:
        """Continue `source`'s numbering after `seq`, forgetting queued events numbered beyond it.

        Replay does this where the live daemon restarted: the events it had numbered beyond the
        `seq` it resumed from never reached the outbox live (the daemon died between reading
        the bytes and queueing them), and came again later, resent by the device.
        """
        with _transaction(self._db):
            deleted = self._db.execute(
                "DELETE FROM outbox WHERE source = ? AND seq > ?", (source, seq)
            ).rowcount
            self._db.execute(
                "INSERT INTO sources (name, seq) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET seq = excluded.seq",
                (source, seq),
            )
        self._on_disk -= deleted
        self._seq[source] = seq

    def pending(self, limit: int, after: int = 0) -> list[OutboxRow]:
        """The oldest events not yet acknowledged by the broker (those queued after the event
        numbered `after`: the publisher reads on past those it has in flight), those on disk
        first, then those held in memory (numbered after every event on disk)."""
        rows: list[OutboxRow] = []
        if self._on_disk > len(self._acked):
            wanted = limit + len(self._acked)
            try:
                found = self._db.execute(
                    "SELECT id, topic, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
                    (after, wanted),
                ).fetchall()
            except sqlite3.DatabaseError as exc:
                if not _storage_failure(exc):
                    raise
                log.error("outbox read failed: %s; publishing waits", exc)
                return []
            rows = [OutboxRow(*row) for row in found if row[0] not in self._acked][:limit]
            if len(found) == wanted:  # more on disk than was read: memory comes after them
                return rows
        if self._held and len(rows) < limit:
            after = rows[-1].id if rows else after
            for row in self._held.values():
                if row.id > after:
                    rows.append(OutboxRow(row.id, row.topic, row.payload))
                    if len(rows) == limit:
                        break
        return rows

    def ack(self, ids: Iterable[int]) -> None:
        """The broker has these: forget them (if the disk fails, in memory until it is back)."""
        for outbox_id in ids:
            if self._held.pop(outbox_id, None) is None:
                self._acked[outbox_id] = None
        self._delete_acked(force=False)

    def __len__(self) -> int:
        """Events not yet acknowledged by the broker, on disk or held in memory."""
        return self._on_disk - len(self._acked) + len(self._held)

    def saved(self, source: str) -> SavedSource:
        """`source`'s last seq and state as saved on disk."""
        row = self._db.execute(
            "SELECT seq, state FROM sources WHERE name = ?", (source,)
        ).fetchone()
        return SavedSource(*row) if row else SavedSource(0, None)

    async def wait_for_events(self) -> None:
        """Return once something was appended since the last call (or at once if it was)."""
        await self._appended.wait()
        self._appended.clear()

    def _write(self, rows: Sequence[_Row], sources: dict[str, _SourceUpdate]) -> None:
        with _transaction(self._db):
            self._db.executemany(
                "INSERT INTO outbox (id, topic, payload, source, seq) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            self._db.executemany(
                "INSERT INTO sources (name, seq, state) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET seq = excluded.seq, "
                "state = coalesce(excluded.state, sources.state)",
                [(name, update.seq, update.state) for name, update in sources.items()],
            )
        self._on_disk += len(rows)

    def _hold(self, rows: Sequence[_Row], sources: dict[str, _SourceUpdate]) -> None:
        for row in rows:
            self._held[row.id] = row
        self._not_on_disk += len(rows)
        for name, update in sources.items():
            previous = self._held_sources.get(name)
            state = update.state if update.state is not None or previous is None else previous.state
            self._held_sources[name] = _SourceUpdate(update.seq, state)

    def _write_held(self, *, force: bool) -> None:
        if not (self._held or self._held_sources):
            return
        if not self._writing.due(force=force):
            return
        try:
            self._write(list(self._held.values()), self._held_sources)
        except sqlite3.DatabaseError as exc:
            if not _storage_failure(exc):
                raise
            self._writing.failed(exc)
            return
        log.warning(
            "outbox written again: %d events not yet published and the state of %d sources "
            "saved from memory (%d events appended meanwhile)",
            len(self._held),
            len(self._held_sources),
            self._not_on_disk,
        )
        self._not_on_disk = 0
        self._held.clear()
        self._held_sources.clear()
        self._writing.succeeded()

    def _delete_acked(self, *, force: bool) -> None:
        if not self._acked:
            return
        if not self._deleting.due(force=force):
            return
        try:
            with _transaction(self._db):
                deleted = self._db.executemany(
                    "DELETE FROM outbox WHERE id = ?", [(i,) for i in self._acked]
                ).rowcount
        except sqlite3.DatabaseError as exc:
            if not _storage_failure(exc):
                raise
            self._deleting.failed(exc)
            return
        if self._deleting.succeeded():
            log.warning("outbox deletes acknowledged events again (%d kept in memory)", deleted)
        self._on_disk -= deleted
        self._acked.clear()


class _Failing:
    """A kind of write that may be failing now: why, logged once (with `message`, a %s for the
    error) until it works again, and retried at most every RETRY_INTERVAL_S unless forced."""

    def __init__(self, message: str) -> None:
        self._message = message
        self.error: str | None = None  # why the last attempt failed; None: it worked
        self._failed_at = 0.0  # time.monotonic() of the last failed attempt

    def due(self, *, force: bool) -> bool:
        return force or self.error is None or time.monotonic() - self._failed_at >= RETRY_INTERVAL_S

    def failed(self, exc: sqlite3.Error) -> None:
        self._failed_at = time.monotonic()
        if self.error is None:
            log.error(self._message, exc)
        self.error = str(exc)

    def succeeded(self) -> bool:
        """Whether it was failing until now."""
        was_failing = self.error is not None
        self.error = None
        return was_failing


def _storage_failure(exc: sqlite3.DatabaseError) -> bool:
    """The disk or the file failed (full, I/O error, locked, corrupt), as opposed to a bug in
    what was asked (a constraint, a misuse), which must not be hidden by holding it."""
    return not isinstance(
        exc,
        sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.DataError,
    )


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error, explicitly (not sqlite3's implicit way).

    SQLite may have rolled back by itself (a full disk, an I/O error): then there is nothing to
    roll back, and the error that caused it is the one raised.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise
