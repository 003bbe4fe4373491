"""FinishLynx LIF result files: one heat's header and result rows, as typed records.

Sans-I/O: `parse_lif(bytes)` returns a `LifParse` with the heat and counted warnings; it never
raises on bad input. The format and velotime's decisions are in docs/protocols/lif.md.
"""

from velotime.protocols.lif.layout import (
    EXTRA_COLUMNS,
    HEADER_COLUMNS,
    RESULT_COLUMNS,
    STATUS_CODES,
)
from velotime.protocols.lif.parser import parse_lif
from velotime.protocols.lif.records import (
    LifHeat,
    LifParse,
    LifResult,
    LifSplit,
    LifStatus,
    LifWarning,
    LifWarningKind,
)
from velotime.protocols.lif.text import decode_text
from velotime.protocols.lif.times import ExactTime, parse_duration, parse_time_of_day

__all__ = [
    "EXTRA_COLUMNS",
    "HEADER_COLUMNS",
    "RESULT_COLUMNS",
    "STATUS_CODES",
    "ExactTime",
    "LifHeat",
    "LifParse",
    "LifResult",
    "LifSplit",
    "LifStatus",
    "LifWarning",
    "LifWarningKind",
    "decode_text",
    "parse_duration",
    "parse_lif",
    "parse_time_of_day",
]
