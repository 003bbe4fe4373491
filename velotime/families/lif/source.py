"""FinishLynx result files as a source of the daemon: its capture header entry. It has no
`[[sources]]` entry: every daemon takes the files `velotime import-lif` hands it."""

from zoneinfo import ZoneInfo

from velotime.drivers.session import Session
from velotime.families.base import SourceDescription
from velotime.families.lif.session import LifSession


class LifDescription(SourceDescription, frozen=True, kw_only=True, tag="lif"):
    def new_session(self, name: str) -> Session:
        return LifSession(name, ZoneInfo(self.timezone))
