"""Seeds for the TOML loaders: the project's example files, whole and table by table."""

import re
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
_TABLE = re.compile(rb"^(?=\[)", re.MULTILINE)


def toml_seeds(path: Path) -> Iterator[bytes]:
    """The file, then each of its tables (a `[table]` or `[[array]]` line to the next)."""
    data = path.read_bytes()
    yield data
    yield from (table for table in _TABLE.split(data) if table.strip())
