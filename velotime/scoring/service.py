"""The live scoring service: the daemon's event stream from MQTT in, retained results out.

It reads nothing but MQTT: `<prefix>/<venue>/timing/#` at QoS 1 with a persistent session (client
id `velotime-scoring-<venue>`), so the broker queues the events while it is away, and each event
is acknowledged only once it has been journaled and applied. Each envelope goes to the
`ScoringEngine`, and every `Publication` it returns is published retained at QoS 1 on
`<prefix>/<venue>/<key>` (`results/<event>`, `current`, ...). `<prefix>/<venue>/status/scoring`
says whether it runs, with its counts.

**The journal.** Every envelope applied is first appended to
`<storage>/scoring/<venue>/<meet id>.journal.jsonl` (JSON Lines, flushed per event). On start
the journal is fed to a fresh engine, its snapshot is published, and only then do new events
count; the broker's redeliveries are dropped by id. The journal holds inputs, not results: if
the meet file changed since it began (a corrected name or start order), everything is scored
again with the new file, which the log says, naming the results that changed. A truncated last
line (a kill mid-write) is dropped. One process at a time holds a journal (a lock): a second
service for the same venue and meet fails at start.

A message that is no event envelope is counted and logged, never fatal; so is an event the
engine fails on (it stays in the journal, and scores the same way after a restart).

**Answers.** Every command with an `id` that comes live is answered on
`<prefix>/<venue>/replies/scoring/<id>` (QoS 1, not retained; `velotime.wire.replies`):
accepted, or refused with the engine's reason, after the results it changed are published.
Commands restored from the journal were answered when they came, and are not again.
"""

import asyncio
import contextlib
import dataclasses
import fcntl
import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import aiomqtt
import msgspec
from msgspec import UNSET

from velotime import __version__
from velotime.config import Config
from velotime.daemon.sources import photocell_lines
from velotime.mqtt.client import BrokerSettings, broker_settings, mqtt_client
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import Publisher
from velotime.ratelimit import RateLimitedLog
from velotime.scoring.engine import Publication, ScoringEngine
from velotime.scoring.meet import Meet, MeetError, read_meet
from velotime.times import now_us
from velotime.wire.errors import WireError
from velotime.wire.events import CommandData, Envelope, EventData, decode_event
from velotime.wire.replies import CommandReply, encode_reply
from velotime.wire.status import ScoringOffline, ScoringOnline
from velotime.wire.topics import Topics

log = logging.getLogger("velotime.scoring")

JOURNAL_FORMAT = "velotime-scoring-journal"
JOURNAL_VERSION = 1
STATUS_INTERVAL_S = 0.5  # how often the counts in status/scoring are brought up to date
_LOGGED_PAYLOAD = 120  # bytes of a malformed message shown in the log
_TAIL_SEARCH = 1 << 16  # bytes read from the journal's end to find a truncated last line

_json = msgspec.json.Encoder()
_decode = msgspec.json.Decoder().decode


def venue_engine(config: Config, meet: Meet) -> ScoringEngine:
    """A scoring engine for `meet` at the configured venue: its lines, their roles, and the
    lines its impulse timers' photocells time. Raises MeetError for an event the venue cannot
    run (a pursuit that is no whole number of half laps of its track)."""
    return ScoringEngine(
        meet,
        {line.name: line.distance_m for line in config.lines},
        config.venue.track_length_m,
        photocell_lines(s.describe(config.venue.timezone) for s in config.sources),
        config.line_roles,
    )


class ScoringError(Exception):
    """The service cannot run: its journal is in use or unreadable."""


def scoring_broker(config: Config, venue: str) -> BrokerSettings:
    """The venue's broker, as the scoring service of `venue` connects to it."""
    return dataclasses.replace(
        broker_settings(config), client_id=f"velotime-scoring-{venue}", clean_session=False
    )


@dataclasses.dataclass
class Counts:
    events: int = 0  # distinct events applied since the journal began (restored included)
    restored: int = 0  # of which re-applied from the journal at this start
    duplicates: int = 0  # events received again (the broker redelivers after a reconnect)
    malformed: int = 0  # messages on timing/# that are no event envelope
    skipped_commands: int = 0  # commands the engine did not apply (see the log)
    skipped_timing: int = 0  # timing events the engine did not use (see the log)
    errors: int = 0  # events the engine failed on (see the log)


class JournalHeader(msgspec.Struct, frozen=True, kw_only=True):
    """The first line of a journal, and a line where the meet file changed."""

    journal: str  # JOURNAL_FORMAT
    version: int
    venue: str
    meet: str  # the meet's id
    meet_sha256: str  # of the meet file the events after it were scored with
    at_us: int


