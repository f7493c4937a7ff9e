"""Background batch jobs: kept in the store, run one at a time on the batch runner, resumed.

A job is its sources (feed or page URLs, or a JSON Lines file the request body was saved to)
and its state. One thread runs queued jobs in order with :func:`run_batch_async` (the same
runner, store and extractor as ``summarizer batch``), recording each input's outcome as it
finishes. Cancelling stops a job between answers; stopping the service leaves a running job
queued, so that after a restart it goes on: the batch runner resumes what had finished from
the store, and this job's account of it (tokens spent, statuses) is kept.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from summarizer.batch.pricing import load_prices, price_for
from summarizer.batch.runner import Outcome, run_batch_async
from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.extraction.pipeline import EndpointProvider
from summarizer.records import ArticleResult

log = logging.getLogger(__name__)

JobState = Literal["queued", "running", "done", "failed", "cancelled"]
JOB_STATES: tuple[JobState, ...] = ("queued", "running", "done", "failed", "cancelled")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS service_jobs (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        sources TEXT NOT NULL,
        total INTEGER,
        error TEXT,
        created_at REAL NOT NULL,
        started_at REAL,
        finished_at REAL
    )""",
    """CREATE TABLE IF NOT EXISTS service_job_items (
        job_id TEXT NOT NULL,
        source TEXT NOT NULL,
        position INTEGER NOT NULL,
        status TEXT NOT NULL,
        article_key TEXT,
        error TEXT,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (job_id, source)
    )""",
    "CREATE INDEX IF NOT EXISTS service_job_items_order ON service_job_items (job_id, position)",
)


@dataclass(frozen=True)
class JobView:
    """A job as ``GET /v1/batches/{id}`` shows it."""

    id: str
    state: JobState
    total: int | None
    done: int
    cached: int
    failed: int
    duplicate: int
    prompt_tokens: int
    completion_tokens: int
    failures: list[tuple[str, str]]
    error: str | None
    created_at: float
    finished_at: float | None


class _Observer:
    """Writes each outcome of a job's batch to the job's items as it finishes."""

    def __init__(self, jobs: JobRunner, job_id: str) -> None:
        self._jobs = jobs
        self._job_id = job_id

    def started(self, total: int) -> None:
        with self._jobs._db() as db:
            db.execute("UPDATE service_jobs SET total = ? WHERE id = ?", (total, self._job_id))

    def finished(self, outcome: Outcome) -> None:
        spent = outcome.result.usage if outcome.status == "done" and outcome.result else None
        source = outcome.source
        with self._jobs._db() as db:
            if outcome.status == "resumed":
                # Finished by an earlier run of this job (before a restart): keep its account.
                kept = db.execute(
                    "SELECT 1 FROM service_job_items WHERE job_id = ? AND source = ? "
                    "AND status IN ('done', 'cached')",
                    (self._job_id, source),
                ).fetchone()
                if kept:
                    return
            position = db.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM service_job_items WHERE job_id = ?",
                (self._job_id,),
            ).fetchone()[0]
            db.execute(
                "INSERT INTO service_job_items (job_id, source, position, status, article_key, "
                "error, prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (job_id, source) DO UPDATE SET status = excluded.status, "
                "article_key = excluded.article_key, error = excluded.error, "
                "prompt_tokens = excluded.prompt_tokens, "
                "completion_tokens = excluded.completion_tokens",
                (
                    self._job_id, source, position, outcome.status, outcome.key,
                    outcome.error, spent.prompt_tokens if spent else 0,
                    spent.completion_tokens if spent else 0,
                ),
            )  # fmt: skip
        self._jobs._changed(stored=outcome.result is not None)


