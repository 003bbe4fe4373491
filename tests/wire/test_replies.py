"""Command ids and the answers to commands (velotime.wire.commands, velotime.wire.replies):
property tests of the id reader and the answer's codec."""

import json
import re

import msgspec
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from msgspec import UNSET

from velotime.cli.ctl import new_command_id
from velotime.wire.commands import COMMAND_ID_PATTERN, Arm, decode_command, readable_command_id
from velotime.wire.errors import WireError
from velotime.wire.replies import CommandReply, decode_reply, encode_reply

IDS = st.from_regex(COMMAND_ID_PATTERN, fullmatch=True)


@given(IDS)
def test_a_well_formed_id_is_read_back_from_a_command_that_cannot_be_decoded(
    command_id: str,
) -> None:
    payload = json.dumps({"type": "launch", "id": command_id}).encode()
    with pytest.raises(WireError):
        decode_command(payload)
    assert readable_command_id(payload) == command_id
    assert not set("/+#\n") & set(command_id)  # one topic level, no wildcard


@given(st.binary())
def test_any_bytes_give_an_id_or_none_never_an_error(payload: bytes) -> None:
    command_id = readable_command_id(payload)
    assert command_id is None or re.fullmatch(COMMAND_ID_PATTERN, command_id)


@given(st.text())
@example("ctl-1\n")  # "$" alone would take it
@example("a/b")
def test_an_id_that_is_no_topic_level_is_refused(command_id: str) -> None:
    """An id names a topic level: one that does not match is a malformed command, unanswered."""
    payload = json.dumps({"type": "arm", "event": "f200", "id": command_id}).encode()
    if re.fullmatch(COMMAND_ID_PATTERN, command_id):
        assert decode_command(payload) == Arm(id=command_id, event="f200")
    else:
        with pytest.raises(WireError):
            decode_command(payload)
        assert readable_command_id(payload) is None


def test_the_ids_ctl_makes_are_well_formed_and_its_own() -> None:
    made = {new_command_id() for _ in range(1000)}
    assert len(made) == 1000
    assert all(re.fullmatch(COMMAND_ID_PATTERN, command_id) for command_id in made)


@given(
    IDS,
    st.sampled_from(["accepted", "refused"]),
    st.text(),
    st.sampled_from(["scoring", "daemon"]),
    st.integers(min_value=0, max_value=2**63 - 1),
)
def test_an_answer_round_trips(
    command_id: str, verdict: str, reason: str, by: str, at_us: int
) -> None:
    reply = msgspec.convert(
        {"id": command_id, "verdict": verdict, "reason": reason, "by": by, "at_us": at_us},
        CommandReply,
    )
    assert decode_reply(encode_reply(reply)) == reply
    accepted = msgspec.structs.replace(reply, reason=UNSET)
    assert "reason" not in json.loads(encode_reply(accepted))  # left out when accepted


@given(st.binary())
def test_garbage_is_no_answer(payload: bytes) -> None:
    try:
        decode_reply(payload)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return
