"""The meet file: the shipped example loads; every kind of mistake is named by its key."""

from pathlib import Path

import pytest

from velotime.scoring.meet import MeetError, load_meet, parse_meet

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "meets" / "example-meet.toml"

SMALL = """
[meet]
id = "club-night"

[[riders]]
bib = 1
name = "Ana MARTIN"
nation = "NED"
transponders = [5001]

[[riders]]
bib = 2
name = "Ben BAKER"
transponders = [5002]

[[events]]
id = "f200"
discipline = "flying200"
start_order = [2, 1]
qualify = 1

[[events]]
id = "km"
discipline = "time_trial"
distance_m = 1000
start_order = [1, 2]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(MeetError) as caught:
        parse_meet(text, source="m.toml")
    return list(caught.value.problems)


def test_the_example_meet_loads() -> None:
    meet = load_meet(EXAMPLE)
    assert meet.meet.id == "example-open-2026"
    assert len(meet.riders) == 24
    assert [(e.id, e.discipline) for e in meet.events] == [
        ("sprint-q", "flying200"),
        ("km-final", "time_trial"),
        ("keirin-final", "keirin"),
    ]
    sprint = meet.event("sprint-q")
    assert sorted(sprint.start_order) == [r.bib for r in meet.riders]  # everyone rides it
    assert meet.event("km-final").distance_m == 1000
    assert len(meet.event("keirin-final").riders) == 6


def test_riders_and_transponders_look_up() -> None:
    meet = parse_meet(SMALL)
    assert meet.rider(2).name == "Ben BAKER"
    assert meet.bib_of_transponder() == {5001: 1, 5002: 2}


def test_a_wrong_type_names_its_key() -> None:
    found = problems(SMALL.replace("bib = 2", 'bib = "two"'))
    assert found == ["m.toml: riders[1].bib: expected an integer, got a string 'two'"]


def test_every_semantic_mistake_is_reported_at_once() -> None:
    broken = (
        SMALL.replace('id = "club-night"', 'id = "Club Night"')
        .replace("start_order = [2, 1]", "start_order = [2, 99, 2]")
        .replace("transponders = [5002]", "transponders = [5001]")
        .replace("distance_m = 1000\n", "")
        .replace('id = "km"', 'id = "f200"')
    )
    assert problems(broken) == [
        "m.toml: meet.id: lowercase letters, digits, '-' and '_', got 'Club Night'",
        "m.toml: riders[1].transponders: 5001 is also rider 1's",
        "m.toml: events[0].start_order[1]: no rider with bib 99 in [[riders]]",
        "m.toml: events[0].start_order[2]: bib 2 twice",
        "m.toml: events[1].id: 'f200' is also events[0]",
        "m.toml: events[1].distance_m: a time trial needs its distance in metres",
    ]


def test_each_discipline_takes_its_own_keys() -> None:
    found = problems(
        SMALL + '\n[[events]]\nid = "k"\ndiscipline = "keirin"\nstart_order = [1, 2]\n'
        "distance_m = 250\nqualify = 3\n"
    )
    assert "m.toml: events[2].riders: a keirin event needs its riders" in found
    assert "m.toml: events[2].start_order: not used by keirin; use riders" in found
    assert "m.toml: events[2].distance_m: a keirin's distance is given in laps (laps = 6)" in found
    assert "m.toml: events[2].qualify: a number of riders, for a flying200 event only" in found


def test_a_keirin_distance_is_a_number_of_laps() -> None:
    keirin = '\n[[events]]\nid = "k"\ndiscipline = "keirin"\nriders = [1, 2, 3, 4, 5, 6]\n'
    riders = "".join(f'[[riders]]\nbib = {bib}\nname = "R{bib}"\n' for bib in range(3, 11))
    meet = SMALL + riders
    assert parse_meet(meet + keirin + "laps = 6\n").event("k").laps == 6
    assert problems(meet + keirin + "laps = 0\n") == [
        "m.toml: events[2].laps: a keirin's distance in laps, 1 to 20, got 0"
    ]
    assert problems(meet + keirin + 'laps = "six"\n') == [
        "m.toml: events[2].laps: expected an integer, got a string 'six'"
    ]
    assert problems(meet.replace("qualify = 1", "qualify = 1\nlaps = 3")) == [
        "m.toml: events[0].laps: only a keirin, a sprint or a bunch race (scratch, madison, "
        "elimination, points_race, tempo) takes laps"
    ]
    competition = (
        f'\n[[competitions]]\nid = "kc"\ndiscipline = "keirin"\nseeding = {list(range(1, 11))}\n'
    )
    assert problems(meet + competition + "laps = 21\n") == [
        "m.toml: competitions[0].laps: a keirin's distance in laps, 1 to 20, got 21"
    ]


def test_a_scratch_race_is_a_field_over_a_number_of_laps() -> None:
    """A scratch race takes `riders` and requires `laps` (1 to 400); no metres, no plausible
    window, no qualify; at least 2 riders."""
    scratch = '\n[[events]]\nid = "s"\ndiscipline = "scratch"\nriders = [1, 2]\n'
    assert parse_meet(SMALL + scratch + "laps = 40\n").event("s").laps == 40
    assert problems(SMALL + scratch) == [
        "m.toml: events[2].laps: a scratch race needs its distance in laps"
    ]
    assert problems(SMALL + scratch + "laps = 401\ndistance_m = 10000\nqualify = 2\n") == [
        "m.toml: events[2].laps: a scratch race's distance in laps, 1 to 400, got 401",
        "m.toml: events[2].distance_m: a scratch race's distance is given in laps (laps = 40)",
        "m.toml: events[2].qualify: a number of riders, for a flying200 event only",
    ]
    one = '\n[[events]]\nid = "s"\ndiscipline = "scratch"\nstart_order = [1]\nlaps = 4\n'
    assert problems(SMALL + one) == [
        "m.toml: events[2].riders: a scratch event needs its riders",
        "m.toml: events[2].start_order: not used by scratch; use riders",
    ]


MADISON = """
[[riders]]
bib = 11
name = "R11"
[[riders]]
bib = 12
name = "R12"
[[riders]]
bib = 21
name = "R21"
[[riders]]
bib = 22
name = "R22"

