from __future__ import annotations

import json
import logging
import sqlite3
import zlib
from contextlib import closing
from pathlib import Path

import diskcache
import pytest
from fake_llm_server import extraction_reply, fake_llm_server
from pydantic import BaseModel
from test_batch import endpoint_settings, write_articles
from typer.testing import CliRunner

from summarizer.batch.runner import run_batch
from summarizer.cli import app
from summarizer.errors import ConfigError
from summarizer.extraction.cache import ResultCache, cache_key


class Value(BaseModel):
    """What a caller caches (the cache does not care which model it is)."""

    events: list[str]
    warnings: list[str]


def value(n: int = 0) -> Value:
    return Value(events=[f"event {n}"], warnings=["w"])


def test_key_depends_on_every_part_and_not_on_order() -> None:
    base = {
        "model": "m",
        "prompt": "p",
        "schema": "s",
        "article": "a",
        "parameters": {"seed": 1, "t": 0},
    }
    assert cache_key(**base) == cache_key(**dict(reversed(list(base.items()))))
    for name in base:
        assert cache_key(**(base | {name: "other"})) != cache_key(**base), name


def test_an_answer_that_comes_after_the_cache_was_closed_is_not_stored(tmp_path: Path) -> None:
    # A request in flight when its run stops is answered later: that answer belongs to no run.
    cache = ResultCache(tmp_path)
    cache.put("before", value(1))
    cache.close()
    cache.put("late", value(2))
    assert cache.get("before", Value) is None  # closed: a miss, never a reopened file
    with ResultCache(tmp_path) as reopened:
        assert reopened.get("before", Value) == value(1)
        assert reopened.get("late", Value) is None


def test_roundtrip_stores_json_not_pickle(tmp_path: Path) -> None:
    with ResultCache(tmp_path) as cache:
        cache.put("k", value())
        assert cache.get("k", Value) == value()
        assert cache.get("absent", Value) is None
    rows = (
        sqlite3.connect(tmp_path / "cache.db")
        .execute("SELECT value, filename FROM Cache")
        .fetchall()
    )
    stored = rows[0][0] if rows[0][0] is not None else (tmp_path / rows[0][1]).read_bytes()
    # JSONDisk: zlib-compressed JSON. A pickle would not decode as JSON at all.
    assert json.loads(zlib.decompress(stored)) == value().model_dump(mode="json")


def test_corrupt_or_stale_entries_are_misses(tmp_path: Path) -> None:
    with ResultCache(tmp_path) as cache:
        cache.put("k", value())
    db = sqlite3.connect(tmp_path / "cache.db")
    db.execute("UPDATE Cache SET value = ?", (b"\x80not json",))
    db.commit()
    with ResultCache(tmp_path) as cache:
        assert cache.get("k", Value) is None
    db.execute("UPDATE Cache SET value = ?", (b'{"events": "not a list"}',))
    db.commit()
    with ResultCache(tmp_path) as cache:
        assert cache.get("k", Value) is None


# --- a damaged cache file -------------------------------------------------------------------


def filled_cache(directory: Path, n: int = 50) -> Path:
    """A cache of ``n`` entries, closed (its WAL folded into the file); the file's path."""
    with ResultCache(directory) as cache:
        for i in range(n):
            cache.put(f"k{i}", value(i))
    db = directory / "cache.db"
    assert not db.with_name("cache.db-wal").exists()  # every page is in the file we damage
    return db


