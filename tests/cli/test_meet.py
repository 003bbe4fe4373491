"""`velotime meet`: riders from a CSV file into the meet file and back out, and the FinishLynx
camera's start lists, as the desk runs them (`main()` in this process: only the files, the
output and the exit status count). Expected values are written by hand from
docs/meet-format.md and protocols.md §5.1."""

from pathlib import Path

import msgspec
import pytest

from tests.cli.helpers import velotime, velotime_main
from velotime.protocols.lynx_exchange import parse_evt, parse_ppl
from velotime.scoring.meet import Rider, load_meet
from velotime.wire.results import Standings, StandingsHeat, StandingsRound

MEET = """\
# Test meet: the riders come from riders.csv.
[meet]
id = "open"
name = "Open"

[[riders]]
bib = 1
name = "Placeholder ONE"

[[events]]
id = "sprint-q"
discipline = "flying200"
category = "Women"
name = "Flying 200 m"
start_order = [1]
"""

CSV = (
    "bib,last_name,first_name,nation,transponders\r\n"
    "1,MÜLLER,Zoë,GER,5000101 5000102\r\n"
    '2,O\'NEIL,"Anna, ""Annie""",IRL,\r\n'
    "3,Daoud Abdullah,Mohamed,KSA,5000103\r\n"
)


@pytest.fixture
def meet(tmp_path: Path) -> Path:
    path = tmp_path / "meet.toml"
    path.write_text(MEET)
    return path


def test_import_then_export_gives_the_csv_back(tmp_path: Path, meet: Path) -> None:
    """CSV -> meet -> CSV: the same bytes. The events are left as they were."""
    riders_csv = tmp_path / "riders.csv"
    riders_csv.write_bytes(CSV.encode())
    result = velotime_main("meet", "import", riders_csv, "--meet", meet)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"{meet}: 3 riders with 3 transponders from {riders_csv}\n"
    loaded = load_meet(meet)
    assert loaded.riders == (
        Rider(bib=1, name="Zoë MÜLLER", nation="GER", transponders=(5000101, 5000102)),
        Rider(bib=2, name='Anna, "Annie" O\'NEIL', nation="IRL"),
        Rider(
            bib=3,
            name="Mohamed Daoud Abdullah",
            nation="KSA",
            transponders=(5000103,),
            last_name="Daoud Abdullah",
            first_name="Mohamed",
        ),
    )
    assert meet.read_text().split("[[events]]")[1] == MEET.split("[[events]]")[1]
    exported = velotime_main("meet", "export", "--meet", meet)
    assert (exported.returncode, exported.stdout) == (0, CSV)
    out = tmp_path / "out.csv"
    process = velotime("meet", "export", "--meet", meet, "--output", out)  # as a user runs it
    assert (process.returncode, process.stdout) == (0, f"{out}: 3 riders\n")
    assert out.read_bytes() == CSV.encode()


HEADER = "bib,last_name,first_name,nation,transponders\n"


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            HEADER + "1,A,,,\n2,B,,,\n1,C,,,\n",
            ["riders.csv line 4: bib 1 is also on line 2"],
        ),
        (
            HEADER + "1,A,,,77\n2,B,,,78 77\n",
            ["riders.csv line 3: transponder 77 is also bib 1's (line 2)"],
        ),
        (
            "bib,first_name\n1,A\n",
            ["riders.csv line 1: no column 'last_name' (the header names 'bib', 'first_name')"],
        ),
        (HEADER + "1,A,,,\n\nx12,B,,,\n", ["riders.csv line 4: bib 'x12' is not a number"]),
        (
            "",
            [
                "riders.csv: empty; the first line names the columns: "
                "bib,last_name,first_name,nation,transponders"
            ],
        ),
        (
            HEADER + "1,A,,,\n",  # the sprint's start order names bib 2, not in the file
            ["meet.toml: events[0].start_order[1]: no rider with bib 2 in [[riders]]"],
        ),
    ],
)
def test_a_bad_file_is_one_line_a_problem_exit_2_and_the_meet_unchanged(
    tmp_path: Path, meet: Path, text: str, errors: list[str]
) -> None:
    riders_csv = tmp_path / "riders.csv"
    riders_csv.write_text(text)
    meet.write_text(MEET.replace("start_order = [1]", "start_order = [1, 2]"))
    before = meet.read_bytes()
    result = velotime_main("meet", "import", riders_csv, "--meet", meet)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.replace(f"{tmp_path}/", "").splitlines() == errors
    assert meet.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meet.toml", "riders.csv"]


