"""The retained topics of a venue (docs/mqtt.md), each decoded into its type by its key below
`<prefix>/<venue>/`: what a scoreboard mirrors.

Where a topic carries alternatives (a program online, or gone), each is tried in turn: they
differ by their keys, not by a tag.
"""

from typing import Any, get_args

import msgspec

from velotime.wire.errors import WireError
from velotime.wire.results import (
    EventResult,
    NothingOnTrack,
    OmniumStandings,
    OnTrackNow,
    Standings,
    StartList,
)
from velotime.wire.status import DaemonStatus, Description, ScoringStatus, SourceTopicStatus

ProgramStatus = DaemonStatus | SourceTopicStatus | ScoringStatus
Retained = (
    NothingOnTrack
    | OnTrackNow
    | EventResult
    | Standings
    | OmniumStandings
    | StartList
    | ProgramStatus
    | Description
)

# A key, or the prefix of keys ending in "/", and the types its payload may have.
_TYPES: tuple[tuple[str, tuple[type[Any], ...]], ...] = (
    ("current", (OnTrackNow, NothingOnTrack)),
    ("results/", (EventResult,)),
    ("standings/", (Standings, OmniumStandings)),
    ("startlists/", (StartList,)),
    ("status/scoring", get_args(ScoringStatus)),
    ("status/daemon", get_args(DaemonStatus)),
    ("status/sources/", get_args(SourceTopicStatus)),
    ("config/description", (Description,)),
)
_decoders = {t: msgspec.json.Decoder(t) for _, types in _TYPES for t in types}


def decode_retained(key: str, payload: bytes) -> Retained:
    """The payload of the retained topic `key` ("current", "results/f200"...). Raises
    WireError for a payload of none of its types, or a key velotime does not publish."""
    types = next(
        (types for pattern, types in _TYPES
         if key == pattern or (pattern.endswith("/") and key.startswith(pattern))),
        None,
    )  # fmt: skip
    if types is None:
        raise WireError(f"{key}: no retained topic of velotime")
    reasons = []
    for payload_type in types:
        try:
            value: Retained = _decoders[payload_type].decode(payload)
            return value
        except msgspec.ValidationError as exc:
            reasons.append(f"not {payload_type.__name__} ({exc})")
        except msgspec.DecodeError as exc:
            raise WireError(f"{key}: not JSON ({exc})") from None
    raise WireError(f"{key}: " + ", ".join(reasons))
