"""Missing passing numbers: what a driver must ask the decoder to RESEND, and how often it did."""

import bisect
from collections.abc import Iterable
from typing import NamedTuple

_REMEMBERED = 64  # ranges given up that a late passing is still recognised in


class Observation(NamedTuple):
    new: bool  # not seen before (False: a duplicate, e.g. resent twice)
    gap: tuple[int, int] | None  # the range of numbers this one showed to be missing


class GapTracker:
    """Follows one run of a decoder's passing counter as numbers arrive, in any order.

    A number above the highest seen opens a gap below it; a late number (a resent passing)
    fills its place. Numbers at or below the highest that fill no gap are duplicates, and so are
    numbers below the first one seen unless a gap was opened there (`open`). Each gap counts how
    many times it was asked for (`asked`), so that one the decoder never sends can be given up.
    """

    def __init__(
        self,
        highest: int | None = None,
        gaps: list[tuple[int, int]] | None = None,
        tries: list[int] | None = None,
    ):
        self.highest = highest
        counts = list(tries or ())
        # [first, last, tries], ascending and disjoint
        self._missing: list[list[int]] = [
            [first, last, counts[i] if i < len(counts) else 0]
            for i, (first, last) in enumerate(gaps or ())
        ]
        # Ranges given up lately: a passing of them may still come, late (not saved).
        self._given_up: list[list[int]] = []

    def observe(self, number: int) -> Observation:
        if self.highest is None or number > self.highest:
            gap = None
            if self.highest is not None and number > self.highest + 1:
                gap = (self.highest + 1, number - 1)
                self._missing.append([*gap, 0])
            self.highest = number
            return Observation(new=True, gap=gap)
        return Observation(new=_cut(self._missing, number), gap=None)

    def gaps(self) -> list[tuple[int, int]]:
        """The ranges still missing, ascending."""
        return [(first, last) for first, last, _ in self._missing]

    def given_up(self, number: int) -> tuple[int, int] | None:
        """The range given up that `number` is in, if any."""
        return _holding(self._given_up, number)

    def came_late(self, number: int) -> None:
        """A passing of a range given up came after all: not to be taken twice."""
        _cut(self._given_up, number)

    def tries(self) -> list[int]:
        """How many times each range of `gaps()` was asked for."""
        return [tries for _, _, tries in self._missing]

    def saved(self, held: Iterable[int]) -> tuple[list[tuple[int, int]], list[int]]:
        """`gaps()` and `tries()` to save, with the `held` numbers (counted as new but not yet
        published) as missing too: a daemon stopped before publishing them asks for them again."""
        gaps, tries = self.gaps(), self.tries()
        for number in held:
            index = bisect.bisect(gaps, (number, number))
            gaps.insert(index, (number, number))
            tries.insert(index, 0)
        return gaps, tries

    def holding(self, number: int) -> tuple[int, int] | None:
        """The missing range `number` would fill, if any."""
        return _holding(self._missing, number)

    def open(self, first: int, last: int) -> None:
        """Numbers below the first seen that are wanted too (made before the tracker began)."""
        if first <= last:
            bisect.insort(self._missing, [first, last, 0])

    def asked_for(self, first: int, last: int) -> None:
        """The missing range first..last was asked for once (as soon as it was opened)."""
        for gap in self._missing:
            if gap[0] == first and gap[1] == last:
                gap[2] += 1

    def asked(self) -> list[tuple[int, int]]:
        """Every missing range, counted as asked for once more."""
        for gap in self._missing:
            gap[2] += 1
        return self.gaps()

    def give_up(self, tries: int) -> list[tuple[int, int]]:
        """Remove and return the ranges asked for `tries` times or more."""
        given_up = [(first, last) for first, last, n in self._missing if n >= tries]
        self._missing = [gap for gap in self._missing if gap[2] < tries]
        self._remember(given_up)
        return given_up

    def give_up_all(self) -> list[tuple[int, int]]:
        given_up, self._missing = self.gaps(), []
        return given_up

    def _remember(self, given_up: list[tuple[int, int]]) -> None:
        self._given_up = (self._given_up + [list(gap) for gap in given_up])[-_REMEMBERED:]

    def forget_through(self, number: int) -> None:
        """No longer want the numbers up to `number` (older than anything wanted)."""
        kept = []
        for first, last, tries in self._missing:
            if last > number:
                kept.append([max(first, number + 1), last, tries])
        self._missing = kept


def count_missing(gaps: Iterable[tuple[int, int]]) -> int:
    """How many passing numbers the ranges first..last hold."""
    return sum(last - first + 1 for first, last in gaps)


# Ranges are lists [first, last, *extra] (the missing ones carry their tries), ascending.


def _holding(ranges: list[list[int]], number: int) -> tuple[int, int] | None:
    """The range `number` is in, if any."""
    for first, last, *_ in ranges:
        if first <= number <= last:
            return (first, last)
    return None


def _cut(ranges: list[list[int]], number: int) -> bool:
    """Take `number` out of the range it is in (split in two, each keeping the extras); False if
    it is in none."""
    for index, (first, last, *extra) in enumerate(ranges):
        if first <= number <= last:
            pieces = [[first, number - 1, *extra], [number + 1, last, *extra]]
            ranges[index : index + 1] = [p for p in pieces if p[0] <= p[1]]
            return True
    return False
