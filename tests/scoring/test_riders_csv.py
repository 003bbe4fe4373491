"""The riders' CSV (velotime.scoring.riders_csv) and their writing into a meet file
(velotime.scoring.meet_riders): what a desk preparing a meet from a federation's entry list sees.
Expected values are written by hand from docs/meet-format.md."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from velotime.scoring.meet import MeetError, Rider, parse_meet, split_name
from velotime.scoring.meet_riders import with_riders
from velotime.scoring.riders_csv import RidersCsvError, parse_riders_csv, riders_csv

HEADER = "bib,last_name,first_name,nation,transponders\r\n"
MEET = """\
# The Example Open: riders below, then the events.
[meet]
id = "open"   # used in topics
name = "Open"

[[riders]]
bib = 1
name = "Old ONE"

# a comment between riders goes with them
[[riders]]
bib = 2
name = "Old TWO"
transponders = [
  22,
]

# The sprint: these comment lines lead the events and stay.
[[events]]
id = "sprint"
discipline = "flying200"
start_order = [1, 2]
"""


def csv_riders(text: str) -> list[Rider]:
    return parse_riders_csv(text.encode(), "riders.csv")


def problems(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(RidersCsvError) as caught:
        parse_riders_csv(data, "riders.csv")
    return list(caught.value.problems)


def test_a_csv_file_gives_riders_as_the_meet_holds_them() -> None:
    """Columns in any order and case, a byte-order mark, spaces around fields and a blank line:
    as spreadsheets write them. The printed name is "First LAST" as the file spells it; the
    split is kept only where the name would not split back to it."""
    riders = csv_riders(
        "\ufeffFirst_Name, Bib ,last_name,transponders,nation\r\n"
        "Harrie ,  12,LAVREYSEN,5000101 5000102,NED\r\n"
        "\r\n"
        'Mohamed,7,Daoud Abdullah,,"Team, ""A"""\r\n'
        ",3,KOBE,,\r\n"
    )
    assert riders == [
        Rider(bib=12, name="Harrie LAVREYSEN", nation="NED", transponders=(5000101, 5000102)),
        Rider(
            bib=7,
            name="Mohamed Daoud Abdullah",
            nation='Team, "A"',
            last_name="Daoud Abdullah",
            first_name="Mohamed",
        ),
        Rider(bib=3, name="KOBE"),
    ]


def test_every_problem_is_one_line_naming_the_line_of_the_file() -> None:
    text = HEADER + (
        "12,LAVREYSEN,Harrie,NED,5000101\r\n"  # line 2
        "x12,HOY,Chris,GBR,\r\n"  # line 3
        "12,KENNY,Jason,GBR,5000101\r\n"  # line 4
        "5,,Anna,GER,77x 4294967296\r\n"  # line 5
        "6,VOINOVA,Anastasia\r\n"  # line 6
        "0,ZERO,,,9 9\r\n"  # line 7
    )
    assert problems(text) == [
        "riders.csv line 3: bib 'x12' is not a number",
        "riders.csv line 4: bib 12 is also on line 2",
        "riders.csv line 4: transponder 5000101 is also bib 12's (line 2)",
        "riders.csv line 5: last_name is empty",
        "riders.csv line 5: transponder '77x' is not a number (separate transponders by spaces)",
        "riders.csv line 5: transponder 4294967296 is over 4294967295 "
        "(a P3 transponder id is 32 bits)",
        "riders.csv line 6: 3 fields, the header names 5 columns",
        "riders.csv line 7: bib 0: a bib is a positive number",
        "riders.csv line 7: transponder 9 twice",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"", "riders.csv: empty; the first line names the columns: "),
        (b"\r\n \r\n", "riders.csv: empty; the first line names the columns: "),
        (HEADER, "riders.csv: no riders after the header (line 1)"),
        ("bib,first_name\r\n1,A\r\n", "riders.csv line 1: no column 'last_name' (the header "),
        ("bib,lastname\r\n", "riders.csv line 1: unknown column 'lastname' (did you mean "),
        ("bib,bib,last_name\r\n", "riders.csv line 1: column 'bib' twice"),
        (HEADER + '1,"A\r\n', "riders.csv line 2: not CSV: unexpected end of data"),
        ("bib,last_name\r\n1,M\xfcller\r\n".encode("latin-1"), "riders.csv: not UTF-8 text"),
    ],
)
def test_a_file_without_riders_says_why_in_one_line(text: str | bytes, expected: str) -> None:
    (problem,) = problems(text)
    assert problem.startswith(expected)


