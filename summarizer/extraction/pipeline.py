"""Article in, grounded event records out: prompt, cache, LLM call(s), grounding.

One article is one LLM call for all its events; on the embedded model a second, focused call
with a prompt of its own then asks only for the two kinds a small model misses in the first
answer (agreements and running totals), and the two answers are joined. An article too long
for the context is split on paragraph boundaries and the pieces' records are joined; so is one
whose answer was cut off at ``max_tokens``. The LLM endpoint (and the embedded server) is only set
up on the first cache miss, so a fully cached run never starts a model.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from summarizer.config import Settings, redact_url
from summarizer.errors import LLMOutputInvalidError, LLMOutputTruncatedError
from summarizer.extraction.cache import ResultCache, cache_key
from summarizer.extraction.candidates import candidate_sentences, numbered
from summarizer.extraction.grounding import (
    ARTICLE_KEY,
    GroundedExtraction,
    GroundedFollowUp,
    ground,
)
from summarizer.extraction.llm import LLM, MODE, Completion, Endpoint
from summarizer.extraction.local_model import LocalServer, model_identity
from summarizer.extraction.partial_json import complete_items, cut_item
from summarizer.extraction.prompts import Message, Prompt, load_prompt
from summarizer.extraction.rate_gate import RateGate
from summarizer.ingest.articles import Article
from summarizer.records import (
    ArticleResult,
    EventDate,
    EventRecord,
    ExtractedEvent,
    Extraction,
    Provenance,
    Usage,
)
from summarizer.schema_export import schema_sha256

log = logging.getLogger(__name__)

PROMPT_NAME = "extract_events"
#: The follow-up turn (embedded model): agreements and running totals only.
FOLLOW_UP_PROMPT_NAME = "extract_agreements_tallies"
#: The follow-up's own generation budget, as a share of the article's budget.
FOLLOW_UP_BUDGET_SHARE = 0.5
#: Slowest generation measured for the embedded model on 2 cores; sizes its max_tokens.
EMBEDDED_MIN_TOKENS_PER_S = 15.0
#: Slowest prompt processing measured for the embedded model on 2 cores.
EMBEDDED_MIN_PROMPT_TOKENS_PER_S = 40.0
#: A conservative bytes-per-token ratio (real ratios: ~4 for English, ~5 for Cyrillic).
BYTES_PER_TOKEN = 3.0
#: How often a piece whose answer was cut off is halved again.
MAX_SPLIT_DEPTH = 3


def prompt_label(prompt: Prompt) -> str:
    """``name@version:hash`` of a prompt, sent as a header with each call that renders it."""
    return f"{prompt.name}@{prompt.version}:{prompt.sha256[:16]}"


def estimate_tokens(text: str) -> int:
    """An upper estimate of a text's token count, without a tokenizer."""
    return int(len(text.encode("utf-8")) / BYTES_PER_TOKEN) + 1


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs: blank-line separated, else line separated."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    if len(blocks) == 1:
        blocks = [b.strip() for b in text.split("\n") if b.strip()]
    return blocks


def split_text(text: str, max_tokens: int) -> list[str]:
    """Pack paragraphs greedily into pieces of at most ``max_tokens`` (estimated).

    A single paragraph longer than the limit is split between sentences.
    """
    units: list[str] = []
    for para in paragraphs(text):
        if estimate_tokens(para) <= max_tokens:
            units.append(para)
        else:
            units.extend(s for s in re.split(r"(?<=[.!?])\s+", para) if s)
    pieces: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and estimate_tokens("\n\n".join([*current, unit])) > max_tokens:
            pieces.append("\n\n".join(current))
            current = []
        current.append(unit)
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def halve(text: str) -> list[str] | None:
    """Split a text into two pieces at the paragraph nearest its middle, if it has two."""
    parts = paragraphs(text)
    if len(parts) < 2:
        return None
    total = sum(len(p) for p in parts)
    running, cut = 0, 1
    for i, part in enumerate(parts[:-1], start=1):
        running += len(part)
        cut = i
        if running >= total / 2:
            break
    return ["\n\n".join(parts[:cut]), "\n\n".join(parts[cut:])]


