"""The web scoreboard: a page for the venue's screens and phones, a transparent overlay for
OBS/vMix, JSON snapshots and a Server-Sent Events stream of the retained state, and printable
result sheets (docs/scoreboards.md). The pages are plain HTML, CSS and JavaScript shipped in
`static/`: no build step, no CDN, no external fonts."""

from velotime.scoreboards.web.app import Board, Meta, create_app
from velotime.scoreboards.web.server import WebScoreboard, meta_from

__all__ = ["Board", "Meta", "WebScoreboard", "create_app", "meta_from"]
