"""Expanding batch sources into articles: folders, JSON Lines, RSS/Atom feeds, URLs.

Each source yields articles and, for what cannot be read, one-line failures naming the input
(a file, a JSONL line, a feed entry, a URL), so one bad input never stops the rest. Files and
the pages a feed links to are yielded as :class:`Pending` inputs, read (or downloaded) only when
a worker gets to them, so a big folder is listed at once and read concurrently.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from summarizer.config import FetchLinks
from summarizer.errors import InputError
from summarizer.ingest.articles import (
    MAX_INPUT_BYTES,
    Article,
    article_from_bytes,
    load_article,
)
from summarizer.ingest.fetch import Fetcher, is_url
from summarizer.ingest.published import DATE_FORMS, parse_iso_date

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
#: A feed entry with less text than this is a teaser: read the page it links to instead.
MIN_ENTRY_CHARS = 400
_ISO_START = re.compile(r"\s*[0-9]{4}-[0-9]")


@dataclass(frozen=True)
class Failure:
    """An input that could not be read, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class Pending:
    """An input read when a worker gets to it; ``load`` raises :class:`InputError`."""

    source: str
    load: Callable[[], Article]


Item = Article | Pending | Failure


def _from_folder(folder: Path) -> Iterator[Item]:
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
    )
    for path in files:
        yield Pending(str(path), partial(load_article, str(path)))


class JsonlItem(BaseModel):
    """One line of a JSON Lines input; checked before anything is done with it."""

    model_config = ConfigDict(strict=True, extra="ignore")

    text: str
    id: str | None = None
    url: str | None = None
    title: str | None = None
    #: ``YYYY[-MM[-DD]]`` (its precision kept) or a full ISO datetime (a day).
    published: str | None = None

    @field_validator("published")
    @classmethod
    def _a_real_date(cls, value: str | None) -> str | None:
        return parse_iso_date(value).value if value and value.strip() else None


_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}
_EXPECTED_FIELDS = {"text": "a string", "published": f"a date ({DATE_FORMS}) or null"}


def _item_problem(error: ValidationError) -> str:
    """One line saying which fields of a JSONL item are wrong and how."""
    problems = []
    for e in error.errors():
        name = ".".join(str(part) for part in e["loc"])
        if e["type"] == "missing":
            problems.append(f'field "{name}" is missing')
        elif e["type"] == "value_error":
            problems.append(f'field "{name}": {str(e["msg"]).removeprefix("Value error, ")}')
        else:
            expected = _EXPECTED_FIELDS.get(name, "a string or null")
            got = _JSON_TYPES.get(type(e["input"]), "another type")
            problems.append(f'field "{name}" must be {expected}, not {got}')
    return "; ".join(problems)


