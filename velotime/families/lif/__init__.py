"""FinishLynx result files (.lif), read whole (velotime/protocols/lif, docs/protocols/lif.md):
`velotime import-lif` hands them to the daemon, which records them in its capture as the `lif`
source and turns them into photo-finish events; replay reads them from the capture, or a file
as it is."""

from velotime.families.family import Family, Part

__all__ = ["FAMILY"]

FAMILY = Family(
    name="lif",
    decode=Part("velotime.families.lif.decode:decode"),
    description=Part("velotime.families.lif.source:LifDescription"),
    read_file=Part("velotime.families.lif.events:read_file"),
)
