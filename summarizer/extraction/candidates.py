"""Sentences that may state an agreement or a running total, picked without a model (pure).

A small model reading a whole article for every kind of event misses agreements and running
totals. The follow-up call shows it, under the article, the few sentences worth checking for
those two kinds; picking them is deterministic and deliberately generous (the model decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: At most this many sentences are listed (the follow-up's answer has a budget too).
MAX_CANDIDATES = 8

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"”’»)])\s+|\n+")
_AGREEMENT = re.compile(r"\b(agree(d|s|ment|ments)?|deals?|accords?)\b", re.IGNORECASE)
_RUNNING_TOTAL = re.compile(
    r"\b(in total|in all|a total of|so far|to date|altogether|overall|since|now been|"
    r"as a result of|thanks to)\b",
    re.IGNORECASE,
)
# A count, not a year: 1,000 / 250 / 1.200 / 12 (a bare four-digit 19xx or 20xx is a year).
_COUNT = re.compile(r"(?<![\d,.])(?!(?:19|20)\d\d(?![\d,.]))\d{1,3}(?:[,.\u00a0 ]\d{3})*(?![\d])")


def sentences(text: str) -> list[str]:
    """Split text into sentences (and lines), stripped, in order."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


@dataclass(frozen=True)
class Candidate:
    """A sentence to check, with the sentence before it (where its date often is)."""

    sentence: str
    before: str | None


def candidate_sentences(text: str, limit: int = MAX_CANDIDATES) -> list[Candidate]:
    """Sentences that name an agreement or a deal, or give a count with a running-total word.

    Args:
        text: The article (or piece of it) the model reads.
        limit: How many to return at most (the first ones).

    Returns:
        The sentences, verbatim and in article order, each with the one before it.

    """
    all_sentences = sentences(text)
    found = [
        Candidate(s, all_sentences[i - 1] if i else None)
        for i, s in enumerate(all_sentences)
        if _AGREEMENT.search(s) or (_RUNNING_TOTAL.search(s) and _COUNT.search(s))
    ]
    return found[:limit]


def numbered(candidates: list[Candidate]) -> str:
    """The candidates as a numbered list: ``[1] after: <before>`` then ``    check: <it>``."""
    lines = []
    for i, c in enumerate(candidates, start=1):
        lines.append(f"[{i}] after: {c.before or '(start of the article)'}")
        lines.append(f"    check: {c.sentence}")
    return "\n".join(lines)
