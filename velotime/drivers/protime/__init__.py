"""The Tag Heuer / Chronelec Protime session (sans-I/O)."""
