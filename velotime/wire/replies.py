"""The answer to an operator command (docs/mqtt.md, `replies/scoring/<command id>`).

The scoring service answers every command that carries an `id` once it has applied it or
refused it; the daemon answers a command it could not read at all, when its id can be read.
`velotime ctl` waits for it and exits 0 on accepted, 1 on refused.
"""

from typing import Literal

import msgspec
from msgspec import UNSET, UnsetType

Verdict = Literal["accepted", "refused"]
Answerer = Literal["scoring", "daemon"]


class CommandReply(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    v: Literal[1] = 1
    id: str  # the command's id, as its sender chose it
    verdict: Verdict
    reason: str | UnsetType = UNSET  # why it was refused, for a person to read
    by: Answerer  # who answered: the scoring service, or the daemon (a command it cannot read)
    type: str | UnsetType = UNSET  # the command's type and event, when it could be read
    event: str | UnsetType = UNSET
    at_us: int  # when it was answered (host clock, unix microseconds)


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(CommandReply).decode


def encode_reply(reply: CommandReply) -> bytes:
    return _encode(reply)


def decode_reply(payload: bytes) -> CommandReply:
    """Raises msgspec.ValidationError or msgspec.DecodeError on what is no reply."""
    return _decode(payload)
