"""Timing events on the venue clock, and the envelope they travel in over MQTT."""

from typing import Any

import msgspec

ENVELOPE_VERSION = 1


class PassingData(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A transponder crossed a timing line.

    `t_us` is the venue clock: the decoder clock (`rtc_time_us`) plus `clock_offset_us`, so both
    are exact integers and a consumer can check one against the other.
    """

    t_us: int
    line: str
    transponder: int
    rtc_time_us: int
    clock_offset_us: int
    received_us: int  # when the daemon read the bytes (host clock)
    decoder_id: int | None = None
    passing_number: int | None = None
    strength: int | None = None
    hits: int | None = None
    record: dict[str, Any]  # the decoded device record: every field, nothing dropped


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """An event before it is numbered. `id` names the physical occurrence: the same passing
    read twice (a resend, a replay) gets the same id, so consumers can drop duplicates."""

    id: str
    src: str
    kind: str
    data: PassingData


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """What goes on the wire: an event with its per-source sequence number `seq`, which counts
    1, 2, 3... per source across restarts, so a consumer sees any gap."""

    v: int = ENVELOPE_VERSION
    id: str
    seq: int
    src: str
    kind: str
    data: PassingData
