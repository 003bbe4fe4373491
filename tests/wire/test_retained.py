"""decode_retained: a retained topic's payload into its type, the alternatives of a topic told
apart by their keys; anything else one WireError that says why."""

import pytest

from velotime.wire.errors import WireError
from velotime.wire.results import NothingOnTrack, OnTrackNow
from velotime.wire.retained import decode_retained
from velotime.wire.status import DaemonOnline, Offline, ReplayOnline, ScoringOffline

CURRENT = (
    b'{"v": 1, "event": "f200", "name": "Sprint", "discipline": "flying200", "category": "",'
    b' "round": "", "status": "running", "riders": [1], "on_track": null, "start_us": null}'
)


@pytest.mark.parametrize(
    ("key", "payload", "decoded"),
    [
        ("current", b'{"v": 1, "event": null}', NothingOnTrack),
        ("current", CURRENT, OnTrackNow),
        ("status/scoring", b'{"online": false, "error": "disk full"}', ScoringOffline),
        ("status/daemon", b'{"online": true, "replay": true}', ReplayOnline),
        (
            "status/daemon",
            b'{"online": true, "version": "0.1", "pid": 1, "started_us": 0, "now_us": 1}',
            DaemonOnline,
        ),
        ("status/sources/p3", b'{"online": false}', Offline),
    ],
)
def test_each_alternative_of_a_topic_is_read_as_its_type(
    key: str, payload: bytes, decoded: type
) -> None:
    assert type(decode_retained(key, payload)) is decoded


@pytest.mark.parametrize(
    ("key", "payload", "reason"),
    [
        ("results/f200", b"{", "results/f200: not JSON"),
        ("results/f200", b'{"lines": 5}', "results/f200: not EventResult (Expected `array`"),
        ("current", b'{"v": 1, "event": 7}', "current: not OnTrackNow ("),
        ("status/scoring", b'{"online": "yes"}', "status/scoring: not ScoringOnline ("),
        ("timing/passing", b"{}", "timing/passing: no retained topic of velotime"),
    ],
)
def test_a_payload_of_none_of_its_types_says_why(key: str, payload: bytes, reason: str) -> None:
    with pytest.raises(WireError) as raised:
        decode_retained(key, payload)
    assert str(raised.value).startswith(reason)
