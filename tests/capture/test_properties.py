"""Property tests of the capture reader: what was written comes back, whatever the bytes and
the chunking; damaged lines are counted and skipped and never cost the good lines after them."""

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from velotime.capture import CaptureChunk, CaptureHeader, CaptureWriter, read_capture

_chunks = st.lists(
    st.builds(
        CaptureChunk,
        st.integers(0, 2**63 - 1),
        st.sampled_from(["p3-finish", "timy", "control", "ünïcode"]),
        st.binary(max_size=300),
    ),
    max_size=20,
)
# Lines a power cut or a bad disk leaves: bytes without a line end (may be blank: skipped).
_damage = st.binary(max_size=80).map(lambda line: line.replace(b"\n", b""))


def _write(directory: Path, chunks: list[CaptureChunk]) -> Path:
    sources = {"p3-finish": {"protocol": "p3"}, "timy": {"protocol": "timy"}}
    writer = CaptureWriter(
        directory / "test.capture.jsonl", CaptureHeader(venue="v", sources=sources)
    )
    for chunk in chunks:
        writer.write(chunk.t_us, chunk.src, chunk.data)
    writer.close()
    return writer.path


@given(_chunks)
def test_what_was_written_is_read_back(chunks: list[CaptureChunk]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        reader = read_capture(_write(Path(tmp), chunks))
        assert list(reader.chunks()) == chunks
        assert reader.problems == []
        assert reader.bytes_read == reader.path.stat().st_size


@given(_chunks, st.lists(st.tuples(st.integers(0, 20), _damage), max_size=6))
def test_damaged_lines_are_counted_and_never_cost_a_good_one(
    chunks: list[CaptureChunk], damage: list[tuple[int, bytes]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), chunks)
        header, *lines = path.read_bytes().splitlines(keepends=True)
        for at, line in sorted(damage, reverse=True):
            lines.insert(min(at, len(lines)), line + b"\n")
        path.write_bytes(header + b"".join(lines))
        reader = read_capture(path)
        read = list(reader.chunks())
        damaged = [line for _, line in damage if line.strip()]
        # A damaged line that is itself a well-formed chunk line is read as one (by chance).
        assert [chunk for chunk in read if chunk in chunks] == chunks
        assert len(read) + len(reader.problems) == len(chunks) + len(damaged)
        assert not any(problem.truncated_tail for problem in reader.problems)


@given(_chunks.filter(bool), st.integers(1, 200))
def test_a_truncated_last_line_is_reported_as_such(chunks: list[CaptureChunk], cut: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), chunks)
        data = path.read_bytes()
        last_line = len(data.rstrip(b"\n").splitlines()[-1]) + 1
        path.write_bytes(data[: len(data) - 1 - min(cut, last_line - 2)])
        reader = read_capture(path)
        read = list(reader.chunks())
        assert read == chunks[:-1]
        assert [problem.truncated_tail for problem in reader.problems] == [True]
