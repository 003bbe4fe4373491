"""The MQTT topic tree of one venue (docs/mqtt.md)."""

from collections.abc import Iterable
from dataclasses import dataclass

from velotime.wire.events import Event


@dataclass(frozen=True)
class Topics:
    prefix: str
    venue: str

    @property
    def root(self) -> str:
        return f"{self.prefix}/{self.venue}"

    def timing(self, kind: str) -> str:
        """Where events of a kind go: timing/passing, timing/impulse, timing/photofinish."""
        return f"{self.root}/timing/{kind}"

    def routed(self, events: Iterable[Event]) -> list[tuple[str, Event]]:
        """Each event with its timing topic, as `Outbox.append` takes them."""
        return [(self.timing(event.kind), event) for event in events]

    @property
    def daemon_status(self) -> str:
        return f"{self.root}/status/daemon"

    def source_status(self, source: str) -> str:
        return f"{self.root}/status/sources/{source}"

    def control(self, component: str) -> str:
        """Where commands to a component go: control/scoring for the scoring engine."""
        return f"{self.root}/control/{component}"

    def reply(self, component: str, command_id: str) -> str:
        """Where a component answers the command of this id: replies/scoring/<id>."""
        return f"{self.root}/replies/{component}/{command_id}"

    @property
    def description(self) -> str:
        return f"{self.root}/config/description"
