"""The fault suite's count, on hand-made events: what is lost, doubled or made up."""

from typing import Any

import pytest

from tests.faults.harness import tally
from velotime.protocols.p3 import Passing

pytestmark = pytest.mark.faults


def made(number: int, time_us: int, transponder: int = 7) -> Passing:
    return Passing(
        passing_number=number, transponder=transponder, rtc_time_us=time_us, decoder_id=9
    )


def published(event_id: str, passing: Passing) -> tuple[str, dict[str, Any]]:
    data = {
        "decoder_id": passing.decoder_id,
        "passing_number": passing.passing_number,
        "rtc_time_us": passing.rtc_time_us,
        "transponder": passing.transponder,
    }
    return ("velotime/v/timing/passing", {"id": event_id, "data": data})


def test_a_rebooted_decoder_reusing_numbers_is_counted_by_number_and_time() -> None:
    first, second = made(1, 1_000), made(2, 2_000)
    after_reboot = made(1, 500)  # the same number again, an earlier time: another passing
    sent = [first, second, after_reboot]
    messages = [
        published("a", first),
        published("a", first),  # the same event twice (QoS 1): one after dedupe
        published("b", second),
        published("c", second),  # the same passing under another id: a duplicate
        ("velotime/v/status/daemon", {"online": True}),  # not a passing: ignored
        published("d", made(3, 3_000)),  # nothing made it: a phantom
    ]
    result = tally("reboot", sent, messages)
    assert (result.sent, result.delivered, result.lost, result.duplicates) == (3, 2, 1, 1)
    assert result.missing == [(9, 1, 500, 7)]
    assert result.phantoms == ["d"]
    assert result.line() == "reboot: sent 3, delivered 2, lost 1, duplicates after dedupe 1"
