"""Article in, grounded ``ArticleResult`` out: segments, candidates, one call, code reads the rest.

1. The article is split into numbered segments (sentences; headlines, sub-headings, bylines,
   timestamps and sentences that give instructions marked as such) and its publication date is
   taken from its metadata or, failing that, from a date line at its top.
2. Relevance first: the segments that may report an event are the candidates; with none, no
   model call is made and the article has no events.
3. The model sees the candidates numbered 1..n and answers, per event, the sentences it cites,
   the kind, the figures with who received them, the date words and who said it. The raw
   answer is cached (keyed by model, request parameters, the rendered messages and the
   schema), so that every change to what follows applies to cached answers at no model cost.
4. Grounding reads evidence, figures, dates, places, mediators and rounds from the cited text
   (:mod:`grounding`), and an article's reports of one event are folded into one record
   (:mod:`folding`).

The LLM adapter (openai, instructor) is imported and the endpoint (or the embedded server) set
up only on the first cache miss, so a fully cached run never loads a model or the SDKs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from summarizer.config import Settings, redact_url
from summarizer.errors import LLMOutputTruncatedError
from summarizer.extraction.answers import ARRAY_END, answer_model, parse_answer
from summarizer.extraction.cache import ResultCache, cache_key
from summarizer.extraction.candidates import candidates, is_primary
from summarizer.extraction.dates import month_day, publication_date_in_text
from summarizer.extraction.endpoint import MODE_NAME, Endpoint
from summarizer.extraction.folding import as_each_side, fold, link_agreements
from summarizer.extraction.grounding import (
    ArticleView,
    Draft,
    could_report,
    follows_a_swap,
    needs_recipient,
    read_sentence,
    short,
)
from summarizer.extraction.local_model import LocalServer, model_identity
from summarizer.extraction.prompts import Message, Prompt, load_prompt
from summarizer.extraction.rate_gate import RateGate
from summarizer.extraction.reading_budget import ReadingBudget
from summarizer.extraction.segments import Segment, split_segments
from summarizer.ingest.articles import Article
from summarizer.records import (
    ArticleResult,
    EventRecord,
    Evidence,
    Provenance,
    Usage,
)
from summarizer.schema_export import schema_sha256

if TYPE_CHECKING:
    from summarizer.extraction.llm import LLM, Completion

log = logging.getLogger(__name__)

PROMPT_NAME = "extract_events"
#: Slowest generation measured for the embedded model on 2 cores; sizes its max_tokens.
EMBEDDED_MIN_TOKENS_PER_S = 15.0
#: Longest one call may generate for (a model that starts looping stops within it).
EMBEDDED_CALL_GENERATION_S = 60.0
#: Slowest prompt processing measured for the embedded model on 2 cores.
EMBEDDED_MIN_PROMPT_TOKENS_PER_S = 40.0
#: A conservative bytes-per-token ratio (real ratios: ~4 for English, ~5 for Cyrillic).
BYTES_PER_TOKEN = 3.0
PARTIES = ["Russia", "Ukraine"]


def estimated_seconds(sentence: str, completion_tokens: int) -> float:
    """What one request costs the embedded model on two cores, from its text and answer.

    Fitted on the development set's recording (258 requests, mean error 0.34 s): a fixed
    0.3 s, 6.9 ms per byte of the sentence (about 40 ms per token read) and 0.15 s per token
    generated.
    """
    return 0.3 + 0.0069 * len(sentence.encode()) + 0.15 * completion_tokens


def prompt_label(prompt: Prompt) -> str:
    """``name@version:hash`` of a prompt, sent as a header with each call that renders it."""
    return f"{prompt.name}@{prompt.version}:{prompt.sha256[:16]}"


def estimate_tokens(text: str) -> int:
    """An upper estimate of a text's token count, without a tokenizer."""
    return int(len(text.encode("utf-8")) / BYTES_PER_TOKEN) + 1


class CachedAnswer(BaseModel):
    """What the cache keeps for one request: the model's raw answer, never a processed result."""

    raw: str
    model_answered: str
    usage: Usage
    truncated: bool = False
    validation_error: str | None = Field(default=None, max_length=2000)


