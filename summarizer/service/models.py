"""Request and response bodies of API v1 that are not already output models.

Articles are answered as :class:`~summarizer.records.ArticleResult` and events as
:class:`~summarizer.timeline.merge.MergedEvent` with their :class:`~summarizer.timeline.merge.
SourceRef` records: the models exported to ``schemas/``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from summarizer.ingest.published import DATE_FORMS, parse_iso_date
from summarizer.records import ArticleResult
from summarizer.timeline.merge import MergedEvent, SourceRef

#: Longest article id a client may give (ids appear in URLs and pages).
MAX_ID_CHARS = 200


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArticleRequest(_Body):
    """An article to summarise: exactly one of ``text``, ``url`` or ``html``."""

    text: str | None = Field(default=None, description="The article as plain text.")
    url: str | None = Field(
        default=None,
        description="An http(s) URL of the article's page (fetched with the batch limits; "
        "private addresses are refused).",
    )
    html: str | None = Field(default=None, description="The article's page as HTML.")
    published: str | None = Field(
        default=None, description=f"Publication date: {DATE_FORMS}; its precision is kept."
    )
    title: str | None = Field(default=None, max_length=1000)
    id: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_ID_CHARS,
        pattern=r"^[A-Za-z0-9._~:-]+$",
        description="Your id for the article (default: one made from its text's hash).",
    )

    @model_validator(mode="after")
    def _one_input(self) -> ArticleRequest:
        given = [name for name in ("text", "url", "html") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                'give exactly one of "text", "url" or "html"'
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @field_validator("published")
    @classmethod
    def _a_date(cls, value: str | None) -> str | None:
        return parse_iso_date(value).value if value and value.strip() else None


class BatchRequest(_Body):
    """Feeds or pages to summarise in the background."""

    sources: list[str] = Field(
        min_length=1,
        max_length=1000,
        description="http(s) URLs of RSS/Atom feeds or article pages.",
    )


class Problem(_Body):
    """What went wrong, in one line."""

    detail: str


class FieldError(BaseModel):
    """One field that is wrong, and why (pydantic's error, more keys may follow)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int] = Field(description='Where: ["body", "text"], ["query", "from"], ...')
    msg: str
    type: str


class ValidationProblem(_Body):
    """The fields that are wrong."""

    detail: list[FieldError]


class BatchAccepted(_Body):
    """A job was queued."""

    id: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    status_url: str
    results_url: str


class Failure(_Body):
    """An input of a job that failed, and why."""

    source: str
    error: str


class BatchStatus(_Body):
    """A batch job's state and account."""

    id: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    total: int | None = Field(description="Inputs found (null until they are listed).")
    done: int = Field(description="Articles finished (extracted, from the cache or the store).")
    cached: int = Field(description="Of those, answered from the cache or the store.")
    failed: int
    duplicate: int = Field(description="Inputs with the same text as an earlier one.")
    prompt_tokens: int = Field(description="Tokens this job spent (cached answers spent none).")
    completion_tokens: int
    cost_usd: float | None = Field(description="What the tokens cost; null: no price known.")
    failures: list[Failure]
    error: str | None = Field(description="Why the whole job failed, if it did.")
    created_at: float
    finished_at: float | None


class ResultsPage(_Body):
    """A page of a job's article results."""

    results: list[ArticleResult]
    next_cursor: str | None


class EventView(_Body):
    """A merged event with the source records behind it (refs ``S1``.. within the event)."""

    event: MergedEvent
    sources: list[SourceRef]


class EventsPage(_Body):
    """A page of the merged timeline, in date order."""

    events: list[EventView]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


class Health(_Body):
    """Liveness or readiness."""

    status: Literal["ok", "ready", "not ready"]
    detail: str | None = None
