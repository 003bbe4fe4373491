"""The Race Result decoder session (sans-I/O)."""
