"""The meet file's checks of a team sprint heat (velotime/scoring/meet.py; docs/meet-format.md
shows these messages)."""

import pytest

from tests.scoring.scenarios.devices import riders_toml
from velotime.scoring.meet import MeetError, parse_meet

RIDERS = riders_toml({bib: (f"Rider {bib}", "NED", 100 + bib) for bib in range(1, 10)})


def meet(teams: list[tuple[int, list[int]]], extra: str = "") -> str:
    listed = "".join(f"[[events.teams]]\nnumber = {n}\nriders = {r}\n" for n, r in teams)
    return (
        f'[meet]\nid = "t"\n{RIDERS}[[events]]\nid = "ts"\ndiscipline = "team_sprint"\n'
        f"{extra}{listed}"
    )


def problems(text: str) -> list[str]:
    with pytest.raises(MeetError) as caught:
        parse_meet(text, source="meet.toml")
    return list(caught.value.problems)


def test_a_heat_of_two_teams_of_three_loads_with_its_riders() -> None:
    loaded = parse_meet(meet([(10, [1, 2, 3]), (20, [4, 5, 6])], "match = true\n"))
    (event,) = loaded.events
    assert event.riders == (1, 2, 3, 4, 5, 6)  # the start list, the commands' check
    assert event.match
    assert parse_meet(meet([(10, [1, 2, 3])])).events[0].teams[0].number == 10  # alone
    assert parse_meet(meet([(10, [1, 2])], "laps = 2\n")).events[0].laps == 2  # the old format


def test_each_mistake_in_the_teams_is_said() -> None:
    assert problems(meet([(10, [1, 2, 3]), (20, [4, 5])])) == [
        "meet.toml: events[0].teams[1].riders: 3 riders for 3 laps, in riding order, got 2"
    ]
    assert problems(meet([(1, [1, 2, 3]), (20, [4, 5, 6])])) == [
        "meet.toml: events[0].teams[0].number: a positive number, neither a rider's bib of the "
        "heat nor the other team's (a command names the team by it), got 1"
    ]
    assert problems(meet([(10, [1, 2, 3]), (20, [4, 5, 6]), (30, [7, 8, 9])])) == [
        "meet.toml: events[0].teams: a team sprint heat is two teams (or one alone), got 3"
    ]
    assert problems(meet([(10, [1, 2, 3]), (20, [3, 5, 6])], "laps = 4\n")) == [
        "meet.toml: events[0].laps: a team sprint is 3 laps (or 2), got 4",
        "meet.toml: events[0].teams[0].riders: 4 riders for 4 laps, in riding order, got 3",
        "meet.toml: events[0].teams[1].riders: 4 riders for 4 laps, in riding order, got 3",
        "meet.toml: events[0].teams[1].riders[0]: bib 3 is also in team 10",
    ]
