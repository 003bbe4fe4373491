"""ALGE Timy impulse timers (velotime/protocols/timy, docs/protocols/timy.md)."""

from velotime.families.family import Family, Part

__all__ = ["FAMILY"]

FAMILY = Family(
    name="timy",
    decode=Part("velotime.families.timy.decode:decode"),
    config=Part("velotime.families.timy.source:TimySourceConfig"),
    description=Part("velotime.families.timy.source:TimyDescription"),
    simulate=Part("velotime.families.timy.simulate:COMMAND"),
    dump_description=Part("velotime.families.timy.source:dump_description"),
)
