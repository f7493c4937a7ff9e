"""One article through the service: read, answer from the store, else queue, summarise, keep.

Shared by ``POST /v1/articles`` and the page's form. The article's time budget covers the wait
in the queue and the summary; when it runs out the client gets 504, and the summary still
finishes and is kept in the store (asking again then answers at once).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from summarizer.records import ArticleResult
from summarizer.service.core import Service
from summarizer.service.limits import AdmissionGate
from summarizer.service.models import ArticleRequest


@dataclass(frozen=True)
class Summary:
    """An article's summary: made now (``result``) or as the store keeps it (``stored``)."""

    article_id: str
    result: ArticleResult | None = None
    stored: str | None = None

    def json(self) -> str:
        """The ArticleResult as JSON."""
        if self.stored is not None:
            return self.stored
        assert self.result is not None
        return self.result.model_dump_json()


class BudgetExceededError(Exception):
    """The article's time budget ran out before its summary was ready."""

    def __init__(self, budget_s: float, queued: bool) -> None:
        where = "waiting in the queue" if queued else "while it was being summarised"
        super().__init__(
            f"the article's time budget ({budget_s:g}s) ran out {where}"
            + ("" if queued else "; its summary will be kept in the store when it is done")
        )


async def summarise_request(
    service: Service, gate: AdmissionGate, request: ArticleRequest
) -> Summary:
    """Summarise what a request names, once: a stored result answers at once.

    Raises:
        InputError: The article cannot be read or fetched.
        QueueFullError: Every slot is busy and the queue is full.
        BudgetExceededError: The budget ran out (the summary goes on and is kept).
        LLMError: The model failed after its retries.
        ConfigError: No model can be used.

    """
    budget = service.service.article_timeout_s
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    article, stored = await run_in_threadpool(service.lookup, request)
    if stored is not None:
        service.metrics.summaries.labels("stored").inc()
        return Summary(article.id, stored=stored)
    try:
        await asyncio.wait_for(gate.acquire(), max(0.0, deadline - loop.time()))
    except TimeoutError:
        service.metrics.summaries.labels("timeout").inc()
        raise BudgetExceededError(budget, queued=True) from None
    started = time.perf_counter()
    future = loop.run_in_executor(service.pool, service.summarise_now, article)

    def done(finished: asyncio.Future[ArticleResult]) -> None:
        gate.release(time.perf_counter() - started)
        if not finished.cancelled():
            finished.exception()  # seen here, even when nobody waits for it any more

    future.add_done_callback(done)
    try:
        result = await asyncio.wait_for(asyncio.shield(future), max(0.0, deadline - loop.time()))
    except TimeoutError:
        service.metrics.summaries.labels("timeout").inc()
        raise BudgetExceededError(budget, queued=False) from None
    except Exception:
        service.metrics.summaries.labels("failed").inc()
        raise
    service.metrics.summaries.labels("made").inc()
    return Summary(article.id, result=result)
