"""A FinishLynx camera as a source: its settings and its capture header entry. The camera films
the finish: its results need no line, channel or decoder."""

from typing import Any
from zoneinfo import ZoneInfo

from velotime.drivers.lynx.session import LynxSession
from velotime.drivers.session import Session
from velotime.families.base import SourceConfig, SourceDescription


class LynxDescription(SourceDescription, frozen=True, kw_only=True, tag="lynx"):
    def new_session(self, name: str) -> Session:
        return LynxSession(name, ZoneInfo(self.timezone))


class LynxSourceConfig(SourceConfig, frozen=True, kw_only=True, tag="lynx"):
    def describe(
        self, timezone: str, seq: int = 0, resume: dict[str, Any] | None = None
    ) -> LynxDescription:
        return LynxDescription(
            timezone=timezone, endpoint=str(self.endpoint), seq=seq, resume=resume
        )

    def summary(self) -> str:
        return "the photo-finish camera"


def dump_description(line: str, timezone: str) -> LynxDescription:
    return LynxDescription(timezone=timezone)
