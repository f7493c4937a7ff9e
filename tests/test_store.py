from __future__ import annotations

import sqlite3
from pathlib import Path

from test_evaluate import GOLD, result

from summarizer.batch.store import ResultStore
from summarizer.records import Usage


def test_results_and_failures_survive_reopening_and_a_success_replaces_a_failure(
    tmp_path: Path,
) -> None:
    path = tmp_path / "batch.sqlite"
    ok = result("004_666d5ab743824ce9", GOLD.records("004_666d5ab743824ce9")).model_copy(
        update={"usage": Usage(calls=1, prompt_tokens=2000, completion_tokens=300)}
    )
    key_ok, key_bad = "sha-ok:run1", "sha-bad:run1"
    with ResultStore(path) as store:
        store.save_failure(key_ok, "sha-ok", "004", "a.txt", "LLM timed out")
        assert store.result(key_ok) is None
        store.save_result(key_ok, ok)
        store.save_failure(key_bad, "sha-bad", "b", "b.txt", "empty input")
    with ResultStore(path) as store:  # as after a kill and a restart
        assert store.result(key_ok) == ok and store.result(key_bad) is None
        assert list(store.results()) == [ok]
        assert store.failures() == [("b.txt", "empty input")]
        assert store.totals() == {
            "done": 1,
            "failed": 1,
            "cached": 0,
            "prompt_tokens": 2000,
            "completion_tokens": 300,
        }
        # A different prompt/schema/model is a different key: not done yet.
        assert store.result("sha-ok:run2") is None
    rows = (
        sqlite3.connect(path)
        .execute("SELECT kind, COUNT(*) FROM records GROUP BY kind ORDER BY kind")
        .fetchall()
    )
    assert rows == [("agreement", 1), ("prisoner_exchange", 1), ("talks_round", 1)]


def test_saving_again_replaces_records_without_duplicates(tmp_path: Path) -> None:
    first = result("004_666d5ab743824ce9", GOLD.records("004_666d5ab743824ce9"))
    with ResultStore(tmp_path / "s.sqlite") as store:
        store.save_result("k", first)
        store.save_result("k", first.model_copy(update={"records": first.records[:1]}))
        assert [len(r.records) for r in store.results()] == [1]
    count = (
        sqlite3.connect(tmp_path / "s.sqlite").execute("SELECT COUNT(*) FROM records").fetchone()
    )
    assert count == (1,)