[[events]]
id = "md"
discipline = "madison"
laps = 40
sprint_every = 10
[[events.teams]]
number = 1
name = "Team One"
nation = "NED"
riders = [11, 12]
[[events.teams]]
number = 2
riders = [21, 22]
"""


def test_a_madison_names_its_teams_of_two_riders() -> None:
    """A Madison event lists teams (number, name, nation, two riders by bib); its `riders` are
    then its teams' riders, in team order. A bib in two teams, a team of one, an unknown bib, a
    team number that is another team's rider, and teams on another discipline are refused."""
    event = parse_meet(SMALL + MADISON).event("md")
    assert event.riders == (11, 12, 21, 22)
    assert [(t.number, t.name, t.riders) for t in event.teams] == [
        (1, "Team One", (11, 12)),
        (2, "", (21, 22)),
    ]
    broken = (
        MADISON.replace("riders = [21, 22]", "riders = [11, 99]")
        .replace("riders = [11, 12]", "riders = [11]")
        .replace("number = 2", "number = 11")
    )
    assert problems(SMALL + broken) == [
        "m.toml: events[2].teams[0].riders: a Madison team is two riders, got 1",
        "m.toml: events[2].teams[1].riders[0]: bib 11 is also in team 1",
        "m.toml: events[2].teams[1].riders[1]: no rider with bib 99 in [[riders]]",
        "m.toml: events[2].teams[1].number: 11 is also a rider of team 1",
    ]
    assert problems(SMALL + MADISON.replace("sprint_every = 10", "riders = [11, 12]")) == [
        "m.toml: events[2].riders: not used by madison; its teams name the riders"
    ]
    assert problems(SMALL + MADISON.replace("sprint_every = 10", "sprint_every = 41")) == [
        "m.toml: events[2].sprint_every: laps between sprints, 1 to the race's 40, got 41"
    ]
    one_team = MADISON[: MADISON.index("[[events.teams]]\nnumber = 2")]
    assert problems(SMALL + one_team) == [
        "m.toml: events[2].teams: a madison race needs at least 2 teams"
    ]
    scratch = '\n[[events]]\nid = "s"\ndiscipline = "scratch"\nriders = [1, 2]\nlaps = 4\n'
    teams = "sprint_every = 2\n[[events.teams]]\nnumber = 1\nriders = [1, 2]\n"
    assert problems(SMALL + scratch + teams) == [
        "m.toml: events[2].teams: only a madison event has teams",
        "m.toml: events[2].sprint_every: only a race with sprints (madison, elimination, "
        "points_race)",
    ]


def test_unknown_keys_and_disciplines_are_refused_as_the_configuration_refuses_them() -> None:
    assert problems(SMALL.replace("qualify = 1", "qualfy = 1")) == [
        "m.toml: events[0].qualfy: unknown key (did you mean 'qualify'?)"
    ]
    assert problems(SMALL.replace('"flying200"', '"derny"')) == [
        "m.toml: events[0].discipline: unknown value 'derny'; valid: elimination, "
        "flying200, individual_pursuit, keirin, madison, points_race, scratch, sprint, "
        "team_pursuit, team_sprint, tempo, time_trial"
    ]
    assert problems(SMALL + "\n[mete]\nid = 'x'\n") == [
        "m.toml: mete: unknown key (did you mean 'meet'?)"
    ]


