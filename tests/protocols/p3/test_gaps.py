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


def test_numbers_below_the_first_are_new_once_opened() -> None:
    tracker, _ = observe_all([10, 13])
    tracker.open(4, 9)
    assert tracker.gaps() == [(4, 9), (11, 12)]  # kept in order
    assert tracker.observe(5).new
    assert not tracker.observe(3).new
    assert tracker.gaps() == [(4, 4), (6, 9), (11, 12)]


def test_tries_are_counted_saved_and_split_pieces_keep_them() -> None:
    tracker, _ = observe_all([1, 5, 9])
    tracker.asked_for(2, 4)  # asked as soon as it opened
    assert tracker.asked() == [(2, 4), (6, 8)]
    assert tracker.tries() == [2, 1]
    tracker.observe(3)
    assert tracker.tries() == [2, 2, 1]  # 2..2 and 4..4 were asked twice
    restored = GapTracker(tracker.highest, tracker.gaps(), tracker.tries())
    assert restored.give_up(2) == [(2, 2), (4, 4)]
    assert restored.gaps() == [(6, 8)]


def test_a_state_without_tries_counts_from_zero() -> None:
    tracker = GapTracker(9, [(2, 4), (6, 8)])
    assert tracker.tries() == [0, 0]


def test_a_passing_of_a_gap_given_up_is_recognised_once() -> None:
    tracker, _ = observe_all([1, 5])
    assert tracker.give_up(0) == [(2, 4)]
    assert tracker.given_up(3) == (2, 4)
    tracker.came_late(3)
    assert tracker.given_up(3) is None
    assert tracker.given_up(4) == (4, 4)


def test_forgetting_the_numbers_up_to_one() -> None:
    tracker, _ = observe_all([10, 20])
    tracker.open(1, 9)
    tracker.forget_through(5)
    assert tracker.gaps() == [(6, 9), (11, 19)]
