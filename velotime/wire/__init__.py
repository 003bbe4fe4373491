"""The messages on the wire and nothing else (docs/mqtt.md): the timing events and their
envelope, the operator's commands, the status and self-description of each program, the
results, standings and `current` of the scoring, and the topic tree they go on.

Depends only on msgspec and velotime.times, so every layer above can speak it and none has to
import another to know a message's shape.
"""
