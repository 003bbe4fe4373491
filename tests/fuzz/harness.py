"""What every fuzz target shares: its shape, where its seeds come from, and the atheris runner."""

import hashlib
import importlib
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from tests.conftest import SHARED_DATA

_INSTRUMENTED = ("velotime", "tomllib")  # the packages whose coverage guides the fuzzer


@dataclass(frozen=True)
class Target:
    """`check` raises (an AssertionError, or the crash itself) when `data` breaks the invariant;
    `seeds` builds the seed corpus from the shared data directory (None where it is absent)."""

    name: str
    check: Callable[[bytes], None]
    seeds: Callable[[Path | None], Iterator[bytes]]
    needs_shared_data: bool = True  # seeds from ../shared/data, not from the project's files


def shared_data() -> Path | None:
    """../shared/data, or None where it is absent (a user's machine)."""
    return SHARED_DATA if SHARED_DATA.is_dir() else None


def hex_lines(path: Path) -> list[bytes]:
    """The records of a P3 dump of one hex record a line (shared/data/p3/*.out)."""
    return [bytes.fromhex(line) for line in path.read_text().split()]


def groups(items: list[bytes], sizes: tuple[int, ...] = (1, 2, 5, 20)) -> Iterator[bytes]:
    """Runs of consecutive items joined, of a few sizes, from along the whole list: small seeds
    the fuzzer can recombine, not one seed of the whole file (slow to mutate)."""
    for size in sizes:
        step = max(size, len(items) // 12)
        for start in range(0, len(items), step):
            yield b"".join(items[start : start + size])


class Stream(Protocol):
    def feed(self, data: bytes, /) -> Sequence[object]: ...
    def close(self) -> Sequence[object]: ...


def assert_found_after(
    data: bytes, new_stream: Callable[[], Stream], valid: object, *chunkings: tuple[bytes, ...]
) -> None:
    """The invariant of every stream target: `valid`, sent after any `data` (each chunking a
    way of sending both), comes out last, and nothing is left held back."""
    for chunks in chunkings:
        stream = new_stream()
        out = [item for chunk in chunks for item in stream.feed(chunk)]
        assert out, f"{valid!r} after {data!r} was lost"
        assert out[-1] == valid, f"{valid!r} after {data!r} was lost: {out[-3:]}"
        assert list(stream.close()) == []


def fuzz(target: Target, argv: list[str] | None = None) -> None:
    """Run `target` under atheris (libFuzzer): `python -m tests.fuzz.<name> [libFuzzer options]
    [CORPUS_DIR]`. The seeds are written into the corpus directory (a new temporary one unless
    given); libFuzzer adds what it finds there and writes a crashing input to `crash-<sha1>`."""
    try:
        import atheris
    except ImportError:
        sys.exit(
            "atheris is not installed: `.venv/bin/pip install -e '.[fuzz]'` "
            "(or run the targets on their seeds: `.venv/bin/pytest tests/fuzz`)"
        )
    args = list(sys.argv if argv is None else argv)
    paths = [Path(arg) for arg in args[1:] if not arg.startswith("-")]
    if any(path.is_file() for path in paths):
        pass  # inputs to run once each (a crash to reproduce): no corpus to seed
    elif paths:
        _seed(target, paths[0])
    else:
        corpus = Path(tempfile.mkdtemp(prefix=f"velotime-fuzz-{target.name}-"))
        args.append(str(corpus))
        _seed(target, corpus)
    atheris.Setup(args, _instrumented(atheris, target).check)
    atheris.Fuzz()


def _instrumented(atheris: Any, target: Target) -> Target:
    """The target again, from a fresh import of its module and of velotime (and tomllib, which
    the loaders parse with) under atheris's instrumentation: coverage of that code only, which
    starts in seconds where instrumenting everything loaded takes a minute."""
    for name in list(sys.modules):
        ours = name.startswith(("tests.fuzz.", "tests.protocols")) and name != __name__
        if ours or name.split(".")[0] in _INSTRUMENTED:
            del sys.modules[name]
    with atheris.instrument_imports(include=list(_INSTRUMENTED)):
        module = importlib.import_module(f"tests.fuzz.{target.name}")
    fresh: Target = module.TARGET
    return fresh


def _seed(target: Target, corpus: Path) -> None:
    """Write the target's seeds into the corpus directory (named by content: written once)."""
    corpus.mkdir(parents=True, exist_ok=True)
    shared = shared_data()
    if shared is None and target.needs_shared_data:
        print(f"fuzz: {SHARED_DATA} not found: no seed corpus", file=sys.stderr)
    written = 0
    for seed in islice(target.seeds(shared), 2000):
        path = corpus / f"seed-{hashlib.sha1(seed).hexdigest()}"
        if not path.exists():
            path.write_bytes(seed)
            written += 1
    print(f"fuzz {target.name}: {written} new seeds in {corpus}", file=sys.stderr)
