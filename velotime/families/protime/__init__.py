"""Tag Heuer / Chronelec Protime transponder decoders (velotime/protocols/protime,
docs/protocols/protime.md)."""

from velotime.families.family import Family, Part

__all__ = ["FAMILY"]

FAMILY = Family(
    name="protime",
    decode=Part("velotime.families.protime.decode:decode"),
    config=Part("velotime.families.protime.source:ProtimeSourceConfig"),
    description=Part("velotime.families.protime.source:ProtimeDescription"),
    simulate=Part("velotime.families.protime.simulate:COMMAND"),
    dump_description=Part("velotime.families.protime.source:dump_description"),
)
