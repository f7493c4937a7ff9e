"""The merged timeline kept in the store, updated as results arrive, read without merging.

Tables beside the batch store's own (same SQLite file):

* ``timeline_records``: the sourced records of every finished article, by article key;
* ``timeline_articles``: which finished articles (key, finish time) they were taken from;
* ``timeline_events``: the merged events with the columns the filters use, each event's
  JSON (sources numbered within it) and its source records;
* ``timeline_event_articles``: which article ids each event has a record of.

New results (from the service, its batch jobs, or a ``summarizer batch`` run on the same
store) are found by their finish time and merged in by kind: only the kinds of the new
records are merged again (:mod:`summarizer.timeline.partition`: the same events a full merge
gives), and the links between agreements and talks are recomputed when either changed. Reads
are indexed queries: a page of 50 events never merges anything.
"""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.records import ArticleResult, EventDate
from summarizer.timeline.merge import MergedEvent, SourcedRecord, SourceRef, sourced_records
from summarizer.timeline.partition import EventEntry, kind_events, relink

log = logging.getLogger(__name__)

#: Results finished this long before the newest one seen are looked at again on each update.
#: A writer reads the clock once it holds the store's write lock, so on one host finish times
#: follow commit order; the margin covers clocks of writers on other hosts (a shared disk).
LOOKBACK_S = 30.0
#: Articles taken into the timeline per transaction.
INGEST_BATCH = 500
KINDS = ("talks_round", "agreement", "prisoner_exchange", "body_repatriation", "cumulative_tally")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS timeline_records (
        article_key TEXT NOT NULL,
        record_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        sourced TEXT NOT NULL,
        PRIMARY KEY (article_key, record_key)
    )""",
    "CREATE INDEX IF NOT EXISTS timeline_records_kind ON timeline_records (kind)",
    """CREATE TABLE IF NOT EXISTS timeline_articles (
        article_key TEXT PRIMARY KEY,
        finished_at REAL
    )""",
    """CREATE TABLE IF NOT EXISTS timeline_events (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        sort_key TEXT NOT NULL,
        date_first TEXT,
        date_last TEXT,
        sides TEXT NOT NULL,
        search TEXT NOT NULL,
        event TEXT NOT NULL,
        sources TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS timeline_events_order ON timeline_events (sort_key)",
    "CREATE INDEX IF NOT EXISTS timeline_events_kind ON timeline_events (kind, sort_key)",
    """CREATE TABLE IF NOT EXISTS timeline_event_articles (
        event_id TEXT NOT NULL,
        article_id TEXT NOT NULL,
        PRIMARY KEY (article_id, event_id)
    )""",
)


@dataclass(frozen=True)
class EventFilter:
    """What ``GET /v1/events`` and the timeline page filter on (every given one must hold).

    Attributes:
        kind: The event's kind.
        date_from: First day (``YYYY-MM-DD``); an event counts when its date (at its precision)
            reaches this day or later. Undated events are left out when a date is given.
        date_to: Last day, likewise.
        side: A side that received people (``each_side`` counts for russia and ukraine too).
        q: Text in the event's evidence, places or mediators (case-insensitive).
        article: The id of an article that reported it.

    """

    kind: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    side: str | None = None
    q: str | None = None
    article: str | None = None


@dataclass(frozen=True)
class StoredEvent:
    """An event read from the index, with its own sources."""

    event: MergedEvent
    sources: list[SourceRef]
    sort_key: str


def encode_cursor(sort_key: str) -> str:
    """An opaque cursor for the position after ``sort_key``."""
    return base64.urlsafe_b64encode(sort_key.encode("utf-8")).decode("ascii")


def decode_cursor(cursor: str) -> str:
    """The position a cursor names.

    Raises:
        ValueError: Not a cursor this service gave.

    """
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeError) as e:
        raise ValueError("not a cursor from a previous page") from e
    parts = text.split(" ")
    if len(parts) != 4 or parts[0] not in ("0", "1"):
        raise ValueError("not a cursor from a previous page")
    return text


