"""velotime: the timing daemon a velodrome runs on race day."""

__version__ = "0.1.0"
