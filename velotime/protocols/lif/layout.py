"""The column layout of a LIF file, declared once: the parser and the documentation test use it.

Names are FinishLynx's where it has one (CrossMgr's FinishLynx.py reads LIF with this list);
the header's columns 7..9 and the result columns after User3 have no published name, so these
are velotime's names for what the real files show (docs/protocols/lif.md).
"""

from types import MappingProxyType
from typing import Final

from velotime.protocols.lif.records import LifStatus

HEADER_COLUMNS: Final = (
    "Event",
    "Round",
    "Heat",
    "EventName",
    "Wind",
    "WindUnit",
    "Reserved7",
    "Reserved8",
    "Reserved9",
    "Distance",
    "StartTimeOfDay",
)

RESULT_COLUMNS: Final = (
    "Place",
    "ID",
    "Lane",
    "LastName",
    "FirstName",
    "Affiliation",
    "Time",
    "License",
    "DeltaTime",
    "ReactionTime",
    "Splits",
    "StartTime",
    "User1",
    "User2",
    "User3",
)

# Newer FinishLynx versions write more columns after User3; their meaning is inferred from the
# real files: two copies of the delta (the winner's time in its row) and the mean speed in m/s
# with a decimal comma. Anything after them was empty in every real file.
EXTRA_COLUMNS: Final = ("Delta2", "Delta3", "Speed")

# FinishLynx's "ExtraFields" setting ("last included field: Time, License, Delta, ReacTime,
# Splits or all") can end every row after Time, so 7 columns is a complete row.
MIN_RESULT_COLUMNS: Final = RESULT_COLUMNS.index("Time") + 1
MIN_HEADER_COLUMNS: Final = HEADER_COLUMNS.index("Heat") + 1  # event, round and heat name it

# Place words, matched without case and surrounding spaces. FinishLynx localises them with its
# language file; "aufg." (aufgegeben, gave up) is what a German installation wrote for a DNF in
# 32400031-1-11.lif. Callers with other languages pass their own table to parse_lif.
STATUS_CODES: Final = MappingProxyType(
    {
        "DNF": LifStatus.DNF,
        "DNS": LifStatus.DNS,
        "DQ": LifStatus.DQ,
        "DSQ": LifStatus.DQ,
        "AUFG.": LifStatus.DNF,
    }
)


def result_column_name(index: int) -> str:
    """The name of a 0-based result column: "Time", "Speed", or "Extra19" past the known ones."""
    if index < len(RESULT_COLUMNS):
        return RESULT_COLUMNS[index]
    extra = index - len(RESULT_COLUMNS)
    if extra < len(EXTRA_COLUMNS):
        return EXTRA_COLUMNS[extra]
    return f"Extra{index + 1}"


def header_column_name(index: int) -> str:
    """The name of a 0-based header column, or "Extra12" past the eleventh."""
    return HEADER_COLUMNS[index] if index < len(HEADER_COLUMNS) else f"Extra{index + 1}"
