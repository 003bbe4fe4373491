"""Events to queue in an outbox: passings numbered `n`, with the id `e<n>`."""

from velotime.wire.events import Event, PassingData


def event(n: int, src: str = "p3-finish") -> Event:
    data = PassingData(
        t_us=n,
        line="finish",
        transponder=1,
        rtc_time_us=n,
        clock_offset_us=0,
        received_us=n,
        record={"type": "passing"},
    )
    return Event(id=f"e{n}", src=src, kind="passing", data=data)
