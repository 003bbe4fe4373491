"""The UNT4 board's page, worked out by hand, and the records that bring a board to it."""

from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.scoreboards.payloads import snapshot_of
from tests.scoreboards.unt4_board import Screen
from velotime.protocols.unt4 import ClearAll, Text
from velotime.scoreboards.state import Snapshot
from velotime.scoreboards.unt4 import Unt4Page, short_names

F200 = {"v": 1, "event": "f200", "name": "Sprint qualifying", "discipline": "flying200",
        "category": "", "round": "", "audit": [], "status": "provisional", "lines": [
            {"rank": 1, "bib": 101, "name": "Ana MARTIN", "nation": "NED", "time": "10.724",
             "speed_kmh": "67.139", "flags": ["qualified"]},
            {"rank": 2, "bib": 103, "name": "Chloé NOVAK", "nation": "CZE", "time": "10.800",
             "gap": "+0.076", "speed_kmh": "66.666"},
            {"rank": None, "bib": 123, "name": "Ben BAKER", "nation": "GBR",
             "status": "DNS"}]}  # fmt: skip
KILO = {"v": 1, "event": "kilo", "name": "1 km time trial", "discipline": "time_trial",
        "category": "", "round": "", "audit": [], "status": "running", "lines": [
            {"rank": 1, "bib": 104, "name": "Dario ROSSI", "nation": "ITA",
             "time": "1:00.981"}]}  # fmt: skip
KEIRIN = {"v": 1, "event": "k1", "name": "Keirin final", "discipline": "keirin",
          "category": "", "round": "", "audit": [], "status": "final", "lines": [
              {"rank": 1, "bib": 3, "name": "Emma SILVA", "nation": "POR"},
              {"rank": 2, "bib": 7, "name": "Greta DUBOIS", "nation": "FRA", "gap": "+0.012"},
              {"rank": 3, "bib": 5, "name": "Felix KOWALSKI", "nation": "POL", "gap": "+0.250"}],
          "winner_last_200": "10.215", "winner_last_200_kmh": "70.484"}  # fmt: skip
START_US = 1_763_700_000_000_000


def snapshot(*results: dict[str, Any], current: dict[str, Any] | None = None,
             live: bool = True) -> Snapshot:  # fmt: skip
    """What ScoreboardState.snapshot() gives: the last result is the latest."""
    payloads = [("current", current or {"v": 1, "event": None})]
    payloads += [(f"results/{result['event']}", result) for result in results]
    return snapshot_of(payloads, live=live)


def current_of(event: str, name: str, discipline: str, **fields: Any) -> dict[str, Any]:
    """A `current` payload: the event on the track."""
    return {"v": 1, "event": event, "name": name, "discipline": discipline, "category": "",
            "round": "", "status": "running", "riders": [], "on_track": None,
            "start_us": None} | fields  # fmt: skip


def kilo_on_track() -> Snapshot:
    current = current_of("kilo", "1 km time trial", "time_trial", riders=[104, 105], on_track=105,
                       start_us=START_US)  # fmt: skip
    return snapshot(KILO, current=current)


def shown(rows: int, columns: int, state: Snapshot, now_us: int = START_US) -> list[str]:
    page = Unt4Page(rows, columns)
    screen = Screen(rows, columns)
    for record in page.update(state, now_us):
        screen.apply(record)
    return screen.lines()


def test_a_result_on_a_three_row_board() -> None:
    assert shown(3, 24, snapshot(F200)) == [
        "Sprint qualifying   PROV",
        "1  101 A. MARTIN  10.724",
        "2  103 C. NOVAK   10.800",
    ]


def test_a_wider_board_has_room_for_full_names_and_nations() -> None:
    assert shown(8, 32, snapshot(F200)) == [
        "Sprint qualifying           PROV",
        "1  101 Ana MARTIN     NED 10.724",
        "2  103 Chloe NOVAK    CZE 10.800",
        "   123 Ben BAKER      GBR    DNS",
        "", "", "", "",
    ]  # fmt: skip


