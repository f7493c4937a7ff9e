"""Publication dates of inputs, with the precision their source really gives."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from summarizer.records import EventDate, Precision

_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
#: The forms :func:`parse_iso_date` accepts, as error messages name them.
DATE_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or an ISO datetime"


def parse_iso_date(text: str) -> EventDate:
    """Read an ISO date, keeping its precision: ``2025`` is a year, ``2025-07-24T10:00Z`` a day.

    Args:
        text: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a full ISO 8601 datetime.

    Returns:
        The date and its precision (a datetime keeps the calendar day it was written with).

    Raises:
        ValueError: Not one of those forms, or no such day (``2025-13-45``).

    """
    text = text.strip()
    partial = _PARTIAL_DATE.fullmatch(text)
    try:
        if partial is not None:
            year, month, day = partial.groups()
            date(int(year), int(month or 1), int(day or 1))  # raises for a day there is not
            precision: Precision = "day" if day else "month" if month else "year"
            return EventDate(value=text, precision=precision)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a date ({DATE_FORMS})") from None
    return EventDate(value=moment.date().isoformat(), precision="day")


#: Meta tags (``name``, ``property`` or ``itemprop``, lower-cased) that state when a page was
#: first published: Open Graph, Dublin Core, schema.org and the common newsroom variants
#: (after htmldate's list, without its modification and loose names such as "timestamp").
PUBLISHED_META = frozenset(
    {
        "article:published_time",
        "article:published",
        "og:published_time",
        "og:article:published_time",
        "og:pubdate",
        "datepublished",
        "datecreated",
        "date",
        "dc.date",
        "dc.date.issued",
        "dc.date.created",
        "dc.created",
        "dcterms.issued",
        "dcterms.created",
        "dcterms.date",
        "citation_publication_date",
        "citation_date",
        "parsely-pub-date",
        "sailthru.date",
        "pubdate",
        "publishdate",
        "publish-date",
        "publish_date",
        "published_time",
        "published-date",
        "publication_date",
        "originalpublicationdate",
        "rnews:datepublished",
    }
)
_JSON_LD_NESTING = 50


def published_in_html(html: str) -> EventDate:
    """When an HTML page says it was published, from its metadata only, at its own precision.

    Read in this order: meta tags (:data:`PUBLISHED_META`), JSON-LD ``datePublished``, then a
    ``<time>`` marked as the publication time (``pubdate`` or ``itemprop="datePublished"``),
    the first ``<time datetime>`` of the ``<article>``, or the page's only one. Nothing else:
    htmldate, even with ``extensive_search=False``, falls back to dates in the URL, the
    title and free text (a footer's "Copyright 2025" became 2025-01-01) and always answers
    with a day; here a bare year stays a year and no metadata is an unknown date.

    Args:
        html: The page.

    Returns:
        The publication date, ``unknown`` if the metadata states none.

    """
    import lxml.etree
    import lxml.html  # a dependency of trafilatura, which reads the page's text

    try:
        tree = lxml.html.document_fromstring(
            html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8")
        )
    except (lxml.etree.ParserError, ValueError):
        return EventDate()
    for value in _candidates(tree):
        found = _metadata_date(value)
        if found is not None:
            return found
    return EventDate()


def _candidates(tree: Any) -> Iterator[str]:
    """Every date the page's metadata gives for its publication, best source first."""
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key.strip() in PUBLISHED_META:
            yield meta.get("content") or meta.get("datetime") or ""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            yield from _json_ld_dates(script.text or "")
    times = [element for element in tree.iter("time") if element.get("datetime")]
    for element in times:
        marked = element.get("pubdate") is not None
        if marked or (element.get("itemprop") or "").lower() == "datepublished":
            yield element.get("datetime")
    for element in times:
        if any(parent.tag == "article" for parent in element.iterancestors()):
            yield element.get("datetime")
            break
    if len(times) == 1:
        yield times[0].get("datetime")


def _json_ld_dates(text: str) -> Iterator[str]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return
    queue: deque[tuple[Any, int]] = deque([(data, 0)])
    while queue:
        node, depth = queue.popleft()
        if depth > _JSON_LD_NESTING:
            continue
        if isinstance(node, dict):
            value = node.get("datePublished")
            if isinstance(value, str):
                yield value
            queue.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            queue.extend((child, depth + 1) for child in node)


def _metadata_date(value: str) -> EventDate | None:
    """An ISO 8601 or RFC 2822 date at the precision it is written with.

    ``None`` if it is neither, or a content system's placeholder (the year 1, the Unix epoch).
    """
    value = value.strip()
    if not value:
        return None
    try:
        found = parse_iso_date(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        found = EventDate(value=moment.date().isoformat(), precision="day")
    if found.value is None or found.value < "1900" or found.value == "1970-01-01":
        return None
    return found