_header = msgspec.json.Decoder(JournalHeader)


@dataclasses.dataclass
class JournalContents:
    """What reading the journal through found besides its envelopes."""

    envelopes: int = 0
    meet_sha256: str | None = None  # the meet content of its last header; None for a new journal
    unreadable: int = 0  # lines skipped (damaged)


class Journal:
    """The envelopes a service applied, in order: a header line naming the meet content
    (`{"journal": ...}`), then one envelope per line; another header where the meet changed."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: BinaryIO = path.open("a+b")
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.close()
            raise ScoringError(
                f"{path}: another scoring service is running for this venue and meet"
            ) from None

    def repair(self) -> None:
        """A truncated last line (a kill mid-write) is cut off the file."""
        size = self._file.seek(0, os.SEEK_END)
        start = max(0, size - _TAIL_SEARCH)
        while True:
            self._file.seek(start)
            _, newline, tail = self._file.read().rpartition(b"\n")  # tail: a line cut short
            if newline or start == 0:
                break
            start = max(0, 2 * start - size)  # a last line longer than what was read
        if not tail:
            return
        if isinstance(_value(tail), dict):  # complete but for its newline: keep it
            self._file.write(b"\n")
            self._file.flush()
        else:
            log.warning(
                "journal %s: dropped a truncated last line (%d bytes), as a kill mid-write "
                "leaves it",
                self.path,
                len(tail),
            )
            self._file.truncate(size - len(tail))
        self._file.seek(0, os.SEEK_END)

    def envelopes(
        self, contents: JournalContents, *, quiet: bool = False
    ) -> Iterator[Envelope[EventData]]:
        """The envelopes in order, read as they are taken (a journal of a whole meet is not
        held in memory); headers and damaged lines go to `contents`. Call `repair` first."""
        with self.path.open("rb") as lines:
            for line in lines:
                if not line.strip():
                    continue
                try:
                    envelope = decode_event(line)
                except WireError as exc:
                    problem = str(exc)
                else:
                    contents.envelopes += 1
                    yield envelope
                    continue
                try:
                    contents.meet_sha256 = _header.decode(line).meet_sha256
                except (msgspec.ValidationError, msgspec.DecodeError):
                    contents.unreadable += 1
                    if not quiet:
                        log.warning(
                            "journal %s: skipped an unreadable line (%s): %r",
                            self.path,
                            problem,
                            line[:80],
                        )

    def header(self, venue: str, meet: Meet, meet_sha256: str) -> None:
        self._write(
            JournalHeader(
                journal=JOURNAL_FORMAT,
                version=JOURNAL_VERSION,
                venue=venue,
                meet=meet.meet.id,
                meet_sha256=meet_sha256,
                at_us=now_us(),
            )
        )

    def append(self, envelope: Envelope[EventData]) -> None:
        """Written and flushed before the event is applied: a killed service re-applies it."""
        self._write(envelope)

    def _write(self, value: msgspec.Struct) -> None:
        self._file.write(_json.encode(value) + b"\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()  # and the lock with it


def _retained_state(engine: ScoringEngine) -> dict[str, bytes]:
    return {publication.key: publication.encoded() for publication in engine.snapshot()}


def _value(line: bytes) -> object:
    try:
        return _decode(line)
    except msgspec.DecodeError:
        return None


def offline_status(error: BaseException) -> bytes:
    """`status/scoring` after the service stopped on `error`."""
    return _json.encode(ScoringOffline(error=str(error) or type(error).__name__))


class ScoringService:
    """One meet scored live for one venue. `open()` reads the meet and restores the journal;
    `run(stop)` serves until `stop` is set; `close()` releases the journal."""

    def __init__(
        self,
        config: Config,
        meet: Meet,
        meet_bytes: bytes,
        *,
        venue: str | None = None,
        broker: BrokerSettings | None = None,
    ) -> None:
        self.venue = venue or config.venue.id
        self.meet = meet
        self.meet_sha256 = hashlib.sha256(meet_bytes).hexdigest()
        self.topics = Topics(config.mqtt.topic_prefix, self.venue)
        self.status_topic = f"{self.topics.root}/status/scoring"
        self._config = config
        self.counts = Counts()
        # A flood of flagged passings or refused commands: one line a kind a while, with a count.
        self._skipped_log = RateLimitedLog(log)
        self.started_us = now_us()
        self.subscribed = asyncio.Event()  # set once subscribed (before going online)
        broker = broker or scoring_broker(config, self.venue)  # may raise ConfigError
        directory = config.storage.directory / "scoring" / self.venue
        self.journal = Journal(directory / f"{meet.meet.id}.journal.jsonl")
        try:
            self.engine = self._restore(directory, meet_bytes)
        except BaseException:
            self.journal.close()
            raise
        self.publisher = Publisher(
            broker,
            Outbox(":memory:"),  # nothing is queued: all it publishes is retained state
            self.status_topic,
            self._online,
            subscriptions={self.topics.timing("#"): self._receive},
        )
        for publication in self.engine.snapshot():
            self._publish(publication)
        self.publisher.set_retained(self.status_topic, self._status())

    @classmethod
    def open(
        cls,
        config: Config,
        meet_path: Path,
        *,
        venue: str | None = None,
        broker: BrokerSettings | None = None,
        meet_named_by: str = "",
    ) -> "ScoringService":
        """Raises MeetError (a bad meet file; one that cannot be read led by `meet_named_by`,
        the key or option that named it), ScoringError (journal in use), OSError."""
        meet, meet_bytes = read_meet(meet_path, meet_named_by)
        return cls(config, meet, meet_bytes, venue=venue, broker=broker)

    def close(self) -> None:
        self.journal.close()

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then publish the last changes and go offline."""
        log.info(
            "scoring meet %s for venue %s: %d events from the journal %s",
            self.meet.meet.id,
            self.venue,
            self.counts.restored,
            self.journal.path,
        )
        try:
            async with asyncio.TaskGroup() as group:
                reporter = group.create_task(self._report(stop))
                await self.publisher.run(stop)
                reporter.cancel()
        except Exception as exc:
            await self._say_offline(exc)
            raise
        counts = self.counts
        log.info(
            "scoring stopped: %d events (%d from the journal), %d repeats, %d malformed "
            "messages, %d commands not applied, %d timing events not used, %d errors",
            counts.events,
            counts.restored,
            counts.duplicates,
            counts.malformed,
            counts.skipped_commands,
            counts.skipped_timing,
            counts.errors,
        )

    # -- restoring ------------------------------------------------------------------------------

    def _restore(self, directory: Path, meet_bytes: bytes) -> ScoringEngine:
        self.journal.repair()
        contents = JournalContents()
        # Whatever meet the journal was scored with, it is scored again with this one.
        engine = self._replayed(self.meet, self.journal.envelopes(contents))
        sha = self.meet_sha256
        keep = directory / f"{self.meet.meet.id}.meet-{sha[:16]}.toml"  # what was scored with
        if not keep.exists():
            keep.write_bytes(meet_bytes)
        if contents.meet_sha256 is None:
            if contents.envelopes:
                log.warning("journal %s has no header: taken as this meet's", self.journal.path)
            self.journal.header(self.venue, self.meet, sha)
        elif contents.meet_sha256 != sha:
            log.warning(
                "the meet file changed since the journal %s began (sha256 %s... -> %s...): "
                "its %d events are scored again with the new meet file",
                self.journal.path,
                contents.meet_sha256[:12],
                sha[:12],
                contents.envelopes,
            )
            self._log_changes(directory, contents.meet_sha256, engine)
            self.journal.header(self.venue, self.meet, sha)
        self.counts.skipped_commands = len(engine.skipped_commands)
        self.counts.skipped_timing = len(engine.skipped_timing)
        if engine.skipped_commands:
            log.info(
                "%d commands of the journal were not applied (as logged when they came)",
                len(engine.skipped_commands),
            )
        # Distinct events: those the engine did not drop as fed before (same id).
        self.counts.events = self.counts.restored = contents.envelopes - engine.duplicates
        return engine

    def _replayed(
        self, meet: Meet, envelopes: Iterable[Envelope[EventData]], *, quiet: bool = False
    ) -> ScoringEngine:
        engine = venue_engine(self._config, meet)
        for envelope in envelopes:
            try:
                engine.take(envelope)  # the snapshot after the last is all that is published
            except Exception:
                if not quiet:
                    self.counts.errors += 1
                    log.exception("scoring event %s from the journal failed", envelope.id)
        return engine

    def _log_changes(self, directory: Path, old_sha256: str, engine: ScoringEngine) -> None:
        """Which results the new meet file changes (`engine` has the journal scored with it),
        when the old one was kept."""
        old_path = directory / f"{self.meet.meet.id}.meet-{old_sha256[:16]}.toml"
        try:
            old_meet, _ = read_meet(old_path)
        except MeetError:
            return
        envelopes = self.journal.envelopes(JournalContents(), quiet=True)
        before = _retained_state(self._replayed(old_meet, envelopes, quiet=True))
        after = _retained_state(engine)
        changed = sorted(
            key for key in before.keys() | after.keys() if before.get(key) != after.get(key)
        )
        log.warning("the new meet file changes %s", ", ".join(changed) if changed else "no result")

    # -- live -----------------------------------------------------------------------------------

    def _receive(self, topic: str, payload: bytes) -> None:
        try:
            envelope = decode_event(payload)
        except WireError as exc:
            self.counts.malformed += 1
            log.warning("skipped a message on %s: %s: %r", topic, exc, payload[:_LOGGED_PAYLOAD])
            return
        if self.engine.seen(envelope.id):  # the broker sends again what was not acknowledged
            self.counts.duplicates += 1
            log.info("dropped event %s on %s: applied already", envelope.id, topic)
            return
        self.journal.append(envelope)  # raises on a failing disk: then it is not acknowledged
        self.counts.events += 1
        skipped = len(self.engine.skipped_commands)
        unused = len(self.engine.skipped_timing)
        refused = len(self.engine.refused)
        try:
            publications = self.engine.feed(envelope)
        except Exception:
            self.counts.errors += 1
            log.exception("scoring event %s failed (it stays in the journal)", envelope.id)
            failed = f"the scoring service failed on it (its log says why; event {envelope.id})"
            self._answer(envelope.data, failed)
            return
        for reason in self.engine.skipped_commands[skipped:]:
            self.counts.skipped_commands += 1
            self._skipped_log.log(
                logging.WARNING, "command", f"command {envelope.id} not applied: {reason}"
            )
        for reason in self.engine.skipped_timing[unused:]:
            self.counts.skipped_timing += 1
            self._skipped_log.log(logging.WARNING, "timing", reason)
        for publication in publications:
            self._publish(publication)
        reasons = [refusal.reason for refusal in self.engine.refused[refused:]]
        self._answer(envelope.data, reasons[0] if reasons else None)

    def _answer(self, data: EventData, reason: str | None) -> None:
        """The answer to a command that carries an id: refused for `reason`, else accepted."""
        if not isinstance(data, CommandData) or not isinstance(data.command.id, str):
            return
        command, command_id = data.command, data.command.id
        reply = CommandReply(
            id=command_id,
            verdict="accepted" if reason is None else "refused",
            reason=UNSET if reason is None else reason,
            by="scoring",
            type=str(command.__struct_config__.tag),
            event=command.event,
            at_us=now_us(),
        )
        self.publisher.send(self.topics.reply("scoring", command_id), encode_reply(reply))

    def _publish(self, publication: Publication) -> None:
        self.publisher.set_retained(f"{self.topics.root}/{publication.key}", publication.encoded())

    # -- status ---------------------------------------------------------------------------------

    def _status(self) -> bytes:
        counts = self.counts
        return _json.encode(
            ScoringOnline(
                version=__version__,
                pid=os.getpid(),
                started_us=self.started_us,
                meet=self.meet.meet.id,
                meet_sha256=self.meet_sha256,
                journal=str(self.journal.path),
                events=counts.events,
                restored=counts.restored,
                duplicates=counts.duplicates,
                malformed=counts.malformed,
                skipped_commands=counts.skipped_commands,
                skipped_timing=counts.skipped_timing,
                errors=counts.errors,
            )
        )

    def _online(self) -> bytes:
        # Publisher asks for this once it has subscribed, just before it says so.
        self.subscribed.set()
        return self._status()

    async def _report(self, stop: asyncio.Event) -> None:
        """The counts, at most every STATUS_INTERVAL_S (unchanged ones are not published)."""
        while not stop.is_set():
            self.publisher.set_retained(self.status_topic, self._status())
            self._skipped_log.flush()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), STATUS_INTERVAL_S)

    async def _say_offline(self, error: BaseException) -> None:
        """After a failure the connection was closed cleanly, which suppresses the will: say
        it, with the reason, as best we can."""
        while isinstance(error, BaseExceptionGroup):
            error = error.exceptions[0]
        log.error("the scoring service stops: %s", error)
        payload = offline_status(error)
        # A clean session of its own: the persistent one is the publisher's, under its id.
        broker = dataclasses.replace(self.publisher.broker, clean_session=True)
        client = mqtt_client(broker, timeout=3)
        with contextlib.suppress(aiomqtt.MqttError, OSError, TimeoutError):
            async with asyncio.timeout(3), client:
                await client.publish(self.status_topic, payload, qos=1, retain=True)