def test_a_misspelt_discipline_lists_the_valid_ones_and_the_closest() -> None:
    assert problems(SMALL.replace('"time_trial"', '"time_trail"')) == [
        "m.toml: events[1].discipline: unknown value 'time_trail'; valid: elimination, "
        "flying200, individual_pursuit, keirin, madison, points_race, scratch, sprint, "
        "team_pursuit, team_sprint, tempo, time_trial (did you mean 'time_trial'?)"
    ]


def test_every_unknown_key_in_the_tables_is_reported_at_once() -> None:
    # msgspec stops at the first unknown key of a nested table; the user gets them all.
    broken = (
        SMALL.replace("qualify = 1", "qualfy = 1")
        .replace('nation = "NED"', 'nations = "NED"')
        .replace("distance_m = 1000", "distance = 1000")
    )
    assert problems(broken) == [
        "m.toml: riders[0].nations: unknown key (did you mean 'nation'?)",
        "m.toml: events[0].qualfy: unknown key (did you mean 'qualify'?)",
        "m.toml: events[1].distance: unknown key (did you mean 'distance_m'?)",
    ]


def test_a_toml_mistake_gives_its_line() -> None:
    line = SMALL.count("\n") + 2
    assert problems(SMALL + "\nbroken = \n") == [
        f"m.toml: line {line}, column 10: invalid TOML: invalid value"
    ]


