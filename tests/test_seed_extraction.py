"""Replays the extraction of the seed articles recorded against the embedded model."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SEEDS

from summarizer.articles import load_article
from summarizer.config import EMBEDDED_MODEL_NAME, Settings
from summarizer.extract import PROMPT_NAME, Extractor
from summarizer.prompts import load_prompt
from summarizer.records import ArticleResult
from summarizer.textmatch import stated_numbers

SEED_IDS = ["000_a33cf321543e0b29", "003_e181aa8f936635a2", "004_666d5ab743824ce9"]


def extract_seed(seed: str, settings: Settings, endpoint: Any) -> ArticleResult:
    article = load_article(str(SEEDS / f"{seed}.txt"))
    with Extractor(settings, endpoint=endpoint) as extractor:
        return extractor.summarise(article)


@pytest.mark.vcr
@pytest.mark.parametrize("seed", SEED_IDS)
def test_seed_records_are_grounded_and_traced(seed: str, settings: Settings, embedded_endpoint: Any) -> None:
    result = extract_seed(seed, settings, embedded_endpoint)
    text = (SEEDS / f"{seed}.txt").read_text(encoding="utf-8")
    assert result.records, "the recorded answer yields at least one grounded record"
    for record in result.records:
        for quote in record.evidence:
            assert quote in text, f"evidence is not verbatim article text: {quote!r}"
        for count in record.counts:
            assert count.value is None or count.value in stated_numbers(text)
    prompt = load_prompt(PROMPT_NAME)
    assert result.provenance.prompt_sha256 == prompt.sha256
    assert result.provenance.model_answered == EMBEDDED_MODEL_NAME
    assert result.provenance.endpoint == "embedded"
    assert result.usage.calls >= 1 and result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert result.article.language == "en"