def test_a_meet_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    riders_csv = tmp_path / "riders.csv"
    riders_csv.write_text(HEADER + "1,A,,,\n")
    result = velotime_main("meet", "import", riders_csv, "--meet", tmp_path / "none.toml")
    assert result.returncode == 2
    assert (
        result.stderr
        == f"--meet: {tmp_path / 'none.toml'}: cannot read: No such file or directory\n"
    )


# -- the photo-finish camera's files -------------------------------------------------------------

LYNX_MEET = """\
[meet]
id = "open"
name = "Open Ł"

[[events]]
id = "sprint-q"
discipline = "flying200"
category = "Women"
name = "Flying 200 m"
start_order = [7, 3]

[[competitions]]
id = "keirin-w"
discipline = "keirin"
category = "Women"
seeding = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
""" + "".join(
    f'[[riders]]\nbib = {bib}\nname = "{name}"\nnation = "{nation}"\n'
    for bib, name, nation in [
        (1, "Zoë MÜLLER", "GER"),
        (2, "Łucja NOWAK", "POL"),
        (3, "Lea STROMŠÍK", "CZE"),
        *[(bib, f"Rider R{bib}", "NED") for bib in range(4, 11)],
    ]
)


def test_the_camera_files_field_by_field(tmp_path: Path) -> None:
    """lynx.ppl: a comment, then ID,LastName,FirstName,Affiliation by bib. lynx.evt: the
    flying 200 m as event 1 (distance 200), the keirin competition as event 2: round 1's two
    heats by serpentine seeding (seeds 1, 4, 5, 8, 9 and 2, 3, 6, 7, 10), the final 1-6 as
    drawn in the standings, the final 7-12 not drawn yet. Windows-1252 bytes, CRLF. Ł has no
    byte: written as L, and said on stderr."""
    meet = tmp_path / "meet.toml"
    meet.write_text(LYNX_MEET)
    results = tmp_path / "results"
    (results / "standings").mkdir(parents=True)
    drawn = Standings(
        competition="keirin-w",
        discipline="keirin",
        name="",
        category="Women",
        format="10-14",
        status="running",
        rounds=[
            StandingsRound(
                name="round 1",
                heats=[
                    StandingsHeat(event="keirin-w-round-1-1", status="final", riders=[1], order=[1])
                ],
            ),
            StandingsRound(
                name="final 1-6",
                heats=[
                    StandingsHeat(
                        event="keirin-w-final-1-6", status="scheduled", riders=[3, 1], order=[]
                    )
                ],
            ),
        ],
        classification=[],
        problems=[],
    )
    (results / "standings" / "keirin-w.json").write_bytes(msgspec.json.encode(drawn))
    camera = tmp_path / "lynx"
    camera.mkdir()
    result = velotime_main("meet", "lynx-export", camera, "--meet", meet, "--results", results)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "velotime meet lynx-export: bib 2: 'Łucja' as 'Lucja' (not in Windows-1252)\n"
        "velotime meet lynx-export: the meet's name: 'Open Ł' as 'Open L' "
        "(not in Windows-1252)\n"
    )
    assert (camera / "lynx.ppl").read_bytes() == (
        b";Riders of Open L in bib order - written by velotime\r\n"
        b"1,M\xdcLLER,Zo\xeb,GER\r\n"
        b"2,NOWAK,Lucja,POL\r\n"
        b"3,STROM\x8a\xcdK,Lea,CZE\r\n"
        + b"".join(b"%d,R%d,Rider,NED\r\n" % (bib, bib) for bib in range(4, 11))
    )
    row = {
        bib: b"%d,%s\r\n" % (bib, line)
        for bib, line in [
            (1, b"M\xdcLLER,Zo\xeb,GER"),
            (2, b"NOWAK,Lucja,POL"),
            (3, b"STROM\x8a\xcdK,Lea,CZE"),
            *[(bib, b"R%d,Rider,NED" % bib) for bib in range(4, 11)],
        ]
    }

    def lanes(*bibs: int) -> bytes:
        return b"".join(
            b",%d,%d,%s" % (bib, lane, row[bib].split(b",", 1)[1])
            for lane, bib in enumerate(bibs, 1)
        )

    assert (camera / "lynx.evt").read_bytes() == (
        b"1,1,1,Women Flying 200 m,,,,,,200\r\n" + lanes(7, 3) + b"\r\n"
        b'2,1,1,"Women Keirin, round 1, heat 1",,,,,,\r\n' + lanes(1, 4, 5, 8, 9) + b"\r\n"
        b'2,1,2,"Women Keirin, round 1, heat 2",,,,,,\r\n' + lanes(2, 3, 6, 7, 10) + b"\r\n"
        b'2,2,1,"Women Keirin, final 1-6",,,,,,\r\n' + lanes(3, 1) + b"\r\n"
        b'2,3,1,"Women Keirin, final 7-12",,,,,,\r\n' + b"\r\n"
    )
    assert (camera / "lynx.sch").read_bytes() == (
        b";Heats of Open L - written by velotime\r\n1,1,1\r\n2,1,1\r\n2,1,2\r\n2,2,1\r\n2,3,1\r\n"
    )
    heats = parse_evt((camera / "lynx.evt").read_bytes())
    assert heats[0].entrants[1].last_name == "STROMŠÍK"
    assert [p.id for p in parse_ppl((camera / "lynx.ppl").read_bytes())] == [
        str(bib) for bib in range(1, 11)
    ]
    assert result.stdout.splitlines() == [
        f"{camera / 'lynx.ppl'}: 10 riders",
        f"{camera / 'lynx.evt'}: 2 events, 5 heats",
        f"{camera / 'lynx.sch'}: 5 heats in order",
        "  event 1 round 1 heat 1: sprint-q, 2 riders",
        "  event 2 round 1 heat 1: keirin-w-round-1-1, 5 riders",
        "  event 2 round 1 heat 2: keirin-w-round-1-2, 5 riders",
        "  event 2 round 2 heat 1: keirin-w-final-1-6, 2 riders",
        "  event 2 round 3 heat 1: keirin-w-final-7-12, 0 riders",
    ]


