"""The Protime codec: the documented telegram decoded by hand, what is rejected and why, the
host's commands, and properties (round trip, any split, garbage around good telegrams)."""

from hypothesis import given
from hypothesis import strategies as st

from velotime.protocols import protime
from velotime.protocols.protime import (
    Ack,
    CommandStream,
    ConfigDump,
    ErrorKind,
    LineError,
    Passing,
    ProtimeStream,
    QueryConfig,
    RepeatRequest,
    SetLevel,
    SetTime,
    Start,
    StatusLine,
    StatusRequest,
    Stop,
    UnknownLine,
)

EXAMPLE = b"<STA 000255 00:00'31\"957 01 01 1 1555>\r\n"  # ../shared/docs/protocols.md 4.2


def test_the_documented_telegram_decodes_to_its_hand_checked_fields() -> None:
    """`<STA 000255 00:00'31"957 01 01 1 1555>`: the 32 data characters are
    `STA 000255 00:00'31"957 01 01 1 ` and their codes sum to 1555, by hand:

    - letters S T A: 83 + 84 + 65 = 232;
    - the data is `STA` sp `000255` sp `00:00'31"957` sp `01` sp `01` sp `1` sp: 6 spaces
      (positions 3, 10, 23, 26, 29, 31) = 6 * 32 = 192;
    - transponder digits 0 0 0 2 5 5: 3*48 + 50 + 53 + 53 = 300;
    - time `00:00'31"957`: 0 0 (96) + ':' (58) + 0 0 (96) + "'" (39) + 3 1 (51 + 49 = 100)
      + '"' (34) + 9 5 7 (57 + 53 + 55 = 165) = 588;
    - level 0 1: 48 + 49 = 97; index 0 1: 97; battery 1: 49.
    232 + 192 + 300 + 588 + 97 + 97 + 49 = 1555, the checksum sent.
    Fields: channel STA (the start loop), transponder 255, time of day 0 h 0 min 31.957 s
    = 31 957 000 us, level 1, passing index 1, battery 1 (not low, not failing).
    """
    stream = ProtimeStream()
    [record] = stream.feed(EXAMPLE)
    assert record == Passing(
        channel="STA", transponder=255, time_of_day_us=31_957_000, level=1, index=1, battery=1
    )
    assert protime.checksum(b"STA 000255 00:00'31\"957 01 01 1 ") == 1555
    assert protime.encode(record) == EXAMPLE  # and back, byte for byte
    assert stream.stats.passings == 1
    assert stream.stats.errors == 0


def test_a_wrong_checksum_is_rejected_naming_both_sums() -> None:
    """One transponder digit 5 -> 6 adds 1 to the sum: 1556 computed, 1555 sent."""
    line = b"<STA 000256 00:00'31\"957 01 01 1 1555>"
    error = protime.parse_line(line)
    assert isinstance(error, LineError)
    assert error.kind == ErrorKind.BAD_CHECKSUM
    assert error.detail == "sent '1555', computed 1556"


def test_telegrams_of_the_wrong_length_or_fields_are_malformed() -> None:
    short = b"<STA 000255 00:00'31\"957 01 01 1555>"  # the battery digit and a space lost
    assert isinstance(bad := protime.parse_line(short), LineError)
    assert bad.kind == ErrorKind.MALFORMED
    # 25 o'clock, with a checksum that matches: the decoder sent it so.
    hours_25 = protime.telegram("STA 000255 25:00'31\"957 01 01 1 ")
    assert isinstance(bad := protime.parse_line(hours_25), LineError)
    assert (bad.kind, bad.detail) == (ErrorKind.MALFORMED, "time of day out of range")


def test_status_lines_configuration_dumps_and_other_lines() -> None:
    stream = ProtimeStream()
    items = stream.feed(b"[10:00:02 02 03 40 40]\r\n+++\x00\x01\xc0\xa8\x01\x14\r\nMR1 v3\r\n")
    assert items == [
        StatusLine(text="[10:00:02 02 03 40 40]"),
        ConfigDump(data=b"\x00\x01\xc0\xa8\x01\x14"),
        UnknownLine(text="MR1 v3"),
    ]
    assert isinstance(items[1], ConfigDump)
    assert protime.record_to_builtins(items[1]) == {"type": "config", "data": "0001c0a80114"}
    noise = stream.feed(b"\x07\x02noise\r\n")
    assert [item.kind for item in noise if isinstance(item, LineError)] == [ErrorKind.GARBAGE]


def test_a_configuration_dump_ending_with_cr_is_reported_not_raised() -> None:
    """`+++` `01` CR CR LF: the line's end is LF with the CR before it dropped, which leaves a
    dump ending with CR, which no dump can (ConfigDump refuses one, as its encoding would lose
    the CR). So: one line, one counted `malformed` error, and the next line still read."""
    stream = ProtimeStream()
    items = stream.feed(b"+++\x01\r\r\nMR1 v3\r\n")
    assert [type(item) for item in items] == [LineError, UnknownLine]
    assert isinstance(items[0], LineError)
    assert (items[0].kind, items[0].raw) == (ErrorKind.MALFORMED, b"+++\x01\r")
    assert (stream.stats.lines, stream.stats.malformed, stream.stats.unknown_lines) == (2, 1, 1)


def test_leading_nuls_are_dropped_and_a_cut_line_is_reported_at_the_end() -> None:
    stream = ProtimeStream()
    assert stream.feed(b"\x00\x00" + EXAMPLE) == [protime.parse_line(EXAMPLE[:-2])]
    assert stream.feed(EXAMPLE[:20]) == []
    [cut] = stream.close()
    assert isinstance(cut, LineError)
    assert cut.kind == ErrorKind.TRUNCATED


