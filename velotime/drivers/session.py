"""What every protocol's session gives its driver: decisions from bytes, without doing I/O.

A session is fed `(receive time, bytes)` and returns events, bytes to send back to the device,
skipped input and notices worth logging. Its decisions depend only on what it was fed and the
state it resumed from, so the live driver and replay, fed the same capture, make the same events.
"""

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import msgspec

from velotime.wire.events import Event, GapData


class SkippedInput(Protocol):
    """Bad input a codec skipped (garbage, a corrupt record...), kept for the log."""

    @property
    def kind(self) -> str: ...

    @property
    def raw(self) -> bytes: ...

    @property
    def detail(self) -> str: ...


@dataclass(frozen=True)
class SessionCounters:
    """What a session decided about the records it read, for `status/sources/<name>`: counts
    since the session began (the daemon started), and the gaps open now. Zero where a protocol
    has no such thing."""

    duplicates: int = 0  # records dropped as repeats (P3: a passing number already seen)
    skipped: int = 0  # records read but of no use (a passing without transponder or time...)
    open_gaps: int = 0  # ranges of records known to be missing, still asked for
    missing: int = 0  # records in those ranges
    resend_requests: int = 0  # requests sent to the device for missing records
    unrecoverable_gaps: int = 0  # gaps given up (too large, or no longer held by the device)
    flagged: int = 0  # records published flagged: implausible, or from an unmapped decoder
    superseded: int = 0  # result lines a later block of the same race changed or left out


@dataclass
class SessionOutput:
    events: list[Event] = field(default_factory=list)
    commands: list[bytes] = field(default_factory=list)  # to send to the device
    errors: list[SkippedInput] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # worth a log line
    # Device clock minus venue clock (us), from each record stamped with the device's "now":
    # its own time against when it was received (velotime.drivers.clock).
    clock_offsets: list[int] = field(default_factory=list)


# Why passings a decoder numbered were given up (GapData.reason).
GapReason = Literal["too_large", "not_answered", "epoch_ended"]


def gap_given_up(
    out: SessionOutput,
    *,
    source: str,
    id_part: str,
    epoch: int,
    first: int,
    last: int,
    reason: GapReason,
    received_us: int,
    decoder: str = "",
    decoder_id: int | None = None,
) -> None:
    """Passings first..last that will not come: a notice for the log and a `gap` event (so
    that what is missing is seen, never silently lost). `id_part` begins the event's id;
    `decoder` names the decoder in the notice, where a source has several."""
    who = f"decoder {decoder} " if decoder else ""
    out.notices.append(
        f"{who}passings {first}..{last} (epoch {epoch}) given up: {reason.replace('_', ' ')}"
    )
    data = GapData(
        decoder_id=decoder_id,
        epoch=epoch,
        first=first,
        last=last,
        reason=reason,
        received_us=received_us,
    )
    out.events.append(Event(id=f"{id_part}:gap:{first}-{last}", src=source, kind="gap", data=data))


class Session(Protocol):
    source: str

    def connected(self, t_us: int) -> SessionOutput:
        """A new connection (or device): framing starts afresh."""
        ...

    def feed(self, t_us: int, data: bytes) -> SessionOutput: ...

    def state(self) -> msgspec.Struct:
        """What to save with every event, to resume from after a restart."""
        ...

    def poll_command(self) -> bytes | None:
        """A request to send to the device periodically (e.g. P3 GET_TIME), if any."""
        ...

    def counters(self) -> SessionCounters:
        """Its counts so far (cheap enough to ask every few seconds)."""
        ...


@runtime_checkable
class SetsClock(Protocol):
    """A session that sets its device's clock on the second boundary (Protime): after each
    connection the driver asks it, with the venue clock's now, for the command and the moment
    of the venue clock to send it at, and sends it then."""

    def clock_set(self, t_us: int) -> tuple[int, bytes] | None:
        """(when, command) due after this connection; None when none is."""
        ...
