"""The streaming side: line ends, chunks, runaway lines, the end of the stream, the counts."""

import pytest

from velotime.protocols.timy import (
    DEFAULT_MAX_LINE_LENGTH,
    ErrorKind,
    Impulse,
    LineError,
    NextNumber,
    RunTime,
    StreamStats,
    TimyItem,
    TimyStream,
    UnknownLine,
)

START = b" 0001 C0  10:04:55.6513 00"
FINISH = b" 0001 C1  10:05:55.4113 00"
RUN = b" 0001 RT  00:00:59.76   00"


def feed_all(stream: TimyStream, *chunks: bytes) -> list[TimyItem]:
    return [item for chunk in chunks for item in stream.feed(chunk)] + stream.close()


@pytest.mark.parametrize("end", [b"\r", b"\n", b"\r\n"])
def test_every_line_end_gives_the_same_records(end: bytes) -> None:
    out = feed_all(TimyStream(), end.join([b"n0001", START, FINISH, RUN]) + end)
    assert [type(item) for item in out] == [NextNumber, Impulse, Impulse, RunTime]
    # The run time is the finish minus the start, to the hundredth: 10:05:55.4113 - 10:04:55.6513
    # = 36355.4113 s - 36295.6513 s = 59.7600 s.
    start, finish, run = out[1:]
    assert isinstance(start, Impulse)
    assert isinstance(finish, Impulse)
    assert isinstance(run, RunTime)
    assert finish.time_of_day_us - start.time_of_day_us == run.duration_us == 59_760_000


def test_a_crlf_split_between_chunks_is_one_line_end() -> None:
    stream = TimyStream()
    assert stream.feed(START + b"\r") == [
        Impulse(number=1, channel=0, time_of_day_us=36_295_651_300)
    ]
    assert stream.feed(b"\n" + FINISH[:3]) == []
    assert [type(i) for i in stream.feed(FINISH[3:] + b"\r\n\r\n\n")] == [Impulse]
    assert stream.close() == []
    assert stream.stats.lines == 2


def test_byte_by_byte() -> None:
    data = b"\r\n".join([b"n0001", START, FINISH, RUN, b"TIMY V 1.9"]) + b"\r\n"
    stream = TimyStream()
    out = [item for i in range(len(data)) for item in stream.feed(data[i : i + 1])]
    assert out == feed_all(TimyStream(), data)
    assert len(out) == 5


def test_a_line_without_its_end_is_reported_at_close_never_parsed() -> None:
    stream = TimyStream()
    checked = START + b">0"  # any checksum: it must not matter, the line is cut
    assert stream.feed(START + b"\r" + checked[:26]) == [
        Impulse(number=1, channel=0, time_of_day_us=36_295_651_300)
    ]
    assert stream.close() == [LineError(ErrorKind.TRUNCATED, START, "no line end")]
    assert stream.close() == []
    assert stream.stats.truncated == 1


def test_a_runaway_line_is_cut_off_and_the_next_line_survives() -> None:
    stream = TimyStream(max_line_length=64)
    noise = b"x" * 100
    out = stream.feed(noise[:50]) + stream.feed(noise[50:]) + stream.feed(b"more\r" + RUN + b"\r")
    assert out == [
        LineError(ErrorKind.OVERSIZED, noise[:64], "no line end within 64 bytes"),
        RunTime(number=1, duration_us=59_760_000),
    ]
    # The same report when the whole line arrives at once.
    again = TimyStream(max_line_length=64)
    assert again.feed(noise + b"more\r" + RUN + b"\r") == out
    assert stream.stats == again.stats


def test_memory_stays_bounded_without_line_ends() -> None:
    stream = TimyStream()
    for _ in range(1000):
        stream.feed(b"y" * 1000)
        assert len(stream._pending) <= DEFAULT_MAX_LINE_LENGTH
    assert stream.stats.oversized == 1  # one runaway line, one report
    assert stream.feed(b"\r" + START + b"\r") == [
        Impulse(number=1, channel=0, time_of_day_us=36_295_651_300)
    ]


def test_a_line_of_exactly_the_maximum_is_not_oversized() -> None:
    stream = TimyStream(max_line_length=30)
    assert stream.feed(b"a" * 30) == []
    assert stream.feed(b"\r") == [UnknownLine(text="a" * 30)]
    assert stream.feed(b"b" * 31) == [
        LineError(ErrorKind.OVERSIZED, b"b" * 30, "no line end within 30 bytes")
    ]


def test_stats_count_each_line_once() -> None:
    stream = TimyStream(require_checksum=True)
    data = [
        b"n0001",
        START + b"^;",  # "^" is outside "0".."?": a bad checksum
        START,  # no checksum, but one is required
        b"TIMY V 1.9",
        b" 0001 C0  25:00:00.0000 00",  # the missing checksum is found before the bad time
        b"\x00\x01",
        b" 001",
    ]
    feed_all(stream, b"\r".join(data) + b"\r", b"partial")
    assert stream.stats == StreamStats(
        lines=8,
        next_numbers=1,
        unknown_lines=2,  # "TIMY V 1.9" and " 001" (no flag and four digits, no time)
        bad_checksum=1,
        missing_checksum=2,
        garbage=1,
        truncated=1,
    )
    assert stream.stats.records == 1
    assert stream.stats.errors == 5
    assert stream.stats.errors_by_kind() == {
        "garbage": 1,
        "bad_checksum": 1,
        "missing_checksum": 2,
        "truncated": 1,
    }


def test_a_too_small_maximum_is_refused() -> None:
    with pytest.raises(ValueError, match="28"):
        TimyStream(max_line_length=27)