def riders_toml(bibs: range) -> str:
    return "".join(f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\n' for bib in bibs)


def test_a_keirin_competition_is_drawn_up_from_the_uci_table() -> None:
    meet = parse_meet(
        f'[meet]\nid = "m"\n{riders_toml(range(1, 16))}'
        '[[competitions]]\nid = "keirin-w"\ndiscipline = "keirin"\n'
        f"seeding = {list(range(1, 16))}\n"
    )
    (competition,) = meet.competitions
    planned = competition.plan()
    # 15 entrants: the 15-20 table, round 1 in three heats, a repechage in two (§2.5).
    assert planned.format == "15-20"
    assert competition.heat_ids(planned) == [
        "keirin-w-round-1-1", "keirin-w-round-1-2", "keirin-w-round-1-3",
        "keirin-w-repechage-1", "keirin-w-repechage-2",
        "keirin-w-semi-finals-1", "keirin-w-semi-finals-2",
        "keirin-w-final-1-6", "keirin-w-final-7-12",
    ]  # fmt: skip


def test_a_competition_s_mistakes_are_named_by_key() -> None:
    found = problems(
        f'[meet]\nid = "m"\n{riders_toml(range(1, 6))}'
        '[[events]]\nid = "k-final-1-6"\ndiscipline = "keirin"\nriders = [1, 2, 3, 4, 5]\n'
        '[[competitions]]\nid = "k"\ndiscipline = "keirin"\nseeding = [1, 2, 3, 4, 5, 5, 9]\n'
    )
    assert "m.toml: competitions[0].seeding[5]: bib 5 twice" in found
    assert "m.toml: competitions[0].seeding[6]: no rider with bib 9 in [[riders]]" in found
    # Seven entrants: no UCI table starts below 10.
    assert any(p.startswith("m.toml: competitions[0]: keirin: no competition table") for p in found)
    found = problems(
        f'[meet]\nid = "m"\n{riders_toml(range(1, 13))}'
        '[[events]]\nid = "k-final-1-6"\ndiscipline = "keirin"\nriders = [1, 2, 3, 4, 5, 6]\n'
        f'[[competitions]]\nid = "k"\ndiscipline = "keirin"\nseeding = {list(range(1, 13))}\n'
    )
    assert found == ["m.toml: competitions[0]: the id 'k-final-1-6' is also events[0]'s"]


def test_plausible_windows_come_from_the_event_then_the_meet_then_the_defaults() -> None:
    """Defaults: flying 200 m 8.500 to 20.000 s; a kilometre at 72 km/h and 20 km/h on average,
    1000 m / 20 m/s = 50.000 s and 1000 m / (20/3.6 m/s) = 180.000 s. The meet's table for
    1000 m moves the fastest to 55.000; the event's own key the slowest to 2:00.000."""
    assert [parse_meet(SMALL).window(e) for e in parse_meet(SMALL).events] == [
        (8_500_000, 20_000_000),
        (50_000_000, 180_000_000),
    ]
    meet = parse_meet(
        SMALL.replace(
            "start_order = [1, 2]", 'start_order = [1, 2]\nplausible.slowest = "2:00.000"'
        )
        + '[[plausible]]\ndiscipline = "time_trial"\ndistance_m = 1000\nfastest = "55.000"\n'
        + '[[plausible]]\ndiscipline = "time_trial"\ndistance_m = 500\nfastest = "29.000"\n'
    )
    assert meet.window(meet.event("km")) == (55_000_000, 120_000_000)
    assert meet.window(meet.event("f200")) == (8_500_000, 20_000_000)


def test_a_wrong_plausible_window_is_named_by_its_key() -> None:
    found = problems(
        SMALL.replace("qualify = 1", 'qualify = 1\nplausible = {fastest = "10", slowest = "0.000"}')
        .replace("start_order = [1, 2]", 'start_order = [1, 2]\nplausible.fastest = "1:00.000"\n'
                 'plausible.slowest = "55.000"')
        + '[[plausible]]\ndiscipline = "time_trial"\n'
        + '[[plausible]]\ndiscipline = "flying200"\ndistance_m = 200\n'
        + '[[plausible]]\ndiscipline = "flying200"\ndistance_m = 200\n'
    )  # fmt: skip
    assert found == [
        "m.toml: plausible[0].distance_m: a time trial's window is for one distance, in metres",
        "m.toml: plausible[1].distance_m: only a time trial's window takes a distance",
        "m.toml: plausible[2].distance_m: only a time trial's window takes a distance",
        "m.toml: plausible[2]: the same discipline and distance as plausible[1]",
        "m.toml: events[0].plausible.fastest: not a time like 10.724 or 1:00.981: '10'",
        "m.toml: events[0].plausible.slowest: a time above zero, got '0.000'",
        "m.toml: events[1].plausible: fastest (1:00.000) must be under slowest (55.000)",
    ]
    keirin = '[[events]]\nid = "k"\ndiscipline = "keirin"\nriders = [1, 2]\nplausible = {}\n'
    assert "m.toml: events[2].plausible: a keirin has no timed effort to check" in problems(
        SMALL + keirin
    )


def test_a_points_race_takes_its_sprint_interval_and_neutral_laps() -> None:
    """A points race: `sprint_every` 1 to its laps; `neutral_laps` 0 to 5 in a points or tempo
    race; neither anywhere else (docs/meet-format.md)."""
    points = '\n[[events]]\nid = "p"\ndiscipline = "points_race"\nriders = [1, 2]\nlaps = 80\n'
    event = parse_meet(SMALL + points + "sprint_every = 10\nneutral_laps = 1\n").event("p")
    assert (event.sprint_every, event.neutral_laps) == (10, 1)
    assert problems(SMALL + points + "sprint_every = 81\nneutral_laps = 6\n") == [
        "m.toml: events[2].sprint_every: laps between sprints, 1 to the race's 80, got 81",
        "m.toml: events[2].neutral_laps: laps ridden neutral before the flying start, 0 to 5, "
        "got 6",
    ]
    tempo = points.replace('"points_race"', '"tempo"')
    assert problems(SMALL + tempo + "sprint_every = 10\n") == [
        "m.toml: events[2].sprint_every: only a race with sprints (madison, elimination, "
        "points_race)"
    ]
    scratch = points.replace('"points_race"', '"scratch"')
    assert problems(SMALL + scratch + "neutral_laps = 1\n") == [
        "m.toml: events[2].neutral_laps: only a bunch race with sprints (points_race, tempo) "
        "takes it"
    ]
    assert problems(SMALL.replace("qualify = 1", "qualify = 1\nneutral_laps = 1")) == [
        "m.toml: events[0].neutral_laps: only a bunch race with sprints (points_race, tempo) "
        "takes it"
    ]


def test_an_elimination_race_s_laps_are_derived_and_sprint_every_overrides_the_interval() -> None:
    """The laps follow from the starters and the track (the scorer's): `laps` is refused;
    `sprint_every` overrides the interval with one of the rules' (1 to 3, 3.2.222)."""
    race = '\n[[events]]\nid = "e"\ndiscipline = "elimination"\nriders = [1, 2, 3]\n'
    riders = '[[riders]]\nbib = 3\nname = "C"\nnation = "NED"\n'
    assert parse_meet(SMALL + riders + race).event("e").laps is None
    assert parse_meet(SMALL + riders + race + "sprint_every = 1\n").event("e").sprint_every == 1
    assert problems(SMALL + riders + race + "laps = 4\nsprint_every = 4\n") == [
        "m.toml: events[2].laps: an elimination race's laps follow from its riders and the "
        "track (3.2.222: N - 1 sprints, one every 1, 2 or 3 laps); leave laps out, and give "
        "sprint_every to change the interval",
        "m.toml: events[2].sprint_every: an elimination race's laps between sprints, 1 to 3 "
        "(3.2.222), got 4",
    ]
