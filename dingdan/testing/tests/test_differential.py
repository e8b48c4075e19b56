"""The cross-backend differential: the recorder sees what a test receives, the comparison
catches one differing status."""

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from dingdan.testing.differential import (
    Recorder,
    Recording,
    main,
    path_normalise,
    recordings_clear,
    recordings_compare,
    recordings_read,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder(settings: Any, tmp_path: Path) -> Any:
    settings.VAR_DIR = tmp_path
    recorder = Recorder("sqlite", "gw9")
    recorder.install()
    yield recorder
    recorder.uninstall()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_paths_keep_their_shape_and_lose_their_ids() -> None:
    assert path_normalise("/api/v1/orders/42/lines/7") == "/api/v1/orders/#/lines/#"
    assert path_normalise("/api/v1/orders/SO-000123/cancel") == "/api/v1/orders/SO-#/cancel"
    assert path_normalise("/api/v1/events/0b6f2a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b") == "/api/v1/events/{uuid}"
    assert path_normalise("/backoffice/") == "/backoffice/"


def test_the_recorder_keeps_each_response_in_order_and_writes_one_line_per_test(
    recorder: Any, tmp_path: Path
) -> None:
    recording = Recording(test="tests/x.py::test_y")
    recorder.current = recording
    client = Client()

    client.get("/api/v1/channels")
    client.post("/api/v1/channels/12", {}, content_type="application/json")
    client.get("/api/v1/no-such-thing/3")
    recorder.current = None
    client.get("/api/v1/channels")  # between tests: not recorded
    recorder.write(recording)

    assert _lines(tmp_path / "differential" / "sqlite-gw9.jsonl") == [
        {
            "test": "tests/x.py::test_y",
            "outcome": "passed",
            "excluded": None,
            "requests": [
                ["GET", "/api/v1/channels", "401"],
                ["POST", "/api/v1/channels/#", "405"],
                ["GET", "/api/v1/no-such-thing/#", "404"],
            ],
        }
    ]


def test_a_request_from_another_thread_excludes_the_test(recorder: Any) -> None:
    recording = Recording(test="t")
    recorder.current = recording

    thread = threading.Thread(target=lambda: Client().get("/api/v1/channels"))
    thread.start()
    thread.join()
    recorder.current = None

    assert recording.excluded == "threads"
    assert recording.requests == [("GET", "/api/v1/channels", "401")]


def test_a_request_made_while_hypothesis_generates_excludes_the_test(recorder: Any) -> None:
    recording = Recording(test="t")
    recorder.current = recording

    @settings(max_examples=1, database=None, deadline=None)
    @given(st.just("/api/v1/channels"))
    def generated(path: str) -> None:
        Client().get(path)

    generated()
    recorder.current = None

    assert recording.excluded == "generated"


def test_a_request_outside_hypothesis_and_threads_is_compared(recorder: Any) -> None:
    recording = Recording(test="t")
    recorder.current = recording

    Client().get("/api/v1/channels")
    recorder.current = None

    assert recording.excluded is None


def _write(directory: Path, backend: str, worker: str, *entries: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{backend}-{worker}.jsonl").open("a", encoding="utf-8") as file:
        for entry in entries:
            file.write(json.dumps({"outcome": "passed", "excluded": None, **entry}) + "\n")


ORDERS = [["POST", "/api/v1/orders", "201"], ["GET", "/api/v1/orders/#", "200"]]


def test_equal_recordings_compare_clean_and_exit_zero(tmp_path: Path, capsys: Any) -> None:
    _write(tmp_path, "sqlite", "gw0", {"test": "a", "requests": ORDERS})
    _write(tmp_path, "sqlite", "gw1", {"test": "b", "requests": ORDERS[:1]})
    _write(tmp_path, "postgres", "gw0", {"test": "b", "requests": ORDERS[:1]})
    _write(tmp_path, "postgres", "gw1", {"test": "a", "requests": ORDERS})
    _write(tmp_path, "postgres", "gw1", {"test": "c", "requests": ORDERS, "excluded": "threads"})
    _write(tmp_path, "sqlite", "gw1", {"test": "c", "requests": ORDERS[:1]})
    _write(tmp_path, "sqlite", "gw1", {"test": "only-here", "requests": ORDERS})

    assert main(["compare", "--dir", str(tmp_path)]) == 0

    assert capsys.readouterr().out.splitlines()[:2] == [
        "cross-backend differential (SQLite vs PostgreSQL): 2 tests, 3 requests compared; "
        "0 status mismatches",
        "excluded by rule: threads 1; recorded on one backend only: sqlite 1, postgres 0",
    ]


def test_one_differing_status_is_a_mismatch_and_exits_non_zero(tmp_path: Path, capsys: Any) -> None:
    _write(tmp_path, "sqlite", "gw0", {"test": "a", "requests": ORDERS}, {"test": "b", "requests": ORDERS})
    differing = [ORDERS[0], ["GET", "/api/v1/orders/#", "404"]]
    _write(tmp_path, "postgres", "gw0", {"test": "a", "requests": differing, "outcome": "failed"})
    _write(tmp_path, "postgres", "gw0", {"test": "b", "requests": ORDERS})

    assert main(["compare", "--dir", str(tmp_path)]) == 1

    assert capsys.readouterr().out.splitlines() == [
        "cross-backend differential (SQLite vs PostgreSQL): 2 tests, 4 requests compared; "
        "1 status mismatches",
        "excluded by rule: none; recorded on one backend only: sqlite 0, postgres 0",
        "MISMATCH a (sqlite passed, postgres failed), request #2:",
        "    sqlite   GET /api/v1/orders/# → 200",
        "    postgres GET /api/v1/orders/# → 404",
    ]


def test_a_missing_request_is_a_mismatch_and_a_differing_id_is_not(tmp_path: Path) -> None:
    _write(tmp_path, "sqlite", "gw0", {"test": "a", "requests": ORDERS})
    _write(tmp_path, "sqlite", "gw0", {"test": "b", "requests": [["GET", "/api/v1/skus/TS-A", "200"]]})
    _write(tmp_path, "postgres", "gw0", {"test": "a", "requests": ORDERS[:1]})
    _write(tmp_path, "postgres", "gw0", {"test": "b", "requests": [["GET", "/api/v1/skus/TS-B", "200"]]})

    comparison = recordings_compare({b: recordings_read(tmp_path, b) for b in ("sqlite", "postgres")})

    assert [(m.test, m.index) for m in comparison.mismatches] == [("a", 1)]
    assert not comparison.ok


def test_nothing_to_compare_exits_non_zero(tmp_path: Path) -> None:
    _write(tmp_path, "sqlite", "gw0", {"test": "a", "requests": ORDERS})

    assert main(["compare", "--dir", str(tmp_path)]) == 1


def test_the_sqlite_run_clears_every_recording_and_postgres_only_its_own(tmp_path: Path) -> None:
    for backend in ("sqlite", "postgres"):
        _write(tmp_path, backend, "gw0", {"test": "a", "requests": ORDERS})

    recordings_clear(tmp_path, "postgres")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sqlite-gw0.jsonl"]

    _write(tmp_path, "postgres", "gw0", {"test": "a", "requests": ORDERS})
    recordings_clear(tmp_path, "sqlite")
    assert list(tmp_path.iterdir()) == []
