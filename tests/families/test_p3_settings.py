"""The P3 source's keys for issue 12 (horizon, gap bound, tries, plausibility window): their
defaults, their checks, and that a capture header carries them to replay."""

import pytest

from tests.test_config import assert_problem, edited, p3, parse, problems
from velotime.families.p3.source import P3Description, dump_description
from velotime.protocols.p3 import GetTime, Passing, encode
from velotime.wire.events import PassingData


def test_the_defaults() -> None:
    source = p3(parse().sources[0])
    assert (source.horizon_s, source.gap_bound) == (0.0, 10_000)
    assert (source.resend_tries, source.plausible_window_s) == (5, 86_400.0)


def test_set_keys_reach_the_capture_header_and_the_session_replay_makes() -> None:
    text = edited(
        'line = "200m"', 'line = "200m"\nhorizon_s = 600\ngap_bound = 50\nresend_tries = 2'
    )
    source = p3(parse(text).sources[1])
    description = source.describe("UTC")
    assert (description.horizon_s, description.gap_bound, description.resend_tries) == (600, 50, 2)
    header = description.to_builtins()
    assert (header["horizon_s"], header["gap_bound"], header["resend_tries"]) == (600, 50, 2)
    assert "plausible_window_s" not in header  # at its default: left out, as before
    replayed = P3Description(**{k: v for k, v in header.items() if k != "protocol"})
    session = replayed.new_session("p3-200m")
    # The session decides with them: a number 51 beyond the highest is beyond the bound of 50.
    t0 = 1_795_266_000_000_000
    session.connected(t0)
    session.feed(t0, encode(GetTime(rtc_time_us=t0, unknown_04=0, decoder_id=7)))
    session.feed(
        t0 + 1, encode(Passing(passing_number=1, transponder=9, rtc_time_us=t0, decoder_id=7))
    )
    jump = Passing(passing_number=52, transponder=9, rtc_time_us=t0 + 1, decoder_id=7)
    (event,) = session.feed(t0 + 2, encode(jump)).events
    assert isinstance(event.data, PassingData)
    assert event.data.flag == "number_jump"


def test_a_dump_has_no_horizon_and_no_plausibility_window() -> None:
    description = dump_description("finish", "UTC")
    assert (description.horizon_s, description.plausible_window_s) == (None, None)


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ("gap_bound = 0", "must be a whole number from 1 to 4294967295"),
        ("gap_bound = 4294967296", "must be a whole number from 1 to 4294967295"),
        ("resend_tries = 0", "must be a whole number of 1 or more"),
        ("plausible_window_s = 0", "must be a number greater than 0"),
        ("horizon_s = -1", "must be a number from 0 to plausible_window_s"),
        ("horizon_s = 90000", "must be a number from 0 to plausible_window_s"),
        ("horizon_s = nan", "must be a number from 0 to plausible_window_s"),
    ],
)
def test_values_out_of_range_are_refused(setting: str, fragment: str) -> None:
    found = problems(edited('line = "200m"', f'line = "200m"\n{setting}'))
    assert_problem(found, f"sources[1].{setting.split()[0]}", fragment)
