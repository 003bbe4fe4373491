"""The ids of the events a scoring engine took, kept compactly: delivery is at least once, so
every id must be remembered for the whole meet, and a set of the id strings costs about 130
bytes an id (13 MB at 100,000 events).

Each id is kept as its 64-bit hash in one open-addressing table of machine words, at most half
full: 8 to 16 bytes an id. Two different ids of the same hash would make the second look seen
already; it would then be dropped and counted as a duplicate, like any. The odds of that in a
meet of n events are about n² / 2^65: 1 in 3.7 billion at 100,000 events, 1 in 370,000 at
10 million. The hash is Python's own (salted per process), so two runs never share a collision.
"""

import sys
from array import array

_WIDTH = sys.hash_info.width  # 64 on the platforms velotime runs on
_MASK = (1 << _WIDTH) - 1
_EMPTY = 0  # a hash of 0 is kept as 1
_INITIAL = 1024  # slots: a power of two, as every size after it


class SeenIds:
    def __init__(self) -> None:
        self._slots = array("Q", bytes(8 * _INITIAL))
        self._count = 0

    def __contains__(self, event_id: str) -> bool:
        return self._slots[self._slot(_hash(event_id))] != _EMPTY

    def add(self, event_id: str) -> bool:
        """Remember `event_id`; False if it was seen already."""
        value = _hash(event_id)
        slot = self._slot(value)
        if self._slots[slot] != _EMPTY:
            return False
        self._slots[slot] = value
        self._count += 1
        if 2 * self._count > len(self._slots):
            self._grow()
        return True

    def _slot(self, value: int) -> int:
        """Where `value` is, or the empty slot where it goes (linear probing)."""
        slots = self._slots
        mask = len(slots) - 1
        slot = value & mask
        while True:
            held = slots[slot]
            if held in (value, _EMPTY):
                return slot
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old = self._slots
        self._slots = array("Q", bytes(2 * 8 * len(old)))
        for value in old:
            if value != _EMPTY:
                self._slots[self._slot(value)] = value


def _hash(event_id: str) -> int:
    return (hash(event_id) & _MASK) or 1