class CachedExtraction(BaseModel):
    """What the cache stores for one article: grounded events, before ids are assigned."""

    events: list[ExtractedEvent]
    warnings: list[str] = Field(default_factory=list)
    model_answered: str
    usage: Usage


@dataclass
class _PieceResult:
    events: list[ExtractedEvent]
    warnings: list[str]
    usage: Usage
    model_answered: str
    follow_up: bool = False


def _add_usage(a: Usage, b: Usage) -> Usage:
    return Usage(
        calls=a.calls + b.calls,
        prompt_tokens=a.prompt_tokens + b.prompt_tokens,
        completion_tokens=a.completion_tokens + b.completion_tokens,
    )


#: Below this many seconds of generation left, an article's next call is not started.
MIN_CALL_S = 5.0


@dataclass
class _Budget:
    """Generation seconds one article may still spend; ``None`` means unbounded."""

    remaining: float | None

    def spend(self, seconds: float) -> None:
        if self.remaining is not None:
            self.remaining -= seconds

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining < MIN_CALL_S

    def tokens(self, cap: int) -> int:
        """``max_tokens`` for the next call: what the remaining time can generate."""
        if self.remaining is None:
            return cap
        return max(64, min(cap, int(self.remaining * EMBEDDED_MIN_TOKENS_PER_S)))


#: Fields written after the figures: an event cut off among them lost only these.
_AFTER_COUNTS = ("claimed_by", "round_number")


def _salvage(partial: str) -> tuple[Extraction, str]:
    """The schema-valid events of a cut-off answer, and a warning that says what was kept.

    Every event written out in full is kept. So is the event the cut fell in, if the cut came
    after its figures (only who claims it and a round number can be missing, and are then
    unknown); an event cut any earlier is dropped.
    """
    events = []
    for item in complete_items(partial)[:8]:
        try:
            events.append(ExtractedEvent.model_validate(item))
        except ValidationError:
            continue
    kept = f"kept the {len(events)} event(s) written out before the cut"
    cut = cut_item(partial)
    if cut is not None and len(events) < 8 and "counts" in cut:
        missing = [name for name in _AFTER_COUNTS if name not in cut]
        try:
            events.append(ExtractedEvent.model_validate(cut | dict.fromkeys(missing)))
        except ValidationError:
            pass
        else:
            kept += " and the one cut after its figures" + (
                f" ({', '.join(missing)} unknown)" if missing else ""
            )
    return Extraction(events=events), kept


def _grounded_salvage(
    partial: str, piece: str, label: str, max_tokens: int, *, own_evidence: bool = False
) -> tuple[list[ExtractedEvent], list[str]] | None:
    """What a cut-off answer still holds, grounded, with a first warning saying it was cut.

    Returns:
        The events and warnings, or ``None`` when no event of the answer can be kept.

    """
    salvaged, kept = _salvage(partial)
    if not salvaged.events:
        return None
    events, warnings = ground(salvaged, piece, label, own_evidence=own_evidence)
    warnings.insert(0, f"{label}answer cut off at max_tokens={max_tokens}; {kept}")
    return events, warnings


EndpointProvider = Callable[[], AbstractContextManager[Endpoint]]


class _EmbeddedEndpoint(AbstractContextManager[Endpoint]):
    def __init__(self, settings: Settings) -> None:
        self._server = LocalServer(settings)
        self._settings = settings

    def __enter__(self) -> Endpoint:
        return Endpoint(base_url=self._server.start(), model=self._settings.model_name)

    def __exit__(self, *exc: object) -> None:
        self._server.stop()


class _RemoteEndpoint(AbstractContextManager[Endpoint]):
    def __init__(self, settings: Settings) -> None:
        assert settings.base_url is not None
        self._endpoint = Endpoint(
            base_url=settings.base_url,
            model=settings.model_name,
            api_key=settings.api_key,
            label=redact_url(settings.base_url),
        )

    def __enter__(self) -> Endpoint:
        return self._endpoint

    def __exit__(self, *exc: object) -> None:
        return None


