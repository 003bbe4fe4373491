"""The FinishLynx photo-finish camera's live results (velotime/protocols/lynx,
docs/protocols/lynx.md)."""

from velotime.families.family import Family, Part

__all__ = ["FAMILY"]

FAMILY = Family(
    name="lynx",
    decode=Part("velotime.families.lynx.decode:decode"),
    config=Part("velotime.families.lynx.source:LynxSourceConfig"),
    description=Part("velotime.families.lynx.source:LynxDescription"),
    simulate=Part("velotime.families.lynx.simulate:COMMAND"),
    dump_description=Part("velotime.families.lynx.source:dump_description"),
)
