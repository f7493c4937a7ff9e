"""Any language in, English records out: replays of articles written for these tests in
Russian, German and Ukrainian, recorded against the embedded model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from summarizer.config import Settings
from summarizer.extraction.pipeline import Extractor
from summarizer.ingest.articles import load_article

FIXTURES = Path(__file__).parent / "fixtures" / "articles"


def non_latin_words(name: str) -> list[str]:
    """Words of a name written in another script than Latin (an untranslated name)."""
    return [w for w in name.split() if any(c.isalpha() and ord(c) > 0x24F for c in w)]


# What the recorded answers give after grounding: kind, date, figures of the first record.
# (The Russian article's 103 returned to Russia and 103 handed to Ukraine are each side's;
# the Ukrainian one's 909 bodies went to Ukraine and, told in the next paragraph, 24 to
# Russia: one repatriation; the dates are the articles' date lines.)
RECORDED = {
    "ru_exchange": ("prisoner_exchange", "2024-09-14", [("each_side", "servicemen", 103)]),
    "de_talks": ("talks_round", "2026-03-06", []),
    "uk_bodies": (
        "body_repatriation",
        "2025-09-19",
        [("ukraine", "bodies", 909), ("russia", "bodies", 24)],
    ),
}


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("name", "language"), [("ru_exchange", "ru"), ("de_talks", "de"), ("uk_bodies", "uk")]
)
def test_non_english_article(
    name: str, language: str, settings: Settings, embedded_endpoint: Any
) -> None:
    path = FIXTURES / f"{name}.txt"
    article = load_article(str(path))
    with Extractor(settings, endpoint=embedded_endpoint) as extractor:
        result = extractor.summarise(article)
    assert result.article.language == language
    text = path.read_text(encoding="utf-8")
    assert result.records
    for record in result.records:
        assert all(quote in text for quote in record.quotes)  # verbatim, in the original language
        names = [record.location or "", record.claimed_by or "", *record.mediators, *record.parties]
        assert not [w for name in names for w in non_latin_words(name)], names  # English fields
    kind, date, counts = RECORDED[name]
    first = result.records[0]
    assert (first.kind, first.event_date.value) == (kind, date)
    assert [(c.side, c.category, c.value) for c in first.counts] == counts
