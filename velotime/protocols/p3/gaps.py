"""Missing passing numbers: what a driver must ask the decoder to RESEND."""

from typing import NamedTuple


class Observation(NamedTuple):
    new: bool  # not seen before (False: a duplicate, e.g. resent twice)
    gap: tuple[int, int] | None  # the range of numbers this one showed to be missing


class GapTracker:
    """Follows one decoder's passing numbers as they arrive, in any order.

    A number above the highest seen opens a gap below it; a late number (a resent passing)
    fills its place. Numbers at or below the highest that fill no gap are duplicates, and so are
    numbers below the first one seen: the tracker has no way to tell them apart.
    """

    def __init__(self, highest: int | None = None, gaps: list[tuple[int, int]] | None = None):
        self.highest = highest
        self._missing: list[list[int]] = [list(gap) for gap in gaps or ()]  # ascending, disjoint

    def observe(self, number: int) -> Observation:
        if self.highest is None or number > self.highest:
            gap = None
            if self.highest is not None and number > self.highest + 1:
                gap = (self.highest + 1, number - 1)
                self._missing.append(list(gap))
            self.highest = number
            return Observation(new=True, gap=gap)
        return Observation(new=self._fill(number), gap=None)

    def gaps(self) -> list[tuple[int, int]]:
        """The ranges still missing, ascending."""
        return [(first, last) for first, last in self._missing]

    def _fill(self, number: int) -> bool:
        for index, (first, last) in enumerate(self._missing):
            if first <= number <= last:
                pieces = [[first, number - 1], [number + 1, last]]
                self._missing[index : index + 1] = [p for p in pieces if p[0] <= p[1]]
                return True
        return False
