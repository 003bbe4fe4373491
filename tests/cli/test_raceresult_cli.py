"""The Race Result family from the command line: `velotime decode --protocol raceresult`, a
foreign dump replayed, and `velotime simulate raceresult` spoken to over TCP."""

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import velotime_main
from velotime.protocols import raceresult as rr

PUSHED_1 = b"#P;1;4711;2026-12-07;18:34:14.123;0;1F;5C;;1;1;1;0;15;2.95;21;0;BOX;1;1;5123"
PUSHED_4 = b"#P;4;4712;2026-12-07;18:34:16.500;0;1F;5C;;1;1;1;0;15;2.95;21;64;BOX;1;1;5123"
DUMP = b"\r\n".join(
    [
        PUSHED_1,
        PUSHED_4,  # 2 and 3 missing
        b"GETTIME;2026-12-07;18:34:20.000",
        b"\x01\x02zz",  # line noise
        b"2;4711;2026-12-07;18:34:15.000",  # a passing cut short
        b"",
    ]
)


def test_decode_counts_passings_gaps_and_errors(tmp_path: Path) -> None:
    dump = tmp_path / "rr.dump"
    dump.write_bytes(DUMP)
    result = velotime_main("decode", dump, "--protocol", "raceresult", "--summary")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "lines": 5,
        "records": 3,
        "by_type": {"passing": 2, "reply": 1},
        "stored_passings": 1,  # InternalActiveData 64 = 0x40
        "passing_gaps": {"1": [[2, 3]]},  # file 1
        "errors": 2,
        "errors_by_kind": {"garbage": 1, "malformed": 1},
    }
    records = velotime_main("decode", dump, "--protocol", "raceresult")
    first = json.loads(records.stdout.splitlines()[0])
    assert (first["type"], first["passing_number"], first["text"]) == (
        "passing",
        1,
        PUSHED_1.decode(),
    )
    assert [json.loads(line)["error"] for line in records.stderr.splitlines()] == [
        "garbage",
        "malformed",
    ]


def test_a_dump_replays_on_the_venue_clock(tmp_path: Path) -> None:
    """A dump has no GETTIME answers: the decoder's time is the venue's local time.
    18:34:14.123 in Amsterdam on 2026-12-07 (winter, UTC+1) is 17:34:14.123 UTC: 20,794 days
    after 1970-01-01 (1,796,601,600 s) + 63,254.123 s = 1,796,664,854.123 s."""
    dump = tmp_path / "rr.dump"
    dump.write_bytes(DUMP)
    result = velotime_main(
        "replay", "--offline", "--protocol", "raceresult", "--line", "finish",
        "--timezone", "Europe/Amsterdam", dump,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["data"]["passing_number"], e["data"]["t_us"]) for e in events] == [
        (1, 1_796_664_854_123_000),
        (4, 1_796_664_856_500_000),
    ]
    assert all(e["data"]["line"] == "finish" for e in events)


LISTENING = re.compile(r"velotime simulate raceresult: listening on 127\.0\.0\.1:(\d+)\n")


@pytest.mark.slow
async def test_simulate_pushes_passings_and_answers_fetches() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "velotime", "simulate", "raceresult", "--listen", "127.0.0.1:0",
        "--count", "6", "--speedup", "4", "--lap-time", "2", "--transponders", "2",
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        match = LISTENING.fullmatch(line)
        assert match, line
        reader, writer = await asyncio.open_connection("127.0.0.1", int(match[1]))
        writer.write(rr.command("SETPUSHPASSINGS", 1, 0) + rr.command("NOSUCH"))
        stream = rr.RaceResultStream()
        items: list[rr.RaceResultItem] = []
        while not any(isinstance(i, rr.Passing) and i.passing_number == 6 for i in items):
            items += stream.feed(await asyncio.wait_for(reader.read(4096), 10))
        assert items[0] == rr.Reply(command="SETPUSHPASSINGS", fields=("OK",))
        assert items[1] == rr.Reply(command="NOSUCH", fields=("ERROR", "unknown command"))
        # Pushed from when the host asked on (the first may have come before it connected).
        pushed = [i for i in items if isinstance(i, rr.Passing)]
        assert all(p.pushed for p in pushed)
        numbers = [p.passing_number for p in pushed]
        assert numbers == list(range(numbers[0], 7))
        writer.write(rr.fetch(1, 10))  # all it holds: the same passings, without the prefix
        fetched: list[rr.RaceResultItem] = []
        while not fetched or not isinstance(fetched[-1], rr.FetchEnd):
            fetched += stream.feed(await asyncio.wait_for(reader.read(4096), 10))
        held = [i for i in fetched if isinstance(i, rr.Passing)]
        assert [(p.passing_number, p.pushed) for p in held] == [(n, False) for n in range(1, 7)]
        assert [p.time_of_day_us for p in held[numbers[0] - 1 :]] == [
            p.time_of_day_us for p in pushed
        ]
        assert {p.code for p in held} == {"1001", "1002"}
        writer.close()
        assert await asyncio.wait_for(process.wait(), 10) == 0  # --count: it ends by itself
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
