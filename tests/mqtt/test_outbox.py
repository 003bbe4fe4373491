"""The durable outbox: numbering, persistence across a restart, acknowledgement."""

import asyncio
import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.mqtt.events import event
from velotime.mqtt.outbox import Outbox


def payloads(outbox: Outbox) -> list[SimpleNamespace]:
    return [SimpleNamespace(**json.loads(r.payload)) for r in outbox.pending(1000)]


def test_events_are_numbered_per_source_and_kept_until_acknowledged(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite")
    outbox.append("a", [("t/passing", event(1, "a")), ("t/passing", event(2, "a"))], b"state-a")
    outbox.append("b", [("t/passing", event(3, "b"))], None)
    outbox.append("a", [("t/passing", event(4, "a"))], b"state-a2")
    assert [(e.src, e.seq, e.id) for e in payloads(outbox)] == [
        ("a", 1, "e1"),
        ("a", 2, "e2"),
        ("b", 1, "e3"),
        ("a", 3, "e4"),
    ]
    rows = outbox.pending(2)
    outbox.ack([r.id for r in rows])
    assert [e.id for e in payloads(outbox)] == ["e3", "e4"]
    assert len(outbox) == 2


def test_pending_reads_on_past_the_events_in_flight(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite")
    outbox.append("a", [("t/passing", event(n)) for n in range(1, 6)], None)
    in_flight = outbox.pending(2)
    read_on = outbox.pending(2, after=in_flight[-1].id)
    assert [json.loads(row.payload)["id"] for row in read_on] == ["e3", "e4"]
    outbox.ack([in_flight[0].id])  # the second is still unacknowledged: it stays
    assert [e.id for e in payloads(outbox)] == ["e2", "e3", "e4", "e5"]


def test_everything_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    first = Outbox(path)
    first.append("a", [("t/passing", event(1)), ("t/passing", event(2))], b"saved")
    first.ack([first.pending(1)[0].id])
    first.close()
    second = Outbox(path)
    assert [e.id for e in payloads(second)] == ["e2"]
    assert second.saved("a") == (2, b"saved")
    second.append("a", [("t/passing", event(3))], None)  # numbering goes on; state is kept
    assert [e.seq for e in payloads(second)] == [2, 3]
    assert second.saved("a") == (3, b"saved")


def test_a_failed_append_leaves_nothing_half_done(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite")
    outbox.append("a", [("t/passing", event(1))], b"s1")
    with pytest.raises(sqlite3.Error):
        outbox.append("a", [(None, event(2))], b"s2")  # type: ignore[list-item]
    assert [e.id for e in payloads(outbox)] == ["e1"]
    assert outbox.saved("a") == (1, b"s1")


async def test_waiting_for_events_wakes_on_append() -> None:
    outbox = Outbox(":memory:")
    waiter = asyncio.create_task(outbox.wait_for_events())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    outbox.append("a", [("t", event(1))], None)
    await asyncio.wait_for(waiter, 1)


def test_replay_numbering_continues_from_a_given_seq() -> None:
    outbox = Outbox(":memory:")
    outbox.resume("a", 41)
    outbox.append("a", [("t", event(1))], None)
    assert [e.seq for e in payloads(outbox)] == [42]


def test_resuming_forgets_what_was_numbered_beyond_the_resume_point() -> None:
    outbox = Outbox(":memory:")
    outbox.append("a", [("t", event(1, "a")), ("t", event(2, "a")), ("t", event(3, "a"))], None)
    outbox.append("b", [("t", event(4, "b"))], None)
    outbox.resume("a", 1)  # a restarted daemon had queued only a's first event
    assert [(e.src, e.seq) for e in payloads(outbox)] == [("a", 1), ("b", 1)]
    outbox.append("a", [("t", event(5, "a"))], None)
    assert [(e.src, e.seq, e.id) for e in payloads(outbox)][-1] == ("a", 2, "e5")


def test_an_outbox_from_before_the_source_columns_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, "
        "payload BLOB NOT NULL)"
    )
    old.execute("INSERT INTO outbox (topic, payload) VALUES (?, ?)", ("t", b'{"id": "old"}'))
    old.commit()
    old.close()
    outbox = Outbox(path)
    assert [row.payload for row in outbox.pending(10)] == [b'{"id": "old"}']
    outbox.append("a", [("t", event(1))], None)
    assert len(outbox) == 2
