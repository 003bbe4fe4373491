"""What a protocol family is: its name, and its parts named by where they live.

A family's parts are imported on first use (`Part`), so that the registry costs only its names
at start-up: `velotime decode --protocol p3` imports p3's decoder, and no family's driver,
settings or simulator.
"""

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

if TYPE_CHECKING:
    import argparse
    from datetime import tzinfo

    from velotime.capture.dumps import BadHexLine
    from velotime.families.base import SourceConfig, SourceDescription
    from velotime.wire.events import Event

Chunks = Iterable["bytes | BadHexLine"]  # a dump as `velotime decode` reads it
Decode = Callable[[Chunks, bool], dict[str, Any]]  # (chunks, print records) -> the summary
# A foreign dump of the family replayed as one source: (line, timezone) -> its description.
DumpDescription = Callable[[str, str], "SourceDescription"]
DumpFormatChoice = Literal["auto", "raw", "hex"]


@dataclass(frozen=True)
class FileRead:
    """A file that is no stream (a FinishLynx result file), read whole."""

    events: "list[Event]"
    warnings: tuple[str, ...]  # one line each, naming the file


# A file of the family read whole: (its bytes, its name, the source its events come from, the
# venue's time zone, when it was written) -> what it holds.
ReadFile = Callable[[bytes, str, str, "tzinfo", int], FileRead]

T = TypeVar("T")


@dataclass(frozen=True)
class Part(Generic[T]):
    """A part of a family, named "module:attribute" and imported when it is first loaded. Its
    type is the registry's word for it: tests/families/test_registry.py loads every family's
    parts and checks each is what its field says."""

    path: str

    def load(self) -> T:
        module, _, attribute = self.path.partition(":")
        loaded: T = getattr(importlib.import_module(module), attribute)
        return loaded


@dataclass(frozen=True)
class SimulateCommand:
    """`velotime simulate NAME`: the family's simulated device, run from a command line."""

    help: str  # one line, for `velotime simulate --help`
    description: str  # for `velotime simulate NAME --help`
    add_arguments: Callable[["argparse.ArgumentParser"], None]
    run: Callable[["argparse.Namespace"], int]  # the exit status


@dataclass(frozen=True)
class Family:
    """One protocol family, as the rest of velotime knows it: everything is reached from here.

    Adding a family is its folder under `velotime/families/` and one line in the registry
    (`velotime/families/__init__.py`); see docs/architecture.md."""

    name: str  # the `protocol` of its sources, its capture headers and `velotime decode`
    decode: Part[Decode]  # `velotime decode --protocol NAME`: prints records, returns the summary
    dump_format: DumpFormatChoice = "raw"  # what `velotime decode` assumes without --format
    config: "Part[type[SourceConfig]] | None" = None  # its [[sources]] entry; None: no live source
    description: "Part[type[SourceDescription]] | None" = None  # its capture header entry
    simulate: Part[SimulateCommand] | None = None  # `velotime simulate NAME`
    dump_description: Part[DumpDescription] | None = None  # a foreign dump replayed as a source
    read_file: Part[ReadFile] | None = None  # or, for files that are no stream, read whole
