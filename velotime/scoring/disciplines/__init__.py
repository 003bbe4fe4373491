"""One scorer per discipline: what an event's timing and decisions make of it."""
