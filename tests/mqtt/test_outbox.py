"""The durable outbox: numbering, persistence across a restart, acknowledgement."""

import asyncio
import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import aiomqtt
import msgspec
import pytest

from tests.disks import small_disk
from tests.mqtt.events import event
from velotime.localvenue import LocalBroker
from velotime.mqtt.client import BrokerSettings
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import Publisher
from velotime.wire.events import Event, PassingData

STATUS = "velotime/v/status/daemon"


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


# -- a failing disk ------------------------------------------------------------------------------


def fill_to_the_page_limit(outbox: Outbox) -> None:
    """A real SQLITE_FULL: the database may not grow past the pages it has (`max_page_count`,
    which SQLite keeps per connection: the test reaches into the outbox's). Each `big` event
    needs pages of its own, so appending one fails."""
    db = outbox._db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


def big(n: int, src: str = "p3-finish") -> Event:
    """Event `n`, longer than a database page."""
    small = event(n, src)
    assert isinstance(small.data, PassingData)
    padded = msgspec.structs.replace(small.data, record={"type": "passing", "pad": "x" * 5000})
    return msgspec.structs.replace(small, data=padded)


def give_space_back(outbox: Outbox) -> None:
    outbox._db.execute("PRAGMA max_page_count = 1073741823")


def test_a_full_disk_holds_events_and_state_in_memory_and_writes_them_once_it_is_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.sqlite"
    outbox = Outbox(path)
    outbox.append("a", [("t/passing", big(1, "a"))], b"a-1")
    fill_to_the_page_limit(outbox)
    outbox.append("a", [("t/passing", big(2, "a")), ("t/passing", big(3, "a"))], b"a-3")
    outbox.append("b", [("t/passing", big(4, "b"))], None)
    outbox.append("a", [("t/passing", big(5, "a"))], b"a-5")
    # Nothing raised; the publisher still gets everything, in order, numbered on.
    assert [(e.id, e.src, e.seq) for e in payloads(outbox)] == [
        ("e1", "a", 1),
        ("e2", "a", 2),
        ("e3", "a", 3),
        ("e4", "b", 1),
        ("e5", "a", 4),
    ]
    assert outbox.problems() == [
        "outbox write failed: database or disk is full (4 events not on disk)"
    ]
    assert outbox.held_in_memory == 4
    assert len(outbox) == 5
    # What is durable has not moved: the saved state does not count what is only in memory.
    assert outbox.saved("a") == (1, b"a-1")
    assert outbox.saved("b") == (0, None)
    # The broker acknowledges e1 (on disk) and e2 (in memory): e2 need never be written.
    first_two = outbox.pending(2)
    outbox.ack([row.id for row in first_two])
    assert [e.id for e in payloads(outbox)] == ["e3", "e4", "e5"]
    assert outbox.held_in_memory == 3

    give_space_back(outbox)
    outbox.retry()
    assert outbox.problems() == []
    assert outbox.held_in_memory == 0
    outbox.close()
    reopened = Outbox(path)
    assert [(e.id, e.src, e.seq) for e in payloads(reopened)] == [
        ("e3", "a", 3),
        ("e4", "b", 1),
        ("e5", "a", 4),
    ]
    assert reopened.saved("a") == (4, b"a-5")  # the latest state, counting e2 (acknowledged)
    assert reopened.saved("b") == (1, None)
    reopened.append("a", [("t/passing", big(6, "a"))], None)
    assert [(e.id, e.seq) for e in payloads(reopened)][-1] == ("e6", 5)