def _add_usage(a: Usage, b: Usage) -> Usage:
    return Usage(
        calls=a.calls + b.calls,
        prompt_tokens=a.prompt_tokens + b.prompt_tokens,
        completion_tokens=a.completion_tokens + b.completion_tokens,
        seconds=round(a.seconds + b.seconds, 3),
        cached=a.cached and b.cached,
    )


EndpointProvider = Callable[[], AbstractContextManager[Endpoint]]


class _EmbeddedEndpoint(AbstractContextManager[Endpoint]):
    def __init__(self, settings: Settings, prompt: Prompt | None) -> None:
        # The reading of the prompt is kept with the cache (not an answer: it changes no
        # output, only how soon the first one comes); --no-cache runs read it anew.
        state_dir = settings.cache_dir / "prompt-state" if settings.use_cache else None
        self._server = LocalServer(settings, state_dir)
        self._settings = settings
        self._prompt = prompt

    def __enter__(self) -> Endpoint:
        base_url = self._server.start()
        if self._prompt is not None:
            # The static part of every request (instructions and worked examples) is read
            # once now, so that the first article pays for its own sentences only.
            static = self._prompt.render({"sentence": ""})[:-1]
            self._server.warm([m.as_dict() for m in static], self._prompt.sha256)
        return Endpoint(base_url=base_url, model=self._settings.model_name)

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


def default_endpoint(
    settings: Settings, prompt: Prompt | None = None
) -> AbstractContextManager[Endpoint]:
    """The configured endpoint, or the embedded model served locally.

    Args:
        settings: Where requests go.
        prompt: The prompt the embedded model reads ahead when it starts (optional).

    """
    if settings.uses_embedded_model:
        return _EmbeddedEndpoint(settings, prompt)
    return _RemoteEndpoint(settings)