class JobRunner:
    """Runs the store's batch jobs in a background thread, one at a time."""

    def __init__(
        self,
        store_path: Path,
        jobs_dir: Path,
        settings: Settings,
        *,
        endpoint: EndpointProvider | None = None,
        on_result: Callable[[], None] | None = None,
    ) -> None:
        """Prepare the runner (its tables are created now; jobs run after :meth:`start`).

        Args:
            store_path: The results store (jobs are kept in it too).
            jobs_dir: Where the JSON Lines bodies of jobs are kept until they finish.
            settings: Model, cache and fetch settings of the batches.
            endpoint: The service's shared model endpoint.
            on_result: Called after each stored result (the timeline takes it in).

        """
        self.store_path = store_path
        self.jobs_dir = jobs_dir
        self.settings = settings
        self._endpoint = endpoint
        self._on_result = on_result
        self._changes = threading.Condition()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._running: tuple[str, asyncio.AbstractEventLoop, asyncio.Task[Any]] | None = None
        self._price = price_for(
            load_prices(settings.prices), settings.model_name, embedded=settings.uses_embedded_model
        )
        with self._db() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.store_path, timeout=30.0, isolation_level=None)) as db:
            yield db

    def _changed(self, *, stored: bool = False) -> None:
        if stored and self._on_result is not None:
            self._on_result()
        with self._changes:
            self._changes.notify_all()

    # --- submitting and reading ----------------------------------------------------------

    def submit(self, *, urls: list[str] | None = None, jsonl: bytes | None = None) -> str:
        """Queue a job over feed/page URLs or a JSON Lines body; returns its id."""
        job_id = secrets.token_hex(8)
        sources = list(urls or [])
        if jsonl is not None:
            self.jobs_dir.mkdir(parents=True, exist_ok=True)
            path = self.jobs_dir / f"{job_id}.jsonl"
            path.write_bytes(jsonl)
            sources.append(str(path))
        with self._db() as db:
            db.execute(
                "INSERT INTO service_jobs (id, state, sources, created_at) "
                "VALUES (?, 'queued', ?, ?)",
                (job_id, json.dumps(sources), time.time()),
            )
        self._wake.set()
        self._changed()
        return job_id

    def view(self, job_id: str) -> JobView | None:
        """A job's state and account, or ``None`` if there is no such job."""
        with self._db() as db:
            row = db.execute(
                "SELECT state, total, error, created_at, finished_at FROM service_jobs "
                "WHERE id = ?",
                (job_id,),
            ).fetchone()
            if row is None:
                return None
            state, total, error, created_at, finished_at = row
            counts = dict(
                db.execute(
                    "SELECT status, COUNT(*) FROM service_job_items WHERE job_id = ? "
                    "GROUP BY status",
                    (job_id,),
                ).fetchall()
            )
            prompt, completion = db.execute(
                "SELECT COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0) "
                "FROM service_job_items WHERE job_id = ?",
                (job_id,),
            ).fetchone()
            failures = db.execute(
                "SELECT source, error FROM service_job_items WHERE job_id = ? "
                "AND status = 'failed' ORDER BY position",
                (job_id,),
            ).fetchall()
        finished = sum(counts.get(s, 0) for s in ("done", "cached", "resumed"))
        return JobView(
            id=job_id,
            state=state,
            total=total,
            done=finished,
            cached=counts.get("cached", 0) + counts.get("resumed", 0),
            failed=counts.get("failed", 0),
            duplicate=counts.get("duplicate", 0),
            prompt_tokens=prompt,
            completion_tokens=completion,
            failures=[(s, e or "failed") for s, e in failures],
            error=error,
            created_at=created_at,
            finished_at=finished_at,
        )

    def cost_usd(self, view: JobView) -> float | None:
        """What a job's tokens cost, or ``None`` when the model has no price."""
        return (
            None
            if self._price is None
            else self._price.cost(view.prompt_tokens, view.completion_tokens)
        )

    def results(
        self, job_id: str, *, after: int = -1, limit: int = 50
    ) -> tuple[list[ArticleResult], int | None]:
        """A page of a job's finished results in the order they finished, and the next position."""
        with self._db() as db:
            rows = db.execute(
                "SELECT i.position, a.result FROM service_job_items i JOIN articles a "
                "ON a.key = i.article_key AND a.status = 'done' "
                "WHERE i.job_id = ? AND i.position > ? ORDER BY i.position LIMIT ?",
                (job_id, after, limit + 1),
            ).fetchall()
        results = [ArticleResult.model_validate_json(text) for _, text in rows[:limit]]
        following = rows[limit - 1][0] if len(rows) > limit else None
        return results, following

    def states(self) -> dict[str, int]:
        """How many jobs are in each state."""
        with self._db() as db:
            found = dict(db.execute("SELECT state, COUNT(*) FROM service_jobs GROUP BY state"))
        return {state: int(found.get(state, 0)) for state in JOB_STATES}

    def cancel(self, job_id: str) -> JobView | None:
        """Cancel a queued or running job (a finished one is left as it is)."""
        with self._db() as db:
            db.execute(
                "UPDATE service_jobs SET state = 'cancelled', finished_at = ? "
                "WHERE id = ? AND state = 'queued'",
                (time.time(), job_id),
            )
        running = self._running
        if running is not None and running[0] == job_id:
            _, loop, task = running
            loop.call_soon_threadsafe(task.cancel)
            self.wait(job_id, lambda v: v.state != "running")
        self._changed()
        return self.view(job_id)

    def wait(
        self, job_id: str, until: Callable[[JobView], bool], timeout_s: float = 60.0
    ) -> JobView | None:
        """Wait until a job's view satisfies ``until`` (for tests and clients that block)."""
        deadline = time.monotonic() + timeout_s
        with self._changes:
            while True:
                view = self.view(job_id)
                if view is None or until(view):
                    return view
                left = deadline - time.monotonic()
                if left <= 0:
                    return view
                self._changes.wait(left)

    # --- running -------------------------------------------------------------------------

    def start(self) -> None:
        """Put jobs that were running when the service stopped back in the queue; start."""
        with self._db() as db:
            db.execute("UPDATE service_jobs SET state = 'queued' WHERE state = 'running'")
        self._thread = threading.Thread(target=self._loop, name="summarizer-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the running job (it stays queued and goes on after a restart)."""
        self._stopping.set()
        self._wake.set()
        running = self._running
        if running is not None:
            _, loop, task = running
            loop.call_soon_threadsafe(task.cancel)
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _next(self) -> tuple[str, list[str]] | None:
        with self._db() as db:
            row = db.execute(
                "SELECT id, sources FROM service_jobs WHERE state = 'queued' "
                "ORDER BY created_at, id LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE service_jobs SET state = 'running', started_at = ? WHERE id = ?",
                (time.time(), row[0]),
            )
        return row[0], json.loads(row[1])

    def _loop(self) -> None:
        while not self._stopping.is_set():
            job = self._next()
            if job is None:
                self._wake.wait()
                self._wake.clear()
                continue
            self._changed()
            self._run(*job)

    def _run(self, job_id: str, sources: list[str]) -> None:
        jsonl = str(self.jobs_dir / f"{job_id}.jsonl")

        def shown(source: str) -> str:
            # Never show where the service keeps files: "batch ID line 3", not "/srv/...:3".
            if source.startswith(jsonl + ":"):
                return f"batch {job_id} line {source[len(jsonl) + 1 :]}"
            return f"batch {job_id}" if source == jsonl else source

        state: JobState = "done"
        error: str | None = None
        try:
            asyncio.run(self._batch(job_id, sources, _Observer(self, job_id), shown))
        except asyncio.CancelledError:
            state = "queued" if self._stopping.is_set() else "cancelled"
        except SummarizerError as e:
            state, error = "failed", str(e)
        except Exception as e:  # a bug must not kill the thread that runs every job
            log.exception("job %s failed", job_id)
            state, error = "failed", f"internal error: {type(e).__name__}"
        with self._db() as db:
            db.execute(
                "UPDATE service_jobs SET state = ?, error = ?, finished_at = ? "
                "WHERE id = ? AND state = 'running'",
                (state, error, None if state == "queued" else time.time(), job_id),
            )
        if state in ("done", "failed", "cancelled"):
            Path(jsonl).unlink(missing_ok=True)
        self._changed()

    async def _batch(
        self,
        job_id: str,
        sources: list[str],
        observer: _Observer,
        shown: Callable[[str], str],
    ) -> None:
        task = asyncio.create_task(
            run_batch_async(
                sources,
                self.settings,
                store_path=self.store_path,
                endpoint=self._endpoint,
                observer=observer,
                public_urls_only=True,
                rename=shown,
            )
        )
        self._running = (job_id, asyncio.get_running_loop(), task)
        try:
            if self._stopping.is_set():
                task.cancel()
            await task
        finally:
            self._running = None
