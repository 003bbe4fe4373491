"""The meet file's documentation shows TOML that the meet check accepts and reads as it says."""

import re
from pathlib import Path

import msgspec

from velotime.scoring.meet import Rider, parse_meet
from velotime.scoring.riders_csv import COLUMNS

DOC = Path(__file__).parents[2] / "docs" / "meet-format.md"
RIDERS = "".join(f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\n' for bib in range(101, 113))


def test_the_competition_examples_make_the_competition_they_describe() -> None:
    competition, own_table = re.findall(r"```toml\n(.*?)```", DOC.read_text(), re.S)[-2:]
    meet = parse_meet(f'[meet]\nid = "doc"\n{RIDERS}{competition}')
    (spec,) = meet.competitions
    assert spec.plan().format == "10-14"  # twelve entrants: the UCI table
    assert spec.heat_ids(spec.plan())[-1] == "keirin-m-final-7-12"  # as the text names it
    meet = parse_meet(f'[meet]\nid = "doc"\n{RIDERS}{competition}{own_table}')
    rounds = meet.competitions[0].plan().rounds
    assert [(r.name, r.heat_sizes) for r in rounds] == [
        ("round 1", (6, 6)), ("final 1-6", (6,)), ("final 7-12", (6,)),
    ]  # fmt: skip


def _table_keys(section: str) -> list[str]:
    """The keys in the first column of the first table after the heading `section`."""
    text = DOC.read_text().split(f"## {section}\n", 1)[1]
    rows = text.split("\n|---", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    return [key for row in rows for key in re.findall(r"`([a-z_]+)`", row.split("|")[1])]


def test_the_riders_keys_and_csv_columns_are_those_the_code_reads() -> None:
    assert _table_keys("`[[riders]]`") == [f.name for f in msgspec.structs.fields(Rider)]
    assert _table_keys("Riders from a CSV file") == list(COLUMNS)
