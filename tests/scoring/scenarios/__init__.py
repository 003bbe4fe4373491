"""Whole sessions as the daemon records them, built from device bytes, with their results worked
out by hand from the UCI rules (issue 5, "What it must show").

Each module writes a capture (`write_capture(directory) -> Path`) and gives its meet file and
the results expected from them. Plain functions and constants, no pytest fixtures: the replay
tests and the live MQTT path (tests/scoring/live.py) both use them.
"""
