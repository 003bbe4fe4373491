"""Sans-I/O codecs: bytes in, typed records out (and back). No sockets, clocks or logging."""
