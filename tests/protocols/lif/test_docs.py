"""docs/protocols/lif.md describes every column, status word and warning kind the code has."""

from pathlib import Path

import pytest

from velotime.protocols.lif import (
    EXTRA_COLUMNS,
    HEADER_COLUMNS,
    RESULT_COLUMNS,
    STATUS_CODES,
    LifWarningKind,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "protocols" / "lif.md"


@pytest.mark.parametrize(
    "name",
    [
        *HEADER_COLUMNS,
        *RESULT_COLUMNS,
        *EXTRA_COLUMNS,
        *STATUS_CODES,
        *(kind.value for kind in LifWarningKind),
    ],
)
def test_the_documentation_names_it(name: str) -> None:
    assert f"`{name}`" in DOC.read_text(encoding="utf-8")
