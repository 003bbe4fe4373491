"""Capture files: the v1 format on disk, and reading what a crash or bad disk leaves."""

import base64
import json
from pathlib import Path

import pytest

from tests.disks import small_disk
from velotime.capture import CaptureWriter, read_capture
from velotime.capture.reader import CaptureFormatError


def write_sample(directory: Path) -> Path:
    writer = CaptureWriter.create(directory, "venue-1", {"p3-finish": {"protocol": "p3"}})
    writer.write(1_700_000_000_000_001, "p3-finish", b"\x8e\x02\x00")
    writer.write(1_700_000_000_000_002, "p3-finish", b"")
    writer.close()
    return writer.path


def test_the_file_is_the_documented_json_lines(tmp_path: Path) -> None:
    lines = write_sample(tmp_path).read_text().splitlines()
    header = json.loads(lines[0])
    assert list(header)[:2] == ["format", "version"]
    assert header["format"] == "velotime-capture"
    assert header["version"] == 1
    assert header["venue"] == "venue-1"
    assert header["sources"] == {"p3-finish": {"protocol": "p3"}}
    chunk = json.loads(lines[1])
    assert chunk == {"t_us": 1_700_000_000_000_001, "src": "p3-finish", "data": "jgIA"}
    assert base64.b64decode(chunk["data"]) == b"\x8e\x02\x00"


def test_reading_gives_back_what_was_written(tmp_path: Path) -> None:
    reader = read_capture(write_sample(tmp_path))
    chunks = list(reader.chunks())
    assert [(c.t_us, c.src, c.data) for c in chunks] == [
        (1_700_000_000_000_001, "p3-finish", b"\x8e\x02\x00"),
        (1_700_000_000_000_002, "p3-finish", b""),
    ]
    assert reader.problems == []


def test_files_are_never_overwritten(tmp_path: Path) -> None:
    assert write_sample(tmp_path) != write_sample(tmp_path)


def test_a_truncated_last_line_and_a_bad_line_are_counted_and_skipped(tmp_path: Path) -> None:
    path = write_sample(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + b"{not json\n" + lines[1] + lines[2][:20])
    reader = read_capture(path)
    assert [c.t_us for c in reader.chunks()] == [1_700_000_000_000_001]
    assert [(p.line_number, p.truncated_tail) for p in reader.problems] == [(2, False), (4, True)]


@pytest.mark.parametrize(
    "first_line",
    [
        b"garbage\n",
        b'{"format": "something-else", "version": 1, "venue": "v", "sources": {}}\n',
        b'{"format": "velotime-capture", "version": 2, "venue": "v", "sources": {}}\n',
    ],
)
def test_a_file_that_is_not_a_capture_is_refused_clearly(tmp_path: Path, first_line: bytes) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(first_line)
    with pytest.raises(CaptureFormatError, match=str(path)):
        read_capture(path)


def test_a_full_disk_loses_counted_bytes_never_a_whole_line_and_writing_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chunk = bytes(range(200))  # 200 device bytes: a line of about 300
    with small_disk(tmp_path / "disk", size_mb=1) as disk:
        writer = CaptureWriter.create(disk.path, "venue-1", {"p3": {"protocol": "p3"}})
        for t_us in range(1, 11):
            writer.write(t_us, "p3", chunk)
        disk.fill()
        for t_us in range(11, 41):  # none raises
            writer.write(t_us, "p3", chunk)
        # The file's last 4096-byte page may have had room for up to 13 of these lines.
        lost = writer.bytes_lost
        assert lost >= (30 - 13) * len(chunk)
        assert writer.problems() == [
            f"capture write failed: No space left on device ({lost} bytes not captured)"
        ]
        disk.free()
        for t_us in range(41, 51):
            writer.write(t_us, "p3", chunk)
        assert writer.problems() == []
        writer.close()
        reader = read_capture(writer.path)
        # A disk that fills again at once (it hovers at full): counted, but not logged again.
        again = CaptureWriter.create(disk.path, "venue-1", {"p3": {"protocol": "p3"}})
        disk.fill()
        for t_us in range(1, 31):
            again.write(t_us, "p3", chunk)
        disk.free()
        again.write(31, "p3", chunk)
        disk.fill()
        for t_us in range(32, 62):
            again.write(t_us, "p3", chunk)
        assert again.problems() != []
        disk.free()
        again.close()
        times = [c.t_us for c in reader.chunks()]
        assert reader.problems == []  # whole lines only: a cut line was taken back
    assert times[:10] == list(range(1, 11))
    assert times[-10:] == list(range(41, 51))
    assert (40 + 10 - len(times)) * len(chunk) == lost
    assert writer.bytes_captured == len(times) * len(chunk)
    said = [r.getMessage().split(": ", 1)[1] for r in caplog.records]
    assert [m.split(";")[0].split(" (")[0] for m in said] == [
        "write failed: No space left on device",  # once, not per chunk
        "writing again",
        "write failed: No space left on device",  # the new file's
        "writing again",
        # and its second failure: within a minute of its recovery, not logged
    ]


def test_the_header_keeps_the_lines_roles(tmp_path: Path) -> None:
    roles = {"red": "pursuit-home", "green": "pursuit-back"}
    lines = {"finish": 0.0, "red": 15.0, "green": 140.0}
    with_roles = CaptureWriter.create(
        tmp_path, "venue-1", {}, lines=lines, track_length_m=250, roles=roles
    )
    with_roles.close()
    header = read_capture(with_roles.path).header
    assert (header.lines, header.roles) == (lines, roles)
    without = CaptureWriter.create(tmp_path, "venue-2", {}, lines={"finish": 0.0})
    without.close()
    assert read_capture(without.path).header.roles == {}


def test_a_header_from_before_roles_reads_with_none(tmp_path: Path) -> None:
    path = tmp_path / "old.capture.jsonl"
    header = {"format": "velotime-capture", "version": 1, "venue": "v", "sources": {},
              "lines": {"finish": 0.0, "200m": 200.0}, "track_length_m": 250.0}  # fmt: skip
    path.write_text(json.dumps(header) + "\n")
    read = read_capture(path).header
    assert (read.lines, read.roles) == ({"finish": 0.0, "200m": 200.0}, {})
