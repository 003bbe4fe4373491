"""FinishLynx's input files (velotime.protocols.lynx_exchange): the bytes written field by field
against protocols.md §5.1 and the real Lynx.evt, read back, and garbage refused in one line.
Expected bytes are written by hand from the documented layout."""

from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from velotime.protocols.lynx.charset import encode_text
from velotime.protocols.lynx_exchange import (
    LynxEntrant,
    LynxHeat,
    LynxPerson,
    encode_evt,
    encode_ppl,
    encode_sch,
    parse_evt,
    parse_ppl,
    parse_sch,
    windows_1252_text,
)

HEAT = LynxHeat(
    event="4",
    round=2,
    heat=1,
    name="Keirin, final 1-6",
    distance_m=None,
    entrants=(
        LynxEntrant(id="12", lane=1, last_name="STROMŠÍK", first_name="Zdenek", affiliation="CZE"),
        LynxEntrant(id="7", lane=2, last_name="MÜLLER", first_name="Zoë", affiliation='RV "Z", B'),
    ),
)


def test_a_heat_is_a_header_row_its_entrants_and_a_blank_line() -> None:
    """Event,Round,Heat,EventName, five empty fields, the distance (10th); each entrant
    `,ID,Lane,LastName,FirstName,Affiliation`; Windows-1252 single bytes (Š 0x8A, Í 0xCD,
    Ü 0xDC, ë 0xEB), CRLF; a field holding a comma or quote quoted."""
    time_trial = LynxHeat(event="2", round=1, heat=1, name="1 km", distance_m=1000)
    data = encode_evt([HEAT, time_trial])
    assert data == (
        b'4,2,1,"Keirin, final 1-6",,,,,,\r\n'
        b",12,1,STROM\x8a\xcdK,Zdenek,CZE\r\n"
        b',7,2,M\xdcLLER,Zo\xeb,"RV ""Z"", B"\r\n'
        b"\r\n"
        b"2,1,1,1 km,,,,,,1000\r\n"
        b"\r\n"
    )


def test_people_and_schedule_lead_with_a_comment_line() -> None:
    people = [LynxPerson(id="7", last_name="MÜLLER", first_name="Zoë", affiliation="GER")]
    assert encode_ppl(people, "Riders") == b";Riders\r\n7,M\xdcLLER,Zo\xeb,GER\r\n"
    assert encode_sch([("4", 1, 1), ("4", 1, 2)], "Heats") == b";Heats\r\n4,1,1\r\n4,1,2\r\n"


def test_text_the_code_page_lacks_is_refused_by_the_encoder() -> None:
    with pytest.raises(UnicodeEncodeError):
        encode_ppl([LynxPerson(id="1", last_name="Łukasz")], "")
    with pytest.raises(ValueError, match="a line break"):
        encode_ppl([LynxPerson(id="1", last_name="A\nB")], "")


@pytest.mark.parametrize(
    ("text", "camera"),
    [
        ("Zoë MÜLLER, Œuvre", "Zoë MÜLLER, Œuvre"),  # all in Windows-1252: as it is
        ("Łukasz Ńowak", "Lukasz Nowak"),  # Ł has no accent to strip; Ń does
        ("Zdeněk Đoković", "Zdenek Dokovic"),
        ("王 Li", "? Li"),
        ("A\tB\nC", "A B C"),
    ],
)
def test_text_for_the_camera_loses_only_what_the_code_page_lacks(text: str, camera: str) -> None:
    assert windows_1252_text(text) == camera