def test_a_missing_column_names_the_columns_it_has() -> None:
    assert problems("Bib,First_Name\r\n") == [
        "riders.csv line 1: no column 'last_name' (the header names 'bib', 'first_name')"
    ]


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("Harrie LAVREYSEN", ("LAVREYSEN", "Harrie")),
        ("LAVREYSEN Harrie", ("LAVREYSEN", "Harrie")),
        ("Mohamed DAOUD ABDULLAH", ("DAOUD ABDULLAH", "Mohamed")),
        ("Anna Meares", ("Meares", "Anna")),
        ("KENNY", ("KENNY", "")),
    ],
)
def test_a_printed_name_splits_at_its_capitals_else_before_its_last_word(
    name: str, split: tuple[str, str]
) -> None:
    assert split_name(name) == split


# -- into the meet file ------------------------------------------------------------------------

NEW = [Rider(bib=1, name="Ana MARTIN", nation="NED", transponders=(5,)), Rider(bib=2, name="B")]


def test_the_riders_replace_the_old_ones_and_the_rest_stays_byte_for_byte() -> None:
    """Where the first [[riders]] was; the comment between riders goes with them, the one
    leading the events stays."""
    text, meet = with_riders(MEET, NEW, "meet.toml")
    assert meet.riders == tuple(NEW)
    head, events = MEET.split("[[riders]]", 1)[0], MEET.split("# The sprint", 1)[1]
    assert text == (
        head
        + '[[riders]]\nbib = 1\nname = "Ana MARTIN"\nnation = "NED"\ntransponders = [5]\n\n'
        + '[[riders]]\nbib = 2\nname = "B"\n\n'
        + "# The sprint"
        + events
    )
    assert with_riders(text, NEW, "meet.toml")[0] == text  # the same riders: the same file


def test_a_meet_without_riders_gets_them_at_its_end_with_its_line_ends() -> None:
    text, _ = with_riders('[meet]\r\nid = "m"\r\n', NEW[1:], "meet.toml")
    assert text == '[meet]\r\nid = "m"\r\n\r\n[[riders]]\r\nbib = 2\r\nname = "B"\r\n'


def test_riders_an_event_still_names_must_stay() -> None:
    with pytest.raises(MeetError) as caught:
        with_riders(MEET, NEW[:1], "meet.toml")
    assert caught.value.problems == (
        "meet.toml: events[0].start_order[1]: no rider with bib 2 in [[riders]]",
    )


def test_riders_written_inline_are_refused_rather_than_rewritten() -> None:
    inline = 'riders = [{ bib = 1, name = "A" }]\n[meet]\nid = "m"\n'
    with pytest.raises(MeetError, match="write them as \\[\\[riders\\]\\] tables; nothing written"):
        with_riders(inline, NEW, "meet.toml")


# -- the round trip ----------------------------------------------------------------------------

# Names of any letters, accents, commas and quotes included; no control characters (a line
# break has no place in a name) and no spaces around (a spreadsheet's, taken off).
_NAME_CHARS = st.characters(blacklist_categories=("Cc", "Cs"))
name_text = st.text(_NAME_CHARS, min_size=1, max_size=12).filter(lambda s: s == s.strip())
optional_text = st.one_of(st.just(""), name_text)


