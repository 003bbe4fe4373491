"""The ALGE Timy impulse timer: `TimySession` turns its lines into impulses on the venue clock."""
