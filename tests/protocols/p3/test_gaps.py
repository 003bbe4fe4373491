from velotime.protocols.p3.gaps import GapTracker


def observe_all(numbers: list[int]) -> tuple[GapTracker, list[tuple[int, int] | None]]:
    tracker = GapTracker()
    return tracker, [tracker.observe(n).gap for n in numbers]


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


def test_only_numbers_never_seen_are_new() -> None:
    tracker = GapTracker()
    assert [tracker.observe(n).new for n in [10, 12, 11, 11, 12, 9]] == [
        True,
        True,
        True,  # fills the gap
        False,
        False,
        False,  # below the first number seen: cannot be told from an old passing
    ]


def test_state_can_be_saved_and_restored() -> None:
    tracker, _ = observe_all([10, 15, 12])
    restored = GapTracker(tracker.highest, tracker.gaps())
    assert restored.gaps() == [(11, 11), (13, 14)]
    assert restored.observe(13).new
    assert not restored.observe(15).new
    assert restored.observe(17).gap == (16, 16)
