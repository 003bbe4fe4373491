"""`velotime decode`, run as a user runs it: a real process with real files (the summaries and
argument errors through `main` in this process: only what it writes and its status count)."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import velotime, velotime_main
from tests.protocols.p3.reference import hex_lines
from velotime.protocols.p3 import P3Stream, Passing


def summary(*args: str | Path) -> dict[str, Any]:
    result = velotime_main("decode", *args, "--protocol", "p3", "--summary")
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


def passing_lines(amb_out: Path, count: int) -> list[str]:
    """The first `count` lines of a hex dump that are each one passing (told by the codec)."""
    lines = amb_out.read_text().splitlines()
    passings = [
        line
        for line in lines
        if [type(record) for record in P3Stream().feed(bytes.fromhex(line))] == [Passing]
    ]
    return passings[:count]


def test_a_hex_dump_with_a_bad_line_early_stays_hex(shared_data: Path, tmp_path: Path) -> None:
    # Issue 12, item 8: one bad line in the first 4 KB made the whole dump raw bytes (0 of 50
    # passings, 5,000 garbage bytes). Auto-detection (the default for p3) keeps it hex.
    lines = passing_lines(shared_data / "p3" / "amb.out", 50)
    dump = tmp_path / "passings.hex"
    dump.write_text("\n".join([*lines[:2], "zz not hex", *lines[2:]]) + "\n")
    result = velotime_main("decode", dump, "--protocol", "p3", "--summary")
    assert result.returncode == 0
    counts = json.loads(result.stdout)
    assert counts["by_type"] == {"passing": 50}
    assert (counts["records"], counts["bad_hex_lines"], counts["garbage_bytes"]) == (50, 1, 0)
    assert [json.loads(line) for line in result.stderr.splitlines()] == [
        {"error": "bad_hex_line", "line": 3, "detail": "line 3 is not hex: b'zz not hex'"}
    ]
    assert "Traceback" not in result.stderr


def test_bad_hex_lines_are_reported_ten_then_counted(shared_data: Path, tmp_path: Path) -> None:
    lines = passing_lines(shared_data / "p3" / "amb.out", 50)
    # A bad line after each of the first 25 passings: lines 2, 4, ..., 50.
    text = [piece for line in lines[:25] for piece in (line, "bad")] + lines[25:]
    dump = tmp_path / "passings.hex"
    dump.write_text("\n".join(text) + "\n")
    result = velotime_main("decode", dump, "--protocol", "p3", "--summary")
    assert json.loads(result.stdout)["bad_hex_lines"] == 25
    reported = [json.loads(line) for line in result.stderr.splitlines()]
    assert [r.get("line") for r in reported[:10]] == list(range(2, 21, 2))
    assert reported[10:] == [
        {
            "error": "bad_hex_line",
            "count": 15,
            "detail": "15 more lines that are not hex, lines 22 to 50",
        }
    ]
    assert json.loads(result.stdout)["by_type"] == {"passing": 50}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("decode", "/nonexistent/dump", "--protocol", "p3"), "cannot read /nonexistent/dump"),
        (("decode", "README.md", "--protocol", "nmea"), "unknown protocol 'nmea'"),
        (("decode", "README.md", "--protocol", "p3", "--format", "xml"), "invalid choice"),
    ],
)
def test_bad_invocations_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = velotime_main(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr


# -- ALGE Timy ---------------------------------------------------------------------------------

ALGE_MORNING = "ALGETdC8001-202002020841.dump"
ALGE_NOON = "ALGETdC8001-202002021133.dump"


def timy_summary(*args: str | Path, quiet: bool = True) -> dict[str, Any]:
    """The summary; `quiet`: nothing may be reported on stderr."""
    result = velotime_main("decode", *args, "--protocol", "timy", "--summary")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" or not quiet
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_timy_summary_of_the_morning_dump(shared_data: Path) -> None:
    # Every number from ../shared/data/MANIFEST.md. Lines by type: impulses are the C0, C0M and
    # C1 lines (134 + 4 + 167 = 305), run times 124 + 1 + 2 = 127, total times 59 + 1 + 2 = 62.
    assert timy_summary(shared_data / "alge" / ALGE_MORNING) == {
        "lines": 661,
        "records": 661,
        "by_type": {"impulse": 305, "run_time": 127, "total_time": 62, "next_number": 167},
        "by_flag": {" ": 439, "n": 167, "?": 43, "c": 6, "i": 6},
        "by_token": {
            "C0": {" ": 130, "?": 3, "c": 1},
            "C0M": {" ": 2, "c": 2},
            "C1": {" ": 124, "?": 40, "c": 1, "i": 2},
            "RT": {" ": 124, "c": 1, "i": 2},
            "TT": {" ": 59, "c": 1, "i": 2},
        },
        "errors": 0,
        "errors_by_kind": {},
        "unparsed_lines": 0,
    }


def test_timy_summary_of_the_noon_dump(shared_data: Path) -> None:
    # C0 141 + 2 + 1, C0M 2 + 2, C1 128 + 14 + 1: 291 impulses; RT 128 + 1; TT 59.
    assert timy_summary(shared_data / "alge" / ALGE_NOON) == {
        "lines": 629,
        "records": 629,
        "by_type": {"impulse": 291, "run_time": 129, "total_time": 59, "next_number": 150},
        "by_flag": {" ": 458, "n": 150, "?": 14, "c": 4, "i": 3},
        "by_token": {
            "C0": {" ": 141, "c": 2, "i": 1},
            "C0M": {" ": 2, "c": 2},
            "C1": {" ": 128, "?": 14, "i": 1},
            "RT": {" ": 128, "i": 1},
            "TT": {" ": 59},
        },
        "errors": 0,
        "errors_by_kind": {},
        "unparsed_lines": 0,
    }


def test_timy_records_print_as_json_lines(shared_data: Path) -> None:
    result = velotime("decode", shared_data / "alge" / ALGE_MORNING, "--protocol", "timy")
    assert result.returncode == 0
    assert result.stderr == ""
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 661
    assert lines[0] == {"type": "next_number", "number": 1, "text": "n0001"}
    # Line 4: "?0300 C0  08:53:39.4922 00" = (8 * 3600 + 53 * 60 + 39) s + 0.4922 s.
    assert lines[3] == {
        "type": "impulse",
        "flag": "?",
        "number": 300,
        "channel": 0,
        "manual": False,
        "time_of_day_us": 32_019_492_200,
        "digits": 4,
        "group": 0,
        "checksum_ok": None,
        "text": "?0300 C0  08:53:39.4922 00",
    }
    assert lines[74] == {
        "type": "run_time",
        "flag": " ",
        "number": 1,
        "duration_us": 59_760_000,
        "digits": 2,
        "group": 0,
        "checksum_ok": None,
        "text": " 0001 RT  00:00:59.76   00",
    }


def test_timy_bad_lines_are_counted_not_fatal(tmp_path: Path) -> None:
    dump = tmp_path / "timy.dump"
    dump.write_bytes(
        b"\r\n".join(
            [
                b"n0001",
                b" 0001 C0  10:04:55.6513 00>0",  # the checksum of another line
                b" 0001 C0  10:04:55.6513 00",
                b" 0001 C1  10:05:55.411 00",  # a character lost
                b"TIMY V 1.9",  # kept, not interpreted
                b" 0001 RT  00:00:59.76   00",
                b"\x00\x00",
            ]
        )
        + b"\r\n 0002 C0  10:06"  # cut off
    )
    result = velotime("decode", dump, "--protocol", "timy")
    assert result.returncode == 0
    assert [json.loads(line)["type"] for line in result.stdout.splitlines()] == [
        "next_number",
        "impulse",
        "unknown",
        "run_time",
    ]
    errors = [json.loads(line) for line in result.stderr.splitlines()]
    assert [e["error"] for e in errors] == ["bad_checksum", "malformed", "garbage", "truncated"]
    assert errors[1]["raw"] == " 0001 C1  10:05:55.411 00"
    assert errors[3]["raw"] == " 0002 C0  10:06"
    counts = timy_summary(dump, quiet=False)
    assert counts["lines"] == 8
    assert counts["records"] == 3
    assert counts["by_type"] == {"impulse": 1, "run_time": 1, "total_time": 0, "next_number": 1}
    assert counts["errors"] == 4
    assert counts["errors_by_kind"] == {
        "garbage": 1,
        "malformed": 1,
        "bad_checksum": 1,
        "truncated": 1,
    }
    assert counts["unparsed_lines"] == 1


def test_timy_reads_raw_bytes_unless_told_otherwise(tmp_path: Path) -> None:
    # A line of hex digits only: "auto" would take the file for a hex dump.
    dump = tmp_path / "hexlike.dump"
    dump.write_bytes(b"CAFE\r")
    result = velotime("decode", dump, "--protocol", "timy")
    assert json.loads(result.stdout) == {"type": "unknown", "text": "CAFE"}
    sniffed = timy_summary(dump, "--format", "auto", quiet=False)
    assert sniffed["errors_by_kind"] == {"truncated": 1}  # the bytes 0xCA 0xFE, no line end


def test_timy_hex_dump_with_a_bad_line(tmp_path: Path) -> None:
    lines = [b"n0012\r", b" 0012 C1  21:46:48.12   00\r"]
    dump = tmp_path / "timy.hex"
    dump.write_text(lines[0].hex() + "\nnot hex\n" + lines[1].hex() + "\n")
    counts = timy_summary(dump, "--format", "hex", quiet=False)
    assert counts["by_type"] == {"impulse": 1, "run_time": 0, "total_time": 0, "next_number": 1}
    assert (counts["errors"], counts["errors_by_kind"]) == (1, {"bad_hex_line": 1})


def test_timy_unreadable_file_exits_2_with_one_line() -> None:
    result = velotime("decode", "/nonexistent/dump", "--protocol", "timy")
    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        result.stderr
        == "velotime decode: cannot read /nonexistent/dump: No such file or directory\n"
    )


def test_lif_summary_of_a_real_result_file(shared_data: Path) -> None:
    result = velotime(
        "decode", shared_data / "finishlynx" / "017-2-01.lif", "--protocol", "lif", "--summary"
    )
    assert result.returncode == 0, result.stderr
    # Read off the file: 17,2,1,100 Meter Hurdles Women,+0.6,...,13:41:52.2875; one placed
    # finisher and seven starters without a place.
    assert json.loads(result.stdout) == {
        "heat": {
            "event": "17",
            "round": "2",
            "heat": "1",
            "event_name": "100 Meter Hurdles Women",
            "start_time_of_day_us": 49_312_287_500,
        },
        "results": 8,
        "by_status": {"placed": 1, "unplaced": 7},
        "warnings": 0,
        "warnings_by_kind": {},
    }


def test_lynx_recording_is_decoded_message_by_message(tmp_path: Path) -> None:
    # Two messages written by hand in velotime.lss's framing (SOH code STX fields US... EOT),
    # with garbage between them.
    recording = tmp_path / "lynx.bin"
    recording.write_bytes(
        b"\x01AR\x0212\x1f2\x1f3\x1fKeirin\x04"
        b"noise"
        b"\x01LR\x021\x1f427\x1f4\x1fSMITH Anna\x1fGBR\x1f10.7246\x1f\x1f\x04"
    )
    summary = velotime("decode", recording, "--protocol", "lynx", "--summary")
    assert json.loads(summary.stdout) == {
        "messages": 2,
        "by_type": {"armed": 1, "result": 1},
        "bad_fields": 0,
        "bad_messages": 0,
        "garbage_bytes": 5,
        "bad_hex_lines": 0,
    }
    records = velotime("decode", recording, "--protocol", "lynx").stdout.splitlines()
    result = json.loads(records[1])
    assert (result["place"], result["id"], result["time_us"]) == (1, "427", 10_724_600)