def default_endpoint(settings: Settings) -> AbstractContextManager[Endpoint]:
    """The configured endpoint, or the embedded model served locally."""
    return (
        _EmbeddedEndpoint(settings) if settings.uses_embedded_model else _RemoteEndpoint(settings)
    )


class Extractor:
    """Extracts grounded records from articles with one prompt, one model and one cache.

    Use as a context manager: the model endpoint is opened on the first cache miss and
    closed on exit. :meth:`summarise` may be called from several threads at once: each thread
    gets its own HTTP client, all share the endpoint, the cache and one :class:`RateGate`.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        endpoint: EndpointProvider | None = None,
        prompt: Prompt | None = None,
        follow_up: bool | None = None,
    ) -> None:
        """Prepare an extractor; nothing is started until an article misses the cache.

        ``follow_up`` turns the agreements-and-tallies follow-up turn on or off; by default
        it is on for the embedded model only (a larger model finds those kinds at once).
        """
        self.settings = settings
        self.prompt = prompt or load_prompt(PROMPT_NAME)
        if follow_up is None:
            follow_up = settings.uses_embedded_model
        self.follow_up = load_prompt(FOLLOW_UP_PROMPT_NAME) if follow_up else None
        self._endpoint_provider: EndpointProvider = endpoint or (lambda: default_endpoint(settings))
        self._endpoint_cm: AbstractContextManager[Endpoint] | None = None
        self._endpoint: Endpoint | None = None
        self._lock = threading.Lock()
        self._local = threading.local()
        self._llms: list[LLM] = []
        self.gate = RateGate()
        self._cache = ResultCache(settings.cache_dir) if settings.use_cache else None
        self.max_tokens = self._max_tokens()

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the LLM clients, the embedded server and the cache."""
        with self._lock:
            for llm in self._llms:
                llm.close()
            self._llms.clear()
            self._local = threading.local()
            if self._endpoint_cm is not None:
                self._endpoint_cm.__exit__(None, None, None)
                self._endpoint_cm = None
                self._endpoint = None
        if self._cache is not None:
            self._cache.close()

    def _max_tokens(self) -> int:
        limit = self.settings.max_output_tokens
        if self.settings.uses_embedded_model:
            # Bound generation time: a model that starts looping stops within the budget.
            limit = min(limit, int(self.settings.generation_budget_s * EMBEDDED_MIN_TOKENS_PER_S))
        return limit

    @property
    def parameters(self) -> dict[str, float | int | str]:
        """Request parameters that decide the output (part of the cache key and provenance)."""
        parameters: dict[str, float | int | str] = {
            "temperature": 0,
            "seed": self.settings.seed,
            "max_tokens": self.max_tokens,
            "mode": MODE.value,
            "max_reasks": self.settings.max_reasks,
        }
        if self.follow_up is not None:
            f = self.follow_up
            parameters["follow_up_prompt"] = f"{f.name}@{f.version}:{f.sha256}"
            parameters["follow_up_max_tokens"] = self._follow_up_budget().tokens(self.max_tokens)
        return parameters

    def model_id(self) -> str:
        """Identity of the model for cache keys."""
        if self.settings.uses_embedded_model:
            return model_identity(self.settings)
        return f"{self.settings.base_url}|{self.settings.model_name}"

    def key_for(self, article: Article) -> str:
        """The cache key of an article under this extractor's prompt, schema and model."""
        return cache_key(
            model=self.model_id(),
            parameters=self.parameters,
            prompt=self.prompt.sha256,
            schema=schema_sha256(),
            article=article.sha256,
            published=article.published.value,
        )

    def _open_endpoint(self) -> Endpoint:
        """The endpoint, opened (the embedded server started) once, by the first caller."""
        if self._endpoint is None:
            self._endpoint_cm = self._endpoint_provider()
            self._endpoint = self._endpoint_cm.__enter__()
        return self._endpoint

    def _client(self) -> LLM:
        """The calling thread's client (an LLM keeps per-call state: threads never share one)."""
        llm: LLM | None = getattr(self._local, "llm", None)
        if llm is None:
            with self._lock:
                llm = LLM(
                    self._open_endpoint(),
                    # The embedded server is in this process: a fault there is not transient.
                    http_attempts=1
                    if self.settings.uses_embedded_model
                    else self.settings.http_attempts,
                    deadline_s=max(self.settings.timeout_s * 2, 300.0),
                    seed=self.settings.seed,
                    headers={
                        "X-Summarizer-Schema": schema_sha256()[:16],
                    },
                    gate=self.gate,
                )
                self._llms.append(llm)
            self._local.llm = llm
        return llm

    def summarise(self, article: Article) -> ArticleResult:
        """Extract the grounded records of one article (from the cache when possible).

        Raises:
            LLMError: The model failed in a way retries and splitting did not fix.

        """
        key = self.key_for(article)
        cached = self._cache.get(key, CachedExtraction) if self._cache is not None else None
        if cached is not None:
            usage = cached.usage.model_copy(update={"cached": True})
            return self._result(
                article, cached.events, cached.warnings, cached.model_answered, usage
            )
        started = time.perf_counter()
        piece_results = list(self._extract_pieces(article))
        events, joined = _join(piece_results)
        warnings = [w for r in piece_results for w in r.warnings] + joined
        usage = Usage()
        for r in piece_results:
            usage = _add_usage(usage, r.usage)
        answered = (
            piece_results[-1].model_answered if piece_results else self._client().endpoint.model
        )
        log.info(
            "%s: %d events in %.1fs (%d calls, %d+%d tokens)",
            article.id, len(events), time.perf_counter() - started,
            usage.calls, usage.prompt_tokens, usage.completion_tokens,
        )  # fmt: skip
        if self._cache is not None:
            self._cache.put(
                key,
                CachedExtraction(
                    events=events, warnings=warnings, model_answered=answered, usage=usage
                ),
            )
        return self._result(article, events, warnings, answered, usage)

    def _budget_for_article(self) -> int:
        static = estimate_tokens(
            "".join(
                m.content
                for m in self.prompt.render({"publication_date": "unknown", "article": ""})
            )
        )
        # Leave room for the answer and for one re-ask (previous answer + error list).
        return self.settings.context_tokens - static - 2 * self.max_tokens - 512

    def _extract_pieces(self, article: Article) -> Iterator[_PieceResult]:
        limit = self._budget_for_article()
        pieces = (
            split_text(article.text, limit)
            if estimate_tokens(article.text) > limit
            else [article.text]
        )
        budget = _Budget(
            self.settings.generation_budget_s if self.settings.uses_embedded_model else None
        )
        for index, piece in enumerate(pieces):
            label = f"piece {index + 1}/{len(pieces)}: " if len(pieces) > 1 else ""
            if budget.exhausted:
                yield _PieceResult(
                    [],
                    [
                        f"{label}not read: the article's {self.settings.generation_budget_s:.0f} s "
                        "generation budget was used up"
                    ],
                    Usage(),
                    self.settings.model_name,
                )
                continue
            yield from self._extract_piece(article, piece, label, 0, budget)
            if self.follow_up is not None:
                yield self._follow_up(article, piece, label, self.follow_up)

    def _ask(
        self,
        prompt: Prompt,
        messages: list[Message],
        response_model: type[GroundedExtraction],
        piece: str,
        *,
        max_tokens: int,
        timeout_s: float,
        budget: _Budget,
    ) -> Completion:
        """One structured call rendering ``prompt``, grounded in ``piece``, within ``budget``."""
        return self._client().extract(
            [m.as_dict() for m in messages],
            response_model=response_model,
            context={ARTICLE_KEY: piece},
            max_tokens=max_tokens,
            timeout_s=timeout_s,
            max_reasks=self.settings.max_reasks,
            generation_budget_s=budget.remaining,
            headers={"X-Summarizer-Prompt": prompt_label(prompt)},
        )

    def _extract_piece(
        self, article: Article, piece: str, label: str, depth: int, budget: _Budget
    ) -> Iterator[_PieceResult]:
        messages = self.prompt.render(
            {"publication_date": article.published.value or "unknown", "article": piece}
        )
        max_tokens = budget.tokens(self.max_tokens)
        try:
            completion = self._ask(
                self.prompt,
                messages,
                GroundedExtraction,
                piece,
                max_tokens=max_tokens,
                timeout_s=self._timeout_for(piece),
                budget=budget,
            )
        except LLMOutputTruncatedError as e:
            budget.spend(e.generation_s)
            usage = e.usage if isinstance(e.usage, Usage) else Usage()
            model = self._client().endpoint.model
            halves = halve(piece) if depth < MAX_SPLIT_DEPTH and budget.remaining is None else None
            if halves is None:
                # No time (or no way) to read it again: keep the events written out in full
                # before the cut, and say so.
                salvaged = _grounded_salvage(e.partial, piece, label, max_tokens)
                if salvaged is None:
                    raise
                yield _PieceResult(*salvaged, usage, model)
                return
            yield _PieceResult([], [], usage, model)  # the cut-off answer's tokens count too
            log.warning(
                "%s: %sanswer cut off at max_tokens; splitting the text in two", article.id, label
            )
            for i, half in enumerate(halves):
                yield from self._extract_piece(
                    article, half, f"{label}half {i + 1}: ", depth + 1, budget
                )
            return
        budget.spend(completion.generation_s)
        events, warnings = ground(completion.extraction, piece, label)
        if completion.validation_error is not None:
            warnings.insert(
                0,
                f"{label}output still failed grounding after {completion.usage.calls} attempt(s) "
                "(re-asks or generation budget used up); dropped what is ungrounded",
            )
        yield _PieceResult(events, warnings, completion.usage, completion.model_answered)

    def _follow_up_budget(self) -> _Budget:
        return _Budget(self.settings.generation_budget_s * FOLLOW_UP_BUDGET_SHARE)

    def _follow_up(
        self, article: Article, piece: str, label: str, follow_up: Prompt
    ) -> _PieceResult:
        """Ask again, with a prompt of its own, for agreements and running totals only.

        The model gets the article and, under it, the sentences picked as candidates for those
        two kinds; with none, no call is made. It has its own share of the generation budget;
        a cut-off or invalid answer keeps what is complete and says so, since the main answer
        already stands.
        """
        label = f"{label}follow-up: "
        model = self.settings.model_name
        candidates = candidate_sentences(piece)
        if not candidates:
            return _PieceResult([], [], Usage(), model, True)
        messages = follow_up.render(
            {
                "publication_date": article.published.value or "unknown",
                "article": piece,
                "candidates": numbered(candidates),
            }
        )
        budget = self._follow_up_budget()
        max_tokens = budget.tokens(self.max_tokens)
        try:
            completion = self._ask(
                follow_up,
                messages,
                GroundedFollowUp,
                piece,
                max_tokens=max_tokens,
                # Its prompt is not the cached one of the main call: all of it may be read.
                timeout_s=self._timeout_for("".join(m.content for m in messages)),
                budget=budget,
            )
        except LLMOutputTruncatedError as e:
            usage = e.usage if isinstance(e.usage, Usage) else Usage()
            events, warnings = _grounded_salvage(
                e.partial, piece, label, max_tokens, own_evidence=True
            ) or (
                [],
                [
                    f"{label}answer cut off at max_tokens={max_tokens}; kept the 0 event(s) "
                    "written out before the cut"
                ],
            )
            return _PieceResult(_only_follow_up_kinds(events), warnings, usage, model, True)
        except LLMOutputInvalidError as e:
            return _PieceResult([], [f"{label}answer not used: {e}"], Usage(), model, True)
        events, warnings = ground(completion.extraction, piece, label, own_evidence=True)
        if completion.validation_error is not None:
            warnings.insert(
                0,
                f"{label}output still failed grounding after {completion.usage.calls} "
                "attempt(s); dropped what is ungrounded",
            )
        return _PieceResult(events, warnings, completion.usage, completion.model_answered, True)

    def _timeout_for(self, piece: str) -> float:
        if not self.settings.uses_embedded_model:
            return self.settings.timeout_s
        prompt_s = (estimate_tokens(piece) + 2000) / EMBEDDED_MIN_PROMPT_TOKENS_PER_S
        # Twice the time at the slowest measured speeds: a machine shared with other work
        # halves them (seen: 25 prompt and 10 generated tokens/s), and a timeout loses the
        # whole article while a slow answer only costs time.
        return 2 * (self.settings.generation_budget_s + prompt_s)

    def _result(
        self,
        article: Article,
        events: list[ExtractedEvent],
        warnings: list[str],
        answered: str,
        usage: Usage,
    ) -> ArticleResult:
        meta = article.meta()
        records = [_record(meta.id, i, event, article) for i, event in enumerate(events)]
        return ArticleResult(
            article=meta,
            records=records,
            warnings=[*article.notes, *warnings],
            provenance=Provenance(
                prompt_name=self.prompt.name,
                prompt_version=self.prompt.version,
                prompt_sha256=self.prompt.sha256,
                schema_sha256=schema_sha256(),
                model_requested=self.settings.model_name,
                model_answered=answered,
                endpoint="embedded"
                if self.settings.uses_embedded_model
                else redact_url(str(self.settings.base_url)),
                parameters=self.parameters,
            ),
            usage=usage,
        )


