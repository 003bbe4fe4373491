"""AMB/MYLAPS P3 transponder decoders (velotime/protocols/p3, docs/protocols/p3.md)."""

from velotime.families.family import Family, Part

__all__ = ["FAMILY"]

FAMILY = Family(
    name="p3",
    decode=Part("velotime.families.p3.decode:decode"),
    dump_format="auto",
    config=Part("velotime.families.p3.source:P3SourceConfig"),
    description=Part("velotime.families.p3.source:P3Description"),
    simulate=Part("velotime.families.p3.simulate:COMMAND"),
    dump_description=Part("velotime.families.p3.source:dump_description"),
)
