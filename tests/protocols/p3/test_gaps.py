from velotime.protocols.p3.gaps import GapTracker


def observe_all(numbers: list[int]) -> tuple[GapTracker, list[tuple[int, int] | None]]:
    tracker = GapTracker()
    return tracker, [tracker.observe(n) for n in numbers]


def test_contiguous_numbers_have_no_gap() -> None:
    tracker, opened = observe_all([5, 6, 7])
    assert opened == [None, None, None]
    assert tracker.gaps() == []


def test_a_jump_opens_a_gap_once() -> None:
    tracker, opened = observe_all([10, 11, 15, 16])
    assert opened == [None, None, (12, 14), None]
    assert tracker.gaps() == [(12, 14)]


def test_resent_passings_fill_their_gap_in_any_order() -> None:
    tracker, _ = observe_all([10, 15, 13, 11])
    assert tracker.gaps() == [(12, 12), (14, 14)]
    tracker.observe(14)
    tracker.observe(12)
    assert tracker.gaps() == []


def test_duplicates_and_old_numbers_change_nothing() -> None:
    tracker, opened = observe_all([10, 12, 12, 9])
    assert opened == [None, (11, 11), None, None]
    assert tracker.gaps() == [(11, 11)]
