"""Gold annotations: hand-written event records per article, with real-world event keys (pure).

Format (YAML or JSON)::

    articles:
      <article id>:
        published: 2025-07-24          # or null
        events:
          - key: talks-round-3         # the real-world event; same key = same event
            kind: talks_round
            date: 2025-07-23           # YYYY[-MM[-DD]] or null
            location: Istanbul
            mediators: []
            counts: [{side: each_side, category: people, value: 250, qualifier: about}]
            claimed_by: null
            round_number: 3
            evidence: ["..."]          # verbatim from the article
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.errors import InputError
from summarizer.records import Count, EventDate, EventKind, EventRecord, Evidence
from summarizer.timeline.merge import SourcedRecord


class GoldEvent(BaseModel):
    """One hand-annotated event of one article."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(description="Names the real-world event across articles.")
    kind: EventKind
    date: str | None = None
    location: str | None = None
    mediators: list[str] = Field(default_factory=list)
    parties: list[str] = Field(default_factory=lambda: ["Russia", "Ukraine"])
    counts: list[Count] = Field(default_factory=list)
    claimed_by: str | None = None
    round_number: int | None = None
    evidence: list[str] = Field(min_length=1)


class GoldArticle(BaseModel):
    """The gold events of one article."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    published: str | None = None
    events: list[GoldEvent]


class GoldFile(BaseModel):
    """A gold file: articles by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    articles: dict[str, GoldArticle]

    def records(self, article_id: str) -> list[EventRecord]:
        """The gold events of one article as event records (ids ``<article>#g<i>``)."""
        article = self.articles[article_id]
        return [
            EventRecord(
                id=f"{article_id}#g{i}",
                article_id=article_id,
                kind=e.kind,
                event_date=EventDate.parse(e.date),
                publication_date=EventDate.parse(article.published),
                location=e.location,
                mediators=e.mediators,
                parties=e.parties,
                counts=e.counts,
                claimed_by=e.claimed_by,
                round_number=e.round_number,
                evidence=[Evidence(text=quote) for quote in e.evidence],
            )
            for i, e in enumerate(article.events)
        ]

    def sourced_records(self) -> list[SourcedRecord]:
        """Every gold event as a sourced record, for merging."""
        return [
            SourcedRecord(
                record=record,
                article_sha256=f"gold:{article_id}",
                source=article_id,
                published=EventDate.parse(article.published),
            )
            for article_id, article in self.articles.items()
            for record in self.records(article_id)
        ]

    def key_of(self) -> dict[str, str]:
        """Gold record id -> real-world event key."""
        return {
            f"{article_id}#g{i}": event.key
            for article_id, article in self.articles.items()
            for i, event in enumerate(article.events)
        }


def load_gold(path: Path) -> GoldFile:
    """Read a gold file (YAML or JSON).

    Raises:
        InputError: Unreadable or not in the gold format.

    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(str(path), f"cannot read: {e.strerror}") from None
    try:
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        return GoldFile.model_validate(_stringify_dates(data))
    except (ValueError, yaml.YAMLError) as e:
        first = e.errors()[0] if isinstance(e, ValidationError) else None
        reason = (
            f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
            if first
            else str(e).splitlines()[0]
        )
        raise InputError(str(path), f"not a gold file: {reason}") from None


def _stringify_dates(data: Any) -> Any:
    """YAML reads 2025-07-23 as a date; the gold format wants the text."""
    if isinstance(data, dict):
        return {k: _stringify_dates(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_stringify_dates(v) for v in data]
    if hasattr(data, "isoformat"):
        return data.isoformat()
    return data
