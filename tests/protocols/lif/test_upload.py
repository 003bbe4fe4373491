"""The message that carries a result file from `velotime import-lif` to the daemon and into its
capture (`protocols.lif.upload`): what goes in comes out, a message cut anywhere is refused
whole, and garbage is an error value, never an exception."""

import base64
import json
from datetime import UTC

from hypothesis import given
from hypothesis import strategies as st

from velotime.families.lif.session import LifSession
from velotime.protocols.lif.upload import LifUpload, UploadError, decode_upload, encode_upload

UPLOADS = st.builds(
    LifUpload,
    name=st.text(max_size=40),
    written_us=st.integers(min_value=0, max_value=2**62),
    data=st.binary(max_size=2000),
)


@given(UPLOADS)
def test_a_file_comes_out_as_it_went_in(upload: LifUpload) -> None:
    assert decode_upload(encode_upload(upload)) == upload


def test_the_message_is_the_documented_json() -> None:
    """docs/capture-format.md: name, written_us and the bytes as standard base64."""
    upload = LifUpload(name="007-1-01.lif", written_us=1_795_275_780_000_000, data=b"7,1,1\r\n")
    assert json.loads(encode_upload(upload)) == {
        "name": "007-1-01.lif",
        "written_us": 1_795_275_780_000_000,
        "data": base64.b64encode(b"7,1,1\r\n").decode(),
    }


@given(UPLOADS, st.data())
def test_a_message_cut_anywhere_is_refused_whole(upload: LifUpload, data: st.DataObject) -> None:
    """A split message is never read as part of a file: every proper prefix is an error."""
    message = encode_upload(upload)
    cut = data.draw(st.integers(min_value=0, max_value=len(message) - 1))
    decoded = decode_upload(message[:cut])
    assert isinstance(decoded, UploadError)
    assert decoded.raw == message[:cut]


@given(st.binary(max_size=300))
def test_garbage_is_an_error_value(garbage: bytes) -> None:
    decoded = decode_upload(garbage)
    assert isinstance(decoded, LifUpload | UploadError)


@given(st.dictionaries(st.sampled_from(["name", "written_us", "data", "other"]), st.integers()))
def test_json_of_the_wrong_shape_is_an_error_value(fields: dict[str, int]) -> None:
    decoded = decode_upload(json.dumps(fields).encode())
    assert isinstance(decoded, UploadError)  # data is never an integer
    assert decoded.detail


@given(st.binary(max_size=300))
def test_the_daemons_session_takes_any_chunk_without_raising(garbage: bytes) -> None:
    """A chunk of the capture's `lif` source that is no message is an error of the source."""
    out = LifSession("lif", UTC).feed(0, garbage)
    assert out.events == [] or not isinstance(decode_upload(garbage), UploadError)


@given(UPLOADS)
def test_any_file_in_a_message_is_read_without_raising(upload: LifUpload) -> None:
    """Whatever bytes a file holds, the session reads them: events, or counted notices."""
    out = LifSession("lif", UTC).feed(upload.written_us, encode_upload(upload))
    assert out.errors == []
    assert all(event.src == "lif" for event in out.events)
