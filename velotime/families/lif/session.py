"""FinishLynx result files as a source of the daemon: each file `velotime import-lif` hands over
(`control/lif`, one `protocols.lif.upload` message) is recorded in the capture as a chunk of the
`lif` source, then read here into the same photo-finish events as the camera's live stream.

Sans-I/O like every session: what it makes depends only on the messages, so replay of the
capture makes the same events. A file is one block of its race's results: a later version of
it (written again after an edit) supersedes the lines of the earlier one it changes, counted
and told in a notice, as for the live stream.
"""

from datetime import tzinfo
from pathlib import PurePath

import msgspec

from velotime.drivers.lynx.session import Blocks, block_line_key, race_key
from velotime.drivers.session import SessionCounters, SessionOutput
from velotime.families.lif.events import heat_events
from velotime.protocols.lif import parse_lif
from velotime.protocols.lif.upload import UploadError, decode_upload


class LifSessionState(msgspec.Struct, kw_only=True):
    """Nothing carries across a restart: a file is complete in its one message."""


class LifSession:
    def __init__(self, source: str, zone: tzinfo) -> None:
        self.source = source
        self.zone = zone
        self._blocks = Blocks()

    def connected(self, t_us: int) -> SessionOutput:
        return SessionOutput()

    def feed(self, t_us: int, data: bytes) -> SessionOutput:
        upload = decode_upload(data)
        if isinstance(upload, UploadError):
            return SessionOutput(errors=[upload])
        name = PurePath(upload.name).name or upload.name
        parsed = parse_lif(upload.data, name)
        # Odd rows are kept or dropped as the parser decides; each is told, with its line.
        out = SessionOutput(notices=[w.format(name) for w in parsed.warnings])
        heat = parsed.heat
        if heat is None:
            return out
        out.events = heat_events(heat, self.source, self.zone, upload.written_us)
        race = race_key(heat.event, heat.round, heat.heat)
        lines = {
            block_line_key(row.id, row_number): (
                row.place,
                row.status.value if row.status else None,
                row.time_us,
            )
            for row_number, row in enumerate(heat.results, start=1)
        }
        notice = self._blocks.complete(race, lines)
        if notice is not None:
            out.notices.append(f"{name}: {notice}")
        return out

    def state(self) -> LifSessionState:
        return LifSessionState()

    def poll_command(self) -> bytes | None:
        return None

    def counters(self) -> SessionCounters:
        return SessionCounters(superseded=self._blocks.superseded)