def overwrite_root_page(db: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with garbage, as a bad sector or a stray write."""
    with closing(sqlite3.connect(db)) as con:
        # Fold the WAL into the file first, or SQLite would read its newer copy of the page.
        assert con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
    with db.open("r+b") as f:
        f.seek((root[0] - 1) * page_size)
        f.write(bytes((i * 37 + 11) % 256 for i in range(page_size)))


def damage(db: Path, how: str) -> None:
    if how == "garbage":
        db.write_bytes(b"\x13not a database\xff" * 500)
    elif how == "truncated":
        db.write_bytes(db.read_bytes()[: db.stat().st_size // 3])
    else:
        overwrite_root_page(db, "Cache")


def moved_aside(directory: Path) -> list[Path]:
    return [
        p for p in directory.glob("cache.db.damaged-*") if not p.name.endswith(("-wal", "-shm"))
    ]


def cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "summarizer.extraction.cache" and r.levelno >= logging.WARNING
    ]


@pytest.mark.parametrize("how", ["garbage", "truncated", "page"])
def test_a_damaged_cache_file_is_a_miss_moved_aside_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    directory = tmp_path / "cache"
    db = filled_cache(directory)
    damage(db, how)
    damaged = db.read_bytes()
    caplog.set_level(logging.WARNING)
    with ResultCache(directory) as cache:
        assert cache.get("k1", Value) is None  # a miss, not a crash
        cache.put("k1", value(1))  # and writing works again, on a fresh file
        assert cache.get("k1", Value) == value(1)
        assert cache.get("k2", Value) is None
    [aside] = moved_aside(directory)
    if how != "page":  # (opening a file with one bad page writes to its other pages)
        assert aside.read_bytes() == damaged  # kept as it was, for whoever wants to look
    [warning] = cache_warnings(caplog)
    assert warning.startswith(f"the cache {db} is damaged (")
    assert warning.endswith(f"); moved it to {aside} and started a fresh one")
    with ResultCache(directory) as cache:  # the fresh file is a good cache
        assert cache.get("k1", Value) == value(1)


def test_a_page_damaged_while_open_is_replaced_once_for_every_thread(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import threading

    directory = tmp_path / "cache"
    db = filled_cache(directory)
    caplog.set_level(logging.WARNING)
    with ResultCache(directory) as cache:
        assert cache.get("k3", Value) == value(3)
        overwrite_root_page(db, "Cache")  # damaged under a running batch
        start = threading.Barrier(4)

        def worker(i: int) -> None:
            start.wait(timeout=60)
            assert cache.get(f"k{i}", Value) is None
            cache.put(f"new{i}", value(i))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
        assert [cache.get(f"new{i}", Value) for i in range(4)] == [value(i) for i in range(4)]
    assert len(moved_aside(directory)) == 1
    assert len(cache_warnings(caplog)) == 1


def test_a_failed_write_is_one_warning_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    caplog.set_level(logging.WARNING)
    with ResultCache(tmp_path) as cache:
        monkeypatch.setattr(diskcache.Cache, "set", full)
        cache.put("a", value())
        cache.put("b", value())
        assert cache.get("a", Value) is None
    assert cache_warnings(caplog) == [
        f"could not write to the cache {tmp_path / 'cache.db'} (database or disk is full); "
        "results are kept but not cached (further failed writes are logged at debug level)"
    ]
    assert not moved_aside(tmp_path)  # a full disk is not damage: nothing is moved


def test_a_directory_that_cannot_hold_a_cache_is_a_config_error(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(ConfigError) as raised:
        ResultCache(not_a_dir)
    assert str(raised.value) == (
        f"cannot use the cache in {not_a_dir} (not a directory): set SUMMARIZER_CACHE_DIR to a "
        "writable directory, or run with --no-cache"
    )


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_commands_run_with_a_garbage_cache_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    article = write_articles(tmp_path / "in", 1)[0]
    directory = tmp_path / "cache"  # SUMMARIZER_CACHE_DIR (conftest)
    directory.mkdir()
    (directory / "cache.db").write_bytes(b"\x13not a database\xff" * 500)
    caplog.set_level(logging.WARNING)
    with fake_llm_server([], respond=extraction_reply) as server:
        env = {"SUMMARIZER_BASE_URL": server.base_url, "SUMMARIZER_MODEL": "fake-model"}
        result = CliRunner().invoke(app, ["summarise", str(article)], env=env)
    assert result.exit_code == 0, result.output
    assert "Prisoner exchange" in result.stdout
    assert len(moved_aside(directory)) == 1 and len(cache_warnings(caplog)) == 1


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_a_batch_on_a_cache_with_a_damaged_page_keeps_and_counts_every_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 12)
    directory = tmp_path / "cache"  # SUMMARIZER_CACHE_DIR (conftest)
    with fake_llm_server([], respond=extraction_reply) as server:
        settings = endpoint_settings(server.base_url, concurrency=3)
        run_batch([str(folder)], settings, store_path=tmp_path / "first.sqlite")
        overwrite_root_page(directory / "cache.db", "Cache")
        caplog.set_level(logging.WARNING)
        # A new store, so nothing is resumed: every article goes through the damaged cache.
        report = run_batch([str(folder)], settings, store_path=tmp_path / "second.sqlite")
        assert len(server.requests) == 24  # the damaged cache answered nothing
        again = run_batch([str(folder)], settings, store_path=tmp_path / "third.sqlite")
        assert len(server.requests) == 24  # the answers were cached in the fresh file
    assert report.counts == {"done": 12, "cached": 0, "resumed": 0, "failed": 0, "duplicate": 0}
    assert report.tokens == (1200, 240)  # the answers paid for are counted, not lost
    with closing(sqlite3.connect(tmp_path / "second.sqlite")) as db:
        assert db.execute("SELECT COUNT(*) FROM articles WHERE status = 'done'").fetchone() == (12,)
    assert again.counts["cached"] == 12
    assert len(moved_aside(directory)) == 1 and len(cache_warnings(caplog)) == 1
