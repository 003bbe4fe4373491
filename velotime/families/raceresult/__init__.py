"""Race Result decoders over TCP (velotime/protocols/raceresult, docs/protocols/raceresult.md)."""

from velotime.families.family import Family, Part

__all__ = ["FAMILY"]

FAMILY = Family(
    name="raceresult",
    decode=Part("velotime.families.raceresult.decode:decode"),
    dump_format="raw",
    config=Part("velotime.families.raceresult.source:RaceResultSourceConfig"),
    description=Part("velotime.families.raceresult.source:RaceResultDescription"),
    simulate=Part("velotime.families.raceresult.simulate:COMMAND"),
    dump_description=Part("velotime.families.raceresult.source:dump_description"),
)
