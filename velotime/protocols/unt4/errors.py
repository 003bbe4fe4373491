"""Bad input as data: what the UNT4 stream reports instead of raising."""

from velotime.protocols.framing import ErrorKind, FramingError, FramingStats

__all__ = ["EncodeError", "ErrorKind", "MalformedMessageError", "StreamStats", "Unt4Error"]


# A skipped piece of the stream, and the stream's counts: framing's, by the codec's names.
Unt4Error = FramingError
StreamStats = FramingStats


class MalformedMessageError(ValueError):
    """A framed message (SOH to EOT) that is not UNT4; the stream reports it as `malformed`."""


class EncodeError(ValueError):
    """A record the wire cannot carry: a position above 99, text outside 7-bit ASCII or holding
    a reserved control byte."""