def test_pending_reads_on_from_disk_into_memory_past_the_events_in_flight(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite")
    outbox.append("a", [("t", big(n)) for n in range(1, 4)], None)
    fill_to_the_page_limit(outbox)
    outbox.append("a", [("t", big(n)) for n in range(4, 7)], None)
    in_flight = outbox.pending(2)
    assert [json.loads(r.payload)["id"] for r in outbox.pending(3, after=in_flight[-1].id)] == [
        "e3",
        "e4",
        "e5",
    ]
    read = outbox.pending(10)
    assert [r.id for r in read] == sorted(r.id for r in read)


def test_the_next_append_writes_what_is_held_once_space_is_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("velotime.mqtt.outbox.RETRY_INTERVAL_S", 0.0)
    path = tmp_path / "outbox.sqlite"
    outbox = Outbox(path)
    fill_to_the_page_limit(outbox)
    outbox.append("a", [("t", big(1, "a"))], b"s1")
    outbox.append("a", [("t", big(2, "a"))], b"s2")
    assert outbox.held_in_memory == 2
    give_space_back(outbox)
    outbox.append("a", [("t", big(3, "a"))], b"s3")  # behind the held ones, in order
    assert outbox.held_in_memory == 0
    assert outbox.problems() == []
    outbox.close()
    reopened = Outbox(path)
    assert [(e.id, e.seq) for e in payloads(reopened)] == [("e1", 1), ("e2", 2), ("e3", 3)]
    assert reopened.saved("a") == (3, b"s3")


def test_killed_while_events_are_only_in_memory_the_saved_state_is_the_old_one(
    tmp_path: Path,
) -> None:
    """Why a restart asks the decoder to resend: the state on disk never counts the events that
    died with the process, so the session resumes from before them."""
    path = tmp_path / "outbox.sqlite"
    outbox = Outbox(path)
    outbox.append("a", [("t", big(1, "a"))], b"seen up to 1")
    fill_to_the_page_limit(outbox)
    outbox.append("a", [("t", big(2, "a")), ("t", big(3, "a"))], b"seen up to 3")
    outbox.ack([row.id for row in outbox.pending(10)[1:]])  # even published and acknowledged
    # The process dies here (no close): what another process finds on disk.
    after_the_kill = Outbox(path)
    assert after_the_kill.saved("a") == (1, b"seen up to 1")
    assert [e.id for e in payloads(after_the_kill)] == ["e1"]


def test_acknowledgements_on_a_full_disk_are_kept_and_deleted_once_it_is_back(
    tmp_path: Path,
) -> None:
    with small_disk(tmp_path / "disk") as disk:
        path = disk.path / "outbox.sqlite"
        outbox = Outbox(path)
        outbox.append("a", [("t", big(n, "a")) for n in range(1, 4)], b"s")
        disk.fill()
        outbox.ack([row.id for row in outbox.pending(2)])  # a DELETE needs space in the WAL
        assert outbox.problems() == [
            "outbox acknowledgements not saved: database or disk is full (2 to delete)"
        ]
        assert [e.id for e in payloads(outbox)] == ["e3"]  # not published again meanwhile
        assert len(outbox) == 1
        disk.free()
        outbox.retry()
        assert outbox.problems() == []
        outbox.close()
        reopened = Outbox(path)
        assert [e.id for e in payloads(reopened)] == ["e3"]
        reopened.close()


def test_a_real_full_file_system_holds_appends_in_memory_too(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        path = disk.path / "outbox.sqlite"
        outbox = Outbox(path)
        outbox.append("a", [("t", big(1, "a"))], b"s1")
        disk.fill()
        outbox.append("a", [("t", big(2, "a"))], b"s2")
        assert outbox.problems() == [
            "outbox write failed: database or disk is full (1 events not on disk)"
        ]
        assert [e.id for e in payloads(outbox)] == ["e1", "e2"]
        disk.free()
        outbox.retry()
        assert outbox.problems() == []
        assert outbox.saved("a") == (2, b"s2")
        outbox.close()


async def test_the_publisher_drains_a_full_disk_outbox_and_outlives_its_failed_deletes(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """Issue 12: an acknowledgement whose DELETE failed once ended the daemon."""
    topic = "velotime/v/timing/passing"
    with small_disk(tmp_path / "disk") as disk:
        outbox = Outbox(disk.path / "outbox.sqlite")
        outbox.append("a", [(topic, event(n, "a")) for n in range(1, 4)], b"s3")
        disk.fill()
        publisher = Publisher(
            BrokerSettings(host="127.0.0.1", port=broker.port), outbox, STATUS, lambda: b"{}"
        )
        received: list[str] = []
        stop = asyncio.Event()
        async with aiomqtt.Client("127.0.0.1", broker.port) as client:
            await client.subscribe(topic, qos=1)
            run = asyncio.create_task(publisher.run(stop))
            outbox.append("a", [(topic, event(n, "a")) for n in range(4, 14)], b"s13")
            async with asyncio.timeout(20):
                async for message in client.messages:
                    assert isinstance(message.payload, bytes)
                    received.append(json.loads(message.payload)["id"])
                    if len(received) == 13:
                        break
            while outbox.held_in_memory or len(outbox):  # until every PUBACK is in
                await asyncio.sleep(0.01)
            assert not run.done()
            assert outbox.problems() == [
                "outbox write failed: database or disk is full (10 events not on disk)",
                "outbox acknowledgements not saved: database or disk is full (3 to delete)",
            ]
            disk.free()
            outbox.retry()
            assert outbox.problems() == []
            stop.set()
            await asyncio.wait_for(run, 10)
        outbox.close()
        reopened = Outbox(disk.path / "outbox.sqlite")
        assert reopened.pending(100) == []  # all acknowledged: none written, none left
        assert reopened.saved("a") == (13, b"s13")
        reopened.close()
    assert received == [f"e{n}" for n in range(1, 14)]