def test_the_host_commands_as_bytes() -> None:
    """ACK ESC 0x11, repeat ESC 0x12, status ESC 0x05, start ESC 0x07, stop ESC 0x13 0x5C,
    query config ESC 0x10; set time 13:05:09 is ESC 0x48, then 13, 5, 9 as bytes, then 0x74."""
    expected = {
        Ack(): b"\x1b\x11",
        RepeatRequest(): b"\x1b\x12",
        StatusRequest(): b"\x1b\x05",
        Start(): b"\x1b\x07",
        Stop(): b"\x1b\x13\x5c",
        QueryConfig(): b"\x1b\x10",
        SetTime(hours=13, minutes=5, seconds=9): b"\x1b\x48\x0d\x05\x09\x74",
        SetLevel(loop="BOX", level=15): b"\x1b\x1f15",
    }
    for command, raw in expected.items():
        assert protime.encode_command(command) == raw
    stream = CommandStream()
    assert stream.feed(b"".join(expected.values())) == list(expected)
    assert SetTime.at((13 * 3600 + 5 * 60 + 9) * 1_000_000 + 999_999) == SetTime(
        hours=13, minutes=5, seconds=9
    )


def test_unknown_commands_and_stray_bytes_are_reported() -> None:
    stream = CommandStream()
    items = stream.feed(b"xy\x1b\x99\x1b\x11")
    kinds = [item.kind if isinstance(item, LineError) else item for item in items]
    assert kinds == [ErrorKind.GARBAGE, ErrorKind.UNKNOWN_COMMAND, Ack()]


# -- properties --------------------------------------------------------------------------------

channels = st.sampled_from(protime.KNOWN_CHANNELS)
passings = st.builds(
    Passing,
    channel=channels,
    transponder=st.integers(0, 999_999),
    time_of_day_us=st.integers(0, 86_399_999).map(lambda ms: ms * 1_000),
    level=st.integers(0, 99),
    index=st.integers(0, 99),
    battery=st.integers(0, 9),
)
printable = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=40,
)
others = st.one_of(
    printable.map(lambda text: StatusLine(text="[" + text)),
    st.binary(max_size=60)
    .filter(lambda b: b"\n" not in b and not b.endswith(b"\r"))
    .map(lambda data: ConfigDump(data=data)),
    printable.filter(lambda t: t and not t.startswith(("<", "[", "+++"))).map(
        lambda text: UnknownLine(text=text)
    ),
)
records = st.lists(st.one_of(passings, others), max_size=20)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@given(records, st.lists(st.integers(0, 10_000), max_size=30))
def test_records_round_trip_through_any_split(
    sent: list[protime.DeviceRecord], cuts: list[int]
) -> None:
    data = b"".join(protime.encode(record) for record in sent)
    stream = ProtimeStream()
    got = [item for chunk in split(data, cuts) for item in stream.feed(chunk)]
    assert got + stream.close() == sent
    assert stream.stats.lines == len(sent)
    assert stream.stats.errors == 0


@given(st.lists(passings, min_size=1, max_size=10), st.data())
def test_a_corrupted_telegram_is_counted_and_the_good_ones_around_it_kept(
    sent: list[Passing], data: st.DataObject
) -> None:
    """One data character of one telegram changed to another digit or letter: its sum changes
    by the difference of the codes, so the checksum catches it; the others decode."""
    lines = [protime.encode(p) for p in sent]
    victim = data.draw(st.integers(0, len(lines) - 1))
    position = data.draw(st.integers(1, 32))
    spoilt = bytearray(lines[victim])
    replacement = data.draw(
        st.sampled_from(b"0123456789ABZ").filter(lambda c: c != spoilt[position])
    )
    spoilt[position] = replacement
    lines[victim] = bytes(spoilt)
    garbage = data.draw(st.binary(max_size=30).filter(lambda b: b"\n" not in b))
    stream = ProtimeStream()
    items = stream.feed(garbage + b"\r\n" + b"".join(lines))
    good = [item for item in items if isinstance(item, Passing)]
    assert good == [p for i, p in enumerate(sent) if i != victim]
    assert stream.stats.bad_checksum == 1


@given(st.binary(max_size=300), passings)
def test_garbage_never_raises_and_a_telegram_after_a_line_end_is_read(
    garbage: bytes, passing: Passing
) -> None:
    stream = ProtimeStream()
    items = stream.feed(garbage) + stream.feed(b"\r\n" + protime.encode(passing))
    assert items[-1] == passing
    assert stream.stats.lines == len(items)


commands = st.one_of(
    st.sampled_from([Ack(), RepeatRequest(), StatusRequest(), Start(), Stop(), QueryConfig()]),
    st.builds(
        SetTime, hours=st.integers(0, 23), minutes=st.integers(0, 59), seconds=st.integers(0, 59)
    ),
    st.builds(SetLevel, loop=st.sampled_from(["STA", "BOX"]), level=st.integers(0, 99)),
)


@given(st.lists(commands, max_size=20), st.lists(st.integers(0, 1000), max_size=20))
def test_host_commands_round_trip_through_any_split(
    sent: list[protime.HostCommand], cuts: list[int]
) -> None:
    data = b"".join(protime.encode_command(command) for command in sent)
    stream = CommandStream()
    got = [item for chunk in split(data, cuts) for item in stream.feed(chunk)]
    assert got == sent
    assert stream.close() == []