def _same_passage(a: ExtractedEvent, b: ExtractedEvent) -> bool:
    return any(x in y or y in x for x in a.evidence for y in b.evidence)


def _join(results: list[_PieceResult]) -> tuple[list[ExtractedEvent], list[str]]:
    """Join the main and follow-up answers.

    A follow-up event repeating a main one (same kind, a shared passage) is dropped. A main
    prisoner_exchange is dropped when the follow-up, asked about that very sentence, read it
    as a running total with the same figure: the single-swap reading is the small model's
    known confusion, and a tally must never be shown as an exchange.
    """
    main = [e for r in results if not r.follow_up for e in r.events]
    tallies = [e for r in results if r.follow_up for e in r.events if e.kind == "cumulative_tally"]
    kept: list[ExtractedEvent] = []
    warnings: list[str] = []
    for result in results:
        for event in result.events:
            if result.follow_up and any(
                e.kind == event.kind and _same_passage(e, event) for e in main
            ):
                warnings.append(
                    f"follow-up {event.kind} {event.evidence[0]!r}: dropped as a repeat"
                )
                continue
            figures = {c.value for c in event.counts if c.value is not None}
            if (
                not result.follow_up
                and event.kind == "prisoner_exchange"
                and any(
                    _same_passage(t, event) and figures & {c.value for c in t.counts}
                    for t in tallies
                )
            ):
                warnings.append(
                    f"prisoner_exchange {event.evidence[0]!r}: dropped, the follow-up read "
                    "it as a running total"
                )
                continue
            kept.append(event)
    return kept, warnings


def _only_follow_up_kinds(events: list[ExtractedEvent]) -> list[ExtractedEvent]:
    # A salvaged cut-off answer is parsed without the follow-up's narrower schema.
    return [e for e in events if e.kind in ("agreement", "cumulative_tally")]


def _record(article_id: str, index: int, event: ExtractedEvent, article: Article) -> EventRecord:
    data: dict[str, Any] = event.model_dump(exclude={"date"})
    return EventRecord(
        id=f"{article_id}#{index}",
        article_id=article_id,
        event_date=EventDate.parse(event.date),
        publication_date=article.published,
        **data,
    )
