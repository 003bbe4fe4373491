"""The meet file's documentation shows TOML that the meet check accepts and reads as it says."""

import re
import tomllib
from pathlib import Path

import msgspec

from velotime.scoring.meet import MeetOmnium, Rider, parse_meet
from velotime.scoring.riders_csv import COLUMNS
from velotime.scoring.rules.omnium import UCI, OmniumFormat
from velotime.scoring.rules.timed_rounds import (
    QUALIFYING_ROUND,
    TEAM_SPRINT,
    Format,
    RoundSpec,
    check_format,
)

DOC = Path(__file__).parents[2] / "docs" / "meet-format.md"
RIDERS = "".join(f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\n' for bib in range(101, 113))


def test_the_competition_examples_make_the_competition_they_describe() -> None:
    competition, own_table = _toml_blocks("[[competitions")[:2]  # the keirin's
    meet = parse_meet(f'[meet]\nid = "doc"\n{RIDERS}{competition}')
    (spec,) = meet.competitions
    assert spec.plan().format == "10-14"  # twelve entrants: the UCI table
    assert spec.heat_ids(spec.plan())[-1] == "keirin-m-final-7-12"  # as the text names it
    meet = parse_meet(f'[meet]\nid = "doc"\n{RIDERS}{competition}{own_table}')
    rounds = meet.competitions[0].plan().rounds
    assert [(r.name, r.heat_sizes) for r in rounds] == [
        ("round 1", (6, 6)), ("final 1-6", (6,)), ("final 7-12", (6,)),
    ]  # fmt: skip


def test_the_pursuit_and_team_sprint_example_makes_the_rounds_it_describes() -> None:
    """The example's team 1 and seven more teams of three (the "..." of the example)."""
    (example,) = _toml_blocks('id = "ip-m"')
    riders = "".join(f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\n' for bib in range(201, 225))
    teams = "".join(
        f"[[competitions.teams]]\nnumber = {t}\n"
        f"riders = {[198 + 3 * t, 199 + 3 * t, 200 + 3 * t]}\n"
        for t in range(2, 9)
    )
    meet = parse_meet(f'[meet]\nid = "doc"\n{RIDERS}{riders}{example}{teams}')
    pursuit, team_sprint = meet.competitions
    assert pursuit.timed_heat_ids()[:3] == [
        "ip-m-qualifying-1",
        "ip-m-qualifying-2",
        "ip-m-qualifying-3",
    ]
    assert team_sprint.timed_heat_ids()[-4:] == [
        "ts-w-final-7-8", "ts-w-final-5-6", "ts-w-final-3-4", "ts-w-final-1-2",
    ]  # fmt: skip


def test_the_own_table_examples_are_tables_the_code_reads() -> None:
    """The gold final alone is checked; the team sprint's first round is the built-in one."""
    gold, first_round = _toml_blocks("[[competitions.matches]]")
    for block in (gold, first_round):
        (spec,) = msgspec.convert(tomllib.loads(block)["competitions"]["matches"], list[RoundSpec])
        check_format(Format(name="doc", rounds=(QUALIFYING_ROUND, spec)))
    (spec,) = msgspec.convert(
        tomllib.loads(first_round)["competitions"]["matches"], list[RoundSpec]
    )
    assert spec == TEAM_SPRINT.rounds[1]


def test_the_sprint_examples_make_the_tournament_they_describe() -> None:
    """The sprint example seeds from `sprint-q` (8 qualifiers here: the knockout of 8, ids as
    the text names them); the own table is semi-finals and finals of 4."""
    tournament, own_table = _toml_blocks("[[competitions")[2:4]  # the sprint's
    qualifying = (
        '[[events]]\nid = "sprint-q"\ndiscipline = "flying200"\n'
        f"start_order = {list(range(101, 113))}\nqualify = 8\n"
    )
    meet = parse_meet(f'[meet]\nid = "doc"\n{RIDERS}{qualifying}{tournament}')
    (spec,) = meet.competitions
    planned = spec.sprint_plan(meet)
    assert planned.format == "knockout 8"
    assert spec.race_ids(planned)[:2] == ["sprint-m-1-4-1-r1", "sprint-m-1-4-1-r2"]
    assert spec.race_ids(planned)[-1] == "sprint-m-final-r3"
    own = tournament.replace('qualifying = "sprint-q"', "seeding = [101, 102, 103, 104]")
    meet = parse_meet(f'[meet]\nid = "doc"\n{RIDERS}{own}{own_table}')
    rounds = meet.competitions[0].sprint_plan(meet).rounds
    assert [(r.name, r.best_of, r.first_place) for r in rounds] == [
        ("1/2", 3, None), ("bronze final", 3, 3), ("final", 3, 1),
    ]  # fmt: skip


def _toml_blocks(containing: str) -> list[str]:
    return [b for b in re.findall(r"```toml\n(.*?)```", DOC.read_text(), re.S) if containing in b]


def _table_keys(section: str) -> list[str]:
    """The keys in the first column of the first table after the heading `section`."""
    text = DOC.read_text().split(f"## {section}\n", 1)[1]
    rows = text.split("\n|---", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    return [key for row in rows for key in re.findall(r"`([a-z_]+)`", row.split("|")[1])]


def test_the_riders_keys_and_csv_columns_are_those_the_code_reads() -> None:
    assert _table_keys("`[[riders]]`") == [f.name for f in msgspec.structs.fields(Rider)]
    assert _table_keys("Riders from a CSV file") == list(COLUMNS)


def test_the_plausible_example_sets_the_windows_it_describes() -> None:
    """docs/meet-format.md, "Plausible times": flying 200 m slowest 25.000 (fastest the default
    8.500); 500 m fastest 29.000 (slowest the default 500 x 180 ms = 1:30.000); the event
    kilo-w fastest 58.000, slowest the default 1000 x 180 ms = 3:00.000."""
    (example,) = [block for block in re.findall(r"```toml\n(.*?)```", DOC.read_text(), re.S)
                  if "[[plausible]]" in block]  # fmt: skip
    extra = (
        '[[events]]\nid = "f"\ndiscipline = "flying200"\nstart_order = [101]\n'
        '[[events]]\nid = "w500"\ndiscipline = "time_trial"\nstart_order = [101]\n'
        "distance_m = 500\n"
    )
    meet = parse_meet(f'[meet]\nid = "doc"\n{RIDERS}{example}{extra}')
    windows = {event.id: meet.window(event) for event in meet.events}
    assert windows == {
        "kilo-w": (58_000_000, 180_000_000),
        "f": (8_500_000, 25_000_000),
        "w500": (29_000_000, 90_000_000),
    }


def test_the_omnium_examples_make_the_omniums_they_describe() -> None:
    """docs/meet-format.md, "[[omniums]]": the first example is scored by the UCI table, its
    races the events it names; the second by the club's own table, as listed."""
    default, own = _toml_blocks("[[omniums]]")
    meet = parse_meet(f'[meet]\nid = "doc"\n{RIDERS}{default}')
    (omnium,) = meet.omniums
    assert meet.omnium_format(omnium) is UCI
    assert omnium.race_ids(UCI) == [
        "omnium-w-scratch", "omnium-w-tempo", "omnium-w-elimination", "omnium-w-points-race"
    ]  # fmt: skip
    meet = parse_meet(f'[meet]\nid = "doc"\n{RIDERS}{own}')
    club = meet.omnium_format(meet.omniums[0])
    assert [race.name for race in club.races] == ["scratch", "elimination", "points race"]
    assert (club.points_for(1), club.points_for(7), club.points_for(8)) == (10, 2, 1)


def test_the_omnium_keys_are_those_the_code_reads() -> None:
    section = DOC.read_text().split("## `[[omniums]]`", 1)[1]
    tables = re.findall(r"\n\| key \|.*?\n\|---.*?\n((?:\|.*\n)+)", section)
    omnium_keys, format_keys = (
        [key for row in rows.splitlines() for key in re.findall(r"`([a-z_]+)`", row.split("|")[1])]
        for rows in tables
    )
    assert omnium_keys == [f.name for f in msgspec.structs.fields(MeetOmnium)]
    assert format_keys == [f.name for f in msgspec.structs.fields(OmniumFormat)]
