"""FinishLynx result files (.lif): read whole, never a live source (velotime/protocols/lif,
docs/protocols/lif.md). `velotime import-lif` and replay turn them into photo-finish events."""

from velotime.families.family import Family, Part

__all__ = ["FAMILY"]

FAMILY = Family(
    name="lif",
    decode=Part("velotime.families.lif.decode:decode"),
    read_file=Part("velotime.families.lif.events:read_file"),
)