def test_the_real_lynx_evt_reads_as_two_heats_of_six(shared_data: Path) -> None:
    """../shared/data/finishlynx/Lynx.evt (a German meet, LF line ends): the structure this
    module writes. Values read off the file by eye."""
    heats = parse_evt((shared_data / "finishlynx" / "Lynx.evt").read_bytes())
    assert [(h.event, h.round, h.heat, h.name, h.distance_m) for h in heats] == [
        ("32600001", 1, 1, "16:30 | 100m M", 100),
        ("32600001", 1, 2, "16:34 | 100m M", 100),
    ]
    assert [len(h.entrants) for h in heats] == [6, 6]
    assert heats[0].entrants[0] == LynxEntrant(
        id="361",
        lane=2,
        last_name="Ibrahim",
        first_name="Mahmoud Hafiz",
        affiliation="Saudiarabien",
    )
    assert heats[1].entrants[4] == LynxEntrant(
        id="355", lane=6, last_name="Stromšík", first_name="Zdenek", affiliation="Tschechien"
    )


def test_what_is_written_has_the_real_file_s_columns(shared_data: Path) -> None:
    """The header row's fields where the real file has them (the distance 10th), the entrant
    rows' too (an empty field, then ID, Lane, LastName, FirstName, Affiliation)."""
    real = (shared_data / "finishlynx" / "Lynx.evt").read_bytes().split(b"\n")
    ours = encode_evt([msgspec.structs.replace(HEAT, distance_m=100)]).split(b"\r\n")
    assert real[0].split(b",")[9] == ours[0].split(b",")[-1] == b"100"
    assert len(ours[0].split(b",")) == 11  # ten fields, the name's comma quoted
    assert [len(line.split(b",")) for line in (real[1], ours[1])] == [6, 6]
    assert real[1][:1] == ours[1][:1] == b","
    assert real[7] == ours[3] == b""  # a blank line after each heat


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b",12,1,A,B,C\r\n", "line 1: an entrant before any event"),
        (b"1,x,1,Name\r\n", "line 1: not Event,Round,Heat,EventName,...,Distance"),
        (b"1,1,1,N\r\n,12,a,A\r\n", "line 2: lane 'a' is not a number"),
        (b'1,1,1,"N\r\n', "line 1: "),
    ],
)
def test_a_damaged_evt_is_one_line_naming_the_line(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_evt(data)


# -- properties --------------------------------------------------------------------------------

_CP1252 = st.characters(codec="cp1252").filter(lambda c: c.isprintable() or c == " ")
text = st.text(_CP1252, max_size=10)
event_id = st.text("0123456789ABCZ", min_size=1, max_size=8)
entrant = st.builds(
    LynxEntrant,
    id=st.text("0123456789", min_size=1, max_size=4),
    lane=st.none() | st.integers(0, 99),
    last_name=text,
    first_name=text,
    affiliation=text,
)
heat = st.builds(
    LynxHeat,
    event=event_id,
    round=st.integers(0, 99),
    heat=st.integers(0, 99),
    name=text,
    distance_m=st.none() | st.integers(0, 100_000),
    entrants=st.lists(entrant, max_size=4).map(tuple),
)


@given(st.lists(heat, max_size=4))
@settings(deadline=None)
def test_heats_read_back_as_written(heats: list[LynxHeat]) -> None:
    data = encode_evt(heats)
    assert parse_evt(data) == heats
    assert parse_sch(encode_sch((h.key for h in heats), "order")) == [h.key for h in heats]
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only


@given(st.lists(st.builds(LynxPerson, id=event_id, last_name=text, first_name=text,
                          affiliation=text), max_size=5))  # fmt: skip
@settings(deadline=None)
def test_people_read_back_as_written(people: list[LynxPerson]) -> None:
    assert parse_ppl(encode_ppl(people, "riders")) == people


@given(st.binary(max_size=200))
@settings(deadline=None)
def test_garbage_is_read_or_refused_with_a_value_error(data: bytes) -> None:
    for parse in (parse_evt, parse_ppl, parse_sch):
        try:
            parse(data)
        except ValueError as exc:
            message = str(exc)
        else:
            continue
        assert message.startswith("line ")


@given(st.text(max_size=20))
def test_camera_text_always_encodes(name: str) -> None:
    text = windows_1252_text(name)
    encode_text(text)  # never raises
    # No letter is dropped: each becomes itself, its plain letter(s) ("ﬀ" -> "ff") or "?".
    assert len(text) >= len(name)
