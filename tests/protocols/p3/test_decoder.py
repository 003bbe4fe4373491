"""Decoding typed records from bytes assembled by hand or taken from protocols.md."""

import pytest

from tests.protocols.p3.builders import assemble, assemble_body, u
from velotime.protocols.p3 import (
    Error,
    FrameError,
    GetTime,
    MalformedRecordError,
    P3Stream,
    Passing,
    RawField,
    Resend,
    Status,
    Unknown,
    Version,
    decode_record,
)


def test_worked_status_from_the_protocol_notes() -> None:
    # protocols.md 1.6 A (line 1 of amb.out).
    wire = bytes.fromhex("8e021f004d7c000002000102270007021600 0c0176 060100 810413180400 8f")
    (status,) = P3Stream().feed(wire)
    assert status == Status(noise=39, temperature=22, input_voltage=118, gps=0, decoder_id=268307)


def test_worked_passing_from_the_protocol_notes() -> None:
    # protocols.md 1.6 B (first PASSING of amb.out).
    wire = bytes.fromhex(
        "8e0233 0053c8 0000 0100 01045168 0200 030473d7 5600 040888f2fab51e830500"
        "0502b200 06023400 08020000 810413180400 8f"
    )
    (passing,) = P3Stream().feed(wire)
    assert passing == Passing(
        passing_number=157777,
        transponder=5691251,
        rtc_time_us=1551542808933000,
        strength=178,
        hits=52,
        flags=0,
        decoder_id=268307,
    )


def test_prochip_rider_passing_keeps_its_string_and_lacks_strength_and_hits() -> None:
    record = assemble(
        0x0001,
        [
            (0x01, u(4, 42)),
            (0x03, u(4, 9992)),
            (0x04, u(8, 1_700_000_000_123_456)),
            (0x0A, b"FL-94890"),
            (0x81, u(4, 77)),
        ],
    )
    passing = decode_record(record)
    assert isinstance(passing, Passing)
    assert passing.tran_code == "FL-94890"
    assert passing.rtc_time_us == 1_700_000_000_123_456  # microsecond resolution kept
    assert passing.strength is None
    assert passing.hits is None


def test_unknown_tags_are_kept_in_arrival_order() -> None:
    record = assemble(
        0x0002, [(0x01, u(2, 40)), (0x77, b"\x01\x02\x03"), (0x78, b""), (0x81, u(4, 5))]
    )
    status = decode_record(record)
    assert status == Status(
        noise=40, decoder_id=5, extra=(RawField(0x77, b"\x01\x02\x03"), RawField(0x78, b""))
    )


def test_a_known_tag_with_an_unexpected_width_is_kept_raw_not_misread() -> None:
    record = assemble(0x0001, [(0x01, u(4, 1)), (0x05, u(4, 300))])  # STRENGTH is u16
    passing = decode_record(record)
    assert isinstance(passing, Passing)
    assert passing.strength is None
    assert passing.extra == (RawField(0x05, u(4, 300)),)


def test_a_repeated_tag_keeps_the_first_typed_and_the_second_raw() -> None:
    record = assemble(0x0004, [(0x01, u(4, 10)), (0x02, u(4, 12)), (0x01, u(4, 11))])
    assert decode_record(record) == Resend(
        from_passing=10, until_passing=12, extra=(RawField(0x01, u(4, 11)),)
    )


def test_unknown_record_type_keeps_tor_and_fields() -> None:
    record = assemble(0x004A, [(0x01, b"\xaa\xbb"), (0x81, u(4, 268307))], version=3, flags=1)
    assert decode_record(record) == Unknown(
        unknown_tor=0x004A,
        record_version=3,
        header_flags=1,
        decoder_id=268307,
        extra=(RawField(0x01, b"\xaa\xbb"),),
    )


def test_version_get_time_and_error_records() -> None:
    version = assemble(
        0x0003, [(0x01, u(1, 0x12)), (0x02, b"TranX"), (0x03, b"4.2"), (0x0A, u(2, 1234))]
    )
    assert decode_record(version) == Version(
        decoder_type=0x12, description="TranX", firmware_version="4.2", build_number=1234
    )
    answer = assemble(0x0024, [(0x01, u(8, 5_000_000)), (0x04, u(2, 0)), (0x05, u(8, 6_000_000))])
    assert decode_record(answer) == GetTime(
        rtc_time_us=5_000_000, unknown_04=0, utc_time_us=6_000_000
    )
    error = assemble(0xFFFF, [(0x01, u(2, 4)), (0x02, b"TOR unknown")])
    assert decode_record(error) == Error(code=4, description="TOR unknown")


def test_strings_keep_every_byte() -> None:
    record = assemble(0x0003, [(0x02, bytes(range(256))[:255])])
    version = decode_record(record)
    assert isinstance(version, Version)
    assert version.description is not None
    assert version.description.encode("latin-1") == bytes(range(255))


@pytest.mark.parametrize(
    "body",
    [
        b"\x01",  # a tag without its width
        b"\x01\x04\x00\x00",  # a value shorter than its width
        b"\x01\x02\x05\x00\x03",  # a trailing tag without its width
    ],
)
def test_fields_overrunning_the_record_are_malformed(body: bytes) -> None:
    record = assemble_body(0x0001, body)
    with pytest.raises(MalformedRecordError):
        decode_record(record)


def test_the_stream_reports_malformed_records_and_goes_on() -> None:
    good = assemble(0x0002, [(0x01, u(2, 40))])
    stream = P3Stream()
    out = stream.feed(assemble_body(0x0001, b"\x01\x09\x00") + good)
    assert isinstance(out[0], FrameError)
    assert out[0].kind == "malformed"
    assert out[1] == Status(noise=40)
    assert (stream.stats.malformed, stream.stats.frames) == (1, 1)


def test_records_of_one_size_but_another_layout_are_not_confused() -> None:
    # The decoder remembers record shapes by type and size; a different layout of the same size
    # must still decode by its own tags.
    first = assemble(0x0001, [(0x01, u(4, 1)), (0x03, u(4, 2)), (0x05, u(2, 3))])
    second = assemble(0x0001, [(0x03, u(4, 4)), (0x01, u(4, 5)), (0x06, u(2, 6))])
    third = assemble(0x0001, [(0x01, u(4, 7)), (0x03, u(4, 8)), (0x05, b"\x01\x02")])
    assert len(first) == len(second) == len(third)
    for _ in range(2):  # the second round goes through the remembered shapes
        assert decode_record(first) == Passing(passing_number=1, transponder=2, strength=3)
        assert decode_record(second) == Passing(passing_number=5, transponder=4, hits=6)
        assert decode_record(third) == Passing(passing_number=7, transponder=8, strength=0x0201)


def test_unknown_types_of_one_size_keep_their_own_tor() -> None:
    for _ in range(2):
        assert decode_record(assemble(0x0013, [(0x81, u(4, 1))])) == Unknown(
            unknown_tor=0x13, decoder_id=1
        )
        assert decode_record(assemble(0x0015, [(0x81, u(4, 2))])) == Unknown(
            unknown_tor=0x15, decoder_id=2
        )
