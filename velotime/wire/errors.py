"""The one error of decoding a message off the wire."""


class WireError(ValueError):
    """Bytes that are not the message expected: not JSON, a key missing or of the wrong type,
    a key the type does not know. The text says what is wrong."""
