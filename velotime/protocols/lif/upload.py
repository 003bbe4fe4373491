"""A result file as one message: how `velotime import-lif` hands a LIF file to the daemon (on
`control/lif`) and how the daemon's capture records it (chunks of the `lif` source).

One JSON object, `{"name": "017-2-01.lif", "written_us": 1795273312000000, "data": "<base64>"}`:
the file's name, when it was written (its modification time, unix microseconds: it dates the
heat's start time of day and names this version of the file) and its bytes exactly as read.
A message is whole or nothing: a cut-off one is refused, never read as part of a file.
Sans-I/O: `decode_upload` returns an error as a value, never raises.
"""

import msgspec

__all__ = ["LifUpload", "UploadError", "decode_upload", "encode_upload"]


class LifUpload(msgspec.Struct, frozen=True, kw_only=True):
    """A FinishLynx result file for the daemon to record in its capture and read."""

    name: str  # the file's name as the importer saw it (for warnings and the log)
    written_us: int  # its modification time, unix microseconds
    data: bytes  # the file's bytes, as read (base64 in the JSON)


class UploadError(msgspec.Struct, frozen=True):
    """A message that is no result file (not JSON, a key missing or of the wrong type)."""

    raw: bytes
    detail: str
    kind: str = "bad_upload"


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(LifUpload)


def encode_upload(upload: LifUpload) -> bytes:
    return _encoder.encode(upload)


def decode_upload(message: bytes) -> LifUpload | UploadError:
    try:
        return _decoder.decode(message)
    except msgspec.DecodeError as exc:  # ValidationError is one
        return UploadError(raw=message, detail=str(exc))
