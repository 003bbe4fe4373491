"""Reading passing events in tests."""

from velotime.wire.events import Event, PassingData


def passing_data(event: Event) -> PassingData:
    assert isinstance(event.data, PassingData), event
    return event.data
