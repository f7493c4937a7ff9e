"""The Python API: ``summarise`` an article, ``merge`` results into a timeline, ``run_batch``.

For a notebook or another program::

    from summarizer import summarise, merge, Settings
    settings = Settings.resolve(base_url="http://127.0.0.1:8080/v1", model="qwen")
    results = [summarise(p, settings=settings) for p in ["a.txt", "b.txt"]]
    timeline = merge(results)
    print([(e.kind, e.date.value) for e in timeline.events])

The same extractor, cache and merger as the command line. One extractor is kept per settings
for the life of the process, so the embedded model starts once, not once per article.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from summarizer.config import Settings
from summarizer.extraction.pipeline import Extractor
from summarizer.ingest.articles import article_from_bytes, load_article
from summarizer.ingest.published import parse_iso_date
from summarizer.records import ArticleResult
from summarizer.timeline.merge import Timeline, sourced_records
from summarizer.timeline.merge import merge as merge_records

_extractors: dict[Settings, Extractor] = {}
_lock = threading.Lock()


def _extractor(settings: Settings) -> Extractor:
    with _lock:
        found = _extractors.get(settings)
        if found is None:
            found = _extractors[settings] = Extractor(settings)
        return found


@atexit.register
def _close_all() -> None:
    with _lock:
        for extractor in _extractors.values():
            extractor.close()
        _extractors.clear()


def summarise(
    text_or_path: str | Path,
    *,
    published: str | None = None,
    settings: Settings | None = None,
) -> ArticleResult:
    """Extract the grounded event records of one article.

    Args:
        text_or_path: The article's text, or the path of a ``.txt``, ``.md`` or ``.html``
            file (a :class:`~pathlib.Path`, or a one-line string naming an existing file).
        published: Its publication date, ``YYYY[-MM[-DD]]``; dates in the text are read
            against it.
        settings: Model, endpoint and cache settings (default: from the environment).

    Returns:
        The article's records with evidence, provenance and usage.

    Raises:
        InputError: The article cannot be read (missing, empty, binary, too long) or
            ``published`` is not a date.
        LLMError: The model failed after its retries.
        ConfigError: No model can be used (e.g. the embedded model is not installed).

    """
    from summarizer.errors import InputError

    if published is not None:
        try:
            published = parse_iso_date(published).value
        except ValueError as e:
            raise InputError("published", str(e)) from None
    settings = settings or Settings.resolve()
    if isinstance(text_or_path, Path) or _names_a_file(text_or_path):
        article = load_article(str(text_or_path), published=published)
    else:
        article = article_from_bytes(
            text_or_path.encode("utf-8"), "text", "text", html=False, published=published
        )
        article = replace(article, id=f"a-{article.sha256[:12]}")
    return _extractor(settings).summarise(article)


def _names_a_file(text: str) -> bool:
    if "\n" in text or len(text) > 4096:
        return False
    try:
        return Path(text).expanduser().is_file()
    except OSError:
        return False


def merge(results: Iterable[ArticleResult]) -> Timeline:
    """Merge the records of article results into one timeline of real-world events.

    Args:
        results: Results of :func:`summarise` or :func:`~summarizer.batch.runner.run_batch`,
            in any order.

    Returns:
        The timeline; the same results always give the same timeline.

    """
    return merge_records(sourced_records(results))
