"""Typed event records: what the model returns and what the tool outputs.

Two layers:

* ``Answer`` / ``SentenceAnswer`` is what the model is asked to produce (its JSON Schema is
  sent with every request and constrains decoding on llama.cpp): for every numbered sentence
  shown, the kinds of event it reports and the figures it gives with who received them. The
  model locates and classifies; it never copies quotes, computes dates or groups sentences.
* ``ArticleResult`` / ``EventRecord`` is what the tool outputs: events whose evidence is the
  cited sentences' own text with their spans, figures whose value, qualifier and category
  were read from that text, dates resolved by code, and provenance.

Conventions (UCDP / ACLED / ACE): a date is a value plus a precision; the event date and the
publication date are separate; counts are per side and per category, ``None`` means "not
stated" (never 0) and an approximate figure keeps its qualifier; every event says who claims it
and quotes its evidence verbatim.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


#: Most figures the model may give for one sentence.
MAX_FIGURES = 6
ReceivedBy = Literal["russia", "ukraine", "each_side", "both", "unknown"]
SentenceKind = Literal[
    "none",
    "prisoner_exchange",
    "body_repatriation",
    "talks_round",
    "agreement",
    "cumulative_tally",
]
#: A sentence's label: one kind, or two an event sentence often reports together.
Label = Literal[
    "none",
    "prisoner_exchange",
    "body_repatriation",
    "talks_round",
    "agreement",
    "cumulative_tally",
    "talks_round+agreement",
    "prisoner_exchange+cumulative_tally",
    "prisoner_exchange+body_repatriation",
    "agreement+prisoner_exchange",
]
#: ``[number, received_by]``: a figure and who RECEIVED those people or bodies.
WireFigure = tuple[Annotated[int, Field(ge=0, le=10_000_000)], ReceivedBy]
#: ``[n, label, [[number, received_by], ...]]``: what the model says of sentence ``n``.
#: Arrays, not objects: a small model writes a third of the tokens for the same answer.
WireEntry = tuple[
    Annotated[int, Field(ge=1)],
    Label,
    Annotated[list[WireFigure], Field(max_length=MAX_FIGURES)],
]


class AnswerFigure(_Strict):
    """A number the model read for an event, and who received those people or bodies."""

    number: int = Field(ge=0, le=10_000_000, description="The number as the sentence writes it.")
    received_by: ReceivedBy = Field(
        description="Who RECEIVED these people or bodies: russia, ukraine, each_side (the "
        "same number for each side), both (one number for both sides together) or unknown."
    )


class SentenceAnswer(_Strict):
    """What the model says of one numbered sentence: the kinds of event it reports, if any.

    The model labels every sentence it is shown, in order (the schema of each request fixes
    ``n`` for each position), so it never has to point at a sentence by number; the code
    joins the sentences that tell one event and reads dates, places, qualifiers and
    categories from their text.
    """

    n: int = Field(ge=1, description="The sentence's number.")
    kinds: list[SentenceKind] = Field(
        min_length=1,
        max_length=2,
        description="What the sentence reports as having happened: prisoner_exchange (living "
        "prisoners were swapped or brought home), body_repatriation (bodies handed over), "
        "talks_round (delegations met), agreement (the sides agreed on something), "
        "cumulative_tally (a running total over several swaps), or none.",
    )
    figures: list[AnswerFigure] = Field(
        default_factory=list,
        max_length=MAX_FIGURES,
        description="The numbers of people or bodies the sentence gives for its event.",
    )

    @classmethod
    def from_wire(cls, entry: WireEntry) -> SentenceAnswer:
        """Read one ``[n, label, figures]`` entry of an answer."""
        n, label, figures = entry
        return cls(
            n=n,
            kinds=label.split("+"),  # type: ignore[arg-type]
            figures=[AnswerFigure(number=v, received_by=side) for v, side in figures],
        )


class Answer(_Strict):
    """Everything the model returns for one request: one entry per sentence shown, in order."""

    sentences: list[WireEntry] = Field(
        description="One [n, label, [[number, received_by], ...]] entry per sentence, in order."
    )

    def entries(self) -> list[SentenceAnswer]:
        """The entries, read."""
        return [SentenceAnswer.from_wire(e) for e in self.sentences]

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
