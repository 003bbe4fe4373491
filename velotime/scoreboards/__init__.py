"""Scoreboards fed from the retained MQTT state: web page and overlay, terminal, UNT4 boards."""