def test_a_folder_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    meet = tmp_path / "meet.toml"
    meet.write_text(LYNX_MEET)
    result = velotime_main("meet", "lynx-export", tmp_path / "none", "--meet", meet)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"velotime meet: {tmp_path / 'none'}: no such folder\n"
    result = velotime_main(
        "meet", "lynx-export", tmp_path, "--meet", meet, "--results", tmp_path / "none"
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"velotime meet: --results: {tmp_path / 'none'}: no such folder\n"


def _standings(rounds: list[StandingsRound]) -> bytes:
    return msgspec.json.encode(
        Standings(
            competition="keirin-w",
            discipline="keirin",
            name="",
            category="",
            format="10-14",
            status="running",
            rounds=rounds,
            classification=[],
            problems=[],
        )
    )


@pytest.mark.parametrize(
    ("standings", "message"),
    [
        (b"{", "--results: {path}: not the standings of a competition: "),
        (
            _standings(
                [
                    StandingsRound(
                        name="semi-finals",
                        heats=[StandingsHeat(event="x", status="scheduled", riders=[1], order=[])],
                    )
                ]
            ),
            "--results: the standings of keirin-w have a round 'semi-finals' the meet's "
            "competition has not",
        ),
        (
            _standings(
                [
                    StandingsRound(
                        name="final 1-6",
                        heats=[StandingsHeat(event="x", status="scheduled", riders=[99], order=[])],
                    )
                ]
            ),
            "--results: the standings of keirin-w name bib 99, not in the meet",
        ),
    ],
)
def test_standings_of_another_competition_are_one_line_and_nothing_written(
    tmp_path: Path, standings: bytes, message: str
) -> None:
    meet = tmp_path / "meet.toml"
    meet.write_text(LYNX_MEET)
    path = tmp_path / "results" / "standings" / "keirin-w.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(standings)
    result = velotime_main(
        "meet", "lynx-export", tmp_path, "--meet", meet, "--results", path.parents[1]
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"velotime meet: {message.format(path=path)}")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "lynx.evt").exists()


def test_a_scratch_races_riders_go_to_the_camera(tmp_path: Path) -> None:
    """A scratch race lists its field in `riders`, as a keirin heat does: they are its lanes
    in lynx.evt (event 1, no distance in metres: a bunch race's is in laps)."""
    meet = tmp_path / "meet.toml"
    meet.write_text(
        '[meet]\nid = "club"\n'
        + "".join(f'[[riders]]\nbib = {bib}\nname = "Rider R{bib}"\n' for bib in (4, 5, 6))
        + '[[events]]\nid = "scratch"\ndiscipline = "scratch"\nname = "Scratch"\n'
        "riders = [5, 4, 6]\nlaps = 40\n"
    )
    camera = tmp_path / "lynx"
    camera.mkdir()
    result = velotime_main("meet", "lynx-export", camera, "--meet", meet)
    assert result.returncode == 0, result.stderr
    assert (camera / "lynx.evt").read_bytes() == (
        b"1,1,1,Scratch,,,,,,\r\n,5,1,R5,Rider,\r\n,4,2,R4,Rider,\r\n,6,3,R6,Rider,\r\n\r\n"
    )
