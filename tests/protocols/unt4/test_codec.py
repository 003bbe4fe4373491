"""UNT4 messages worked out by hand from protocols.md section 6.1 and metarace's unt4.py."""

import pytest

from velotime.protocols.unt4 import (
    ClearAll,
    EncodeError,
    ErrorKind,
    MalformedMessageError,
    Packet,
    Prefix,
    Text,
    Unt4Error,
    Unt4Record,
    Unt4Stream,
    board_text,
    decode_message,
    encode,
    parse_message,
)

WORKED = [
    # A board row: position (column 00, row 01), the text, erase the rest of the line.
    (Text(0, 1, "1  101 MARTIN", erase_line=True), b"\x01\x02\x1000011  101 MARTIN\x0b\x04"),
    (Text(12, 3, "10.724"), b"\x01\x02\x10120310.724\x04"),
    (Text(0, 0, ""), b"\x01\x02\x100000\x04"),  # metarace's GENERAL_EMPTY
    (ClearAll(), b"\x01\x02\x0c\x04"),  # general clearing
    # Gemini lap counter: prefix DC4, header S00, BS (home) then the laps.
    (Packet(prefix=Prefix.DC4, header="S00", text="\x0812"), b"\x01\x14S00\x02\x0812\x04"),
    (Packet(header="S0SLC", text="5"), b"\x01S0SLC\x025\x04"),  # Prism LED laps
    (Packet(header="S0SD0"), b"\x01S0SD0\x04"),  # a header alone
    (Packet(header="S0", clear=True), b"\x01S0\x02\x0c\x04"),
    (Packet(text="at the cursor"), b"\x01\x02at the cursor\x04"),
    (Packet(prefix=Prefix.DC3, column=5, row=2, text="x"), b"\x01\x13\x02\x100502x\x04"),
    (Packet(), b"\x01\x04"),
]


@pytest.mark.parametrize(("record", "wire"), WORKED)
def test_worked_messages(record: Unt4Record, wire: bytes) -> None:
    assert encode(record) == wire
    assert decode_message(wire) == record
    assert parse_message(wire) == record
    assert Unt4Stream().feed(wire) == [record]


def test_a_message_in_another_form_still_gives_its_one_record() -> None:
    assert decode_message(b"\x01\x02\x04") == Packet()  # STX with nothing after it
    assert decode_message(b"\x01S00\x02\x04") == Packet(header="S00")


@pytest.mark.parametrize(
    ("wire", "reason"),
    [
        (b"\x01\x02\x10ab01x\x04", "DLE must be followed by 4 digits"),
        (b"\x01\x02\x10012\x04", "DLE must be followed by 4 digits"),
        (b"\x01\x02ab\x10c\x04", "reserved control byte"),  # DLE inside the text
        (b"\x01\x02a\x0bb\x04", "reserved control byte"),  # ERL before the end
        (b"\x01\x02\x0cx\x04", "reserved control byte"),  # ERP with more text
        (b"\x01\x02caf\xe9\x04", "not 7-bit ASCII"),
        (b"\x01S\x07\x02x\x04", "not printable ASCII"),  # a control byte in the header
        (b"\x01S\x02x\x02y\x04", "reserved control byte"),  # a second STX
        (b"\x01\x12\x12S\x04", "not printable ASCII"),  # two prefixes
    ],
)
def test_malformed_messages_say_why(wire: bytes, reason: str) -> None:
    with pytest.raises(MalformedMessageError, match=reason):
        decode_message(wire)
    with pytest.raises(MalformedMessageError):
        parse_message(wire)
    stream = Unt4Stream()
    [error] = stream.feed(wire)
    assert isinstance(error, Unt4Error)
    assert (error.kind, error.raw) == (ErrorKind.MALFORMED, wire)
    assert reason in error.detail
    assert stream.stats.malformed == 1


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (Text(100, 0, "x"), "column must be 0 to 99"),
        (Text(0, -1, "x"), "row must be 0 to 99"),
        (Text(0, 0, "Chloé"), "7-bit ASCII"),
        (Text(0, 0, "a\x04b"), "7-bit ASCII without SOH"),
        (Packet(header="S\x02"), "printable ASCII only"),
        (Packet(column=1, text="x"), "column and row go together"),
        (Packet(header="S", clear=True, text="x"), "carries no position"),
    ],
)
def test_records_the_wire_cannot_carry_are_refused(record: Unt4Record, reason: str) -> None:
    with pytest.raises(EncodeError, match=reason):
        encode(record)


def test_garbage_truncated_and_oversized_are_reported_and_framing_goes_on() -> None:
    stream = Unt4Stream(max_message_size=16)
    good = encode(Text(0, 0, "OK"))
    out = stream.feed(b"noise" + b"\x01\x02\x1000" + good + b"\x01" + b"x" * 20 + b"\x04" + good)
    assert out == [
        Unt4Error(ErrorKind.GARBAGE, b"noise"),
        Unt4Error(ErrorKind.TRUNCATED, b"\x01\x02\x1000", "cut off by SOH"),
        Text(0, 0, "OK"),
        Unt4Error(ErrorKind.OVERSIZED, b"\x01" + b"x" * 20 + b"\x04", "22 bytes"),
        Text(0, 0, "OK"),
    ]
    assert stream.feed(b"\x01\x02ha") == []
    assert stream.close() == [Unt4Error(ErrorKind.TRUNCATED, b"\x01\x02ha", "end of stream")]
    assert (stream.stats.messages, stream.stats.bad_messages, stream.stats.garbage_bytes) == (
        2, 3, 5,
    )  # fmt: skip


def test_a_message_that_never_ends_is_dropped_once_too_long() -> None:
    stream = Unt4Stream(max_message_size=8)
    [error] = stream.feed(b"\x01" + b"y" * 10)
    assert isinstance(error, Unt4Error)
    assert error.kind is ErrorKind.OVERSIZED
    # Its end counts as garbage; the next message decodes.
    assert stream.feed(b"yy\x04" + encode(ClearAll())) == [
        Unt4Error(ErrorKind.GARBAGE, b"yy\x04"),
        ClearAll(),
    ]


@pytest.mark.parametrize(
    ("name", "board"),
    [
        ("Chloé NOVAK", "Chloe NOVAK"),
        ("MÜLLER", "MULLER"),
        ("Łukasz ŚWIĘTOŃ", "Lukasz SWIETON"),
        ("Søren JØRGENSEN", "Soren JORGENSEN"),
        ("STRAßE Straße", "STRASSE Strasse"),
        ("O\u2019Brien \u2013 Ægir", "O'Brien - AEgir"),  # a quote, a dash
        ("Tab\there\nend", "Tab here end"),
        ("soft\u00adhyphen", "softhyphen"),
        ("李 LI", "? LI"),
        ("plain ASCII 123", "plain ASCII 123"),
    ],
)
def test_board_text_transliterates_to_printable_ascii(name: str, board: str) -> None:
    assert board_text(name) == board
    encode(Text(0, 0, board_text(name)))  # and it always encodes
