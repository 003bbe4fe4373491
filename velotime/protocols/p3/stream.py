"""The P3 codec as one sans-I/O object: wire bytes in, typed records and counted errors out."""

from velotime.protocols.p3.decoder import MalformedRecordError, decode_record, record_class
from velotime.protocols.p3.errors import ErrorKind, FrameError, StreamStats
from velotime.protocols.p3.framer import DEFAULT_MAX_FRAME_SIZE, P3Framer
from velotime.protocols.p3.records import P3Record, Passing

_SEEN_LIMIT = 4096  # records whose class a tally remembers


class P3Stream:
    """Feed bytes as they arrive (any split); get records, and `FrameError`s for what was skipped.

    Never raises on bad input. `stats` counts records, skipped records by cause, and garbage.
    """

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self._framer = P3Framer(max_frame_size)

    @property
    def stats(self) -> StreamStats:
        return self._framer.stats

    def feed(self, data: bytes) -> list[P3Record | FrameError]:
        return self._decode(self._framer.feed(data))

    def close(self) -> list[P3Record | FrameError]:
        """The stream ended: report what was left incomplete."""
        return self._decode(self._framer.close())

    def _decode(self, items: list[bytes | FrameError]) -> list[P3Record | FrameError]:
        out: list[P3Record | FrameError] = []
        append = out.append
        decode = decode_record
        for item in items:
            if isinstance(item, bytes):  # the cheapest test: most items are records
                try:
                    append(decode(item))
                except MalformedRecordError as exc:
                    append(self._malformed(item, str(exc)))
            else:
                append(item)
        return out

    def _malformed(self, record: bytes, detail: str) -> FrameError:
        self.stats.frames -= 1  # the framer counted it as a good record
        error = FrameError(ErrorKind.MALFORMED, record, detail)
        self.stats.count(error)
        return error


class P3Tally(P3Stream):
    """A `P3Stream` that builds only the passings and counts every record by class in `counts`
    (in the order the classes first came): what a summary needs, at a fraction of the cost.

    `feed` and `close` return the passings and the `FrameError`s a `P3Stream` fed the same bytes
    would; `stats` and `counts` agree with it too.
    """

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        super().__init__(max_frame_size)
        # Records repeat byte for byte (see P3Framer): one seen before is neither checked nor
        # classified again.
        self._framer = P3Framer(max_frame_size, remember=True)
        self.counts: dict[type[P3Record], int] = {}
        self._seen: dict[bytes, type[P3Record]] = {}

    def _decode(self, items: list[bytes | FrameError]) -> list[P3Record | FrameError]:
        out: list[P3Record | FrameError] = []
        counts = self.counts
        seen = self._seen
        for item in items:
            if not isinstance(item, bytes):
                out.append(item)
                continue
            cls = seen.get(item)
            if cls is None:
                try:
                    cls = record_class(item)
                except MalformedRecordError as exc:
                    out.append(self._malformed(item, str(exc)))
                    continue
                if cls is Passing:
                    out.append(decode_record(item))  # each one differs: no use remembering it
                else:
                    if len(seen) >= _SEEN_LIMIT:
                        seen.clear()
                    seen[item] = cls
            counts[cls] = counts.get(cls, 0) + 1
        return out
