"""Events taken without building results (`take`), the results built when asked (`changes`,
`snapshot`): what offline replay and a restarting service do. They must be the results the
live path publishes after each event (`feed`)."""

from tests.scoring.events import command
from tests.scoring.events import passing as transponder_passing
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Arm, Final, NextRider
from velotime.wire.events import Event

BIBS = list(range(1, 121))  # 602 events: the table of ids seen grows
LINES = {"finish": 0, "200m": 200}
START_US = 1_795_219_200_000_000


def meet() -> str:
    riders = "".join(
        f'[[riders]]\nbib = {bib}\nname = "R{bib}"\ntransponders = [{1000 + bib}]\n' for bib in BIBS
    )
    return f"""
[meet]
id = "m"
{riders}
[[events]]
id = "f200"
discipline = "flying200"
start_order = {BIBS}
"""


def passing(line: str, at_us: int, bib: int) -> Event:
    return transponder_passing(line, at_us, 1000 + bib)


def session() -> list[Event]:
    """The desk arms the event, then each rider rides a run-up pass and the timed pass."""
    events = [command(Arm(event="f200"), START_US)]
    for position, bib in enumerate(BIBS):
        start = START_US + 10_000_000 + position * 30_000_000
        events.append(command(NextRider(event="f200", bib=bib), start))
        for line, at in (("200m", 1_000_000), ("finish", 16_000_000), ("200m", 20_000_000)):
            events.append(passing(line, start + at, bib))
        events.append(passing("finish", start + 30_000_000 - bib * 10_000, bib))
    events.append(command(Final(event="f200"), START_US + 10**10))
    return events


def engine() -> ScoringEngine:
    return ScoringEngine(parse_meet(meet()), LINES)


def test_results_built_once_at_the_end_are_those_published_event_by_event() -> None:
    live, replayed = engine(), engine()
    # The service publishes the snapshot on starting (the start lists), then the changes.
    retained = {publication.key: publication.encoded() for publication in live.snapshot()}
    for event in session():
        for publication in live.feed(event):
            retained[publication.key] = publication.encoded()
        replayed.take(event)
    snapshot = {publication.key: publication.encoded() for publication in replayed.snapshot()}
    assert snapshot == retained
    assert b'"status":"final"' in snapshot["results/f200"]
    assert replayed.changes() == []  # the snapshot had every change


def test_changes_name_each_state_once_however_many_events_changed_it() -> None:
    scoring = engine()
    events = session()
    for event in events[:50]:
        scoring.take(event)
    assert [publication.key for publication in scoring.changes()] == ["results/f200", "current"]
    assert scoring.changes() == []
    scoring.take(events[50])
    assert [publication.key for publication in scoring.changes()] == ["results/f200", "current"]


def test_an_event_taken_again_long_after_is_dropped_and_counted() -> None:
    scoring = engine()
    events = session()
    for event in events:
        scoring.take(event)
    before = scoring.snapshot()
    for event in [events[3], events[-2], *events[:5]]:  # resent by a device, redelivered
        scoring.take(event)
    assert scoring.duplicates == 7
    assert scoring.changes() == []
    assert scoring.snapshot() == before
    fresh = passing("finish", START_US + 10**11, 1)
    assert not scoring.seen(fresh.id)
    scoring.take(fresh)
    assert scoring.seen(fresh.id)
    assert scoring.duplicates == 7


def test_a_final_event_publishes_the_same_result_when_made_final_again() -> None:
    scoring = engine()
    for event in session():
        scoring.feed(event)
    final = {p.key: p.encoded() for p in scoring.snapshot() if p.key != "startlists/f200"}
    again = scoring.feed(command(Final(event="f200"), START_US + 2 * 10**10))
    assert {p.key: p.encoded() for p in again} == final  # the start list did not change
    assert scoring.results("f200")["lines"][0]["rank"] == 1
