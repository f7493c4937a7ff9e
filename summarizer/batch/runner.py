"""Batch processing: many inputs, concurrently, resumable, accounted.

An asyncio loop schedules the inputs, at most ``concurrency`` at a time; each input is read
and extracted in a worker thread (the extractor gives every thread its own HTTP client and
shares one rate gate, so a 429 pauses all workers instead of each finding it alone). Every
finished article is written to the SQLite results store in its own transaction as it finishes,
so a killed batch loses nothing that had finished and a re-run skips it. One bad input or one
article the LLM fails on is recorded with its reason; the batch goes on.

Runs may share a store: each article is claimed in the store before it is extracted (the claim
renewed while it is in progress), and an article another live run holds is left to it and
come back to at the end: by then it is done (resumed from the store) or its claim has lapsed
(the other run was killed) and this run does it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from summarizer import __version__
from summarizer.batch.pricing import Price, load_prices, price_for
from summarizer.batch.store import (
    LEASE_S,
    Busy,
    Claimed,
    FailedElsewhere,
    ResultStore,
    Stored,
    StoreError,
)
from summarizer.config import FetchLinks, Settings
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.extraction.pipeline import EndpointProvider, Extractor
from summarizer.ingest.articles import Article
from summarizer.ingest.fetch import Fetcher
from summarizer.ingest.sources import Item, Pending, iter_inputs
from summarizer.records import ArticleResult
from summarizer.timeline.merge import merge, sourced_records
from summarizer.timeline.render import timeline_json, timeline_markdown

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How often a run looks again at an article another run holds.
WAIT_POLL_S = 0.5

Status = Literal["done", "cached", "resumed", "failed", "duplicate"]


@dataclass(frozen=True)
class Outcome:
    """What became of one input.

    Attributes:
        source: The input (path, URL, ``file:line`` or ``feed#entry``).
        status: ``done`` (extracted now), ``cached`` (from the extraction cache), ``resumed``
            (finished by an earlier run, taken from the store), ``failed`` or ``duplicate``
            (the same text as an earlier input).
        result: The article's records, unless failed or duplicate.
        error: Why it failed.
        unreadable: It failed because the input could not be read (not because of the LLM).
        reprocessed: A result finished by an earlier run was made again (``--reprocess``).
        made_by: The package version that made a ``resumed`` result (``None``: not recorded).
        key: The article's key in the store (``None`` when it never got one).

    """

    source: str
    status: Status
    result: ArticleResult | None = None
    error: str | None = None
    unreadable: bool = False
    reprocessed: bool = False
    made_by: str | None = None
    key: str | None = None


class BatchObserver(Protocol):
    """Follows a batch as it runs (the CLI's progress bar)."""

    def started(self, total: int) -> None:
        """The inputs are listed: ``total`` of them."""

    def finished(self, outcome: Outcome) -> None:
        """One input is finished (in whatever way)."""


@dataclass
class BatchReport:
    """The outcome of a batch, in input order, and what it cost."""

    outcomes: list[Outcome]
    elapsed_s: float
    model: str
    concurrency: int
    store: Path
    price: Price | None
    reprocess: bool = False

    @property
    def results(self) -> list[ArticleResult]:
        """Every finished article (now, from the cache or from an earlier run)."""
        return [o.result for o in self.outcomes if o.result is not None]

    @property
    def failures(self) -> list[tuple[str, str]]:
        """``(source, reason)`` of every failed input."""
        return [(o.source, o.error or "failed") for o in self.outcomes if o.status == "failed"]

    @property
    def unreadable(self) -> int:
        """Inputs that could not be read."""
        return sum(1 for o in self.outcomes if o.unreadable)

    @property
    def counts(self) -> dict[str, int]:
        """Inputs per status."""
        found = Counter(o.status for o in self.outcomes)
        return {s: found.get(s, 0) for s in ("done", "cached", "resumed", "failed", "duplicate")}

    @property
    def reprocessed(self) -> int:
        """Articles finished by an earlier run and made again (``--reprocess``)."""
        return sum(1 for o in self.outcomes if o.reprocessed)

    @property
    def made_by_other_versions(self) -> Counter[str]:
        """Resumed results per package version that made them, when not this one."""
        return Counter(
            o.made_by or "unknown"
            for o in self.outcomes
            if o.status == "resumed" and o.made_by != __version__
        )

    @property
    def tokens(self) -> tuple[int, int]:
        """Prompt and completion tokens this run spent (cached and resumed ones spent none)."""
        spent = [o.result.usage for o in self.outcomes if o.status == "done" and o.result]
        return sum(u.prompt_tokens for u in spent), sum(u.completion_tokens for u in spent)

    @property
    def cost_usd(self) -> float | None:
        """What this run's tokens cost, or ``None`` when the model has no price."""
        return None if self.price is None else self.price.cost(*self.tokens)

    def as_json(self) -> dict[str, Any]:
        """The report as a JSON-ready document."""
        prompt, completion = self.tokens
        return {
            "counts": self.counts,
            "reprocessed": self.reprocessed,
            "inputs": len(self.outcomes),
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "cost_usd": self.cost_usd,
            "model": self.model,
            "concurrency": self.concurrency,
            "elapsed_s": round(self.elapsed_s, 3),
            "store": str(self.store),
            "failures": [{"source": s, "error": e} for s, e in self.failures],
        }

    def as_text(self) -> str:
        """The final report as a few readable lines."""
        c = self.counts
        prompt, completion = self.tokens
        cost = (
            f"${self.cost_usd:.4f}"
            if self.cost_usd is not None
            else f"unknown (no price for {self.model!r}; give --prices)"
        )
        reprocessed = f"; {self.reprocessed} reprocessed" if self.reprocess else ""
        lines = [
            f"articles: {c['done'] + c['cached'] + c['resumed']} done "
            f"({c['done']} extracted, {c['cached']} from the cache, {c['resumed']} from an "
            f"earlier run{reprocessed}), {c['failed']} failed, {c['duplicate']} duplicate",
            f"tokens: {prompt:,} prompt + {completion:,} completion; cost: {cost}",
            f"model: {self.model}; concurrency {self.concurrency}; "
            f"{self.elapsed_s:.1f}s; store: {self.store}",
        ]
        older = self.made_by_other_versions
        if older:
            versions = ", ".join(
                f"{n} by {'an unrecorded version' if v == 'unknown' else v}"
                for v, n in sorted(older.items())
            )
            lines.append(
                f"from an earlier run of another version: {versions}; --reprocess makes "
                f"them again with {__version__}"
            )
        if self.failures:
            lines.append("failed:")
            lines += [f"  {source}: {error}" for source, error in self.failures]
        return "\n".join(lines) + "\n"


def write_outputs(report: BatchReport, out_dir: Path) -> list[Path]:
    """Write the merged timeline (JSON, Markdown), the per-article records and the report.

    Returns:
        The files written.

    """
    out_dir.mkdir(parents=True, exist_ok=True)
    timeline = merge(sourced_records(report.results))
    files = {
        "timeline.json": timeline_json(timeline),
        "timeline.md": timeline_markdown(timeline),
        "records.jsonl": "".join(r.model_dump_json() + "\n" for r in report.results),
        "report.json": json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n",
    }
    written = []
    for name, text in files.items():
        path = out_dir / name
        partial = path.with_suffix(path.suffix + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)  # never a half-written output file
        written.append(path)
    return written


@dataclass(frozen=True)
class _Held:
    """An article another run held when this run came to it."""

    index: int
    source: str
    article: Article
    key: str


@dataclass
class _Run:
    store: ResultStore
    extractor: Extractor
    pool: ThreadPoolExecutor
    observer: BatchObserver | None
    reprocess: bool = False
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    held: list[_Held] = field(default_factory=list)
    abort: ConfigError | None = None
    rename: Callable[[str], str] = str

    async def in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    def finish(self, index: int, outcome: Outcome) -> None:
        self.outcomes[index] = outcome
        if outcome.status == "failed" and outcome.unreadable:
            self.store.save_input_failure(outcome.source, outcome.error or "")
        if self.observer is not None:
            self.observer.finished(outcome)

    async def process(self, index: int, item: Item, slots: asyncio.Semaphore) -> None:
        try:
            await self._process(index, item, slots)
        except StoreError as e:  # nothing more can be kept: stop, and say it in one line
            self.abort = self.abort or e

    async def _process(self, index: int, item: Item, slots: asyncio.Semaphore) -> None:
        name = self.rename
        if isinstance(item, Article | Pending):
            source = name(item.source)
        else:
            failed = Outcome(name(item.source), "failed", error=item.reason, unreadable=True)
            self.finish(index, failed)
            return
        async with slots:
            if self.abort is not None:
                return
            if isinstance(item, Pending):
                try:
                    item = await self.in_thread(item.load)
                except InputError as e:
                    failed = Outcome(name(e.source), "failed", error=e.reason, unreadable=True)
                    self.finish(index, failed)
                    return
            if item.source != source:
                item = replace(item, source=source)
            await self.extract(index, source, item)

    async def extract(self, index: int, source: str, article: Article) -> None:
        if article.sha256 in self.seen:
            self.finish(index, Outcome(source, "duplicate"))
            return
        self.seen.add(article.sha256)
        key = self.extractor.key_for(article)
        claim = self.store.claim(key, reprocess=self.reprocess)
        if isinstance(claim, Busy):
            self.held.append(_Held(index, source, article, key))  # come back at the end
            return
        await self.settle(index, source, article, key, claim)

    async def come_back(self, held: _Held, slots: asyncio.Semaphore) -> None:
        """Wait until the run holding the article finishes it or its claim lapses."""
        try:
            while self.abort is None:
                async with slots:
                    if self.abort is not None:
                        return
                    claim = self.store.claim(held.key, reprocess=self.reprocess)
                    if not isinstance(claim, Busy):
                        await self.settle(held.index, held.source, held.article, held.key, claim)
                        return
                await asyncio.sleep(WAIT_POLL_S)
        except StoreError as e:
            self.abort = self.abort or e

    async def settle(
        self,
        index: int,
        source: str,
        article: Article,
        key: str,
        claim: Stored | Claimed | FailedElsewhere,
    ) -> None:
        """Finish an article as the store says: already done, failed elsewhere, or do it."""
        if isinstance(claim, Stored):
            self.finish(
                index,
                Outcome(source, "resumed", result=claim.result, made_by=claim.version, key=key),
            )
            return
        if isinstance(claim, FailedElsewhere):
            self.finish(index, Outcome(source, "failed", error=claim.error, key=key))
            return
        try:
            result = await self.in_thread(self.extractor.summarise, article)
        except ConfigError as e:
            self.abort = e  # nothing else can succeed either (e.g. no model installed)
            return
        except SummarizerError as e:  # the LLM failed after its retries, or the like
            error = str(e)
        except Exception as e:  # one article's bug must not sink the batch; say what it was
            log.debug("%s: unexpected error", source, exc_info=True)
            error = f"internal error: {type(e).__name__}: {e}"
        else:
            self.store.save_result(key, result, article.text)
            status: Status = "cached" if result.usage.cached else "done"
            self.finish(
                index,
                Outcome(source, status, result=result, reprocessed=claim.replaces, key=key),
            )
            return
        self.store.save_failure(key, article.sha256, article.id, source, error)
        self.finish(index, Outcome(source, "failed", error=error, key=key))


async def _keep_claims(store: ResultStore) -> None:
    """Renew this run's claims well before they lapse, for as long as the run goes on."""
    while True:
        await asyncio.sleep(LEASE_S / 3)
        try:
            store.renew()
        except StoreError as e:  # a store that fails here fails the next save too, loudly
            log.debug("could not renew the claims: %s", e)


async def run_batch_async(
    sources: Sequence[str],
    settings: Settings,
    *,
    store_path: Path,
    fetch_links: FetchLinks = FetchLinks.auto,
    endpoint: EndpointProvider | None = None,
    observer: BatchObserver | None = None,
    reprocess: bool = False,
    public_urls_only: bool = False,
    rename: Callable[[str], str] | None = None,
) -> BatchReport:
    """:func:`run_batch` as a coroutine, for callers with their own event loop.

    Cancelling it stops the batch: what finished is in the store, answers still on their way
    are not waited for (a later run over the same sources does the rest).

    Args:
        sources: As for :func:`run_batch`.
        settings: As for :func:`run_batch`.
        store_path: As for :func:`run_batch`.
        fetch_links: As for :func:`run_batch`.
        endpoint: As for :func:`run_batch`.
        observer: As for :func:`run_batch`.
        reprocess: As for :func:`run_batch`.
        public_urls_only: Refuse every URL (named ones too, not only links found in feeds)
            that leads to a loopback, private, link-local, multicast or reserved address,
            unless ``settings.allow_private_links``: for sources named by remote clients.
        rename: How inputs are named in outcomes and results (e.g. a line of a file the
            caller keeps somewhere it does not want shown).

    Returns:
        As :func:`run_batch`.

    """
    started = time.perf_counter()
    price = price_for(
        load_prices(settings.prices), settings.model_name, embedded=settings.uses_embedded_model
    )
    concurrency = settings.batch_concurrency
    if settings.uses_embedded_model and concurrency > 1:
        log.warning(
            "the embedded model answers one request at a time on this machine's cores; "
            "running the batch with concurrency 1 instead of %d",
            concurrency,
        )
        concurrency = 1
    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="summarizer-batch")
    finished = False
    try:
        with (
            Fetcher(
                timeout_s=settings.fetch_timeout_s,
                allow_private_links=settings.allow_private_links,
                public_only=public_urls_only,
            ) as fetcher,
            ResultStore(store_path) as store,
            Extractor(settings, endpoint=endpoint) as extractor,
        ):
            run = _Run(store, extractor, pool, observer, reprocess, rename=rename or str)
            renewing = asyncio.create_task(_keep_claims(store))
            try:
                items = await run.in_thread(
                    lambda: list(
                        iter_inputs(list(sources), fetcher=fetcher, fetch_links=fetch_links)
                    )
                )
                if observer is not None:
                    observer.started(len(items))
                slots = asyncio.Semaphore(concurrency)
                await asyncio.gather(*(run.process(i, item, slots) for i, item in enumerate(items)))
                if run.held and run.abort is None:
                    log.warning(
                        "%d article(s) are being done by another run on %s; waiting for it",
                        len(run.held),
                        store_path,
                    )
                    await asyncio.gather(*(run.come_back(h, slots) for h in run.held))
            finally:
                renewing.cancel()
            finished = True
    finally:
        # Interrupted: do not wait for answers nobody will store (what finished is committed).
        pool.shutdown(wait=finished, cancel_futures=True)
    if run.abort is not None:
        raise run.abort
    return BatchReport(
        outcomes=[run.outcomes[i] for i in sorted(run.outcomes)],
        elapsed_s=time.perf_counter() - started,
        model=settings.model_name,
        concurrency=concurrency,
        store=store_path,
        price=price,
        reprocess=reprocess,
    )


def run_batch(
    sources: Sequence[str],
    settings: Settings,
    *,
    store_path: Path,
    fetch_links: FetchLinks = FetchLinks.auto,
    endpoint: EndpointProvider | None = None,
    observer: BatchObserver | None = None,
    reprocess: bool = False,
) -> BatchReport:
    """Extract the records of every article in the sources, concurrently and resumably.

    Args:
        sources: Folders, article files, ``.jsonl`` files, feed files, feed or page URLs.
        settings: Resolved settings (concurrency, endpoint, cache, prices, fetch timeout).
        store_path: The SQLite results store; finished articles in it are not redone.
        fetch_links: When a feed entry's linked page is read instead of the entry's text.
        endpoint: Override the LLM endpoint (tests).
        observer: Told when the inputs are listed and as each one finishes.
        reprocess: Extract again the articles an earlier run finished (the extraction cache
            answers for the model, so only the post-processing runs again) and replace their
            stored results.

    Returns:
        Every input's outcome in input order, with token and cost totals.

    Raises:
        ConfigError: Nothing can succeed (no model installed, bad settings or price file), or
            the store cannot be used (:class:`~summarizer.batch.store.StoreError`: not a
            store, damaged, not writable); what finished before is kept in the store.

    """
    return asyncio.run(
        run_batch_async(
            sources,
            settings,
            store_path=store_path,
            fetch_links=fetch_links,
            endpoint=endpoint,
            observer=observer,
            reprocess=reprocess,
        )
    )
