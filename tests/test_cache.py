from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from summarizer.extraction.cache import ResultCache, cache_key
from summarizer.extraction.pipeline import CachedAnswer
from summarizer.records import Usage


def value() -> CachedAnswer:
    return CachedAnswer(
        raw='{"sentences": []}', model_answered="m", usage=Usage(calls=1, prompt_tokens=5)
    )


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


def test_roundtrip_stores_json_not_pickle(tmp_path: Path) -> None:
    with ResultCache(tmp_path) as cache:
        cache.put("k", value())
        assert cache.get("k", CachedAnswer) == value()
        assert cache.get("absent", CachedAnswer) is None
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
        assert cache.get("k", CachedAnswer) is None
    db.execute("UPDATE Cache SET value = ?", (b'{"raw": ["not a string"]}',))
    db.commit()
    with ResultCache(tmp_path) as cache:
        assert cache.get("k", CachedAnswer) is None
