"""The MQTT topic tree of one venue (docs/mqtt.md)."""

from dataclasses import dataclass


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

    @property
    def daemon_status(self) -> str:
        return f"{self.root}/status/daemon"

    def source_status(self, source: str) -> str:
        return f"{self.root}/status/sources/{source}"

    def control(self, component: str) -> str:
        """Where commands to a component go: control/scoring for the scoring engine."""
        return f"{self.root}/control/{component}"

    @property
    def description(self) -> str:
        return f"{self.root}/config/description"
