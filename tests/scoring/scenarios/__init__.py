"""Whole sessions as captures built from device bytes, with results worked out by hand."""
