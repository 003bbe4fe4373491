"""What the programs say about themselves (docs/mqtt.md): the status of the daemon, its tools and
the scoring service, each source's status, and the venue's self-description.

Each payload is built from these types, so the JSON Schemas in docs/mqtt.md, generated from
them (`python -m velotime.docs.schemas`), say what is really published. velotime only encodes
them; a consumer decoding into them gets an error for a key they do not know.
"""

from typing import Literal

import msgspec
from msgspec import UNSET, UnsetType


class _Payload(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class DaemonOnline(_Payload, frozen=True, kw_only=True):
    """`status/daemon` while the daemon (`velotime run`) runs: published on every connect, and
    again when its health changes (a change of `state` at once, counts at most every 5 s)."""

    online: Literal[True] = True
    version: str  # velotime's
    pid: int
    started_us: int  # when the daemon started (host clock, unix microseconds)
    now_us: int  # when this was published
    # Health. The defaults are what a daemon from before these keys means: nothing known wrong.
    state: Literal["ok", "degraded"] = "ok"  # degraded: something below fails; see `reasons`
    reasons: list[str] = []  # one line each: "outbox write failed: database or disk is full..."
    outbox_depth: int = 0  # events not yet acknowledged by the broker (on disk or in memory)
    memory_backlog: int = 0  # of which held only in memory: the outbox cannot write
    capture_bytes: int = 0  # device bytes recorded in the capture log since the daemon started
    capture_bytes_lost: int = 0  # device bytes that could not be recorded (disk full...)
    free_disk_bytes: int | None = None  # free space for the storage directory; None: unknown


class ReplayOnline(_Payload, frozen=True, kw_only=True):
    """`status/daemon` of a replay (`velotime replay` to a broker, under `<venue>-replay`)
    while it runs."""

    online: Literal[True] = True
    replay: Literal[True] = True


class Offline(_Payload, frozen=True, kw_only=True):
    """The program is gone: the broker's last will, or said by the program on a clean stop
    (a clean disconnect suppresses the will)."""

    online: Literal[False] = False


class SourceStatus(_Payload, frozen=True, kw_only=True):
    """`status/sources/<source>`: a source of the daemon, its link and its health. Published
    when it connects or is lost, and when its counts change (at most every few seconds). The
    counts run from the daemon's start; the health keys have defaults so that a payload of an
    older daemon, without them, still decodes."""

    online: bool  # connected (a listening TCP source: a device connected to it)
    detail: str  # "connected", "listening", "cannot connect: ...", why the link was lost
    endpoint: str  # where the device is: "tcp://192.168.1.50:5403", "serial:///dev/ttyUSB0"...
    connections: int  # how many times it has connected since the daemon started
    since_us: int  # when `online` or `detail` last changed (host clock, unix microseconds)
    updated_us: int = 0  # when these counts were taken (host clock, unix microseconds)
    events: int = 0  # events made from the device's records
    last_event_us: int | None = None  # when the last one was made (host clock); null: none yet
    frame_errors: int = 0  # records (P3 frames, Timy lines, Lynx messages) skipped as broken
    crc_errors: int = 0  # of which their checksum failed
    garbage_bytes: int = 0  # bytes outside any record, skipped (Timy: lines of line noise)
    duplicates: int = 0  # records dropped as repeats (P3 passing numbers, Timy double triggers)
    skipped: int = 0  # records of no use (no transponder or time, an unmapped channel)
    open_gaps: int = 0  # ranges of records known to be missing and still asked for (P3)
    missing: int = 0  # records in those ranges
    resend_requests: int = 0  # requests sent to the device for missing records
    unrecoverable_gaps: int = 0  # gaps given up: too large, or no longer held by the device
    flagged: int = 0  # records published flagged: implausible, or from an unmapped decoder
    superseded: int = 0  # result lines a camera's later block of the race changed or left out
    # Health: degraded while something of the source's is wrong, said in `reasons` (its
    # device's clock too far from the venue clock: "timy: clock 1 h 00 min ahead of ...").
    state: Literal["ok", "degraded"] = "ok"
    reasons: list[str] = []
    # Timy, camera: the device's clock minus the venue clock, from its latest record stamped
    # with its "now" (an impulse, a running time); null: none yet, or a device not checked.
    clock_offset_us: int | None = None


class ImportOnline(_Payload, frozen=True, kw_only=True):
    """`status/sources/<source>` of `velotime import-lif` (the results files' source) while
    it runs."""

    online: Literal[True] = True


class VenueDescription(_Payload, frozen=True, kw_only=True):
    id: str
    name: str
    track_length_m: float


class LineDescription(_Payload, frozen=True, kw_only=True):
    name: str
    distance_m: float  # before the finish line; 0 is the finish


class SourceSummary(_Payload, frozen=True, kw_only=True):
    name: str
    protocol: str  # "p3", "timy", "lynx"
    line: str | None  # p3: the timing line of the decoder's loop
    decoder_lines: dict[str, str]  # p3: decoder id -> timing line, where one source has several
    channels: dict[str, str]  # timy: channel ("C0".."C9") -> timing line ("start": the gate)


class Description(_Payload, frozen=True, kw_only=True):
    """`config/description`: the venue, its timing lines and its sources, as configured."""

    v: Literal[1] = 1
    venue: VenueDescription
    lines: list[LineDescription]
    sources: list[SourceSummary]


# -- status/scoring -----------------------------------------------------------------------------


class ScoringOnline(_Payload, frozen=True, kw_only=True):
    """`status/scoring` while the scoring service runs; the counts at most twice a second."""

    online: Literal[True] = True
    version: str
    pid: int
    started_us: int
    meet: str  # the meet's id
    meet_sha256: str  # of the meet file it scores with
    journal: str  # the journal file
    events: int  # distinct events applied since the journal began
    restored: int  # of which re-applied from the journal at start
    duplicates: int  # events received again, dropped by id
    malformed: int  # messages on timing/# that are no event envelope
    skipped_commands: int  # commands the engine did not apply
    skipped_timing: int = 0  # timing events the engine did not use (flagged passings)
    errors: int  # events the engine failed on


class ScoringOffline(_Payload, frozen=True, kw_only=True):
    """`status/scoring` once the service is gone: the last will, or said on a clean stop; with
    `error` when it stopped on one."""

    online: Literal[False] = False
    error: str | UnsetType = UNSET


# The alternatives of each status topic, in the order a consumer tries them (wire.retained) and
# the docs list them (docs.schemas).
DaemonStatus = DaemonOnline | ReplayOnline | Offline  # status/daemon
SourceTopicStatus = SourceStatus | ImportOnline | Offline  # status/sources/<source>
ScoringStatus = ScoringOnline | ScoringOffline  # status/scoring

_encode = msgspec.json.Encoder().encode

OFFLINE = _encode(Offline())  # b'{"online":false}'
REPLAY_ONLINE = _encode(ReplayOnline())
IMPORT_ONLINE = _encode(ImportOnline())
