"""The FinishLynx photo-finish camera's live results (velotime/protocols/lynx,
docs/protocols/lynx.md)."""

from velotime.drivers.lynx.session import LynxSession
from velotime.families.base import Family
from velotime.families.lynx.decode import decode
from velotime.families.lynx.source import LynxDescription, LynxSourceConfig, dump_description

__all__ = ["FAMILY", "LynxDescription", "LynxSourceConfig"]

FAMILY = Family(
    name="lynx",
    device="FinishLynx photo-finish camera",
    codec="velotime.protocols.lynx",
    decode=decode,
    config=LynxSourceConfig,
    description=LynxDescription,
    session=LynxSession,
    simulator="velotime.simulators.lynx:LynxCameraSimulator",
    dump_description=dump_description,
)
