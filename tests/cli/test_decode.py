"""`velotime decode`, run as a user runs it: a real process with real files."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.protocols.p3.reference import hex_lines


def velotime(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "velotime", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def summary(*args: str | Path) -> dict[str, Any]:
    result = velotime("decode", *args, "--protocol", "p3", "--summary")
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_summary_of_amb_out(shared_data: Path) -> None:
    assert summary(shared_data / "p3" / "amb.out") == {
        "records": 1388,
        "by_type": {"status": 1304, "passing": 84},
        "crc_errors": 0,
        "bad_frames": 0,
        "garbage_bytes": 0,
        "passing_gaps": [],
        "bad_hex_lines": 0,
    }


def test_summary_of_amb_short_shows_the_gap(shared_data: Path) -> None:
    result = summary(shared_data / "p3" / "amb-short.out")
    assert result["records"] == 371
    assert result["passing_gaps"] == [[157829, 157829]]


def test_raw_binary_dump_is_detected_and_decodes_the_same(
    shared_data: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "amb.bin"
    raw.write_bytes(b"".join(hex_lines(shared_data / "p3" / "amb.out")))
    assert summary(raw) == summary(shared_data / "p3" / "amb.out")
    assert summary(raw, "--format", "raw")["records"] == 1388


def test_records_print_as_json_lines(shared_data: Path) -> None:
    result = velotime("decode", shared_data / "p3" / "amb.out", "--protocol", "p3")
    lines = result.stdout.splitlines()
    assert len(lines) == 1388
    first_passing = next(json.loads(line) for line in lines if '"passing"' in line)
    assert first_passing == {
        "type": "passing",
        "passing_number": 157777,
        "transponder": 5691251,
        "rtc_time_us": 1551542808933000,
        "strength": 178,
        "hits": 52,
        "flags": 0,
        "decoder_id": 268307,
    }


def test_corrupt_frames_are_counted_not_fatal(shared_data: Path, tmp_path: Path) -> None:
    lines = hex_lines(shared_data / "p3" / "amb.out")[:10]
    damaged = bytearray(lines[3])
    damaged[15] ^= 0xFF  # inside a field: the CRC no longer matches
    dump = tmp_path / "damaged.bin"
    dump.write_bytes(
        b"garbage" + b"".join(lines[:3]) + bytes(damaged) + lines[4][:-5] + b"".join(lines[5:])
    )
    result = velotime("decode", dump, "--protocol", "p3")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 8  # the 8 intact records
    errors = [json.loads(line)["error"] for line in result.stderr.splitlines()]
    assert errors == ["garbage", "bad_crc", "truncated"]
    counts = summary(dump)
    assert (counts["records"], counts["crc_errors"], counts["bad_frames"]) == (8, 1, 1)
    assert counts["garbage_bytes"] == len(b"garbage")


def test_a_hex_line_that_is_not_hex_is_counted(shared_data: Path, tmp_path: Path) -> None:
    text = (shared_data / "p3" / "amb.out").read_text().splitlines()
    dump = tmp_path / "amb.hex"
    dump.write_text("\n".join([*text[:5], "zz not hex", *text[5:10]]) + "\n")
    result = summary(dump, "--format", "hex")
    assert (result["records"], result["bad_hex_lines"]) == (10, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("decode", "/nonexistent/dump", "--protocol", "p3"), "cannot read /nonexistent/dump"),
        (("decode", "README.md", "--protocol", "nmea"), "unknown protocol 'nmea'"),
        (("decode", "README.md", "--protocol", "p3", "--format", "xml"), "invalid choice"),
    ],
)
def test_bad_invocations_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = velotime(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
