"""Timing events on the venue clock, and the envelope they travel in over MQTT.

velotime only encodes these (the JSON Schemas in docs/mqtt.md are made from them); a consumer
decoding into them gets an error for a key they do not know.
"""

from typing import Any, Final, Generic, Literal, TypeVar

import msgspec

from velotime.wire.commands import Command
from velotime.wire.errors import WireError

ENVELOPE_VERSION: Final = 1


class PassingData(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
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
    epoch: int = 0  # the run of the decoder's passing counter (a new one after a reboot)
    passing_number: int | None = None
    strength: int | None = None
    hits: int | None = None
    # Set on a record scoring does not use: "implausible_time" (far from the venue clock),
    # "number_jump" (a passing number far beyond the highest), "unknown_decoder" (a decoder
    # the source maps to no line: `line` is "")
    flag: str | None = None
    record: dict[str, Any]  # the decoded device record: every field, nothing dropped


class GapData(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
    """Passings a decoder numbered that will not come: the daemon gave up asking for them.

    `reason`: "too_large" (more numbers than the configured bound: a counter that jumped),
    "not_answered" (asked for `resend_tries` times, never sent: the decoder no longer holds
    them), "epoch_ended" (the decoder's counter restarted before they came).
    """

    decoder_id: int | None = None
    epoch: int = 0
    first: int  # passing numbers first..last, both included
    last: int
    reason: str
    received_us: int  # when the daemon gave them up (host clock)


class ImpulseData(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
    """A photocell, start gate or keypad impulse through an impulse timer (ALGE Timy).

    The timer gives time of day only: `time_of_day_us` is microseconds after local midnight
    with the channel's fixed delay taken off, and `t_us` is that instant on the venue clock.
    """

    t_us: int
    line: str  # the timing line of the channel, or "start" for the start gate
    channel: str  # "C0".."C9"
    time_of_day_us: int
    received_us: int
    delay_us: int = 0  # the channel's fixed delay, already taken off
    digits: int = 4  # decimals the timer wrote (4: 1/10,000 s)
    number: int | None = None  # the timer's start number
    flag: str = ""  # the timer's mark: "" normal, "?" no valid number, "c" cleared, "i" invalid
    manual: bool = False  # a keypad impulse, not a sensor
    simultaneous_with: str | None = None  # id of an impulse on another channel at the same time
    record: dict[str, Any]  # the decoded timer line


class PhotoFinishData(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
    """The photo-finish camera (FinishLynx), live or from its result files.

    `phase` says what happened: "armed", "started" (the start time of day is known), one
    "result" per competitor, and "complete" once the results are all sent.
    """

    phase: str
    event: str | None = None  # FinishLynx event, round and heat
    round: str | None = None
    heat: str | None = None
    event_name: str | None = None
    start_time_of_day_us: int | None = None  # microseconds after local midnight
    t_us: int | None = None  # the start ("started") or the finish ("result") on the venue clock
    place: int | None = None
    status: str | None = None  # DNF, DNS, DQ...
    bib: str | None = None
    lane: int | None = None
    competitor: str | None = None
    affiliation: str | None = None
    time_us: int | None = None  # elapsed since the start, as precise as written
    time_digits: int | None = None  # decimals the camera wrote
    splits_us: list[int] = []  # cumulative
    wind: str | None = None
    distance_m: int | None = None
    results: int | None = None  # "complete": how many result lines
    received_us: int | None = None


class CommandData(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An operator command to the scoring engine (velotime.wire.commands), as the daemon
    received it: sequenced among the timing events where the capture records it."""

    command: Command  # {"type": "arm", "event": "sprint-q"}: every key of its type
    received_us: int


EventData = PassingData | ImpulseData | PhotoFinishData | CommandData | GapData


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """An event before it is numbered. `id` names the physical occurrence: the same passing
    read twice (a resend, a replay) gets the same id, so consumers can drop duplicates."""

    id: str
    src: str
    kind: str  # "passing", "impulse", "photofinish", "command", "gap": its topic's last level
    data: EventData

    def numbered(self, seq: int) -> "Envelope[EventData]":
        """The event as it goes on the wire, as its source's `seq`-th."""
        return Envelope(id=self.id, seq=seq, src=self.src, kind=self.kind, data=self.data)


D = TypeVar("D")  # the data of one kind of event (`Envelope[PassingData]`), or EventData


class Envelope(msgspec.Struct, Generic[D], frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What goes on the wire: an event with its per-source sequence number `seq`, which counts
    1, 2, 3... per source across restarts, so a consumer sees any gap."""

    v: Literal[1] = ENVELOPE_VERSION
    id: str
    seq: int
    src: str
    kind: str  # "passing", "impulse", "photofinish", "command", "gap": its topic's last level
    data: D


class _RawEnvelope(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An Envelope whose data is left undecoded until its `kind` says what it is."""

    v: int  # checked apart: another version is said as such
    id: str
    seq: int
    src: str
    kind: str
    data: msgspec.Raw


_DATA: dict[str, type[EventData]] = {
    "passing": PassingData,
    "impulse": ImpulseData,
    "photofinish": PhotoFinishData,
    "command": CommandData,
    "gap": GapData,
}
_raw_envelope = msgspec.json.Decoder(_RawEnvelope)
_data = {kind: msgspec.json.Decoder(data_type) for kind, data_type in _DATA.items()}


def decode_event(payload: bytes) -> Envelope[EventData]:
    """The event in a message on timing/#, or a journal line: its envelope, and its data as the
    type its `kind` names. Raises WireError, saying what is wrong."""
    try:
        raw = _raw_envelope.decode(payload)
    except msgspec.ValidationError as exc:
        raise WireError(f"not an event envelope ({exc})") from None
    except msgspec.DecodeError as exc:
        raise WireError(f"not JSON ({exc})") from None
    if raw.v != ENVELOPE_VERSION:
        raise WireError(f"not an event envelope of version {ENVELOPE_VERSION} (v is {raw.v!r})")
    decoder = _data.get(raw.kind)
    if decoder is None:
        raise WireError(f"event {raw.id}: no kind of event is called {raw.kind!r}")
    try:
        data = decoder.decode(raw.data)
    except msgspec.DecodeError as exc:  # a ValidationError: the JSON itself was read above
        raise WireError(f"event {raw.id}: not {raw.kind} data ({exc})") from None
    return Envelope(id=raw.id, seq=raw.seq, src=raw.src, kind=raw.kind, data=data)
