"""The AMB/MYLAPS P3 decoder driver: `P3Session` decides, `P3Driver` does the I/O."""
