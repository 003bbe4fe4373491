"""The daemon: one clock for every record, events published over MQTT."""
