from __future__ import annotations

import logging
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from test_evaluate import GOLD, result
from typer.testing import CliRunner

from summarizer import __version__
from summarizer.batch.store import (
    LEASE_S,
    Busy,
    Claimed,
    FailedElsewhere,
    ResultStore,
    Stored,
    StoreError,
    read_store,
)
from summarizer.cli import app
from summarizer.errors import InputError
from summarizer.records import ArticleResult, Usage

SEED = "004_666d5ab743824ce9"


def finished(article_id: str = SEED, source: str | None = None) -> ArticleResult:
    done = result(article_id, GOLD.records(SEED)).model_copy(
        update={"usage": Usage(calls=1, prompt_tokens=2000, completion_tokens=300)}
    )
    if source is not None:
        done = done.model_copy(
            update={"article": done.article.model_copy(update={"source": source})}
        )
    return done


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


def test_results_and_failures_survive_reopening_and_a_success_replaces_a_failure(
    tmp_path: Path,
) -> None:
    path = tmp_path / "batch.sqlite"
    ok = finished()
    key_ok, key_bad = "sha-ok:run1", "sha-bad:run1"
    with ResultStore(path) as store:
        store.save_failure(key_ok, "sha-ok", "004", "a.txt", "LLM timed out")
        assert store.result(key_ok) is None
        store.save_result(key_ok, ok)
        store.save_failure(key_bad, "sha-bad", "b", "b.txt", "empty input")
    with ResultStore(path) as store:  # as after a kill and a restart
        assert store.result(key_ok) == Stored(ok, __version__) and store.result(key_bad) is None
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
    assert rows(path, "SELECT kind, COUNT(*) FROM records GROUP BY kind ORDER BY kind") == [
        ("agreement", 1),
        ("prisoner_exchange", 1),
        ("talks_round", 1),
    ]


def test_saving_again_replaces_records_without_duplicates(tmp_path: Path) -> None:
    first = finished()
    with ResultStore(tmp_path / "s.sqlite") as store:
        store.save_result("k", first)
        store.save_result("k", first.model_copy(update={"records": first.records[:1]}))
        assert [len(r.records) for r in store.results()] == [1]
    assert rows(tmp_path / "s.sqlite", "SELECT COUNT(*) FROM records") == [(1,)]


# --- the package version of every row; stores of the first layout --------------------------

#: The store's layout before versions and claims were recorded (what older releases wrote).
FIRST_LAYOUT = """
CREATE TABLE articles (
    key TEXT PRIMARY KEY, article_sha256 TEXT NOT NULL, article_id TEXT NOT NULL,
    source TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    error TEXT, prompt_sha256 TEXT, schema_sha256 TEXT, model TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0,
    cached INTEGER NOT NULL DEFAULT 0, result TEXT
);
CREATE TABLE records (
    key TEXT NOT NULL REFERENCES articles(key) ON DELETE CASCADE, position INTEGER NOT NULL,
    kind TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (key, position)
);
"""


def first_layout_store(path: Path, done: ArticleResult, key: str = "old-key") -> None:
    with closing(sqlite3.connect(path)) as db:
        db.executescript(FIRST_LAYOUT)
        db.execute(
            "INSERT INTO articles (key, article_sha256, article_id, source, status, result) "
            "VALUES (?, ?, ?, ?, 'done', ?)",
            (
                key,
                done.article.sha256,
                done.article.id,
                done.article.source,
                done.model_dump_json(),
            ),
        )
        db.commit()