def _date_span(date: EventDate) -> tuple[str | None, str | None]:
    """The first and last day a date covers, ``YYYY-MM-DD`` (``None`` if unknown)."""
    value = date.value
    if value is None:
        return None, None
    if len(value) == 4:
        return f"{value}-01-01", f"{value}-12-31"
    if len(value) == 7:
        return f"{value}-01", f"{value}-31"  # a text bound: no month has a later day
    return value, value


def _sides(event: MergedEvent) -> str:
    sides = {c.side for c in event.counts}
    if "each_side" in sides:
        sides |= {"russia", "ukraine"}
    return "|" + "|".join(sorted(sides)) + "|"


def _search_text(event: MergedEvent, sources: Sequence[SourceRef]) -> str:
    parts = [r.value for r in event.location.reported if isinstance(r.value, str)]
    parts += event.mediators
    for source in sources:
        record = source.sourced.record
        parts += record.quotes
        parts += record.mediators
        if record.location:
            parts.append(record.location)
    return "\n".join(parts).casefold()


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class TimelineIndex:
    """The store's merged timeline: updated by one writer, read from any thread."""

    def __init__(self, path: Path) -> None:
        """Open (and create the tables of) the index in the store at ``path``."""
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        #: What the writer took in: article key -> finish time (loaded on the first update).
        self._known: dict[str, float | None] | None = None
        self._newest = 0.0
        with self._writer() as db:
            for statement in _SCHEMA:
                db.execute(statement)
            # Finding the results finished since the last update must not read them all.
            db.execute("CREATE INDEX IF NOT EXISTS timeline_finished ON articles (finished_at)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 30000")
        return db

    def _reader(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
        return db

    @contextmanager
    def _writer(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock, closing(self._connect()) as db:
            yield db

    # --- updating ------------------------------------------------------------------------

    def update(self, *, full: bool = False) -> int:
        """Take in the results finished since the last update; merge their kinds again.

        Args:
            full: Compare every finished article (at start-up: results replaced or removed
                while the service was down are found too), not only the recent ones.

        Returns:
            How many articles were taken in or dropped.

        """
        with self._writer() as db:
            changed, kinds = self._ingest(db, full=full)
            for kind in KINDS:
                if kind in kinds:
                    self._rebuild(db, kind)
            if kinds & {"talks_round", "agreement"}:
                self._relink(db)
        return changed

    def _ingest(self, db: sqlite3.Connection, *, full: bool) -> tuple[int, set[str]]:
        if full or self._known is None:
            self._known = dict(
                db.execute("SELECT article_key, finished_at FROM timeline_articles").fetchall()
            )
        known = self._known
        if full:
            rows = db.execute(
                "SELECT key, finished_at FROM articles WHERE status = 'done'"
            ).fetchall()
        else:
            rows = db.execute(
                "SELECT key, finished_at FROM articles WHERE status = 'done' "
                "AND (finished_at IS NULL OR finished_at >= ?)",
                (self._newest - LOOKBACK_S,),
            ).fetchall()
        fresh = [(key, at) for key, at in rows if key not in known or known[key] != at]
        gone = set(known) - {key for key, _ in rows} if full else set()
        kinds: set[str] = set()
        with _transaction(db):
            for key in gone:
                kinds |= self._drop(db, key)
                db.execute("DELETE FROM timeline_articles WHERE article_key = ?", (key,))
        for key in gone:
            known.pop(key, None)
        for start in range(0, len(fresh), INGEST_BATCH):
            with _transaction(db):  # a few hundred articles a transaction
                for key, finished_at in fresh[start : start + INGEST_BATCH]:
                    kinds |= self._take(db, key, finished_at)
            known.update(fresh[start : start + INGEST_BATCH])
        self._newest = max([self._newest, *(at for _, at in fresh if at is not None)])
        return len(fresh) + len(gone), kinds

    def _drop(self, db: sqlite3.Connection, key: str) -> set[str]:
        kinds = {k for (k,) in db.execute(
            "SELECT DISTINCT kind FROM timeline_records WHERE article_key = ?", (key,)
        )}  # fmt: skip
        db.execute("DELETE FROM timeline_records WHERE article_key = ?", (key,))
        return kinds

    def _take(self, db: sqlite3.Connection, key: str, finished_at: float | None) -> set[str]:
        """Replace an article's records by its stored result's (inside a transaction)."""
        row = db.execute(
            "SELECT result FROM articles WHERE key = ? AND status = 'done'", (key,)
        ).fetchone()
        kinds = self._drop(db, key)
        result = None
        if row is not None:
            try:
                result = ArticleResult.model_validate_json(row[0] or "")
            except ValidationError:
                log.warning("the stored result %s cannot be read; left out", key[:12])
        for sourced in sourced_records([result] if result else []):
            db.execute(
                "INSERT OR REPLACE INTO timeline_records (article_key, record_key, kind, "
                "sourced) VALUES (?, ?, ?, ?)",
                (key, sourced.key, sourced.record.kind, sourced.model_dump_json()),
            )
            kinds.add(sourced.record.kind)
        db.execute(
            "INSERT OR REPLACE INTO timeline_articles (article_key, finished_at) VALUES (?, ?)",
            (key, finished_at),
        )
        return kinds

    def _rebuild(self, db: sqlite3.Connection, kind: str) -> None:
        started = time.perf_counter()
        rows = db.execute(
            "SELECT DISTINCT record_key, sourced FROM timeline_records WHERE kind = ?", (kind,)
        ).fetchall()
        records = [SourcedRecord.model_validate_json(text) for _, text in rows]
        entries = kind_events(kind, records)  # type: ignore[arg-type]
        with _transaction(db):
            db.execute(
                "DELETE FROM timeline_event_articles WHERE event_id IN "
                "(SELECT id FROM timeline_events WHERE kind = ?)",
                (kind,),
            )
            db.execute("DELETE FROM timeline_events WHERE kind = ?", (kind,))
            db.executemany(
                "INSERT INTO timeline_events (id, kind, sort_key, date_first, date_last, sides, "
                "search, event, sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [self._row(entry) for entry in entries],
            )
            db.executemany(
                "INSERT OR IGNORE INTO timeline_event_articles (event_id, article_id) "
                "VALUES (?, ?)",
                [
                    (entry.event.id, source.sourced.record.article_id)
                    for entry in entries
                    for source in entry.sources
                ],
            )
        log.info(
            "timeline: %s merged again (%d records, %d events) in %.2fs",
            kind, len(records), len(entries), time.perf_counter() - started,
        )  # fmt: skip

    @staticmethod
    def _row(entry: EventEntry) -> tuple[Any, ...]:
        first, last = _date_span(entry.event.date)
        return (
            entry.event.id,
            entry.event.kind,
            entry.sort_key,
            first,
            last,
            _sides(entry.event),
            _search_text(entry.event, entry.sources),
            entry.event.model_dump_json(),
            json.dumps([s.model_dump(mode="json") for s in entry.sources], ensure_ascii=False),
        )

    def _relink(self, db: sqlite3.Connection) -> None:
        rows = db.execute(
            "SELECT event, sort_key FROM timeline_events WHERE kind IN ('talks_round', 'agreement')"
        ).fetchall()
        entries = []
        for text, sort_key in rows:
            event = MergedEvent.model_validate_json(text)
            order = int(sort_key.rsplit(" ", 1)[1])
            entries.append(EventEntry(event=event, sources=[], order=order))
        links = relink(entries)
        with _transaction(db):
            for entry in entries:
                wanted = links.get(entry.event.id, [])
                if wanted != entry.event.links:
                    event = entry.event.model_copy(update={"links": wanted})
                    db.execute(
                        "UPDATE timeline_events SET event = ? WHERE id = ?",
                        (event.model_dump_json(), event.id),
                    )

    # --- reading -------------------------------------------------------------------------

    def page(
        self, where: EventFilter, *, after: str | None = None, limit: int = 50
    ) -> tuple[list[StoredEvent], str | None]:
        """One page of events in timeline order, and the cursor of the next (if any).

        Args:
            where: The filters.
            after: The position (a decoded cursor) the page starts after.
            limit: Events per page.

        """
        rows = self._page_rows(where, after, limit)
        events = [self._stored(*row) for row in rows[:limit]]
        following = encode_cursor(rows[limit - 1][2]) if len(rows) > limit else None
        return events, following

    def _page_rows(
        self, where: EventFilter, after: str | None, limit: int
    ) -> list[tuple[str, str, str]]:
        """Up to ``limit + 1`` stored (event, sources, sort_key) rows after ``after``."""
        clauses, params = self._clauses(where)
        if after is not None:
            clauses.append("sort_key > ?")
            params.append(after)
        sql = "SELECT event, sources, sort_key FROM timeline_events"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY sort_key LIMIT ?"
        params.append(limit + 1)
        with closing(self._reader().execute(sql, params)) as cur:
            rows: list[tuple[str, str, str]] = cur.fetchall()
        return rows

    @staticmethod
    def _clauses(where: EventFilter) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if where.kind:
            clauses.append("kind = ?")
            params.append(where.kind)
        if where.date_from:
            clauses.append("date_last >= ?")
            params.append(where.date_from)
        if where.date_to:
            clauses.append("date_first <= ?")
            params.append(where.date_to)
        if where.side:
            clauses.append("sides LIKE ? ESCAPE '\\'")
            params.append(_like(f"|{where.side}|"))
        if where.q:
            clauses.append("search LIKE ? ESCAPE '\\'")
            params.append(_like(where.q.casefold()))
        if where.article:
            clauses.append(
                "id IN (SELECT event_id FROM timeline_event_articles WHERE article_id = ?)"
            )
            params.append(where.article)
        return clauses, params

    def page_json(self, where: EventFilter, *, after: str | None = None, limit: int = 50) -> str:
        """One page as the API's JSON (``EventsPage``), straight from the stored JSON."""
        rows = self._page_rows(where, after, limit)
        following = encode_cursor(rows[limit - 1][2]) if len(rows) > limit else None
        events = ",".join(f'{{"event":{e},"sources":{s}}}' for e, s, _ in rows[:limit])
        return f'{{"events":[{events}],"next_cursor":{json.dumps(following)}}}'

    def event(self, event_id: str) -> StoredEvent | None:
        """One event by id."""
        with closing(
            self._reader().execute(
                "SELECT event, sources, sort_key FROM timeline_events WHERE id = ?", (event_id,)
            )
        ) as cur:
            row = cur.fetchone()
        return None if row is None else self._stored(*row)

    def count(self) -> int:
        """How many events the timeline has."""
        with closing(self._reader().execute("SELECT COUNT(*) FROM timeline_events")) as cur:
            return int(cur.fetchone()[0])

    @staticmethod
    def _stored(event: str, sources: str, sort_key: str) -> StoredEvent:
        return StoredEvent(
            event=MergedEvent.model_validate_json(event),
            sources=[SourceRef.model_validate(s) for s in json.loads(sources)],
            sort_key=sort_key,
        )

    def close(self) -> None:
        """Close this thread's reading connection."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


class TimelineUpdater:
    """Keeps a :class:`TimelineIndex` up to date in a background thread.

    ``notify()`` after storing a result; the thread also looks for results written by other
    processes every ``poll_s`` seconds. ``wait_current()`` blocks until every notification
    made before it has been taken in (for tests and for a page that should show new events).
    """

    def __init__(self, index: TimelineIndex, *, poll_s: float = 5.0) -> None:
        """Prepare the updater (started by :meth:`start`)."""
        self.index = index
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._asked = 0
        self._finished = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Take in everything in the store now, then keep up in the background."""
        self.index.update(full=True)
        self._thread = threading.Thread(target=self._loop, name="summarizer-timeline", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        """A result was stored: take it in soon."""
        with self._done:
            self._asked += 1
        self._wake.set()

    def wait_current(self, timeout_s: float = 30.0) -> bool:
        """Wait until the notifications made so far are taken in; False on timeout."""
        with self._done:
            wanted = self._asked
            return self._done.wait_for(lambda: self._finished >= wanted, timeout_s)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_s)
            self._wake.clear()
            if self._stop.is_set():
                break
            with self._done:
                asked = self._asked
            try:
                self.index.update()
            except (sqlite3.Error, ValidationError) as e:
                log.warning("the timeline could not be updated (%s); will try again", e)
            with self._done:
                self._finished = max(self._finished, asked)
                self._done.notify_all()

    def stop(self) -> None:
        """Stop the thread (what is stored stays; the next start takes it in)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
