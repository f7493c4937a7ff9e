"""Replays the extraction of the seed articles recorded against the embedded model."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SEED_IDS, SEEDS

from summarizer.config import EMBEDDED_MODEL_NAME, Settings
from summarizer.extraction.figures import stated_values
from summarizer.extraction.pipeline import PROMPT_NAME, Extractor
from summarizer.extraction.prompts import load_prompt
from summarizer.ingest.articles import load_article
from summarizer.records import ArticleResult


def extract_seed(seed: str, settings: Settings, endpoint: Any) -> ArticleResult:
    article = load_article(str(SEEDS / f"{seed}.txt"))
    with Extractor(settings, endpoint=endpoint) as extractor:
        return extractor.summarise(article)


@pytest.mark.vcr
@pytest.mark.parametrize("seed", SEED_IDS)
def test_seed_records_are_grounded_and_traced(
    seed: str, settings: Settings, embedded_endpoint: Any
) -> None:
    result = extract_seed(seed, settings, embedded_endpoint)
    # Spans index the article's text as read (decoded, normalised, stripped).
    text = load_article(str(SEEDS / f"{seed}.txt")).text
    assert result.records, "the recorded answer yields at least one grounded record"
    for record in result.records:
        for evidence in record.evidence:
            assert evidence.start is not None and evidence.end is not None
            assert text[evidence.start : evidence.end] == evidence.text, evidence
        said = stated_values(" ".join(record.quotes))
        for count in record.counts:
            assert count.value is None or count.value in said, (count, record.quotes)
    prompt = load_prompt(PROMPT_NAME)
    assert result.provenance.prompt_sha256 == prompt.sha256
    # Nothing is copied from the prompt's worked example instead of the article.
    example = "".join(m.content for m in prompt.render({"sentence": ""})[:-1])
    for record in result.records:
        assert not [q for q in record.quotes if q in example], record.quotes
    assert result.provenance.model_answered == EMBEDDED_MODEL_NAME
    assert result.provenance.endpoint == "embedded"
    assert (
        result.usage.calls >= 1
        and result.usage.prompt_tokens > 0
        and result.usage.completion_tokens > 0
    )
    assert result.article.language == "en"
    assert summary(result) == RECORDED[seed]
    for warning in DROPPED[seed]:
        assert warning in result.warnings


def summary(result: ArticleResult) -> set[tuple[Any, ...]]:
    return {
        (
            r.kind,
            r.event_date.value,
            r.round_number,
            tuple(sorted((c.side, c.category, c.value, c.qualifier) for c in r.counts)),
        )
        for r in result.records
    }


# What the recorded answers give after grounding, checked by hand against the article text
# (the wrong parts are kept to show what the pipeline does and does not get right). A
# re-recording or a grounding change that alters these must update them here.
RECORDED = {
    "000_a33cf321543e0b29": {
        # Right: the ~250-per-side swap of Wednesday 23 July (the weekday read against the
        # date line), the agreement it was carried out under (undated: "agreements brokered
        # in Istanbul" gives no day, and Wednesday is the swap's), and the third round of
        # talks (undated: the article never dates it), Medinsky's running total of "around
        # 1,200 individuals in total" (told beside the 250 per side; as of the publication
        # day; the side is not said). Wrong: Zelenskyy's "over 1,000 ... brought home" is a
        # running total, read here as one exchange.
        ("prisoner_exchange", "2025-07-23", None, (("each_side", "people", 250, "about"),)),
        ("cumulative_tally", "2025-07-24", None, (("unspecified", "people", 1200, "about"),)),
        ("agreement", None, None, ()),
        ("talks_round", None, 3, ()),
        ("prisoner_exchange", None, None, (("ukraine", "servicemen", 1000, "over"),)),
    },
    "003_e181aa8f936635a2": {
        # Right: the three rounds, dated by the sentence that lists them "in 2025, on May 16,
        # June 2, and July 23" (the article has no publication date; no year is guessed
        # elsewhere), the second and third folded with the sentence that names their round;
        # the bodies Moscow received; the June stage. Wrong: the model (prompt v9) labels
        # "The first round took place on May 16 ..." none, so the first round has no number
        # and the "1,000-for-1,000" deal made "during the meeting" is linked to the round
        # nearest to it in the text, the third (July 23); Galuzin's ~2,300 returned "as a
        # result of agreements reached in Istanbul" (a running total) is an undated agreement
        # of its own; the ~2,400 + ~170 returned to Ukraine are one exchange rather than a
        # total; the June stage's 100 has no side (the model answers "unknown").
        ("agreement", "2025-07-23", None, (("each_side", "people", 1000, "exact"),)),
        ("agreement", None, None, (("russia", "servicemen", 2300, "about"),)),
        ("body_repatriation", None, None, (("russia", "bodies", 200, "exact"),)),
        (
            "prisoner_exchange",
            None,
            None,
            (("ukraine", "civilians", 170, "about"), ("ukraine", "servicemen", 2400, "about")),
        ),
        ("talks_round", "2025-05-16", None, ()),
        ("talks_round", "2025-06-02", 2, ()),
        ("talks_round", "2025-07-23", 3, ()),
        ("cumulative_tally", None, None, ()),
        ("prisoner_exchange", "2025-06", None, (("unspecified", "people", 100, "exact"),)),
    },
    "004_666d5ab743824ce9": {
        # Right: the stage in which each side handed over 390 people, 270 servicemen and 120
        # civilians (the headline sentence's 390 and the next sentence's breakdown folded as
        # one: 270 + 120 = 390), the Istanbul deal. Wrong: "a total of 1,000" is the
        # agreement's figure, read as a running total; no date (the article has none the
        # code can read: "last week" with no publication date); the meeting in Turkey is
        # missed (the model, re-recorded, labels "The breakthrough deal was reached during a
        # two-hour meeting ..." none).
        (
            "prisoner_exchange",
            None,
            None,
            (
                ("each_side", "civilians", 120, "exact"),
                ("each_side", "people", 390, "exact"),
                ("each_side", "servicemen", 270, "exact"),
            ),
        ),
        ("cumulative_tally", None, None, (("each_side", "people", 1000, "exact"),)),
        ("agreement", None, None, ()),
    },
}
# Warnings the replay must give: what the code overruled in the model's answers.
DROPPED = {
    "000_a33cf321543e0b29": ["sentence 2: read as agreement, not talks_round, as its words say"],
    "003_e181aa8f936635a2": [
        "prisoner_exchange told only in a headline (sentence(s) [1]): a headline is never an "
        "event's only evidence; dropped"
    ],
    "004_666d5ab743824ce9": [],
}


@pytest.mark.replays_only
@pytest.mark.vcr
@pytest.mark.default_cassette(
    "test_seed_records_are_grounded_and_traced[000_a33cf321543e0b29].yaml"
)
def test_second_run_is_served_from_the_cache(settings: Settings, embedded_endpoint: Any) -> None:
    seed = "000_a33cf321543e0b29"
    first = extract_seed(seed, settings, embedded_endpoint)
    # The cassette holds one call per candidate sentence and replays refuse repeats: a second
    # run that called the LLM would fail.
    second = extract_seed(seed, settings, embedded_endpoint)
    assert not first.usage.cached and second.usage.cached
    assert second.records == first.records and second.warnings == first.warnings
    assert (second.usage.prompt_tokens, second.usage.completion_tokens) == (
        first.usage.prompt_tokens,
        first.usage.completion_tokens,
    )
