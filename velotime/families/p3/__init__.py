"""AMB/MYLAPS P3 transponder decoders (velotime/protocols/p3, docs/protocols/p3.md)."""

from velotime.drivers.p3.session import P3Session
from velotime.families.base import Family
from velotime.families.p3.decode import decode
from velotime.families.p3.source import P3Description, P3SourceConfig, dump_description

__all__ = ["FAMILY", "P3Description", "P3SourceConfig"]

FAMILY = Family(
    name="p3",
    device="AMB/MYLAPS P3 transponder decoder",
    codec="velotime.protocols.p3",
    decode=decode,
    dump_format="auto",
    config=P3SourceConfig,
    description=P3Description,
    session=P3Session,
    simulator="velotime.simulators.p3_decoder:P3DecoderSimulator",
    dump_description=dump_description,
)