@dataclass(frozen=True)
class _Request:
    """One model request: a candidate sentence, its rendered messages and its schema."""

    segment: Segment
    messages: list[Message]
    schema: dict[str, object]
    asks_recipient: bool

    @property
    def fingerprint(self) -> str:
        """Hash of exactly what is sent (messages and schema): part of the cache key."""
        blob = json.dumps(
            {"messages": [m.as_dict() for m in self.messages], "schema": self.schema},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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
    ) -> None:
        """Prepare an extractor; nothing is started until a request misses the cache."""
        self.settings = settings
        self.prompt = prompt or load_prompt(PROMPT_NAME)
        self._endpoint_provider: EndpointProvider = endpoint or (
            lambda: default_endpoint(settings, self.prompt)
        )
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
            # Bound generation time: a model that starts looping stops within a minute.
            limit = min(limit, int(EMBEDDED_CALL_GENERATION_S * EMBEDDED_MIN_TOKENS_PER_S))
        return limit

    @property
    def parameters(self) -> dict[str, float | int | str]:
        """Request parameters that decide the output (part of the cache key and provenance)."""
        return {
            "temperature": 0,
            "seed": self.settings.seed,
            "max_tokens": self.max_tokens,
            "mode": MODE_NAME,
            "max_reasks": self.settings.max_reasks,
            "stop": self._answer_end or "",
        }

    def model_id(self) -> str:
        """Identity of the model for cache keys."""
        if self.settings.uses_embedded_model:
            return model_identity(self.settings)
        return f"{self.settings.base_url}|{self.settings.model_name}"

    def key_for(self, article: Article) -> str:
        """The key of an article's result under this extractor's prompt, schema and model."""
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
            from summarizer.extraction.llm import LLM  # the SDKs load on the first miss only

            with self._lock:
                llm = LLM(
                    self._open_endpoint(),
                    # The embedded server is in this process: a fault there is not transient.
                    http_attempts=1
                    if self.settings.uses_embedded_model
                    else self.settings.http_attempts,
                    deadline_s=max(self.settings.timeout_s * 2, 300.0),
                    seed=self.settings.seed,
                    headers={"X-Summarizer-Schema": schema_sha256()[:16]},
                    gate=self.gate,
                )
                self._llms.append(llm)
            self._local.llm = llm
        return llm

    def summarise(self, article: Article) -> ArticleResult:
        """Extract the grounded records of one article.

        The model's answers come from the cache when possible; grounding always runs.

        Raises:
            LLMError: The model failed in a way retries did not fix.

        """
        started = time.perf_counter()
        language = article.language
        published = article.published
        notes = list(article.notes)
        if published.value is None:
            found = publication_date_in_text(article.text, language)
            if found.value is not None:
                published = found
                notes.append(f"publication date {found.value} read from the article's date line")
                article = replace(article, published=found)
        segments = split_segments(article.text, language)
        view = ArticleView(article.text, language, published, segments)
        warnings = [
            f"segment {s.index} addresses a model or the reader with instructions; it is "
            f"treated as data and never used as evidence: {short(s.text, 120)!r}"
            for s in segments
            if s.role == "instruction"
        ]
        primary: list[Segment] = []
        context: list[Segment] = []
        for segment in candidates(segments, language):
            if not could_report(segment.text, language, follows_a_swap(segment, segments)):
                continue  # no answer of the model could make an event of it: no call
            (primary if is_primary(segment, language) else context).append(segment)
        requests = [self._request(s, language) for s in [*primary, *context]]
        if not requests:
            warnings.append(
                "no sentence reports a swap, a repatriation, talks or a deal: no model call"
            )
        usage = Usage(cached=bool(requests))
        drafts: list[Draft] = []
        answered = self.settings.model_name
        budget = ReadingBudget(self.settings.generation_budget_s, self.settings.context_budget_s)
        for number, request in enumerate(requests):
            stop = budget.stop_reading()
            if stop is not None:
                left = sorted(r.segment.index for r in requests[number:])
                warnings.append(
                    f"{len(left)} candidate sentence(s) not read ({', '.join(map(str, left))}): "
                    + stop
                )
                break
            if number >= len(primary) and budget.stop_context():
                log.info(
                    "%s: %d context sentence(s) not read: %.1f s of model time spent "
                    "(context budget %.0f s)",
                    article.id, len(requests) - number, budget.spent_s,
                    self.settings.context_budget_s,
                )  # fmt: skip
                break
            cached = self._answer(request)
            budget.add(
                estimated_seconds(request.segment.text, cached.usage.completion_tokens)
                if self.settings.uses_embedded_model
                else cached.usage.seconds,
                fresh_s=None if cached.usage.cached else cached.usage.seconds,
            )
            usage = _add_usage(usage, cached.usage)
            answered = cached.model_answered
            answer, problems = parse_answer(cached.raw)
            where = f"sentence {request.segment.index}: "
            warnings += [where + p for p in problems]
            if cached.validation_error:
                warnings.append(f"{where}answer still invalid after re-asking")
            sentence_drafts, found_warnings = read_sentence(answer, request.segment, view)
            drafts += sentence_drafts
            warnings += found_warnings
        folded, fold_notes = fold(drafts)
        folded = link_agreements(folded)
        for draft in folded:
            if not any(s.is_prose for s in draft.segments):
                roles = ", ".join(sorted({s.role for s in draft.segments}))
                warnings.append(
                    f"{draft.kind} told only in a {roles} (sentence(s) "
                    f"{[s.index for s in draft.segments]}): a headline is never an event's "
                    "only evidence; dropped"
                )
        folded = [d for d in folded if any(s.is_prose for s in d.segments)]
        for note in fold_notes:
            log.info("%s: %s", article.id, note)
        log.info(
            "%s: %d events in %.1fs (%d calls, %d+%d tokens%s)",
            article.id, len(folded), time.perf_counter() - started, usage.calls,
            usage.prompt_tokens, usage.completion_tokens, ", cached" if usage.cached else "",
        )  # fmt: skip
        return self._result(article, folded, [*notes, *warnings], answered, usage)

    def _request(self, segment: Segment, language: str) -> _Request:
        asks = needs_recipient(segment.text, language)
        model = answer_model(asks_recipient=asks, array=self._array_answers)
        return _Request(
            segment=segment,
            messages=self.prompt.render({"sentence": " ".join(segment.text.split())}),
            schema=model.model_json_schema(),
            asks_recipient=asks,
        )

    @property
    def _array_answers(self) -> bool:
        # llama.cpp's grammar takes an array at the root; OpenAI-style structured output
        # wants an object there.
        return self.settings.uses_embedded_model

    @property
    def _answer_end(self) -> str | None:
        """The stop string every answer ends with (array answers only)."""
        return ARRAY_END if self._array_answers else None

    def _request_key(self, request: _Request) -> str:
        return cache_key(
            model=self.model_id(), parameters=self.parameters, request=request.fingerprint
        )

    def _answer(self, request: _Request) -> CachedAnswer:
        """The model's raw answer to a request: from the cache, else asked (and cached)."""
        key = self._request_key(request)
        if self._cache is not None:
            hit = self._cache.get(key, CachedAnswer)
            if hit is not None:
                usage = hit.usage.model_copy(update={"cached": True})
                return hit.model_copy(update={"usage": usage})
        answer = self._ask(request)
        if self._cache is not None:
            self._cache.put(key, answer)
        return answer

    def _ask(self, request: _Request) -> CachedAnswer:
        llm = self._client()
        try:
            completion: Completion = llm.extract(
                [m.as_dict() for m in request.messages],
                response_model=answer_model(
                    asks_recipient=request.asks_recipient, array=self._array_answers
                ),
                context={},
                max_tokens=self.max_tokens,
                timeout_s=self._timeout_for(request),
                max_reasks=self.settings.max_reasks,
                headers={"X-Summarizer-Prompt": prompt_label(self.prompt)},
                stop=self._answer_end,
            )
        except LLMOutputTruncatedError as e:
            usage = e.usage if isinstance(e.usage, Usage) else Usage()
            return CachedAnswer(
                raw=e.partial, model_answered=llm.endpoint.model, usage=usage, truncated=True
            )
        return CachedAnswer(
            raw=completion.raw,
            model_answered=completion.model_answered,
            usage=completion.usage,
            validation_error=short(completion.validation_error, 2000)
            if completion.validation_error
            else None,
        )

    def _timeout_for(self, request: _Request) -> float:
        if not self.settings.uses_embedded_model:
            return self.settings.timeout_s
        prompt_tokens = estimate_tokens("".join(m.content for m in request.messages))
        prompt_s = prompt_tokens / EMBEDDED_MIN_PROMPT_TOKENS_PER_S
        generation_s = self.max_tokens / EMBEDDED_MIN_TOKENS_PER_S
        # Twice the time at the slowest measured speeds: a machine shared with other work
        # halves them, and a timeout loses the whole article while a slow answer costs time.
        return 2 * (generation_s + prompt_s)

    def _result(
        self,
        article: Article,
        drafts: list[Draft],
        warnings: list[str],
        answered: str,
        usage: Usage,
    ) -> ArticleResult:
        meta = article.meta()
        records = [_record(meta.id, i, draft, article) for i, draft in enumerate(drafts)]
        return ArticleResult(
            article=meta,
            records=records,
            warnings=warnings,
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


def _evidence(segment: Segment) -> Evidence:
    return Evidence(
        text=segment.text,
        start=segment.start,
        end=segment.end,
        segment=segment.index,
        role=segment.role,
    )


def _record(article_id: str, index: int, draft: Draft, article: Article) -> EventRecord:
    return EventRecord(
        id=f"{article_id}#{index}",
        article_id=article_id,
        kind=draft.kind,
        event_date=draft.date,
        date_text=draft.date_text,
        # "May 16" in an article with no publication date: the day without a guessed year
        # (the merger places the record by it when exactly one event fits).
        date_without_year=month_day(draft.date_text, article.language)
        if draft.date_text and not draft.date.value
        else None,
        publication_date=article.published,
        location=draft.location,
        mediators=draft.mediators,
        parties=PARTIES,
        counts=as_each_side(draft.counts),
        claimed_by=draft.claimed_by,
        round_number=draft.round_number,
        evidence=[_evidence(s) for s in draft.segments],
    )
