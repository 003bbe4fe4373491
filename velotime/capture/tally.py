"""Counting chunks as they are read, per source or for a whole file: one tally for `capture
info` and for replay."""

import builtins
from dataclasses import dataclass


@dataclass(kw_only=True)
class ChunkTally:
    """How many chunks, their bytes and the receive times of the first and last."""

    chunks: int = 0
    bytes: int = 0
    connections: int = 0  # empty chunks: the source (re)connected
    first_us: int | None = None
    last_us: int | None = None

    def add(self, t_us: int, data: builtins.bytes) -> None:  # `bytes` is a field here
        self.chunks += 1
        self.bytes += len(data)
        self.connections += not data
        if self.first_us is None:
            self.first_us = t_us
        self.last_us = t_us
