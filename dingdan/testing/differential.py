"""Cross-backend differential: the API suite must give the same status codes on SQLite and
PostgreSQL.

As a pytest plugin (registered in the root conftest.py) it records, for every test, the HTTP
responses the test receives through Django's test client (`django.test.Client.request`, which
the `client` fixture, `ApiClient` of dingdan.testing.fixtures and every redirect hop go
through), as (method, path with ids normalised, status) in order. Each xdist worker appends one
JSON line per test that made a request to `$DINGDAN_VAR_DIR/differential/<backend>-<worker>.jsonl`.
The SQLite run (the first of `make test`) clears every recording when it starts, the PostgreSQL
run clears its own, so an earlier run is never compared.

`python -m dingdan.testing.differential compare` then compares, for every test recorded on
both backends and not excluded, the sequences of (method, status); it prints the figure and
exits non-zero on any mismatch, or when nothing was compared.

A test is excluded by rule when its requests are not deterministic by nature:
- `generated`: a request was made while Hypothesis was generating (given, stateful machines,
  Schemathesis), or the test function is a Hypothesis test;
- `threads`: a request came from another thread than the one running the test;
- `live server`: the test uses the `live_server` fixture;
- `single backend`: marked `postgres_only` or `sqlite_only`;
- `races and faults`: under tests/concurrency, tests/faults or tests/reliability.
DINGDAN_DIFFERENTIAL=0 turns the recorder off.
"""

import argparse
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from pathlib import Path
from typing import IO, Any, NamedTuple

import pytest

BACKENDS = ("sqlite", "postgres")
RACE_DIRECTORIES = ("tests/concurrency/", "tests/faults/", "tests/reliability/")
SINGLE_BACKEND_MARKERS = ("postgres_only", "sqlite_only")

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DIGITS = re.compile(r"\d+")
_VERSION = re.compile(r"v\d+")


@lru_cache(maxsize=4096)  # the suite requests a few hundred path shapes, many times each
def path_normalise(path: str) -> str:
    """`/api/v1/orders/42/lines/7` → `/api/v1/orders/#/lines/#`: ids, numbers and UUIDs differ
    between runs (sequences, xdist scheduling), the shape of the path does not."""
    segments = _UUID.sub("{uuid}", path).split("/")
    return "/".join(s if _VERSION.fullmatch(s) else _DIGITS.sub("#", s) for s in segments)


def backend_current() -> str:
    """The database of this run, decided as the root conftest.py and the test settings do."""
    return "postgres" if os.environ.get("DINGDAN_TEST_DB") == "postgres" else "sqlite"


def recordings_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "differential"


def _hypothesis_generating() -> bool:
    control = sys.modules.get("hypothesis.control")
    context = getattr(control, "_current_build_context", None)
    return getattr(context, "value", None) is not None


def exclusion_static(item: pytest.Item) -> str | None:
    """The rule that excludes a test before it runs, or None."""
    if any(item.get_closest_marker(name) for name in SINGLE_BACKEND_MARKERS):
        return "single backend"
    if any(directory in item.nodeid for directory in RACE_DIRECTORIES):
        return "races and faults"
    if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        return "generated"
    if "live_server" in getattr(item, "fixturenames", ()):
        return "live server"
    return None


@dataclass
class Recording:
    """The responses one test received, and why it is excluded from the comparison if it is."""

    test: str
    thread: int = field(default_factory=threading.get_ident)
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    excluded: str | None = None
    outcome: str = "passed"

    def add(self, method: str, path: str, status: str) -> None:
        if self.excluded is None:
            if threading.get_ident() != self.thread:
                self.excluded = "threads"
            elif _hypothesis_generating():
                self.excluded = "generated"
        self.requests.append((method, path_normalise(path), status))

    def as_json(self) -> str:
        return json.dumps(
            {
                "test": self.test,
                "outcome": self.outcome,
                "excluded": self.excluded,
                "requests": self.requests,
            },
            ensure_ascii=False,
        )


class Recorder:
    """Wraps `Client.request` for the session; keeps the recording of the running test."""

    def __init__(self, backend: str, worker: str) -> None:
        self.backend = backend
        self.worker = worker
        self.current: Recording | None = None
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self._original: Callable[..., Any] | None = None

    def install(self) -> None:
        from django.test import Client

        original = Client.request
        recorder = self

        @wraps(original)
        def request(client: Any, **environ: Any) -> Any:
            recording = recorder.current
            if recording is None:
                return original(client, **environ)
            method = str(environ.get("REQUEST_METHOD", "GET"))
            path = str(environ.get("PATH_INFO", ""))
            try:
                response = original(client, **environ)
            except BaseException as error:
                with recorder._lock:
                    recording.add(method, path, f"raised {type(error).__name__}")
                raise
            with recorder._lock:
                recording.add(method, path, str(response.status_code))
            return response

        self._original = original
        Client.request = request  # type: ignore[method-assign]

    def uninstall(self) -> None:
        from django.test import Client

        if self._original is not None:
            Client.request = self._original  # type: ignore[method-assign]
        if self._file is not None:
            self._file.close()

    def write(self, recording: Recording) -> None:
        if self._file is None:
            directory = recordings_dir()
            directory.mkdir(parents=True, exist_ok=True)
            self._file = (directory / f"{self.backend}-{self.worker}.jsonl").open("a", encoding="utf-8")
        self._file.write(recording.as_json() + "\n")
        self._file.flush()