@st.composite
def riders(draw: st.DrawFn) -> list[Rider]:
    bibs = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=8, unique=True))
    pool = draw(st.lists(st.integers(0, 2**32 - 1), max_size=3 * len(bibs), unique=True))
    out = []
    for bib in bibs:
        count = draw(st.integers(0, min(3, len(pool))))
        transponders, pool = tuple(pool[:count]), pool[count:]
        last, first = draw(name_text), draw(optional_text)
        out.append(
            Rider(
                bib=bib,
                name=f"{first} {last}".strip(),
                nation=draw(optional_text),
                transponders=transponders,
                last_name=last,
                first_name=first,
            )
        )
    return out


@given(riders())
@settings(max_examples=150, deadline=None)
def test_csv_to_meet_to_csv_gives_the_same_file(original: list[Rider]) -> None:
    csv_text = riders_csv(original)
    imported = parse_riders_csv(csv_text.encode(), "riders.csv")
    assert [r.last_and_first() for r in imported] == [r.last_and_first() for r in original]
    meet_text, meet = with_riders('[meet]\nid = "p"\n', imported, "meet.toml")
    assert parse_meet(meet_text) == meet
    assert riders_csv(meet.riders) == csv_text


@given(st.binary(max_size=300) | st.text(string.printable + "é,\"'", max_size=300))
@settings(max_examples=300, deadline=None)
def test_garbage_gives_riders_or_problems_never_a_traceback(data: bytes | str) -> None:
    raw = data.encode() if isinstance(data, str) else data
    for prefix in (b"", HEADER.encode()):
        try:
            parse_riders_csv(prefix + raw, "riders.csv")
        except RidersCsvError as exc:
            problems = exc.problems
        else:
            continue
        assert problems
        assert all(p.startswith("riders.csv") and "\n" not in p for p in problems)


def _riders_chunk(bib: int) -> str:
    return f'[[riders]]\nbib = {bib}\nname = "Old {bib}"  # was here\n\n'


_OTHER_CHUNKS = [
    '# The sprint.\n[[events]]\nid = "s"\ndiscipline = "flying200"\nstart_order = [1]\n\n',
    '[[events]]  # the kilometre\nid = "k"\ndiscipline = "time_trial"\ndistance_m = 1000\n'
    "start_order = [\n  1,\n]\n\n",
    "# nothing but a comment\n\n",
]


@given(
    st.permutations([*_OTHER_CHUNKS, *[_riders_chunk(bib) for bib in (1, 2, 3)]]),
    st.booleans(),
)
@settings(deadline=None)
def test_only_the_riders_tables_change_wherever_they_are(chunks: list[str], crlf: bool) -> None:
    """The meet's other tables and comments stay byte for byte, in their order; the new riders
    stand where the first old one stood (no blank line after them at the end of the file). A
    comment between two riders tables was about those riders: it goes with them."""
    meet = '[meet]\nid = "m"\n\n'
    riders = [chunk.startswith("[[riders]]") for chunk in chunks]
    tables = [not chunk.startswith("# nothing") for chunk in chunks]

    def between_riders(i: int) -> bool:
        before = [riders[j] for j in range(i) if tables[j]]
        after = [riders[j] for j in range(i + 1, len(chunks)) if tables[j]]
        return bool(before and before[-1] and after and after[0])

    first = riders.index(True)
    new_riders = '[[riders]]\nbib = 1\nname = "Ana MARTIN"\n\n'
    expected = meet + "".join(
        new_riders
        if i == first
        else ""
        if riders[i] or (not tables[i] and between_riders(i))
        else chunk
        for i, chunk in enumerate(chunks)
    )
    if expected.endswith("\n\n"):
        expected = expected[:-1]
    text = meet + "".join(chunks)
    if crlf:
        text, expected = text.replace("\n", "\r\n"), expected.replace("\n", "\r\n")
    written, meet_read = with_riders(text, [Rider(bib=1, name="Ana MARTIN")], "meet.toml")
    assert written == expected
    assert [e.id for e in meet_read.events] == [
        e for chunk in chunks for e in ("s", "k") if f'id = "{e}"' in chunk
    ]
