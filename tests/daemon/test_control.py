"""Operator commands as a source: checked and numbered like any device's records."""

from velotime.daemon.control import ControlSession
from velotime.wire.commands import Arm
from velotime.wire.events import CommandData


def test_commands_become_events_with_ids_that_replay_reproduces() -> None:
    session = ControlSession("control")
    first = session.feed(1_000, b'{"type":"arm","event":"f200"}').events
    # A script sending two commands within one microsecond: two events, two ids.
    second = session.feed(2_000, b'{"type":"next_rider","event":"km","bib":4}').events
    third = session.feed(2_000, b'{"type":"final","event":"km"}').events
    assert [e.id for e in first + second + third] == [
        "control:1000", "control:2000", "control:2000.1",
    ]  # fmt: skip
    assert first[0].kind == "command"
    assert first[0].data == CommandData(command=Arm(event="f200"), received_us=1_000)
    again = ControlSession("control")  # a replay of the same chunks
    assert again.feed(1_000, b'{"type":"arm","event":"f200"}').events == first


def test_a_malformed_command_is_skipped_with_the_reason() -> None:
    session = ControlSession("control")
    for raw in (b"arm f200", b'{"type":"arm"}', b'{"type":"launch","event":"x"}'):
        out = session.feed(5, raw)
        assert out.events == []
        (error,) = out.errors
        assert error.raw == raw
        assert error.detail
