"""Capture logs: every raw chunk from every source, with its receive time, for replay and audit.

Format v1 is documented in docs/capture-format.md.
"""

from velotime.capture.format import (
    CAPTURE_FORMAT,
    CAPTURE_VERSION,
    CONTROL_SOURCE,
    LIF_SOURCE,
    CaptureChunk,
    CaptureHeader,
)
from velotime.capture.reader import CaptureProblem, CaptureReader, read_capture
from velotime.capture.tally import ChunkTally
from velotime.capture.writer import CaptureWriter

__all__ = [
    "CAPTURE_FORMAT",
    "CAPTURE_VERSION",
    "CONTROL_SOURCE",
    "LIF_SOURCE",
    "CaptureChunk",
    "CaptureHeader",
    "CaptureProblem",
    "CaptureReader",
    "CaptureWriter",
    "ChunkTally",
    "read_capture",
]