def test_every_row_records_the_package_version(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ResultStore(path) as store:
        store.save_result("k1", finished())
        store.save_failure("k2", "sha", "b", "b.txt", "LLM timed out")
        store.save_input_failure("c.txt", "empty input")
    assert rows(path, "SELECT key, summarizer_version FROM articles ORDER BY key") == [
        ("input:c.txt", __version__),
        ("k1", __version__),
        ("k2", __version__),
    ]


def test_a_store_of_the_first_layout_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    old = finished()
    first_layout_store(path, old)
    with ResultStore(path, create=False) as store:  # a reader changes nothing
        assert store.result("old-key") == Stored(old, None)
        assert store.article_text(old.article.sha256) is None  # no texts table: no text
    assert "summarizer_version" not in str(rows(path, "PRAGMA table_info(articles)"))
    with ResultStore(path) as store:
        assert store.result("old-key") == Stored(old, None)  # its rows are kept
        store.save_result("new-key", finished("other"))
        assert store.result("new-key") == Stored(finished("other"), __version__)
        assert isinstance(store.claim("third-key"), Claimed)  # the claims table is there too
        store.save_result("text-key", finished("texted"), "the article's text")
        assert store.article_text(finished("texted").article.sha256) == "the article's text"
    assert rows(path, "PRAGMA user_version") == [(2,)]
    with ResultStore(path) as store:  # migrating twice is a no-op
        assert len(list(store.results())) == 3


# --- a damaged store ------------------------------------------------------------------------


def good_store(path: Path, n: int = 40) -> None:
    with ResultStore(path) as store:
        for i in range(n):
            store.save_result(f"k{i}", finished(f"a{i}", source=f"a{i}.txt"))
    assert not path.with_name(path.name + "-wal").exists()


def overwrite_root_page(path: Path, table: str) -> None:
    with closing(sqlite3.connect(path)) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
    with path.open("r+b") as f:
        f.seek((root[0] - 1) * page_size)
        f.write(bytes((i * 37 + 11) % 256 for i in range(page_size)))


SALVAGE = "move it aside (sqlite3's .recover command can salvage its rows) or pass another --store"


@pytest.mark.parametrize(
    ("how", "problem", "remedy"),
    [
        ("garbage", "cannot be opened (file is not a database)", "move it aside or pass another --store"),
        ("truncated", "is damaged (database disk image is malformed)", SALVAGE),
        ("page", "is damaged (Page 2: btreeInitPage() returns error code 11)", SALVAGE),
        ("not a store", "is not a batch store (a SQLite database without its tables)", "pass another --store"),
        ("a directory", "cannot be opened (unable to open database file)", "pass another --store"),
    ],
)  # fmt: skip
def test_a_store_that_cannot_be_used_is_one_error_naming_it_and_what_to_do(
    tmp_path: Path, how: str, problem: str, remedy: str
) -> None:
    path = tmp_path / "batch.sqlite"
    good_store(path)
    if how == "garbage":
        path.write_bytes(b"\x13not a database\xff" * 500)
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    elif how == "page":
        overwrite_root_page(path, "articles")
        assert rows(path, "SELECT name, rootpage FROM sqlite_master")[0] == ("articles", 2)
    elif how == "not a store":
        path.unlink()
        with closing(sqlite3.connect(path)) as db:
            db.execute("CREATE TABLE Cache (key TEXT)")  # e.g. the cache file, by mistake
    else:
        path.unlink()
        path.mkdir()
    before = path.read_bytes() if path.is_file() else b""
    with pytest.raises(StoreError) as raised:
        ResultStore(path)
    assert str(raised.value) == f"the batch store {path} {problem}: {remedy}"
    assert (path.read_bytes() if path.is_file() else b"") == before  # left as it was
    with pytest.raises(InputError) as unreadable:  # and for a reader such as `merge`
        read_store(path)
    assert str(unreadable.value) == f"{path}: {problem}"


def test_a_row_that_cannot_be_read_counts_as_not_done(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "s.sqlite"
    good_store(path, 3)
    with closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE articles SET result = '{broken' WHERE key = 'k1'")
        db.execute("""UPDATE articles SET result = '{"article": 1}' WHERE key = 'k2'""")
        db.commit()
    caplog.set_level(logging.WARNING)
    with ResultStore(path) as store:
        assert store.result("k1") is None and store.result("k2") is None
        assert [r.article.id for r in store.results()] == ["a0"]
        assert store.claim("k1") == Claimed()  # to be done again
        store.save_result("k1", finished("a1", source="a1.txt"))
        assert store.result("k1") == Stored(finished("a1", source="a1.txt"), __version__)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings[0] == (
        f"the batch store {path}: the stored result of a1.txt cannot be read (Invalid JSON: "
        "key must be a string at line 1 column 2); it counts as not done"
    )
    assert any("the stored result of a2.txt cannot be read" in w for w in warnings)


def test_merge_reads_a_store_and_names_a_damaged_one_in_one_line(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.sqlite", tmp_path / "bad.sqlite"
    good_store(good, 1)
    bad.write_bytes(b"\x13not a database\xff" * 500)
    outcome = CliRunner().invoke(app, ["merge", "-f", "json", str(good), str(bad)])
    assert outcome.exit_code == 2
    assert outcome.stderr == (
        f"summarizer: error: {bad}: cannot be opened (file is not a database)\n"
    )
    assert '"source_count": 1' in outcome.stdout  # the good store's events are still merged


# --- claims ---------------------------------------------------------------------------------


def test_a_claim_keeps_other_runs_off_until_it_is_saved_or_given_up(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ResultStore(path) as mine, ResultStore(path) as theirs:
        assert mine.claim("k") == Claimed()
        assert theirs.claim("k") == Busy(mine.owner)
        assert mine.claim("k") == Claimed()  # claiming again is harmless
        mine.save_result("k", finished())
        assert theirs.claim("k") == Stored(finished(), __version__)
        assert rows(path, "SELECT COUNT(*) FROM leases") == [(0,)]
        assert mine.claim("other") == Claimed()
        mine.save_failure("other", "sha", "b", "b.txt", "LLM timed out")
        # Failed by another run while this one was going: this run does not pay again.
        assert theirs.claim("other") == FailedElsewhere("LLM timed out")
        assert mine.claim("third") == Claimed()
    # A run that ends gives up what it still held.
    assert rows(path, "SELECT COUNT(*) FROM leases") == [(0,)]
    with ResultStore(path) as later:  # a failure from before this run is retried
        assert later.claim("other") == Claimed()


def test_the_claim_of_a_dead_or_silent_run_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    host = socket.gethostname()
    with ResultStore(path) as store:
        far = time.time() + 3600
        with closing(sqlite3.connect(path)) as db:
            db.executemany(
                "INSERT INTO leases (key, owner, expires_at) VALUES (?, ?, ?)",
                [
                    ("killed", f"{host}:{dead.stdout.strip()}:0", far),  # its process is gone
                    ("lapsed", "elsewhere:1:0", time.time() - 1),  # not renewed in time
                    ("alive", "elsewhere:1:0", far),  # another machine's run, still renewing
                ],
            )
            db.commit()
        assert store.claim("killed") == Claimed()
        assert store.claim("lapsed") == Claimed()
        assert store.claim("alive") == Busy("elsewhere:1:0")
        held = dict(rows(path, "SELECT key, owner FROM leases"))
        assert held == {"killed": store.owner, "lapsed": store.owner, "alive": "elsewhere:1:0"}


def test_renewing_extends_only_this_runs_claims(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ResultStore(path) as mine, ResultStore(path) as theirs:
        started = time.time()
        mine.claim("a")
        claimed = time.time()
        theirs.claim("b")
        before = dict(rows(path, "SELECT key, expires_at FROM leases"))
        assert started + LEASE_S <= before["a"] <= claimed + LEASE_S
        with closing(sqlite3.connect(path)) as db:
            db.execute("UPDATE leases SET expires_at = expires_at - 20")
            db.commit()
        mine.renew()
        after = dict(rows(path, "SELECT key, expires_at FROM leases"))
    assert after["a"] >= before["a"] and after["b"] == pytest.approx(before["b"] - 20)


def test_reprocess_claims_what_finished_before_this_run_but_not_since(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ResultStore(path) as earlier:
        earlier.save_result("old", finished())
    with ResultStore(path) as mine, ResultStore(path) as theirs:
        assert mine.claim("old", reprocess=True) == Claimed(replaces=True)
        mine.save_result("old", finished())
        # Made during this run (by a concurrent reprocessing run): not made a third time.
        assert theirs.claim("old", reprocess=True) == Stored(finished(), __version__)
