"""MQTT for every program of velotime: the one way to build a client for the venue's broker,
the publisher that drains an outbox and keeps retained state, and the durable outbox."""
