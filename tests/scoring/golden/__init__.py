"""The golden result set: what the scoring gave before issue 11's incremental engine.

`files/<session>/` holds the result files `velotime replay --offline --meet --results` wrote for
each session of `sessions.SESSIONS`, and `publications.sha256`: a digest of every publication the
engine made while the session was fed to it event by event (results, `current`, standings, in
order), so that a live scoreboard sees the same as well. They were produced by the code before
issue 11 (commit 09dc759) with `python -m tests.scoring.golden`; `test_golden.py` checks that the
code now gives the same bytes. The hand-worked scenario tests say what is right; these say that
nothing changed.

Issue 13 changed one thing on purpose, and `keirin` and `bunch-keirin` were produced again for
it: a keirin place correction no longer takes the other riders' gaps and "photo required" flags
away (`velotime.scoring.rules.keirin`). Their ranks and every other file are as before.
"""
