"""A real LIF file broken by hand: each damage gives exactly its warning, the rest stays."""

from pathlib import Path

import msgspec
import pytest

from velotime.protocols.lif import LifResult, LifWarningKind, parse_lif


def at_line(result: LifResult, line: int) -> LifResult:
    return msgspec.structs.replace(result, line=line)


@pytest.fixture(scope="module")
def original(shared_data: Path) -> bytes:
    return (shared_data / "finishlynx" / "32400031-1-11.lif").read_bytes()


def damage(original: bytes) -> bytes:
    lines = original.split(b"\r\n")
    assert len(lines) == 13  # header, 11 rows, the empty piece after the final CRLF

    def edit(index: int, old: bytes, new: bytes) -> None:
        assert lines[index].count(old) == 1, (index, old)
        lines[index] = lines[index].replace(old, new)

    edit(2, b",1:45.644,", b",1:4x.644,")  # line 3 (bib 408): an unreadable time
    lines[3] = b"3,307,1,Oberbeck"  # line 4 (bib 307): cut after 4 columns
    edit(4, b"4,745,", b"WHAT,745,")  # line 5 (bib 745): a place that means nothing
    edit(6, b",82,7,", b",82,7a,")  # line 7 (bib 82): an unreadable lane
    lines[8] = b"8,637,2,Engstler,Adrian,TV Villingen,1:49.914"  # line 9: cut after Time
    edit(9, b'"7,21"', b"fast")  # line 10 (bib 831): a speed that is not one
    # After line 11 (bib 875): a garbage line, a line of separators and a blank line, so the
    # DNF row moves from line 12 to line 15.
    lines[11:11] = [b"garbage here", b",,,,", b""]
    return b"\r\n".join(lines)


def test_each_damage_gives_its_warning(original: bytes) -> None:
    parsed = parse_lif(damage(original), "broken.lif")
    assert [(w.kind, w.line, w.column, w.field, w.text) for w in parsed.warnings] == [
        (LifWarningKind.BAD_TIME, 3, 7, "Time", "1:4x.644"),
        (LifWarningKind.SHORT_ROW, 4, None, "", "3,307,1,Oberbeck"),
        (LifWarningKind.BAD_PLACE, 5, 1, "Place", "WHAT"),
        (LifWarningKind.BAD_LANE, 7, 3, "Lane", "7a"),
        (
            LifWarningKind.SHORT_ROW,
            9,
            None,
            "",
            "8,637,2,Engstler,Adrian,TV Villingen,1:49.914",
        ),
        (LifWarningKind.UNKNOWN_EXTRA, 10, 18, "Speed", "fast"),
        (LifWarningKind.SHORT_ROW, 12, None, "", "garbage here"),
        (LifWarningKind.EMPTY_ROW, 13, None, "", ",,,,"),
    ]
    assert parsed.counts() == {
        LifWarningKind.SHORT_ROW: 3,
        LifWarningKind.BAD_TIME: 1,
        LifWarningKind.BAD_PLACE: 1,
        LifWarningKind.BAD_LANE: 1,
        LifWarningKind.UNKNOWN_EXTRA: 1,
        LifWarningKind.EMPTY_ROW: 1,
    }
    assert parsed.warnings[0].format(parsed.name) == "broken.lif:3:7: Time '1:4x.644' is not a time"


def test_the_rows_around_the_damage_are_all_there(original: bytes) -> None:
    clean = parse_lif(original).heat
    broken = parse_lif(damage(original)).heat
    assert clean is not None
    assert broken is not None
    assert msgspec.structs.replace(broken, results=()) == msgspec.structs.replace(clean, results=())
    by_id = {result.id: result for result in clean.results}
    # Only the row cut to 4 columns (bib 307) is gone; the garbage lines made no rows.
    assert [r.id for r in broken.results] == [
        "762",
        "408",
        "745",
        "3",
        "82",
        "634",
        "637",
        "831",
        "875",
        "895",
    ]
    untouched = {r.id: r for r in broken.results if r.id in {"762", "3", "634", "875"}}
    assert untouched == {bib: by_id[bib] for bib in ("762", "3", "634", "875")}
    assert broken.results[-1] == at_line(by_id["895"], 15)  # the DNF, 3 lines further down

    row_408, row_745, row_82 = broken.results[1], broken.results[2], broken.results[4]
    assert row_408 == msgspec.structs.replace(by_id["408"], time_us=None, time_digits=None)
    assert row_745 == msgspec.structs.replace(by_id["745"], place=None, place_text="WHAT")
    assert row_82 == msgspec.structs.replace(by_id["82"], lane=None)

    cut = broken.results[6]  # bib 637, kept with what its 7 columns hold
    assert (cut.place, cut.lane, cut.last_name, cut.time_us) == (8, 2, "Engstler", 109_914_000)
    assert (cut.delta_us, cut.start_time_of_day_us, cut.user, cut.extra) == (None, None, (), ())

    assert broken.results[7].extra == ("1.037", "1.037", "fast", "")  # kept raw all the same
