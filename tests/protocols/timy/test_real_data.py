"""The two real ALGE TdC 8001 dumps, checked against the facts in ../shared/data/MANIFEST.md."""

from collections import Counter
from pathlib import Path

import pytest

from velotime.protocols.timy import (
    Impulse,
    NextNumber,
    RunTime,
    TimyRecord,
    TimyStream,
    TotalTime,
    encode,
)

MORNING = "ALGETdC8001-202002020841.dump"
NOON = "ALGETdC8001-202002021133.dump"

# MANIFEST.md: non-empty lines, lines by first character, lines by (token, flag).
FACTS = {
    MORNING: (
        661,
        {" ": 439, "n": 167, "?": 43, "c": 6, "i": 6},
        {
            ("C0", " "): 130,
            ("C0", "?"): 3,
            ("C0", "c"): 1,
            ("C0M", " "): 2,
            ("C0M", "c"): 2,
            ("C1", " "): 124,
            ("C1", "?"): 40,
            ("C1", "c"): 1,
            ("C1", "i"): 2,
            ("RT", " "): 124,
            ("RT", "c"): 1,
            ("RT", "i"): 2,
            ("TT", " "): 59,
            ("TT", "c"): 1,
            ("TT", "i"): 2,
        },
    ),
    NOON: (
        629,
        {" ": 458, "n": 150, "?": 14, "c": 4, "i": 3},
        {
            ("C0", " "): 141,
            ("C0", "c"): 2,
            ("C0", "i"): 1,
            ("C0M", " "): 2,
            ("C0M", "c"): 2,
            ("C1", " "): 128,
            ("C1", "?"): 14,
            ("C1", "i"): 1,
            ("RT", " "): 128,
            ("RT", "i"): 1,
            ("TT", " "): 59,
        },
    ),
}


def dump(shared_data: Path, name: str) -> bytes:
    return (shared_data / "alge" / name).read_bytes()


def decode(data: bytes) -> tuple[list[TimyRecord], TimyStream]:
    stream = TimyStream()
    out = stream.feed(data) + stream.close()
    records = [item for item in out if isinstance(item, TimyRecord)]
    assert records == out, "a real dump must decode without a single error"
    return records, stream


def token(record: TimyRecord) -> str:
    if isinstance(record, Impulse):
        return f"C{record.channel}" + ("M" if record.manual else "")
    return {RunTime: "RT", TotalTime: "TT", NextNumber: "n"}[type(record)]


def flag(record: TimyRecord) -> str:
    return "n" if isinstance(record, NextNumber) else getattr(record, "flag", "")


@pytest.mark.parametrize("name", [MORNING, NOON])
def test_every_line_decodes_as_the_manifest_counts_it(shared_data: Path, name: str) -> None:
    lines, by_flag, by_token_and_flag = FACTS[name]
    records, stream = decode(dump(shared_data, name))
    assert len(records) == lines
    assert stream.stats.lines == lines
    assert stream.stats.errors == 0
    assert stream.stats.unknown_lines == 0
    assert Counter(flag(r) for r in records) == by_flag
    timing = Counter((token(r), flag(r)) for r in records if not isinstance(r, NextNumber))
    assert timing == by_token_and_flag
    assert stream.stats.next_numbers == by_flag["n"]
    assert all(r.checksum_ok is None for r in records if isinstance(r, Impulse))  # no CHK1


@pytest.mark.parametrize("name", [MORNING, NOON])
def test_records_encode_back_to_the_exact_lines(shared_data: Path, name: str) -> None:
    data = dump(shared_data, name)
    records, _ = decode(data)
    assert b"".join(encode(r, line_end=b"\n") for r in records) == data
    assert [r.text.encode("cp437") for r in records] == data.splitlines()


@pytest.mark.parametrize("name", [MORNING, NOON])
def test_chunks_and_line_ends_do_not_matter(shared_data: Path, name: str) -> None:
    data = dump(shared_data, name)
    whole, _ = decode(data)
    stream = TimyStream()
    device = data.replace(b"\n", b"\r")  # as the device sends them
    pieces = [device[i : i + 7] for i in range(0, len(device), 7)]
    assert [item for piece in pieces for item in stream.feed(piece)] + stream.close() == whole


def test_hand_checked_lines_of_the_morning_dump(shared_data: Path) -> None:
    records, _ = decode(dump(shared_data, MORNING))
    # Line 4, "?0300 C0  08:53:39.4922 00": 8 h 53 min 39.4922 s
    #   = 8 * 3600 + 53 * 60 + 39 = 28800 + 3180 + 39 = 32019 s, + 0.4922 s -> 32_019_492_200 us.
    assert records[3] == Impulse(
        flag="?",
        number=300,
        channel=0,
        time_of_day_us=32_019_492_200,
        text="?0300 C0  08:53:39.4922 00",
    )
    # Line 7, " 0001 C0M 09:00:38.7600 00": a keypad start, 9 * 3600 + 38 = 32438 s, + 0.76 s.
    assert records[6] == Impulse(number=1, channel=0, manual=True, time_of_day_us=32_438_760_000)
    # Lines 72 to 75: rider 1's start, rider 2's start (10:05:33.6031 = 36333.6031 s), rider 1's
    # finish and the run time the Timy computed from rider 1's two impulses:
    # 10:05:55.4113 - 10:04:55.6513 = (36000 + 300 + 55.4113) - (36000 + 240 + 55.6513) s = 59.76 s
    assert records[71:75] == [
        Impulse(number=1, channel=0, time_of_day_us=36_295_651_300),
        Impulse(number=2, channel=0, time_of_day_us=36_333_603_100),
        Impulse(number=1, channel=1, time_of_day_us=36_355_411_300),
        RunTime(number=1, duration_us=59_760_000),
    ]
    # Line 335, " 0001 TT  00:01:58.03   00": 1 min 58.03 s = 118.03 s, the two runs' total:
    # line 75 (59.76 s) plus line 334 (" 0001 RT  00:00:58.27   00", 58.27 s) = 118.03 s.
    assert records[333] == RunTime(number=1, duration_us=58_270_000)
    assert records[334] == TotalTime(number=1, duration_us=118_030_000)
