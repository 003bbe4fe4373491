"""decode_event: each boundary reads an event once, into its type, or says what is wrong."""

import msgspec
import pytest

from velotime.wire.commands import Arm
from velotime.wire.errors import WireError
from velotime.wire.events import (
    CommandData,
    Event,
    ImpulseData,
    PassingData,
    PhotoFinishData,
    decode_event,
)

EVENTS = [
    Event(
        id="p3:1",
        src="p3-finish",
        kind="passing",
        data=PassingData(
            t_us=5,
            line="finish",
            transponder=101,
            rtc_time_us=5,
            clock_offset_us=0,
            received_us=7,
            record={"type": "passing"},
        ),
    ),
    Event(
        id="timy:1",
        src="timy",
        kind="impulse",
        data=ImpulseData(
            t_us=5, line="start", channel="C0", time_of_day_us=5, received_us=7, record={}
        ),
    ),
    Event(id="lynx:1", src="lynx", kind="photofinish", data=PhotoFinishData(phase="armed")),
    Event(
        id="control:1",
        src="control",
        kind="command",
        data=CommandData(command=Arm(event="f200"), received_us=7),
    ),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.kind)
def test_an_event_comes_back_as_it_was_sent_with_its_data_typed_by_kind(event: Event) -> None:
    envelope = event.numbered(3)
    decoded = decode_event(msgspec.json.encode(envelope))
    assert decoded == envelope
    assert type(decoded.data) is type(event.data)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"not json", "not JSON (JSON is malformed"),
        (b"[1, 2]", "not an event envelope (Expected `object`, got `array`)"),
        (
            b'{"v": 1, "id": "x", "seq": 1, "src": "timy", "kind": "impulse"}',
            "not an event envelope (Object missing required field `data`)",
        ),
        (
            b'{"v": 2, "id": "x", "seq": 1, "src": "timy", "kind": "impulse", "data": {}}',
            "not an event envelope of version 1 (v is 2)",
        ),
        (
            b'{"v": 1, "id": "x", "seq": 1, "src": "timy", "kind": "lap", "data": {}}',
            "event x: no kind of event is called 'lap'",
        ),
        (
            b'{"v": 1, "id": "x", "seq": 1, "src": "timy", "kind": "impulse", "data": {"t_us": 1}}',
            "event x: not impulse data (Object missing required field `line`)",
        ),
        (
            b'{"v": 1, "id": "x", "seq": 1, "src": "c", "kind": "command",'
            b' "data": {"command": {"type": "arm"}, "received_us": 1}}',
            "event x: not command data (Object missing required field `event`",
        ),
    ],
)
def test_what_is_no_event_is_one_error_that_says_why(payload: bytes, reason: str) -> None:
    with pytest.raises(WireError) as raised:
        decode_event(payload)
    assert str(raised.value).startswith(reason)
