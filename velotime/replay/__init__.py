"""Replay, a library: recorded bytes (captures, or device dumps) through the same sessions as
the live daemon, and the events they make to JSON Lines (`run_offline`) or to a broker
(`run_online`), scored with a meet if one is given. `velotime replay` and `velotime demo` use
it."""

from velotime.replay.offline import Progress, run_offline, write_results
from velotime.replay.online import run_online
from velotime.replay.replayer import Chunk, DumpSource, Replayer, ReplayStats
from velotime.replay.report import ReplayReport
from velotime.replay.timeline import RangeError, Timeline

__all__ = [
    "Chunk",
    "DumpSource",
    "Progress",
    "RangeError",
    "ReplayReport",
    "ReplayStats",
    "Replayer",
    "Timeline",
    "run_offline",
    "run_online",
    "write_results",
]
