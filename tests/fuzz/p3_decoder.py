"""Fuzz target: the P3 record decoder (velotime/protocols/p3/decoder.py) behind a right CRC.

The input is a TOR (2 bytes, little-endian) and a body; the record is assembled around them
with LENGTH and CRC right, so every input reaches the decoder. Invariant: the fast decoder
returns what the construct specification parses, or both refuse with MalformedRecordError
(the decoder's one documented error), also a second time (through the remembered shape) and
through the stream, escaped.
"""

from collections.abc import Iterator
from pathlib import Path

from tests.fuzz.harness import Target, fuzz, hex_lines
from tests.protocols.p3.builders import assemble_body
from velotime.protocols.p3 import MalformedRecordError, P3Stream, decode_record
from velotime.protocols.p3.escaping import escape, unescape
from velotime.protocols.p3.spec import parse_record

_MAX_BODY = 2000  # LENGTH is 16-bit; real records are under 100 bytes


def check(data: bytes) -> None:
    if len(data) < 2:
        return
    record = assemble_body(data[0] | data[1] << 8, data[2 : 2 + _MAX_BODY])
    try:
        expected = parse_record(record)
    except MalformedRecordError:
        for _ in range(2):
            try:
                decode_record(record)
            except MalformedRecordError:
                continue
            raise AssertionError(
                f"the decoder took what the specification refuses: {record!r}"
            ) from None
        return
    assert decode_record(record) == expected
    assert decode_record(record) == expected  # the shape it remembered
    assert P3Stream().feed(escape(record)) == [expected]


def seeds(shared: Path | None) -> Iterator[bytes]:
    if shared is not None:
        records = {unescape(wire) for wire in hex_lines(shared / "p3" / "amb.out")}
        for record in sorted(records):
            yield record[8:-1]  # TOR and body


TARGET = Target("p3_decoder", check, seeds)

if __name__ == "__main__":
    fuzz(TARGET)
