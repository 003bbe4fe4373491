"""Bad input as data: what the FinishLynx stream reports instead of raising."""

from velotime.protocols.framing import ErrorKind, FramingError, FramingStats

__all__ = ["ErrorKind", "LynxError", "StreamStats"]

# A skipped piece of the stream: framing's error, by the codec's name.
LynxError = FramingError


class StreamStats(FramingStats):
    """Running counts of what a stream produced and skipped."""

    unknown: int = 0  # messages with a code velotime does not know (also in `messages`)
    bad_fields: int = 0  # fields kept as text in a record's `invalid`
