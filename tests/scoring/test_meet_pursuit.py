"""The meet file's checks of pursuit heats: each mistake named by its key, with what it
should be."""

import pytest

from velotime.scoring.meet import MeetError, parse_meet

RIDERS = "".join(f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\n' for bib in range(1, 30))


def problems(events: str) -> list[str]:
    try:
        parse_meet(f'[meet]\nid = "m"\n{RIDERS}{events}', "m.toml")
    except MeetError as error:
        return list(error.problems)
    return []


def team(number: int, riders: list[int]) -> str:
    return f"[[events.teams]]\nnumber = {number}\nriders = {riders}\n"


def test_good_heats_pass() -> None:
    assert (
        problems(
            '[[events]]\nid = "ip"\ndiscipline = "individual_pursuit"\ndistance_m = 4000\n'
            "riders = [1, 2]\nmatch = true\ncatch_ends = true\n"
            '[[events]]\nid = "ip-alone"\ndiscipline = "individual_pursuit"\ndistance_m = 3000\n'
            "riders = [3]\n"
            '[[events]]\nid = "tp"\ndiscipline = "team_pursuit"\ndistance_m = 4000\n'
            + team(1, [11, 12, 13, 14])
            + team(2, [21, 22, 23, 24])
        )
        == []
    )


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            'discipline = "individual_pursuit"\nriders = [1, 2, 3]\n',
            [
                "m.toml: events[0].riders: an individual pursuit heat is one or two riders "
                "(home side first), got 3",
                "m.toml: events[0].distance_m: a pursuit needs its distance in metres (4000)",
            ],
        ),
        (
            'discipline = "individual_pursuit"\ndistance_m = 4000\nriders = [1, 2]\n'
            "catch_ends = true\nlaps = 16\n",
            [
                "m.toml: events[0].catch_ends: only a match heat (match = true) ends at a "
                "catch; in qualifying the caught rider rides on for a time (3.2.056)",
                "m.toml: events[0].laps: not used by individual_pursuit",
            ],
        ),
        (
            'discipline = "team_pursuit"\ndistance_m = 4000\nriders = [1]\n'
            + team(1, [11, 12])
            + team(2, [21, 22, 23, 11]),
            [
                "m.toml: events[0].riders: not used by team_pursuit; its teams name the riders",
                "m.toml: events[0].teams[0].riders: a team pursuit team is four riders (three "
                "before 2013), got 2",
                "m.toml: events[0].teams[1].riders[3]: bib 11 is also in team 1",
            ],
        ),
    ],
)
def test_mistakes_are_named_by_key(event: str, expected: list[str]) -> None:
    assert problems(f'[[events]]\nid = "x"\n{event}') == expected
