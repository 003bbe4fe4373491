"""Missing passing numbers: what a driver must ask the decoder to RESEND."""


class GapTracker:
    """Follows one decoder's passing numbers as they arrive, in any order.

    A number above the highest seen opens a gap below it; a late number (a resent passing)
    fills its place. Numbers at or below the first one seen are treated as already known.
    """

    def __init__(self) -> None:
        self.highest: int | None = None
        self._missing: list[list[int]] = []  # disjoint [first, last] ranges, ascending

    def observe(self, number: int) -> tuple[int, int] | None:
        """Record a passing number; return the gap it opened, if any."""
        if self.highest is None:
            self.highest = number
            return None
        if number > self.highest:
            gap = (self.highest + 1, number - 1) if number > self.highest + 1 else None
            if gap:
                self._missing.append(list(gap))
            self.highest = number
            return gap
        self._fill(number)
        return None

    def gaps(self) -> list[tuple[int, int]]:
        """The ranges still missing, ascending."""
        return [(first, last) for first, last in self._missing]

    def _fill(self, number: int) -> None:
        for index, (first, last) in enumerate(self._missing):
            if first <= number <= last:
                pieces = [[first, number - 1], [number + 1, last]]
                self._missing[index : index + 1] = [p for p in pieces if p[0] <= p[1]]
                return
