"""What the documentation in docs/ is generated from."""
