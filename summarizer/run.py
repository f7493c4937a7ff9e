"""The summarise job: load each input, extract its records, collect failures per input."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from summarizer.config import Settings
from summarizer.errors import ConfigError, InputError, LLMError
from summarizer.extraction.pipeline import EndpointProvider, Extractor
from summarizer.ingest.articles import load_article
from summarizer.ingest.published import parse_iso_date
from summarizer.records import ArticleResult

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """Results in input order, and one ``(source, reason)`` per input that failed."""

    results: list[ArticleResult] = field(default_factory=list)
    input_failures: list[tuple[str, str]] = field(default_factory=list)
    llm_failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failures(self) -> list[tuple[str, str]]:
        """All failures, input and LLM."""
        return self.input_failures + self.llm_failures


def summarise_sources(
    sources: Sequence[str],
    settings: Settings,
    *,
    published: str | None = None,
    endpoint: EndpointProvider | None = None,
    on_failure: Callable[[str, str], None] | None = None,
) -> RunResult:
    """Extract records from each source; one bad input or failed article never stops the rest.

    Args:
        sources: File paths, or ``-`` for standard input.
        settings: Resolved settings.
        published: Publication date to record for every input, if known.
        endpoint: Override the LLM endpoint (tests).
        on_failure: Called with ``(source, reason)`` as each failure happens.

    Returns:
        The run's results and failures.

    Raises:
        ConfigError: Nothing can succeed (no model installed, bad settings, bad prompt).
        InputError: ``published`` is not a date.

    """
    if published is not None:
        try:
            published = parse_iso_date(published).value
        except ValueError as e:
            raise InputError("--published", str(e)) from None
    run = RunResult()
    with Extractor(settings, endpoint=endpoint) as extractor:
        for source in sources:
            try:
                article = load_article(source, published=published)
            except InputError as e:
                run.input_failures.append((source, e.reason))
                if on_failure:
                    on_failure(source, e.reason)
                continue
            try:
                run.results.append(extractor.summarise(article))
            except ConfigError:
                raise
            except LLMError as e:
                run.llm_failures.append((source, str(e)))
                if on_failure:
                    on_failure(source, str(e))
    return run
