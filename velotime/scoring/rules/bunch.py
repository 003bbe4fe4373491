"""What the bunch races' rules work from (points, tempo, scratch, elimination, Madison, and the
omnium built on them): the judged sprints and the confirmed lap changes, as plain values.

The rules (one module a race) are pure functions of these: how the judgements were made (loops,
camera, the judges' commands) is the lap counter's and the sprint judge's business, not theirs.
A value here is what the officials stand by: proposals the commissaires have not confirmed are
not passed in (uci-rules.md §2.6: the decision on lap gains is theirs).
"""

from dataclasses import dataclass

Placing = tuple[int, ...]
"""The bibs sharing one place across a line: one bib, or more in a dead heat (a tie takes the
place and its points; the next place is skipped, §2.6)."""


@dataclass(frozen=True)
class Sprint:
    """One sprint as judged: `number` counts from 1 in the race; `lap` is the leader's laps
    completed when it was contested; `placings` in order from first (as many as were judged:
    4 in a points race, 1 in a tempo race, the last place in an elimination)."""

    number: int
    lap: int
    placings: tuple[Placing, ...]
    final: bool = False


@dataclass(frozen=True)
class LapChange:
    """A lap gained (+1) or lost (-1) by one rider (or a Madison team, by its number), as the
    commissaires confirmed it, at the leader's lap `lap`."""

    bib: int
    change: int
    lap: int

    def __post_init__(self) -> None:
        if self.change not in (1, -1):
            raise ValueError(f"a lap change is +1 or -1, not {self.change}")
