"""Typed event records: what the model returns and what the tool outputs.

Two layers:

* ``SentenceAnswer`` is what the model is asked to produce for one candidate sentence (its
  JSON Schema is sent with every request and constrains decoding on llama.cpp): the event the
  sentence reports, if any, and who received the people it counts. The model classifies; it
  never copies quotes, reads numbers, computes dates or groups sentences.
* ``ArticleResult`` / ``EventRecord`` is what the tool outputs: events whose evidence is the
  cited sentences' own text with their spans, figures whose value, qualifier and category
  were read from that text, dates resolved by code, and provenance.

Conventions (UCDP / ACLED / ACE): a date is a value plus a precision; the event date and the
publication date are separate; counts are per side and per category, ``None`` means "not
stated" (never 0) and an approximate figure keeps its qualifier; every event says who claims it
and quotes its evidence verbatim.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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

_DATE_RE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


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


#: Who received the people or bodies a sentence counts (as the model says it).
Recipient = Literal["russia", "ukraine", "each_side", "both_sides_total", "unknown"]
#: The words the model answers for a recipient, and what each means: one token each where
#: the tokenizer allows it ("Ukraine" is two), since a small local model pays a forward pass
#: for every token it generates ("both_sides_total" was four).
SPOKEN_RECIPIENTS: dict[str, Recipient] = {
    "Russia": "russia",
    "Ukraine": "ukraine",
    "each": "each_side",
    "both": "both_sides_total",
    "unknown": "unknown",
}
#: A sentence's label: the event it reports as having happened, two joined by "+", or none.
Label = Literal[
    "none",
    "exchange",
    "bodies",
    "talks",
    "agreement",
    "total",
    "talks+agreement",
    "exchange+talks",
    "exchange+total",
    "exchange+bodies",
    "agreement+exchange",
]
LABEL_KINDS: dict[str, EventKind] = {
    "exchange": "prisoner_exchange",
    "bodies": "body_repatriation",
    "talks": "talks_round",
    "agreement": "agreement",
    "total": "cumulative_tally",
}


class SentenceAnswer(_Strict):
    """What the model says of one candidate sentence: the event it reports, if any.

    One request per sentence: a small model labels one sentence well, and a list of them
    badly (it repeats its last label, or its example's). Its answer is a JSON array,
    ``["exchange","each"]``, a third of the tokens of an object; ``received_by`` is
    asked only when the sentence counts people and its words do not say who received them.
    Code reads the figures, qualifiers, categories, dates and places from the sentence.
    """

    label: Label = Field(
        description="The event the sentence reports as having happened: exchange (living "
        "prisoners swapped or brought home), bodies (bodies of the dead handed over), talks "
        "(delegations met), agreement (the sides agreed on something), total (a running "
        "total over several exchanges), two joined by '+', or none."
    )
    received_by: Recipient | None = Field(
        default=None,
        description="Who received the people or bodies the sentence counts: russia, "
        "ukraine, each_side (the same number each), both_sides_total (one number for both "
        "together) or unknown.",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_array(cls, value: Any) -> Any:
        # The model answers ["exchange","each"] (or ["none"]); other endpoints may answer
        # the object form. Either says the recipient in its spoken word.
        if isinstance(value, list | tuple) and 1 <= len(value) <= 2:
            value = {"label": value[0], "received_by": value[1] if len(value) == 2 else None}
        if isinstance(value, dict) and isinstance(value.get("received_by"), str):
            spoken = value["received_by"]
            value = {**value, "received_by": SPOKEN_RECIPIENTS.get(spoken, spoken)}
        return value

    @property
    def kinds(self) -> list[EventKind]:
        """The event kinds the label names (none for "none")."""
        return [LABEL_KINDS[part] for part in self.label.split("+") if part in LABEL_KINDS]


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


class Evidence(_Strict):
    """A passage of the article that states an event: one of its segments, verbatim.

    ``start``/``end`` are character offsets into the article's normalised text
    (``ArticleResult.article``), so a viewer can highlight the passage; they are ``None`` for
    evidence whose article text is not at hand (gold annotations, records saved before spans
    were kept).
    """

    text: str = Field(min_length=1)
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    segment: int | None = Field(default=None, ge=1, description="Number of the segment cited.")
    role: str = Field(
        default="sentence", description="sentence, headline, subheading, byline, timestamp, ..."
    )


class EventRecord(_Strict):
    """One event from one article, as the tool outputs it."""

    id: str = Field(description="Stable id: article id and position.")
    article_id: str
    kind: EventKind
    event_date: EventDate
    date_text: str | None = Field(
        default=None, description="The article's words the event date was read from."
    )
    date_without_year: str | None = Field(
        default=None,
        pattern=r"^[0-9]{2}-[0-9]{2}$",
        description="MM-DD when the article gives a day and month but nothing gives the year "
        "(the year is never guessed; the event date is then unknown).",
    )
    publication_date: EventDate
    location: str | None = None
    mediators: list[str] = Field(default_factory=list)
    parties: list[str] = Field(default_factory=list)
    counts: list[Count] = Field(default_factory=list)
    claimed_by: str | None = None
    round_number: int | None = None
    evidence: list[Evidence] = Field(min_length=1)

    @field_validator("evidence", mode="before")
    @classmethod
    def _quotes_as_evidence(cls, value: Any) -> Any:
        # Records saved before evidence kept its span hold plain quotes: still readable.
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value

    @property
    def quotes(self) -> list[str]:
        """The evidence texts."""
        return [e.text for e in self.evidence]


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
    seconds: float = Field(
        default=0.0, ge=0, description="Wall time of the model calls (the original's if cached)."
    )
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
