"""Where a replay's events go, numbered per source as the live daemon numbered them.

Offline they are written as JSON Lines as they come (`JsonLinesSink`), so memory stays flat
whatever the size of the captures; to a broker they are queued in an outbox that a publisher
drains (`OutboxSink`).
"""

from collections.abc import Mapping, Sequence
from typing import BinaryIO, Protocol

import msgspec

from velotime.mqtt.outbox import Outbox
from velotime.wire.events import Event
from velotime.wire.topics import Topics


class EventSink(Protocol):
    def append(self, source: str, events: Sequence[Event]) -> None:
        """Number `events` after `source`'s last and pass them on."""

    def resume(self, source: str, seq: int) -> None:
        """Continue `source`'s numbering after `seq` (where the live daemon resumed)."""

    def last_seq(self, source: str) -> int:
        """The `seq` of `source`'s last event numbered."""


class JsonLinesSink:
    """Each event's envelope on a line of `output`, at once. Events that the next capture's
    header takes back (`take_back_after`) are numbered but not written: the live daemon never
    published them."""

    def __init__(self, output: BinaryIO | None) -> None:
        self._output = output  # None: numbered, not written (a replay for its results only)
        self._seqs: dict[str, int] = {}
        self._limits: Mapping[str, int] = {}
        self._encode = msgspec.json.Encoder().encode
        self.taken_back = 0  # events numbered but not written, as the next header said

    def take_back_after(self, seqs: Mapping[str, int]) -> None:
        """From now on, a source's events numbered beyond `seqs[source]` are not written: the
        next capture begins there (velotime.replay.replayer.resumed_seqs)."""
        self._limits = seqs

    def append(self, source: str, events: Sequence[Event]) -> None:
        seq = self._seqs.get(source, 0)
        limit = self._limits.get(source)
        lines = []
        for event in events:
            seq += 1
            if limit is None or seq <= limit:
                lines.append(self._encode(event.numbered(seq)))
            else:
                self.taken_back += 1
        self._seqs[source] = seq
        if lines and self._output is not None:
            self._output.write(b"\n".join(lines) + b"\n")

    def resume(self, source: str, seq: int) -> None:
        self._seqs[source] = seq

    def last_seq(self, source: str) -> int:
        return self._seqs.get(source, 0)


class OutboxSink:
    """Events queued in `outbox` on their timing topics under `topics`, for a publisher."""

    def __init__(self, outbox: Outbox, topics: Topics) -> None:
        self.outbox = outbox
        self.topics = topics  # may change until the first event: the venue's name is read late

    def append(self, source: str, events: Sequence[Event]) -> None:
        self.outbox.append(source, self.topics.routed(events), None)

    def resume(self, source: str, seq: int) -> None:
        self.outbox.resume(source, seq)

    def last_seq(self, source: str) -> int:
        return self.outbox.saved(source).seq
