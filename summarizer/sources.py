"""Expanding batch sources into articles: folders, JSON Lines and RSS/Atom feed files.

Each source yields articles and, for what cannot be read, one-line failures naming the input
(a file, a JSONL line, a feed entry), so one bad input never stops the rest. Articles with the
same normalised text are yielded once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from summarizer.articles import (
    MAX_INPUT_BYTES,
    Article,
    article_from_bytes,
    load_article,
)
from summarizer.errors import InputError

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
FEED_SUFFIXES = (".rss", ".atom", ".xml")


@dataclass(frozen=True)
class Failure:
    """An input that could not be read, and why."""

    source: str
    reason: str


def _from_folder(folder: Path) -> Iterator[Article | Failure]:
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
    )
    for path in files:
        yield from _from_file(path)


def _from_file(path: Path) -> Iterator[Article | Failure]:
    try:
        yield load_article(str(path))
    except InputError as e:
        yield Failure(e.source, e.reason)


def _from_jsonl(path: Path) -> Iterator[Article | Failure]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        yield Failure(str(path), f"cannot read: {getattr(e, 'strerror', None) or e}")
        return
    for number, line in enumerate(lines, start=1):
        where = f"{path}:{number}"
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            yield Failure(where, f"not JSON ({e.msg})")
            continue
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            yield Failure(where, 'expected an object with a "text" string')
            continue
        try:
            yield article_from_bytes(
                row["text"].encode("utf-8"),
                where,
                str(row.get("id") or f"{path.stem}-{number}"),
                html=False,
                title=row.get("title"),
                url=row.get("url"),
                published=row.get("published"),
            )
        except InputError as e:
            yield Failure(e.source, e.reason)


def _entry_text(entry: dict[str, object]) -> str:
    content = entry.get("content")
    if isinstance(content, list) and content and isinstance(content[0], dict):
        value = content[0].get("value")
        if isinstance(value, str) and value.strip():
            return value
    summary = entry.get("summary")
    return summary if isinstance(summary, str) else ""


def _html_to_text(html: str) -> str:
    import lxml.html  # only for feed entries, which carry HTML fragments

    if "<" not in html:
        return html
    return str(lxml.html.fromstring(f"<div>{html}</div>").text_content())


def _published(entry: dict[str, object]) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            year, month, day = value[:3]  # type: ignore[index]
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _from_feed(path: Path) -> Iterator[Article | Failure]:
    import feedparser  # parses RSS 0.9x-2.0 and Atom, tolerant of real-world feeds

    try:
        data = path.read_bytes()
    except OSError as e:
        yield Failure(str(path), f"cannot read: {e.strerror}")
        return
    if len(data) > MAX_INPUT_BYTES:
        yield Failure(str(path), f"too large ({len(data):,} bytes; limit {MAX_INPUT_BYTES:,})")
        return
    feed = feedparser.parse(data)
    problem = feed.get("bozo_exception") if feed.get("bozo") else None
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        problem = None  # a wrong declared encoding that feedparser corrected
    if not feed.entries:
        yield Failure(str(path), f"not a readable RSS/Atom feed ({problem or 'no entries'})")
        return
    if problem is not None:
        # feedparser reads what it can of a broken feed; say so, and keep those entries.
        yield Failure(str(path), f"malformed feed ({problem}); its readable entries were kept")
    for index, entry in enumerate(feed.entries):
        entry_id = str(entry.get("id") or entry.get("link") or f"{path.stem}-{index}")
        where = f"{path}#{entry_id}"
        text = _html_to_text(_entry_text(entry))
        title = entry.get("title")
        if title and text and not text.startswith(title):
            text = f"{title}\n\n{text}"
        try:
            yield article_from_bytes(
                text.encode("utf-8"),
                where,
                entry_id,
                html=False,
                title=title,
                url=entry.get("link"),
                published=_published(entry),
            )
        except InputError as e:
            yield Failure(e.source, e.reason)


def iter_articles(sources: list[str]) -> Iterator[Article | Failure]:
    """Every article in the sources, each distinct text once, and every failure.

    Args:
        sources: Folders (searched recursively for .txt/.md/.html), ``.jsonl`` files (one
            article per line: ``text`` and optionally ``id``, ``url``, ``title``,
            ``published``), RSS/Atom feed files (``.rss``/``.atom``/``.xml``), or article files.

    Yields:
        Articles, and a :class:`Failure` for each input that could not be read.

    """
    seen: set[str] = set()
    for source in sources:
        path = Path(source)
        if path.is_dir():
            items = _from_folder(path)
        elif path.suffix.lower() == ".jsonl":
            items = _from_jsonl(path)
        elif path.suffix.lower() in FEED_SUFFIXES:
            items = _from_feed(path)
        else:
            items = _from_file(path)
        for item in items:
            if isinstance(item, Article):
                if item.sha256 in seen:
                    continue
                seen.add(item.sha256)
            yield item