def test_a_time_trial_on_the_track_runs_the_clock_in_tenths() -> None:
    assert shown(4, 24, kilo_on_track(), START_US + 12_345_678) == [
        "1 km time trial",
        "105                 12.3",
        "1  104 D. ROSSI 1:00.981",
        "",
    ]


def test_a_keirin_shows_gaps_to_the_winner_and_the_winners_last_200_m() -> None:
    assert shown(5, 24, snapshot(KEIRIN)) == [
        "Keirin final       FINAL",
        "1    3 SILVA",
        "2    7 DUBOIS     +0.012",
        "3    5 KOWALSKI   +0.250",
        "Last 200 m 10.215",  # its speed does not fit 24 columns
    ]
    assert shown(4, 40, snapshot(KEIRIN))[3] == "Last 200 m 10.215 (70.484 km/h)"


def test_nothing_to_show_is_a_blank_board() -> None:
    page = Unt4Page(3, 24)
    assert page.update(snapshot(), START_US) == [ClearAll()]
    assert page.update(snapshot(), START_US) == []


def test_only_the_rows_that_changed_are_sent() -> None:
    page = Unt4Page(3, 24)
    first = page.update(snapshot(F200), START_US)
    assert first == [
        ClearAll(),
        Text(0, 0, "Sprint qualifying   PROV", erase_line=True),
        Text(0, 1, "1  101 A. MARTIN  10.724", erase_line=True),
        Text(0, 2, "2  103 C. NOVAK   10.800", erase_line=True),
    ]
    assert page.update(snapshot(F200), START_US) == []
    final = {**F200, "status": "final"}
    assert page.update(snapshot(final), START_US) == [
        Text(0, 0, "Sprint qualifying  FINAL", erase_line=True)
    ]


def test_a_new_event_clears_the_board_and_draws_it_whole() -> None:
    page = Unt4Page(3, 24)
    page.update(snapshot(F200), START_US)
    records = page.update(snapshot(F200, KEIRIN), START_US)
    assert records[0] == ClearAll()
    assert [r.row for r in records[1:] if isinstance(r, Text)] == [0, 1, 2]


def test_after_a_reconnect_the_whole_page_is_drawn_again() -> None:
    page = Unt4Page(3, 24)
    first = page.update(snapshot(F200), START_US)
    page.forget()
    assert page.update(snapshot(F200), START_US) == first


def test_the_clock_row_changes_once_a_tenth_and_only_it_is_sent() -> None:
    page = Unt4Page(4, 24)
    now = START_US + 12_345_678
    page.update(kilo_on_track(), now)
    tick = page.next_tick_us(now)
    assert tick == START_US + 12_400_000
    assert page.update(kilo_on_track(), tick - 1) == []  # still 12.3
    assert page.update(kilo_on_track(), tick) == [
        Text(0, 1, "105                 12.4", erase_line=True)
    ]
    assert page.next_tick_us(tick) == START_US + 12_500_000
    # Before the start (a clock set ahead), the first tick is the start itself.
    assert page.next_tick_us(START_US - 5) == START_US


def test_a_stale_state_says_offline_and_stops_the_clock() -> None:
    page = Unt4Page(4, 24)
    now = START_US + 12_345_678
    page.update(kilo_on_track(), now)
    stale = msgspec.structs.replace(kilo_on_track(), live=False)
    assert page.update(stale, now + 1_000_000) == [
        Text(0, 0, "1 km time trial  OFFLINE", erase_line=True),
        Text(0, 1, "105", erase_line=True),
    ]
    assert page.next_tick_us(now) is None


