"""Which segments the model is shown: the ones that may report an event (pure).

Relevance first: a segment is a candidate when it names a swap or a return of prisoners, a
handover of bodies, talks or a deal (multilingual word lists, :mod:`lexicon`). An article with
no candidate prose costs no generation and yields no event. The model reads only the
candidates, numbered 1..n in article order, which keeps the prompt short (prompt processing
is most of the time a small local model spends) and keeps sentences that give instructions,
bylines, captions and timestamps away from it altogether.
"""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.extraction.dates import find_dates
from summarizer.extraction.figures import read_figures
from summarizer.extraction.lexicon import mentions
from summarizer.extraction.segments import Segment

#: At most this many segments go into one request; a longer list is read in several.
MAX_SHOWN = 24
_SHOWN_ROLES = frozenset({"sentence", "headline", "subheading"})
_COUNTED = frozenset({"servicemen", "civilians"})


def is_candidate(segment: Segment, language: str = "en") -> bool:
    """Whether a segment may report an event (and may be shown to the model).

    It names a swap, a return, a handover of bodies, talks, a deal or a mediator, or it
    gives a count of soldiers or civilians ("307 soldiers", "Ukrainians") that a neighbouring
    sentence may put in context. (A count of the dead alone is a casualty figure: not shown.)
    """
    if segment.role not in _SHOWN_ROLES:
        return False
    figures = read_figures(segment.text, language)
    if not mentions("relevant", segment.text):
        return any(f.category in _COUNTED or f.nationality for f in figures)
    if segment.role != "sentence":
        return True
    # A word of the kind alone ("captivity", "returned") is not enough for prose: it must give
    # a count, a date, or speak of talks or a deal.
    return bool(
        any(f.category is not None for f in figures)
        or find_dates(segment.text)
        or mentions("talks", segment.text)
        or mentions("agreement", segment.text)
    )


@dataclass(frozen=True)
class Shown:
    """The segments one request shows, numbered 1..n for the model."""

    segments: tuple[Segment, ...]

    def by_number(self, number: int) -> Segment | None:
        """The segment the model calls ``number`` (1-based), if it was shown."""
        return self.segments[number - 1] if 1 <= number <= len(self.segments) else None

    def render(self) -> str:
        """The numbered list as the prompt shows it; non-prose segments say what they are."""
        lines = []
        for number, segment in enumerate(self.segments, start=1):
            role = "" if segment.role == "sentence" else f"({segment.role}) "
            text = " ".join(segment.text.split())
            lines.append(f"[{number}] {role}{text}")
        return "\n".join(lines)


def select(segments: tuple[Segment, ...] | list[Segment], language: str = "en") -> list[Shown]:
    """The candidate segments, in article order, in requests of at most :data:`MAX_SHOWN`.

    Returns:
        One :class:`Shown` per request; empty when no prose segment is a candidate (the
        article reports no event: no request is made).

    """
    chosen = [s for s in segments if is_candidate(s, language)]
    if not any(s.is_prose for s in chosen):
        return []
    return [
        Shown(tuple(chosen[i : i + MAX_SHOWN])) for i in range(0, len(chosen), MAX_SHOWN)
    ]
