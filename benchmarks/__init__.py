"""Speed and memory targets, measured outside the test suite (`make bench`)."""