def _from_jsonl(path: Path) -> Iterator[Item]:
    try:
        data = path.read_bytes()
    except OSError as e:
        yield Failure(str(path), f"cannot read: {e.strerror}")
        return
    # Split the bytes, not the text: a line that is not UTF-8 then fails alone, and a U+2028
    # inside a JSON string (legal, and written by ensure_ascii=False) does not end a line.
    for number, raw in enumerate(data.removeprefix(codecs.BOM_UTF8).splitlines(), start=1):
        where = f"{path}:{number}"
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield Failure(where, f"not UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1})")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            yield Failure(where, f"not JSON ({e.msg})")
            continue
        except RecursionError:
            yield Failure(where, "not JSON (nested too deeply)")
            continue
        if not isinstance(row, dict):
            kind = _JSON_TYPES.get(type(row), "another type")
            yield Failure(where, f'expected an object with a "text" string, not {kind}')
            continue
        try:
            item = JsonlItem.model_validate(row)
        except ValidationError as e:
            yield Failure(where, _item_problem(e))
            continue
        try:
            yield article_from_bytes(
                item.text.encode("utf-8"),
                where,
                item.id or f"{path.stem}-{number}",
                html=False,
                title=item.title,
                url=item.url,
                published=item.published,
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


def _plain(value: object) -> str | None:
    """A feed field as one line of plain text (titles may hold markup); ``None`` if empty."""
    if not isinstance(value, str):
        return None
    return " ".join(_html_to_text(value).split()) or None


def _published(entry: dict[str, object]) -> str | None:
    for key in ("published", "updated"):
        raw = entry.get(key)
        if isinstance(raw, str) and _ISO_START.match(raw):
            # feedparser rolls an impossible ISO date over (2025-13-45 became 2026-01-01):
            # read ISO dates ourselves, and an impossible one is no date at all.
            try:
                return parse_iso_date(raw).value
            except ValueError:
                return None
        value = entry.get(f"{key}_parsed")
        if value:
            year, month, day = value[:3]  # type: ignore[index]
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


@dataclass(frozen=True)
class _EntryMeta:
    entry_id: str
    title: str | None
    url: str | None
    published: str | None


def _linked_page(
    fetcher: Fetcher, link: str, where: str, meta: _EntryMeta, fallback: Article | None
) -> Article:
    """The article on the page a feed entry links to; the entry's own text if that fails."""
    try:
        page = fetcher.get(link, found_in_content=True)
        return article_from_bytes(
            page.content,
            where,
            meta.entry_id,
            title=meta.title,
            url=meta.url,
            published=meta.published,
        )
    except InputError as e:
        if fallback is None:
            raise InputError(where, f"linked page {e.source}: {e.reason}") from None
        note = f"linked page not read ({e.source}: {e.reason}); used the feed entry's own text"
        return replace(fallback, notes=(note,))


def _from_feed_bytes(
    data: bytes, source: str, stem: str, fetcher: Fetcher | None, fetch_links: FetchLinks
) -> Iterator[Item]:
    import feedparser  # parses RSS 0.9x-2.0 and Atom, tolerant of real-world feeds

    if len(data) > MAX_INPUT_BYTES:
        yield Failure(source, f"too large ({len(data):,} bytes; limit {MAX_INPUT_BYTES:,})")
        return
    feed = feedparser.parse(data)
    problem = feed.get("bozo_exception") if feed.get("bozo") else None
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        problem = None  # a wrong declared encoding that feedparser corrected
    if not feed.entries:
        yield Failure(source, f"not a readable RSS/Atom feed ({problem or 'no entries'})")
        return
    if problem is not None:
        # feedparser reads what it can of a broken feed; say so, and keep those entries.
        yield Failure(source, f"malformed feed ({problem}); its readable entries were kept")
    for index, entry in enumerate(feed.entries):
        entry_id = str(entry.get("id") or entry.get("link") or f"{stem}-{index}")
        where = f"{source}#{entry_id}"
        text = _html_to_text(_entry_text(entry))
        title = _plain(entry.get("title"))
        if title and text and not text.startswith(title):
            text = f"{title}\n\n{text}"
        link = entry.get("link")
        url = (link.strip() or None) if isinstance(link, str) else None
        meta = _EntryMeta(entry_id, title, url, _published(entry))
        from_entry: Article | Failure
        try:
            from_entry = article_from_bytes(
                text.encode("utf-8"),
                where,
                entry_id,
                html=False,
                title=meta.title,
                url=meta.url,
                published=meta.published,
            )
        except InputError as e:
            from_entry = Failure(e.source, e.reason)
        body_chars = len(text) - len(title or "")
        wants_page = fetch_links is FetchLinks.always or (
            fetch_links is FetchLinks.auto and body_chars < MIN_ENTRY_CHARS
        )
        if fetcher is not None and meta.url and is_url(meta.url) and wants_page:
            fallback = from_entry if isinstance(from_entry, Article) else None
            yield Pending(where, partial(_linked_page, fetcher, meta.url, where, meta, fallback))
        else:
            yield from_entry


def _from_feed(path: Path, fetcher: Fetcher | None, fetch_links: FetchLinks) -> Iterator[Item]:
    try:
        data = path.read_bytes()
    except OSError as e:
        yield Failure(str(path), f"cannot read: {e.strerror}")
        return
    yield from _from_feed_bytes(data, str(path), path.stem, fetcher, fetch_links)


def _looks_like_feed(content_type: str, data: bytes) -> bool:
    if any(kind in content_type for kind in ("rss", "atom", "xml")):
        return True
    head = data[:512].lstrip().lower()
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf"))


def _from_url(url: str, fetcher: Fetcher | None, fetch_links: FetchLinks) -> Iterator[Item]:
    if fetcher is None:
        yield Failure(url, "URLs are not read in this mode")
        return
    try:
        page = fetcher.get(url)
    except InputError as e:
        yield Failure(e.source, e.reason)
        return
    if _looks_like_feed(page.content_type, page.content):
        stem = url.rstrip("/").rsplit("/", 1)[-1] or "feed"
        yield from _from_feed_bytes(page.content, url, stem, fetcher, fetch_links)
        return
    try:
        yield article_from_bytes(page.content, url, url, url=page.url)
    except InputError as e:
        yield Failure(e.source, e.reason)


def iter_inputs(
    sources: list[str],
    *,
    fetcher: Fetcher | None = None,
    fetch_links: FetchLinks = FetchLinks.auto,
) -> Iterator[Item]:
    """Every input in the sources: articles, pending reads and failures.

    Args:
        sources: Folders (searched recursively for .txt/.md/.html), ``.jsonl`` files (one
            article per line: ``text`` and optionally ``id``, ``url``, ``title``,
            ``published``), RSS/Atom feed files (``.rss``/``.atom``/``.xml``), article files,
            or http(s) URLs of feeds or article pages.
        fetcher: Downloads URLs and linked pages; without one, URLs fail and feed entries
            are read from the feed alone.
        fetch_links: When a feed entry's linked page is read instead of the entry's text.

    Yields:
        Articles, :class:`Pending` reads, and a :class:`Failure` per unreadable input.

    """
    for source in sources:
        path = Path(source)
        if is_url(source):
            yield from _from_url(source, fetcher, fetch_links)
        elif path.is_dir():
            yield from _from_folder(path)
        elif path.suffix.lower() == ".jsonl":
            yield from _from_jsonl(path)
        elif path.suffix.lower() in FEED_SUFFIXES:
            yield from _from_feed(path, fetcher, fetch_links)
        else:
            yield Pending(source, partial(load_article, source))


def iter_articles(
    sources: list[str], *, fetcher: Fetcher | None = None
) -> Iterator[Article | Failure]:
    """Every article in the sources, read in order, each distinct text once, and every failure.

    Args:
        sources: As for :func:`iter_inputs`.
        fetcher: Downloads URLs and linked pages, if given.

    Yields:
        Articles, and a :class:`Failure` for each input that could not be read.

    """
    seen: set[str] = set()
    for item in iter_inputs(sources, fetcher=fetcher):
        if isinstance(item, Pending):
            try:
                item = item.load()
            except InputError as e:
                item = Failure(e.source, e.reason)
        if isinstance(item, Article):
            if item.sha256 in seen:
                continue
            seen.add(item.sha256)
        yield item
