"""Every fuzz target on its seed corpus and on mutations of it, so the suite runs the targets'
invariants without atheris (the coverage-guided runs are by hand: docs/testing.md)."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import (
    capture_reader,
    config_loader,
    framing,
    lif_parser,
    lynx_stream,
    meet_loader,
    p3_decoder,
    p3_framer,
    timy_stream,
    unt4_stream,
)
from tests.fuzz.harness import Target, shared_data

TARGETS = [
    module.TARGET
    for module in (
        p3_framer,
        p3_decoder,
        timy_stream,
        lynx_stream,
        lif_parser,
        unt4_stream,
        framing,
        capture_reader,
        config_loader,
        meet_loader,
    )
]


def corpus(target: Target, request: pytest.FixtureRequest) -> list[bytes]:
    """The target's seeds; a target seeded from ../shared/data needs it (skip, or fail in CI)."""
    shared: Path | None = (
        request.getfixturevalue("shared_data") if target.needs_shared_data else shared_data()
    )
    seeds = list(target.seeds(shared))
    assert len(seeds) >= 2, f"{target.name}: almost no seed corpus"
    return seeds


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_every_seed_keeps_the_invariant(target: Target, request: pytest.FixtureRequest) -> None:
    for seed in corpus(target, request):
        target.check(seed)


# A mutation: (kind, position, length, bytes), applied at position modulo the input's length.
_mutations = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "repeat", "splice"]),
        st.integers(0, 1 << 16),
        st.integers(1, 64),
        st.binary(min_size=1, max_size=16),
    ),
    min_size=1,
    max_size=6,
)


def mutate(data: bytes, mutations: list[tuple[str, int, int, bytes]], other: bytes) -> bytes:
    for kind, position, length, value in mutations:
        at = position % (len(data) + 1)
        if kind == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ value[0]]) + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + value + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + length :]
        elif kind == "repeat":
            data = data[:at] + data[at : at + length] * 2 + data[at + length :]
        elif kind == "splice":
            cut = position % (len(other) + 1)
            data = data[:at] + other[cut : cut + length * 4]
    return data


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_mutated_seeds_keep_the_invariant(target: Target, request: pytest.FixtureRequest) -> None:
    seeds = corpus(target, request)

    @given(st.sampled_from(seeds), st.sampled_from(seeds), _mutations)
    def mutated(seed: bytes, other: bytes, mutations: list[tuple[str, int, int, bytes]]) -> None:
        target.check(mutate(seed, mutations, other))

    mutated()
