"""Typed event records: what the model returns and what the tool outputs.

Two layers:

* ``Extraction`` / ``ExtractedEvent`` is what the model is asked to produce (its JSON Schema is
  sent with every request and constrains decoding on llama.cpp).
* ``ArticleResult`` / ``EventRecord`` is what the tool outputs: the model's events plus the
  article they came from, parsed dates with precision, and provenance.

Conventions (UCDP / ACLED / ACE): a date is a value plus a precision; the event date and the
publication date are separate; counts are per side and per category, ``None`` means "not
stated" (never 0) and an approximate figure keeps its qualifier; every event says who claims it
and quotes its evidence verbatim.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

EventKind = Literal[
    "prisoner_exchange",
    "body_repatriation",
    "talks_round",
    "agreement",
    "cumulative_tally",
]
Side = Literal["russia", "ukraine", "each_side", "both_sides_total", "unspecified"]
Category = Literal["servicemen", "civilians", "bodies", "people"]
Qualifier = Literal["exact", "about", "over", "under", "up_to", "at_least"]
Precision = Literal["day", "month", "year", "unknown"]

_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
_DATE_RE = re.compile(_DATE_PATTERN)
# The pattern is part of the JSON Schema, so llama.cpp's grammar enforces the shape too.
DateText = Annotated[str, StringConstraints(pattern=_DATE_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Count(_Strict):
    """One figure: how many people of one category one side received back."""

    side: Side = Field(
        description="Side that RECEIVED these people or bodies back: russia, ukraine, "
        "each_side (the same figure for both), both_sides_total (one figure for both "
        "together), unspecified."
    )
    category: Category = Field(
        description="servicemen (POWs, soldiers), civilians, bodies (of the dead), or "
        "people (mixed or not said)."
    )
    value: int | None = Field(ge=0, description="The number as stated; null if none is given.")
    qualifier: Qualifier = Field(description="exact, or the approximation the article uses.")


class ExtractedEvent(_Strict):
    """One event as the model reports it from one article.

    The evidence comes first: the model copies the sentence that reports the event and then
    describes it, so every field follows from a quote instead of the quote being looked for
    afterwards. Every field is required (nullable where it may be unknown): llama.cpp's grammar
    lets a model skip optional fields, and a small model then skips them all.
    """

    evidence: list[str] = Field(
        min_length=1,
        max_length=2,
        description="Short verbatim quotes from the article that state this event.",
    )
    kind: EventKind = Field(
        description="prisoner_exchange: one swap of living people. body_repatriation: "
        "bodies handed over. talks_round: a negotiation meeting. agreement: a deal "
        "reached. cumulative_tally: a running total over several swaps."
    )
    date: DateText | None = Field(
        description="When the event happened: YYYY-MM-DD, YYYY-MM or YYYY; null if unknown. "
        "Not the publication date unless the article says so.",
    )
    location: str | None = Field(description="Place in English, or null.")
    mediators: list[str] = Field(description="Mediating states, in English.")
    parties: list[str] = Field(description="Parties, in English.")
    counts: list[Count] = Field(description="Figures stated for the event.")
    claimed_by: str | None = Field(
        description="Who states it, in English (e.g. 'Russian Defense Ministry')."
    )
    round_number: int | None = Field(
        ge=1, le=20, description="For talks_round: which round (1 = first)."
    )


class Extraction(_Strict):
    """Everything the model returns for one article (or one piece of a long article)."""

    events: list[ExtractedEvent] = Field(
        max_length=8, description="Events the article reports, in the order it reports them."
    )

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The JSON Schema, generated once per class and arguments.

        instructor asks for it on every request; generating it took a quarter of the CPU time
        of a request. A fresh copy is returned, since callers may change it.
        """
        key = (cls, args, tuple(sorted(kwargs.items())))
        text = _SCHEMA_TEXTS.get(key)
        if text is None:
            text = json.dumps(super().model_json_schema(*args, **kwargs))
            _SCHEMA_TEXTS[key] = text
        schema: dict[str, Any] = json.loads(text)
        return schema


_SCHEMA_TEXTS: dict[tuple[Any, ...], str] = {}


class EventDate(_Strict):
    """A date with its precision; ``value`` is ISO text cut to the precision."""

    value: str | None = None
    precision: Precision = "unknown"

    @classmethod
    def parse(cls, text: str | None) -> EventDate:
        """Read ``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY`` into a value with its precision.

        Args:
            text: The date as the model or a feed gave it; ``None`` for unknown.

        Returns:
            The date; an unparseable or impossible date becomes ``unknown``.

        """
        if not text:
            return cls()
        text = text.strip()[:10]
        if not _DATE_RE.match(text):
            return cls()
        parts = [int(p) for p in text.split("-")]
        if len(parts) >= 2 and not 1 <= parts[1] <= 12:
            return cls()
        if len(parts) == 3 and not 1 <= parts[2] <= _days_in_month(parts[0], parts[1]):
            return cls()
        precision: Precision = ("year", "month", "day")[len(parts) - 1]
        return cls(value=text, precision=precision)


def dates_agree(a: str | None, b: str | None) -> bool:
    """Whether two known dates can be one date told at different precisions.

    ``2025-07`` agrees with ``2025-07-23``; ``2025-07-23`` and ``2025-07-24`` do not. An
    unknown date agrees with nothing.
    """
    if not a or not b:
        return False
    return a.startswith(b) or b.startswith(a)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


class EventRecord(_Strict):
    """One event from one article, as the tool outputs it."""

    id: str = Field(description="Stable id: article id and position.")
    article_id: str
    kind: EventKind
    event_date: EventDate
    publication_date: EventDate
    location: str | None = None
    mediators: list[str] = Field(default_factory=list)
    parties: list[str] = Field(default_factory=list)
    counts: list[Count] = Field(default_factory=list)
    claimed_by: str | None = None
    round_number: int | None = None
    evidence: list[str] = Field(min_length=1)


class ArticleMeta(_Strict):
    """Where an article came from and what it is."""

    id: str = Field(description="Stable id: the file stem, feed entry id or JSONL id.")
    source: str = Field(description="Path, URL or '-' for stdin.")
    title: str | None = None
    url: str | None = None
    published: EventDate = Field(default_factory=EventDate)
    language: str = Field(description="ISO 639-1 code of the detected language.")
    sha256: str = Field(description="Hash of the normalised article text.")
    chars: int


class Usage(_Strict):
    """Token usage of the LLM calls behind one result."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = Field(
        default=False, description="Served from the cache; tokens are the original."
    )


class Provenance(_Strict):
    """What produced a result: prompt and schema versions and the model that answered."""

    prompt_name: str
    prompt_version: str
    prompt_sha256: str
    schema_sha256: str
    model_requested: str
    model_answered: str
    endpoint: str = Field(description="'embedded' or the endpoint's base URL.")
    parameters: dict[str, float | int | str] = Field(default_factory=dict)


class ArticleResult(_Strict):
    """The records extracted from one article, with provenance, usage and warnings."""

    article: ArticleMeta
    records: list[EventRecord]
    warnings: list[str] = Field(
        default_factory=list,
        description="What was dropped as ungrounded, or otherwise needs a reader's attention.",
    )
    provenance: Provenance
    usage: Usage
