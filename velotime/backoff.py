"""Jittered exponential backoff for reconnect loops (decoders, the broker)."""

import random


class Backoff:
    """Delays of min, 2*min, 4*min... capped at max, each scaled by a random 0.5..1.5 so that
    many clients cut off together do not all come back at the same instant."""

    def __init__(self, min_s: float, max_s: float, rng: random.Random | None = None) -> None:
        if not 0 < min_s <= max_s:
            raise ValueError("backoff needs 0 < min_s <= max_s")
        self.min_s = min_s
        self.max_s = max_s
        self._rng = rng or random.Random()
        self._attempt = 0

    def next_delay(self) -> float:
        base = min(self.max_s, self.min_s * 2**self._attempt)
        self._attempt += 1
        return float(base * self._rng.uniform(0.5, 1.5))

    def reset(self) -> None:
        self._attempt = 0
