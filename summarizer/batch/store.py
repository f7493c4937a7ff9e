"""The batch results store: SQLite, one transaction per finished article.

A batch writes each article as it finishes, so killing the process loses nothing that had
finished, and a re-run skips what is done. Articles are keyed by the extractor's cache key
(model, request parameters, prompt, schema, normalised text and publication date), so a changed
prompt makes a re-run do the work again instead of trusting stale results. Every row also
records the package version that wrote it and when, so ``batch --reprocess`` can rebuild
results under new post-processing (the key stays: the model's answers are the same).

Several runs may share one store. Before extracting an article a run claims it with a lease
(owner, expiry) that it renews while the article is in progress; another run that finds a live
lease leaves the article to its owner instead of paying for it twice. A killed run's leases
lapse: at once when its process is gone (same host), else when they expire.

Damage is never a traceback: a file that is not a store, cannot be opened or fails SQLite's
integrity check is one :class:`StoreError` naming it and what to do; a row whose result cannot
be read any more counts as not done, so the article is simply done again.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer import __version__
from summarizer.errors import ConfigError, InputError
from summarizer.records import ArticleResult
from summarizer.sqlite_damage import is_damaged_database

log = logging.getLogger(__name__)

#: A claim lapses this long after its last renewal (a run renews its claims far more often).
LEASE_S = 30.0
#: How long a write waits for another run's transaction before giving up.
BUSY_TIMEOUT_S = 30.0
#: The store's layout; older stores are migrated in place when a batch opens them.
#: 2: the normalised text of each finished article (``texts``), for highlighting evidence.
SCHEMA_VERSION = 2

_ARTICLES = """
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
    result TEXT,
    summarizer_version TEXT,
    finished_at REAL
)"""
_RECORDS = """
CREATE TABLE IF NOT EXISTS records (
    key TEXT NOT NULL REFERENCES articles(key) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (key, position)
)"""
_TEXTS = """
CREATE TABLE IF NOT EXISTS texts (
    article_sha256 TEXT PRIMARY KEY,
    text TEXT NOT NULL
)"""
_LEASES = """
CREATE TABLE IF NOT EXISTS leases (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL
)"""
#: Columns added since the first layout, with their SQL type (NULL in rows written before).
_ADDED_COLUMNS = {"summarizer_version": "TEXT", "finished_at": "REAL"}
#: What a file must have to be read as a store (the first layout has these).
_REQUIRED_COLUMNS = {"key", "status", "source", "result", "error"}
_SQLITE_MAGIC = b"SQLite format 3\x00"
_MOVE_ASIDE = "move it aside or pass another --store"
_SALVAGE = "move it aside (sqlite3's .recover command can salvage its rows) or pass another --store"


class StoreError(ConfigError):
    """The batch store cannot be used: not a store, cannot be opened, damaged or not writable.

    Attributes:
        path: The store file.
        problem: What is wrong with it, e.g. ``is damaged (database disk image is malformed)``.

    """

    def __init__(self, path: Path, problem: str, remedy: str) -> None:
        super().__init__(f"the batch store {path} {problem}: {remedy}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class Stored:
    """A finished article in the store and the package version that made it."""

    result: ArticleResult
    version: str | None


@dataclass(frozen=True)
class Claimed:
    """The article is this run's to do; ``replaces`` when a finished result is redone."""

    replaces: bool = False


@dataclass(frozen=True)
class Busy:
    """Another live run holds the article."""

    owner: str


@dataclass(frozen=True)
class FailedElsewhere:
    """Another run failed on the article while this run was going: its reason."""

    error: str


Claim = Stored | Claimed | Busy | FailedElsewhere


