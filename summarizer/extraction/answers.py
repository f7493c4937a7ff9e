"""The model's answer: the schema one request sends, and reading any raw answer leniently (pure).

Each request's schema has exactly one entry per sentence shown, and fixes each entry's ``n``
to its sentence's number (``prefixItems`` with ``const``), so llama.cpp's grammar makes the
model label every sentence in order and never lose its place; another endpoint's answer that
strays fails validation and is re-asked. A raw answer (fresh, cached or cut off at
``max_tokens``) is read leniently: every entry that validates on its own is kept, and what was
not is said in a warning.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError, create_model

from summarizer.extraction.grounding import short
from summarizer.extraction.partial_json import complete_items
from summarizer.records import (
    MAX_FIGURES,
    Answer,
    Label,
    SentenceAnswer,
    WireEntry,
    WireFigure,
)


@lru_cache(maxsize=64)
def answer_model(shown: int) -> type[Answer]:
    """The answer schema of a request that shows ``shown`` numbered sentences.

    Each entry is ``[n, label, figures]`` with ``n`` one of the shown numbers (1..shown).
    """
    entry = tuple[
        Annotated[int, Field(ge=1, le=max(1, shown))],
        Label,
        Annotated[list[WireFigure], Field(max_length=MAX_FIGURES)],
    ]
    return create_model(
        "Answer",
        __base__=Answer,
        __doc__=Answer.__doc__,
        sentences=(
            list[entry],  # type: ignore[valid-type]
            Field(
                max_length=max(1, shown),
                description="One [n, label, [[number, received_by], ...]] entry per sentence "
                "that reports an event.",
            ),
        ),
    )


_ENTRY = TypeAdapter(WireEntry)


def _entries(raw: str) -> tuple[list[Any], str | None]:
    """The answer's sentence entries and, if it was not whole JSON, what was wrong."""
    try:
        document = json.loads(raw)
    except json.JSONDecodeError:
        items = complete_items(raw, "sentences")
        return items, f"the answer is not complete JSON; read its {len(items)} complete entries"
    if isinstance(document, dict) and isinstance(document.get("sentences"), list):
        return list(document["sentences"]), None
    return [], f"the answer is not an object with a sentences list: {short(raw)!r}"


def parse_answer(raw: str, shown: int) -> tuple[list[SentenceAnswer], list[str]]:
    """Read a raw answer as well as it can be read.

    Args:
        raw: The model's answer text.
        shown: How many sentences its request showed (an entry for another is invalid).

    Returns:
        The entries that validate (at most one per sentence), and a warning per problem.

    """
    try:
        return answer_model(shown).model_validate_json(raw).entries(), []
    except ValidationError:
        pass
    items, problem = _entries(raw)
    warnings = [problem] if problem else []
    entries: dict[int, SentenceAnswer] = {}
    for index, item in enumerate(items[: 2 * shown + 8]):
        try:
            entry = SentenceAnswer.from_wire(_ENTRY.validate_python(item))
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "entry"
            warnings.append(
                f"answer entry {index} dropped: {where}: {short(first.get('msg', ''), 120)}"
            )
            continue
        if entry.n > shown:
            warnings.append(f"answer entry {index} dropped: no sentence {entry.n} was shown")
            continue
        if entry.n in entries:
            warnings.append(f"answer entry {index} dropped: sentence {entry.n} labelled twice")
            continue
        entries[entry.n] = entry
    return [entries[n] for n in sorted(entries)], warnings
