"""The batch results store: SQLite, one transaction per finished article.

A batch writes each article as it finishes, so killing the process loses nothing that had
finished, and a re-run skips what is done. Articles are keyed by the extractor's cache key
(model, request parameters, prompt, schema, normalised text and publication date), so a changed
prompt makes a re-run do the work again instead of trusting stale results.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from summarizer.records import ArticleResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    key TEXT PRIMARY KEY,
    article_sha256 TEXT NOT NULL,
    article_id TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    error TEXT,
    prompt_sha256 TEXT,
    schema_sha256 TEXT,
    model TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cached INTEGER NOT NULL DEFAULT 0,
    result TEXT
);
CREATE TABLE IF NOT EXISTS records (
    key TEXT NOT NULL REFERENCES articles(key) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (key, position)
);
"""


def _input_key(source: str) -> str:
    return f"input:{source}"


class ResultStore:
    """Finished and failed articles of batch runs, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the store at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        # In WAL mode, NORMAL still survives the process being killed at any point (a commit
        # is in the OS before it returns); only a power cut may lose the last commits.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def result(self, key: str) -> ArticleResult | None:
        """The finished article under this key, if any."""
        with closing(
            self._db.execute(
                "SELECT result FROM articles WHERE key = ? AND status = 'done'", (key,)
            )
        ) as cur:
            row = cur.fetchone()
        return None if row is None else ArticleResult.model_validate_json(row[0])

    def save_result(self, key: str, result: ArticleResult) -> None:
        """Store a finished article and its records in one transaction."""
        prov, usage = result.provenance, result.usage
        with self._db:
            self._db.execute(
                "DELETE FROM articles WHERE key IN (?, ?)",
                (key, _input_key(result.article.source)),
            )
            self._db.execute(
                "INSERT INTO articles (key, article_sha256, article_id, source, status, "
                "prompt_sha256, schema_sha256, model, prompt_tokens, completion_tokens, cached, "
                "result) VALUES (?, ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?, ?)",
                (
                    key, result.article.sha256, result.article.id, result.article.source,
                    prov.prompt_sha256, prov.schema_sha256, prov.model_answered,
                    usage.prompt_tokens, usage.completion_tokens, int(usage.cached),
                    result.model_dump_json(),
                ),
            )  # fmt: skip
            self._db.executemany(
                "INSERT INTO records (key, position, kind, record) VALUES (?, ?, ?, ?)",
                [(key, i, r.kind, r.model_dump_json()) for i, r in enumerate(result.records)],
            )

    def save_failure(
        self, key: str, article_sha256: str, article_id: str, source: str, error: str
    ) -> None:
        """Store why an article failed (a later success replaces it)."""
        with self._db:
            self._db.execute("DELETE FROM articles WHERE key = ?", (key,))
            self._db.execute(
                "INSERT INTO articles (key, article_sha256, article_id, source, status, error) "
                "VALUES (?, ?, ?, ?, 'failed', ?)",
                (key, article_sha256, article_id, source, error),
            )

    def save_input_failure(self, source: str, error: str) -> None:
        """Store why an input could not be read (replaced when it is read later)."""
        self.save_failure(_input_key(source), "", "", source, error)

    def results(self) -> Iterator[ArticleResult]:
        """Every finished article, in source order."""
        with closing(
            self._db.execute(
                "SELECT result FROM articles WHERE status = 'done' ORDER BY source, key"
            )
        ) as cur:
            rows = cur.fetchall()
        for (text,) in rows:
            yield ArticleResult.model_validate_json(text)

    def failures(self) -> list[tuple[str, str]]:
        """``(source, error)`` of every failed article, in source order."""
        with closing(
            self._db.execute(
                "SELECT source, error FROM articles WHERE status = 'failed' ORDER BY source, key"
            )
        ) as cur:
            return [(source, error) for source, error in cur.fetchall()]

    def totals(self) -> dict[str, int]:
        """Counts of done, failed and cached articles and the tokens spent."""
        with closing(
            self._db.execute(
                "SELECT COALESCE(SUM(status = 'done'), 0), COALESCE(SUM(status = 'failed'), 0), "
                "COALESCE(SUM(cached), 0), COALESCE(SUM(prompt_tokens), 0), "
                "COALESCE(SUM(completion_tokens), 0) FROM articles"
            )
        ) as cur:
            done, failed, cached, prompt, completion = cur.fetchone()
        return {
            "done": done,
            "failed": failed,
            "cached": cached,
            "prompt_tokens": prompt,
            "completion_tokens": completion,
        }