def new_owner() -> str:
    """A lease owner id: ``host:pid:random`` (the pid lets a run on this host see it died)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _owner_alive(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another machine's run: only its lease's expiry tells
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but is not ours to signal
    return True


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def is_store_file(path: Path) -> bool:
    """Whether ``path`` looks like a batch store (a SQLite file or a ``.sqlite``/``.db`` name)."""
    if path.suffix.lower() in (".sqlite", ".sqlite3", ".db"):
        return True
    try:
        with path.open("rb") as f:
            return f.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


class ResultStore:
    """Finished and failed articles of batch runs, in one SQLite file."""

    def __init__(self, path: Path, *, create: bool = True, owner: str | None = None) -> None:
        """Open the store at ``path``: create or migrate it, or (``create=False``) only read.

        Args:
            path: The SQLite file.
            create: Create the file and its tables if missing and migrate an older layout;
                False opens an existing store for reading only.
            owner: This run's lease owner id (default: a new one).

        Raises:
            StoreError: The file cannot be created or opened, is not a store, or is damaged.

        """
        self.path = path
        self.owner = owner or new_owner()
        self.opened_at = time.time()
        self._writer = create
        if not create and not path.exists():
            raise StoreError(path, "does not exist", "give the store a batch wrote")
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(
                    path, f"cannot be created ({e.strerror or e})", "pass another --store"
                ) from None
        try:
            # Threads may share a store if they take turns (the service holds a lock).
            self._db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as e:
            raise self._error(e) from None
        try:
            self._open(create)
        except BaseException:
            self._db.close()
            raise

    def _open(self, create: bool) -> None:
        with self._faults():
            self._db.execute("PRAGMA foreign_keys=ON")
            tables = {
                name for (name,) in self._db.execute("SELECT name FROM sqlite_master")
            }  # also the first read of the file: garbage fails here
            # Damage that a read would only meet later (a page overwritten, a file cut short)
            # is found now, before a batch pays for answers it could not store.
            problems = [p for (p,) in self._db.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            found = [line for p in problems for line in p.splitlines() if line[:3] != "***"]
            raise StoreError(self.path, f"is damaged ({_one_line(found[0])})", _SALVAGE)
        if tables and "articles" not in tables:
            raise self._not_a_store()
        if "articles" in tables and not self._columns() >= _REQUIRED_COLUMNS:
            raise self._not_a_store()
        if not tables and not create:
            raise self._not_a_store()
        if create:  # only now that it is known to be a store (or empty): change it
            with self._faults():
                self._db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
                # In WAL mode, NORMAL still survives the process being killed at any point (a
                # commit is in the OS before it returns); only a power cut may lose the last ones.
                self._db.execute("PRAGMA synchronous=NORMAL")
                with self._transaction():
                    self._migrate()
        # A store written before versions were recorded, opened only to be read, has no column.
        self._version = "summarizer_version" if "summarizer_version" in self._columns() else "NULL"

    def _not_a_store(self) -> StoreError:
        return StoreError(
            self.path,
            "is not a batch store (a SQLite database without its tables)",
            "pass another --store",
        )

    def _columns(self) -> set[str]:
        return {row[1] for row in self._db.execute("PRAGMA table_info(articles)")}

    def _migrate(self) -> None:
        """Create the tables, or bring an older store up to this layout (in place)."""
        self._db.execute(_ARTICLES)
        self._db.execute(_RECORDS)
        self._db.execute(_LEASES)
        self._db.execute(_TEXTS)
        columns = self._columns()
        for name, kind in _ADDED_COLUMNS.items():
            if name not in columns:  # a store written before the column existed
                self._db.execute(f"ALTER TABLE articles ADD COLUMN {name} {kind}")
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _error(self, error: sqlite3.Error, doing: str = "opened") -> StoreError:
        if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            return StoreError(self.path, "cannot be opened (file is not a database)", _MOVE_ASIDE)
        if is_damaged_database(error):
            return StoreError(self.path, f"is damaged ({error})", _SALVAGE)
        return StoreError(self.path, f"cannot be {doing} ({error})", "pass another --store")

    @contextmanager
    def _faults(self, doing: str = "opened") -> Iterator[None]:
        """Turn SQLite's errors into one :class:`StoreError` line."""
        try:
            yield
        except sqlite3.Error as e:
            raise self._error(e, doing) from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction, locked from its start (no deadlock upgrading a read lock)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        """Give up this run's remaining claims and close the database."""
        if self._writer:
            try:
                self.release_all()
            except StoreError as e:  # the claims lapse on their own
                log.debug("could not release the claims: %s", e)
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading -------------------------------------------------------------------------

    def _query(self, sql: str, parameters: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
        with self._faults("read"), closing(self._db.execute(sql, parameters)) as cur:
            return cur.fetchall()

    def _readable(self, source: str, text: str | None) -> ArticleResult | None:
        """The stored result, or ``None`` (with a warning) when it cannot be read any more."""
        try:
            return ArticleResult.model_validate_json(text or "")
        except ValidationError as e:
            log.warning(
                "the batch store %s: the stored result of %s cannot be read (%s); it counts "
                "as not done",
                self.path,
                source,
                _one_line(e.errors()[0]["msg"], 80),
            )
            return None

    def result(self, key: str) -> Stored | None:
        """The finished article under this key, if any and readable."""
        rows = self._query(
            f"SELECT source, result, {self._version} FROM articles "
            "WHERE key = ? AND status = 'done'",
            (key,),
        )
        if not rows:
            return None
        source, text, version = rows[0]
        result = self._readable(source, text)
        return None if result is None else Stored(result, version)

    def results(self) -> Iterator[ArticleResult]:
        """Every finished, readable article, in source order."""
        rows = self._query(
            "SELECT source, result FROM articles WHERE status = 'done' ORDER BY source, key"
        )
        for source, text in rows:
            result = self._readable(source, text)
            if result is not None:
                yield result

    def article_text(self, sha256: str) -> str | None:
        """The normalised text of a finished article, if it was kept (stores since layout 2)."""
        try:
            rows = self._query("SELECT text FROM texts WHERE article_sha256 = ?", (sha256,))
        except StoreError:
            if "texts" not in {n for (n,) in self._query("SELECT name FROM sqlite_master")}:
                return None  # a store of an older layout, opened only to be read
            raise
        return str(rows[0][0]) if rows else None

    def failures(self) -> list[tuple[str, str]]:
        """``(source, error)`` of every failed article, in source order."""
        rows = self._query(
            "SELECT source, error FROM articles WHERE status = 'failed' ORDER BY source, key"
        )
        return [(source, error) for source, error in rows]

    def totals(self) -> dict[str, int]:
        """Counts of done, failed and cached articles and the tokens spent."""
        ((done, failed, cached, prompt, completion),) = self._query(
            "SELECT COALESCE(SUM(status = 'done'), 0), COALESCE(SUM(status = 'failed'), 0), "
            "COALESCE(SUM(cached), 0), COALESCE(SUM(prompt_tokens), 0), "
            "COALESCE(SUM(completion_tokens), 0) FROM articles"
        )
        return {
            "done": done,
            "failed": failed,
            "cached": cached,
            "prompt_tokens": prompt,
            "completion_tokens": completion,
        }

    # --- claiming ------------------------------------------------------------------------

    def claim(self, key: str, *, reprocess: bool = False) -> Claim:
        """Decide, atomically across runs, what this run does with the article under ``key``.

        Args:
            key: The article's key.
            reprocess: Redo an article finished before this store was opened.

        Returns:
            :class:`Stored` when it is finished (and not to be redone); :class:`Busy` when
            another live run holds it; :class:`FailedElsewhere` when another run failed on it
            since this one started; otherwise :class:`Claimed`: this run holds it now and
            must save a result or a failure (which ends the claim).

        Raises:
            StoreError: The store cannot be read or written.

        """
        now = time.time()
        with self._faults("written"), self._transaction():
            row = self._db.execute(
                "SELECT status, source, result, summarizer_version, error, "
                "COALESCE(finished_at, 0) FROM articles WHERE key = ?",
                (key,),
            ).fetchone()
            replaces = False
            if row is not None:
                status, source, text, version, error, finished_at = row
                during_this_run = finished_at >= self.opened_at
                if status == "done" and (during_this_run or not reprocess):
                    result = self._readable(source, text)
                    if result is not None:
                        return Stored(result, version)
                elif status == "done":
                    replaces = True
                elif during_this_run:
                    return FailedElsewhere(error or "failed")
            lease = self._db.execute(
                "SELECT owner, expires_at FROM leases WHERE key = ?", (key,)
            ).fetchone()
            if lease is not None and lease[0] != self.owner:
                owner, expires_at = lease
                if expires_at > now and _owner_alive(owner):
                    return Busy(owner)
                log.info("%s: taking over the lapsed claim of %s", key[:12], owner)
            self._db.execute(
                "INSERT OR REPLACE INTO leases (key, owner, expires_at) VALUES (?, ?, ?)",
                (key, self.owner, now + LEASE_S),
            )
        return Claimed(replaces=replaces)

    def renew(self) -> None:
        """Extend every claim this run holds by :data:`LEASE_S` from now."""
        with self._faults("written"), self._transaction():
            self._db.execute(
                "UPDATE leases SET expires_at = ? WHERE owner = ?",
                (time.time() + LEASE_S, self.owner),
            )

    def release_all(self) -> None:
        """Give up every claim this run still holds (its articles are left to others)."""
        with self._faults("written"), self._transaction():
            self._db.execute("DELETE FROM leases WHERE owner = ?", (self.owner,))

    # --- writing -------------------------------------------------------------------------

    def save_result(self, key: str, result: ArticleResult, text: str | None = None) -> None:
        """Store a finished article and its records in one transaction (ends its claim).

        Args:
            key: The article's key.
            result: Its records.
            text: Its normalised text (what evidence spans point into), kept once per text.

        """
        prov, usage = result.provenance, result.usage
        with self._faults("written"), self._transaction():
            if text is not None:
                self._db.execute(
                    "INSERT OR IGNORE INTO texts (article_sha256, text) VALUES (?, ?)",
                    (result.article.sha256, text),
                )
            self._db.execute(
                "DELETE FROM articles WHERE key IN (?, ?)",
                (key, _input_key(result.article.source)),
            )
            self._db.execute(
                "INSERT INTO articles (key, article_sha256, article_id, source, status, "
                "prompt_sha256, schema_sha256, model, prompt_tokens, completion_tokens, cached, "
                "result, summarizer_version, finished_at) "
                "VALUES (?, ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key, result.article.sha256, result.article.id, result.article.source,
                    prov.prompt_sha256, prov.schema_sha256, prov.model_answered,
                    usage.prompt_tokens, usage.completion_tokens, int(usage.cached),
                    result.model_dump_json(), __version__, time.time(),
                ),
            )  # fmt: skip
            self._db.executemany(
                "INSERT INTO records (key, position, kind, record) VALUES (?, ?, ?, ?)",
                [(key, i, r.kind, r.model_dump_json()) for i, r in enumerate(result.records)],
            )
            self._end_claim(key)

    def save_failure(
        self, key: str, article_sha256: str, article_id: str, source: str, error: str
    ) -> None:
        """Store why an article failed (a later success replaces it; ends its claim)."""
        with self._faults("written"), self._transaction():
            self._db.execute("DELETE FROM articles WHERE key = ?", (key,))
            self._db.execute(
                "INSERT INTO articles (key, article_sha256, article_id, source, status, error, "
                "summarizer_version, finished_at) VALUES (?, ?, ?, ?, 'failed', ?, ?, ?)",
                (key, article_sha256, article_id, source, error, __version__, time.time()),
            )
            self._end_claim(key)

    def save_input_failure(self, source: str, error: str) -> None:
        """Store why an input could not be read (replaced when it is read later)."""
        self.save_failure(_input_key(source), "", "", source, error)

    def _end_claim(self, key: str) -> None:
        self._db.execute("DELETE FROM leases WHERE key = ? AND owner = ?", (key, self.owner))


def _input_key(source: str) -> str:
    return f"input:{source}"


def read_store(path: Path) -> list[ArticleResult]:
    """Every finished, readable article in a batch store, for readers such as ``merge``.

    Raises:
        InputError: The file is missing, not a store, cannot be opened or is damaged.

    """
    if not path.exists():
        raise InputError(str(path), "no such file")
    try:
        with ResultStore(path, create=False) as store:
            return list(store.results())
    except StoreError as e:
        raise InputError(str(path), e.problem) from None
