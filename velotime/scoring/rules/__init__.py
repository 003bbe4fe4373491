"""The UCI rules as pure functions: efforts and finishes in, result lines out.

No clocks, no I/O: the scoring service feeds them what the timing events say (docs: uci-rules).
"""
