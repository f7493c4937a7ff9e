"""Which segments the model is asked about: the ones that may report an event (pure).

Relevance first: a segment is a candidate when it names a swap or a return of prisoners, a
handover of bodies, talks, a deal or a mediator and, for prose, gives a count, a date or
speaks of talks or a deal; or when it counts soldiers or civilians. An article with no
candidate prose costs no model call and yields no event. The model reads only the
candidates (processing text is most of the time a small local model spends), and sentences
that give instructions, bylines, captions and timestamps never reach it.

Candidates are read in two tiers. The primary ones are prose sentences that state what an
event's record is made of: a count, a date, a round number or a deal. The others (talks
mentioned without any of those, headlines and sub-headings, which are never an event's only
evidence) add context: on the development set, skipping the headlines cost no event and the
context sentences about a twelfth of the talks and agreements.
"""

from __future__ import annotations

from summarizer.extraction.dates import find_dates
from summarizer.extraction.details import find_round
from summarizer.extraction.figures import read_figures
from summarizer.extraction.lexicon import mentions
from summarizer.extraction.segments import Segment

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


def is_primary(segment: Segment, language: str = "en") -> bool:
    """Whether a candidate states an event's substance.

    Prose with a count, a date, a round number ("the third round") or a deal.
    """
    if segment.role != "sentence":
        return False
    return bool(
        any(f.category is not None for f in read_figures(segment.text, language))
        or find_dates(segment.text)
        or find_round(segment.text) is not None
        or mentions("agreement", segment.text)
    )


def candidates(
    segments: tuple[Segment, ...] | list[Segment], language: str = "en"
) -> list[Segment]:
    """The candidate segments, in article order.

    Returns:
        The candidates; empty when no prose segment is one (the article reports no event:
        no request is made).

    """
    chosen = [s for s in segments if is_candidate(s, language)]
    return chosen if any(s.is_prose for s in chosen) else []