def recordings_clear(directory: Path, backend: str) -> None:
    """The SQLite run opens `make test`: it drops every recording; PostgreSQL drops its own."""
    pattern = "*.jsonl" if backend == "sqlite" else f"{backend}-*.jsonl"
    for path in directory.glob(pattern):
        path.unlink()


class DifferentialPlugin:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.recorder = Recorder(backend_current(), worker)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if not hasattr(self.config, "workerinput"):  # the controller, or a run without xdist
            recordings_clear(recordings_dir(), self.recorder.backend)
        self.recorder.install()

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.recorder.uninstall()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[Any]:
        recording = Recording(test=item.nodeid, excluded=exclusion_static(item))
        self.recorder.current = recording
        try:
            return (yield)
        finally:
            self.recorder.current = None
            if recording.requests:
                self.recorder.write(recording)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        recording = self.recorder.current
        if recording is not None and report.nodeid == recording.test and report.failed:
            recording.outcome = "failed"


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("DINGDAN_DIFFERENTIAL", "1") != "0":
        config.pluginmanager.register(DifferentialPlugin(config), "dingdan-differential")


# -- comparison ---------------------------------------------------------------------------------


class Mismatch(NamedTuple):
    test: str
    index: int  # the first request whose (method, status) differs
    recorded: dict[str, list[tuple[str, str, str]]]
    outcomes: dict[str, str]


@dataclass
class Comparison:
    tests: int = 0
    requests: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    only: dict[str, int] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.tests > 0 and not self.mismatches


def recordings_read(directory: Path, backend: str) -> dict[str, dict[str, Any]]:
    """Every test recorded on one backend, by node id."""
    tests: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob(f"{backend}-*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                entry = json.loads(line)
                entry["requests"] = [tuple(request) for request in entry["requests"]]
                tests[entry["test"]] = entry
    return tests


def _first_difference(left: list[tuple[str, str, str]], right: list[tuple[str, str, str]]) -> int | None:
    for index, (a, b) in enumerate(zip(left, right, strict=False)):
        if (a[0], a[2]) != (b[0], b[2]):
            return index
    return None if len(left) == len(right) else min(len(left), len(right))


def recordings_compare(runs: dict[str, dict[str, dict[str, Any]]]) -> Comparison:
    """Compare the recordings of two backends test by test."""
    first, second = (runs[backend] for backend in BACKENDS)
    comparison = Comparison()
    for backend, mine, theirs in ((BACKENDS[0], first, second), (BACKENDS[1], second, first)):
        comparison.only[backend] = len(mine.keys() - theirs.keys())
    for test in sorted(first.keys() & second.keys()):
        entries = {backend: runs[backend][test] for backend in BACKENDS}
        reason = next((e["excluded"] for e in entries.values() if e["excluded"]), None)
        if reason:
            comparison.excluded[reason] = comparison.excluded.get(reason, 0) + 1
            continue
        comparison.tests += 1
        comparison.requests += len(first[test]["requests"])
        index = _first_difference(first[test]["requests"], second[test]["requests"])
        if index is not None:
            comparison.mismatches.append(
                Mismatch(
                    test=test,
                    index=index,
                    recorded={b: e["requests"] for b, e in entries.items()},
                    outcomes={b: e["outcome"] for b, e in entries.items()},
                )
            )
    return comparison


def _describe(requests: list[tuple[str, str, str]], index: int) -> str:
    if index >= len(requests):
        return f"(no request #{index + 1}; {len(requests)} in all)"
    method, path, status = requests[index]
    return f"{method} {path} → {status}"


def report_lines(comparison: Comparison) -> Iterable[str]:
    excluded = ", ".join(f"{reason} {count}" for reason, count in sorted(comparison.excluded.items()))
    only = ", ".join(f"{backend} {count}" for backend, count in comparison.only.items())
    yield (
        f"cross-backend differential (SQLite vs PostgreSQL): {comparison.tests} tests, "
        f"{comparison.requests} requests compared; {len(comparison.mismatches)} status mismatches"
    )
    yield f"excluded by rule: {excluded or 'none'}; recorded on one backend only: {only}"
    for mismatch in comparison.mismatches:
        outcomes = ", ".join(f"{b} {o}" for b, o in mismatch.outcomes.items())
        yield f"MISMATCH {mismatch.test} ({outcomes}), request #{mismatch.index + 1}:"
        for backend, requests in mismatch.recorded.items():
            yield f"    {backend:<8} {_describe(requests, mismatch.index)}"
    if comparison.tests == 0:
        yield "nothing to compare: run the suite on SQLite, then on PostgreSQL, with the same DINGDAN_VAR_DIR"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dingdan.testing.differential")
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser("compare", help="compare the SQLite and PostgreSQL recordings")
    compare.add_argument("--dir", type=Path, help="default: $DINGDAN_VAR_DIR/differential")
    arguments = parser.parse_args(argv)
    if arguments.dir is None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    directory = arguments.dir or recordings_dir()
    comparison = recordings_compare({b: recordings_read(directory, b) for b in BACKENDS})
    for line in report_lines(comparison):
        print(line)
    return 0 if comparison.ok else 1


if __name__ == "__main__":
    sys.exit(main())
