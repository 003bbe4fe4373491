"""ALGE Timy impulse timers (velotime/protocols/timy, docs/protocols/timy.md)."""

from velotime.drivers.timy.session import TimySession
from velotime.families.base import Family
from velotime.families.timy.decode import decode
from velotime.families.timy.source import (
    ChannelConfig,
    TimyDescription,
    TimySourceConfig,
    dump_description,
)

__all__ = ["FAMILY", "ChannelConfig", "TimyDescription", "TimySourceConfig"]

FAMILY = Family(
    name="timy",
    device="ALGE Timy impulse timer",
    codec="velotime.protocols.timy",
    decode=decode,
    config=TimySourceConfig,
    description=TimyDescription,
    session=TimySession,
    simulator="velotime.simulators.timy:TimySimulator",
    dump_description=dump_description,
)
