"""Repeated log lines: the first at once, then one line per interval with a count (a test clock,
no sleeps)."""

import logging

import pytest

from velotime.ratelimit import RateLimitedLog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def limited(caplog: pytest.LogCaptureFixture, clock: Clock) -> RateLimitedLog:
    caplog.set_level(logging.DEBUG, logger="test.ratelimit")
    return RateLimitedLog(logging.getLogger("test.ratelimit"), 10.0, clock)


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def garbage(count: int, skipped: int, seconds: str) -> str:
    return f"skipped {skipped} bytes of garbage in {count} pieces in the last {seconds} s"


def test_the_first_line_at_once_the_rest_in_one_line_with_a_count(
    caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    log = limited(caplog, clock)
    for n in range(1, 13):  # 12 pieces of 3 bytes, one every half second
        log.log(logging.WARNING, "garbage", f"piece {n}", amount=3, summary=garbage)
        clock.now += 0.5
    assert lines(caplog) == ["piece 1"]  # 6 s in: the others are held back
    log.flush()
    assert lines(caplog) == ["piece 1"]  # the interval is not over yet
    clock.now += 4.0  # 10 s after the first
    log.flush()
    # Pieces 2..12: 11 of them, 33 bytes.
    assert lines(caplog) == [
        "piece 1",
        "skipped 33 bytes of garbage in 11 pieces in the last 10 s (the last: piece 12)",
    ]
    assert caplog.records[1].levelno == logging.WARNING
    assert log.held_back == 11


def test_a_steady_stream_gives_one_line_per_interval(
    caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    log = limited(caplog, clock)
    for n in range(100):  # one a second for 100 s, nobody flushing
        log.log(logging.WARNING, "crc", f"bad CRC {n}")
        clock.now += 1.0
    # At 0 s the first; at 10, 20... 90 s a summary of the 9 or 10 lines held back since.
    text = lines(caplog)
    assert text[0] == "bad CRC 0"
    assert text[1] == "9 more like this in the last 10 s (the last: bad CRC 9)"
    assert text[2:] == [
        f"10 more like this in the last 10 s (the last: bad CRC {n + 9})" for n in range(10, 90, 10)
    ]
    assert len(text) == 10  # not 100


def test_keys_are_limited_apart_and_a_quiet_key_is_logged_at_once_again(
    caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    log = limited(caplog, clock)
    log.log(logging.WARNING, "crc", "bad CRC")
    log.log(logging.INFO, "gap", "passings 4..6 missing")  # another key: at once
    log.log(logging.INFO, "gap", "passings 9..9 missing")  # held back
    clock.now += 10.0
    log.flush()  # gap: one held back, summarised; crc: nothing held back, forgotten
    clock.now += 10.0
    log.flush()  # gap: nothing more, forgotten
    log.log(logging.WARNING, "crc", "bad CRC again")
    log.log(logging.INFO, "gap", "passings 20..21 missing")
    assert lines(caplog) == [
        "bad CRC",
        "passings 4..6 missing",
        "1 more like this in the last 10 s (the last: passings 9..9 missing)",
        "bad CRC again",
        "passings 20..21 missing",
    ]


def test_a_summary_has_the_highest_level_held_back(
    caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    log = limited(caplog, clock)
    log.log(logging.INFO, "k", "one")
    log.log(logging.INFO, "k", "two")
    log.log(logging.WARNING, "k", "three")
    clock.now += 10.0
    log.flush()
    assert [r.levelno for r in caplog.records] == [logging.INFO, logging.WARNING]


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimitedLog(logging.getLogger("test"), 0)
