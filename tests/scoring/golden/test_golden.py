"""Every golden session gives, byte for byte, the files the code before issue 11 gave
(tests/scoring/golden/__init__.py)."""

from pathlib import Path

import pytest

from tests.scoring.golden.produce import FILES, produce
from tests.scoring.golden.sessions import SESSIONS


@pytest.mark.parametrize("name", list(SESSIONS))
def test_the_results_are_those_before_the_incremental_engine(tmp_path: Path, name: str) -> None:
    golden = {
        path.relative_to(FILES / name).as_posix(): path.read_bytes()
        for path in sorted((FILES / name).rglob("*.*"))
    }
    produced = produce(name, tmp_path)
    assert sorted(produced) == sorted(golden)
    for relative, data in golden.items():
        assert produced[relative] == data, f"{name}/{relative}"
