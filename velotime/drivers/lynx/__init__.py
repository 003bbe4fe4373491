"""The FinishLynx photo-finish camera: `LynxSession` turns its stream into photo-finish events."""
