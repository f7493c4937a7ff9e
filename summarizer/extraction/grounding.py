"""Grounding: every evidence quote occurs in the article and every figure is stated in it.

Used twice. As a validator (``GroundedExtraction``) it turns a violation into a validation error
that instructor sends back to the model. After the re-asks, :func:`ground` drops whatever is
still ungrounded and says so in warnings, so nothing ungrounded is passed off as fact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from summarizer.extraction.textmatch import (
    locate_quote,
    non_latin_words,
    quote_problem,
    stated_numbers,
)
from summarizer.extraction.validation_context import validation_context
from summarizer.records import Count, ExtractedEvent, Extraction

#: Validation-context key holding the article text the model was given.
ARTICLE_KEY = "article"


def english_problems(event: ExtractedEvent) -> list[str]:
    """Fields meant to be English that are written in another script."""
    fields = {
        "location": [event.location] if event.location else [],
        "mediators": event.mediators,
        "parties": event.parties,
        "claimed_by": [event.claimed_by] if event.claimed_by else [],
    }
    return [
        f"{name} {value!r} must be written in English"
        for name, values in fields.items()
        for value in values
        if non_latin_words(value)
    ]


def event_problems(event: ExtractedEvent, article: str) -> list[str]:
    """List the ungrounded or untranslated parts of one event.

    Args:
        event: An event as the model gave it.
        article: The text the model was given.

    Returns:
        One message per ungrounded quote or figure or non-English name; empty when all is well.

    """
    numbers = stated_numbers(article)
    problems = [
        f"evidence quote {quote!r} is {reason}; quote the article exactly"
        for quote in event.evidence
        if (reason := quote_problem(quote, article)) is not None
    ]
    problems += [
        f"count {count.value} ({count.side}, {count.category}) is not stated in the article"
        for count in event.counts
        if count.value is not None and count.value not in numbers
    ]
    return problems + english_problems(event)


def _reject(
    heading: str,
    events: Sequence[ExtractedEvent],
    problems_of: Callable[[ExtractedEvent], list[str]],
) -> None:
    """Fail validation with every event's problems, worded for the model's re-ask."""
    problems = [
        f"events[{i}] ({event.kind}): {problem}"
        for i, event in enumerate(events)
        for problem in problems_of(event)
    ]
    if problems:
        text = f"{heading}:\n- " + "\n- ".join(problems)
        # Passed as context, not as the template: a quote may contain braces.
        raise PydanticCustomError("ungrounded", "{problems}", {"problems": text})


class GroundedExtraction(Extraction):
    """``Extraction`` that fails validation when anything is ungrounded.

    Grounding runs only when the validation context carries the article, so the same model
    parses cached or recorded output without it.
    """

    # The error text is sent back to the model in the re-ask: leave out the input (the model
    # has its answer already) and keep it free of pydantic's version-specific links, so the
    # request, and its cassette, do not change with the installed pydantic.
    model_config = ConfigDict(title="Extraction", hide_input_in_errors=True)

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> GroundedExtraction:
        article = validation_context(info).get(ARTICLE_KEY)
        if article is None:
            return self
        _reject("ungrounded output", self.events, lambda event: event_problems(event, article))
        return self


class FollowUpEvent(ExtractedEvent):
    """An event of the follow-up turn: only the kinds it asks for (the grammar enforces it)."""

    kind: Literal["agreement", "cumulative_tally"] = Field(
        description="agreement: a deal reached. cumulative_tally: a running total over "
        "several swaps."
    )


def figures_outside_evidence(event: ExtractedEvent) -> list[str]:
    """Figures of an event that its own evidence does not state."""
    numbers = stated_numbers(" ".join(event.evidence))
    return [
        f"count {count.value} ({count.side}, {count.category}) is not stated in this event's "
        "evidence; give only the numbers its evidence states"
        for count in event.counts
        if count.value is not None and count.value not in numbers
    ]


class GroundedFollowUp(GroundedExtraction):
    """``GroundedExtraction`` of the follow-up call (agreements and running totals only).

    Its evidence is one sentence, so each figure must be stated in the event's own evidence
    (a small model otherwise lends a figure from the next sentence).
    """

    events: list[FollowUpEvent] = Field(  # type: ignore[assignment]
        max_length=8, description="Agreements and running totals, in article order."
    )

    @model_validator(mode="after")
    def _figures_in_own_evidence(self, info: ValidationInfo) -> GroundedFollowUp:
        if validation_context(info).get(ARTICLE_KEY) is None:
            return self
        _reject("figures not in their evidence", self.events, figures_outside_evidence)
        return self


def ground(
    extraction: Extraction, article: str, label: str = "", *, own_evidence: bool = False
) -> tuple[list[ExtractedEvent], list[str]]:
    """Keep only what the article supports.

    A grounded quote is replaced by the article's exact text of it; an ungrounded quote is
    removed; an event left with no grounded quote is dropped; an ungrounded figure is removed
    from its event; an event repeating an earlier one (same kind and evidence) is dropped.
    Each removal becomes a warning, and so does a name the model left untranslated (kept: it
    is still what the article says).

    Args:
        extraction: The model's output.
        article: The text the model was given.
        label: Prefix for warnings (e.g. the piece of a split article).
        own_evidence: Also drop a figure that the event's own evidence does not state.

    Returns:
        The grounded events and the warnings.

    """
    numbers = stated_numbers(article)
    kept: list[ExtractedEvent] = []
    warnings: list[str] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for i, event in enumerate(extraction.events):
        where = f"{label}event {i} ({event.kind})"
        quotes: list[str] = []
        for quote in event.evidence:
            span = locate_quote(quote, article)
            if span is not None:
                if span not in quotes:
                    quotes.append(span)
            else:
                reason = quote_problem(quote, article) or "not found verbatim in the article"
                warnings.append(f"{where}: dropped evidence {quote!r}: {reason}")
        if not quotes:
            warnings.append(f"{where}: dropped the event: no grounded evidence")
            continue
        counts: list[Count] = []
        in_evidence = stated_numbers(" ".join(quotes)) if own_evidence else numbers
        for count in event.counts:
            if count.value is None or count.value in in_evidence:
                counts.append(count)
            else:
                where_not = "its evidence" if count.value in numbers else "the article"
                warnings.append(
                    f"{where}: dropped figure {count.value} ({count.side}, {count.category}):"
                    f" not stated in {where_not}"
                )
        identity = (event.kind, tuple(quotes))
        if identity in seen:
            warnings.append(f"{where}: dropped as a repeat of an earlier event")
            continue
        seen.add(identity)
        warnings.extend(f"{where}: {problem}" for problem in english_problems(event))
        kept.append(event.model_copy(update={"evidence": quotes, "counts": counts}))
    return kept, warnings