def test_names_keep_one_form_for_the_whole_column() -> None:
    names = ["Ana MARTIN", "Felix KOWALSKI", "Jean-Paul VAN DEN BROEK"]
    assert short_names(names, 23) == names
    assert short_names(names, 16) == ["A. MARTIN", "F. KOWALSKI", "J. VAN DEN BROEK"]
    assert short_names(names, 13) == ["MARTIN", "KOWALSKI", "VAN DEN BROEK"]
    assert short_names(names, 8) == ["MARTIN", "KOWALSKI", "VAN DEN"]  # cut, no trailing space
    # The family name is the words in capitals, wherever they stand; else the last word.
    assert short_names(["LAVREYSEN Harrie", "Madonna", "lower case"], 12) == [
        "H. LAVREYSEN", "Madonna", "l. case",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "payload"),
    [
        ("current", None),
        ("current", []),
        ("current", "f200"),
        ("current", {"event": 7}),
        ("current", current_of("f200", "Sprint", "flying200", start_us="soon", on_track="101")),
        ("current", current_of("k1", "Keirin", "keirin", start_us=True)),
        ("results/f200", {**F200, "lines": "abc"}),
        ("results/f200", {**F200, "lines": [None, 5, {"bib": "101"}, {"rank": 1}]}),
        ("results/f200", {**F200, "name": 5, "status": ["final"], "lines": [
            {"bib": 101, "rank": "first", "name": 7, "time": 10.7, "flags": "q"}]}),
        ("results/f200", {**F200, "winner_last_200": 9.1}),
        ("status/scoring", {"online": "yes"}),
    ],
)  # fmt: skip
def test_malformed_state_from_the_broker_is_skipped_and_the_board_keeps_its_page(
    key: str, payload: Any
) -> None:
    before = snapshot_of([("results/f200", F200)])
    after = snapshot_of([("results/f200", F200), (key, payload)], skipped=1)
    page = Unt4Page(4, 24)
    assert shown(4, 24, after) == shown(4, 24, before)
    page.update(after, START_US)
    assert page.bad_states == 0


keys = st.sampled_from(["event", "name", "status", "lines", "bib", "rank", "time", "gap",
                        "start_us", "on_track", "winner_last_200", "nation", "f200"])  # fmt: skip
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | keys
shaped = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


topics = st.sampled_from(["current", "results/f200", "results/e", "standings/k", "status/scoring"])


@given(
    st.lists(st.tuples(topics, shaped), max_size=5),
    st.booleans(),
    st.integers(0, 2 * START_US),
)
def test_any_json_from_the_broker_gives_a_page(
    payloads: list[tuple[str, Any]], live: bool, now_us: int
) -> None:
    state = snapshot_of(payloads, live=live, skipped=None)  # what the broker could have carried
    page = Unt4Page(3, 16)
    screen = Screen(3, 16)
    for record in page.update(state, now_us):
        screen.apply(record)
    assert page.bad_states == 0


result_lines = st.lists(
    st.fixed_dictionaries(
        {"bib": st.integers(0, 10**6), "rank": st.none() | st.integers(1, 1000)},
        optional={"name": st.text(max_size=40), "nation": st.text(max_size=5),
                  "time": st.text(max_size=14), "gap": st.text(max_size=10),
                  "status": st.sampled_from(["DNS", "DNF", "DSQ", "REL"])},
    ),
    max_size=12,
)  # fmt: skip


@given(
    st.integers(2, 100),
    st.integers(16, 100),
    result_lines,
    st.text(max_size=60),
    st.booleans(),
    st.none() | st.integers(0, 10**6),
)
def test_any_result_fits_any_board_size(
    rows: int, columns: int, lines: list[dict[str, Any]], title: str, on_track: bool,
    rider: int | None,
) -> None:  # fmt: skip
    result = {"event": "e", "name": title, "discipline": "keirin", "category": "", "round": "",
              "status": "final", "lines": lines, "winner_last_200": "9.999",
              "winner_last_200_kmh": "72.007", "audit": []}  # fmt: skip
    current = current_of("e", title, "keirin", on_track=rider, start_us=START_US)
    state = snapshot(result, current=current if on_track else None)
    page = Unt4Page(rows, columns)
    screen = Screen(rows, columns)  # asserts that every row fits
    for record in page.update(state, START_US + 61_000_000):
        screen.apply(record)
    assert page.bad_states == 0
    assert all(line.isascii() and line.isprintable() for line in screen.lines())
