from __future__ import annotations

import json
from typing import Any

import pytest
from factories import answer, count, event
from fake_llm_server import Reply, fake_llm_server

from summarizer.config import Settings
from summarizer.errors import LLMOutputTruncatedError
from summarizer.extraction.pipeline import (
    FOLLOW_UP_BUDGET_SHARE,
    Extractor,
    estimate_tokens,
    halve,
    paragraphs,
    split_text,
)
from summarizer.ingest.articles import article_from_bytes

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

PARAS = [
    f"Paragraph {i} says that {i * 10} prisoners were exchanged on the border today."
    for i in range(1, 9)
]


def test_paragraphs_blank_line_or_line_separated() -> None:
    assert paragraphs("a\n\nb\nc") == ["a", "b\nc"]
    assert paragraphs("a\nb\nc") == ["a", "b", "c"]


def test_split_text_packs_paragraphs_under_the_limit_and_loses_nothing() -> None:
    text = "\n\n".join(PARAS)
    limit = estimate_tokens("\n\n".join(PARAS[:3]))
    pieces = split_text(text, limit)
    assert len(pieces) == 3
    assert all(estimate_tokens(p) <= limit for p in pieces)
    assert "\n\n".join(pieces) == text


def test_an_overlong_paragraph_is_split_between_sentences() -> None:
    para = " ".join(f"Sentence {i} is here." for i in range(100))
    pieces = split_text(para, 40)
    assert len(pieces) > 1 and all(estimate_tokens(p) <= 40 for p in pieces)


def test_halve_splits_near_the_middle() -> None:
    first, second = halve("\n\n".join(PARAS)) or ("", "")
    assert first.count("Paragraph") == 4 and second.count("Paragraph") == 4
    assert halve("one paragraph only") is None


def answer_for(text: str) -> str:
    """A grounded answer quoting the first paragraph of whatever the request carried."""
    first = next(p for p in PARAS if p in text)
    value = int(first.split(" says that ")[1].split()[0])
    return answer(
        event(
            date=None,
            location=None,
            parties=[],
            evidence=[first],
            counts=[count("each_side", "people", value)],
        )
    )


def remote(base_url: str, **overrides: object) -> Settings:
    return Settings.resolve(base_url=base_url, model="fake", use_cache=False, **overrides)


def test_truncated_answer_splits_the_article_in_two() -> None:
    article = article_from_bytes("\n\n".join(PARAS[:2]).encode(), "two.txt", "two")
    replies = [
        Reply(content='{"events": [', finish_reason="length"),
        Reply(content=answer_for(PARAS[0])),
        Reply(content=answer_for(PARAS[1])),
    ]
    with fake_llm_server(replies) as server, Extractor(remote(server.base_url)) as extractor:
        result = extractor.summarise(article)
    assert len(server.requests) == 3
    assert PARAS[1] not in server.requests[1]["messages"][-1]["content"]
    assert [r.counts[0].value for r in result.records] == [10, 20]
    assert [r.id for r in result.records] == ["two#0", "two#1"]
    assert result.usage.calls == 3


def test_embedded_truncation_keeps_the_complete_events_within_the_budget() -> None:
    # On the embedded model a cut-off answer has used the article's generation budget: the
    # events written out in full are kept (and grounded), the cut one is not, and it is said.
    article = article_from_bytes("\n\n".join(PARAS[:2]).encode(), "two.txt", "two")
    complete = json.loads(answer_for(PARAS[0]))["events"][0]
    cut = json.dumps({"events": [complete, complete | {"evidence": ["invented words here"]}]})[:-40]
    with fake_llm_server([Reply(content=cut, finish_reason="length")]) as server:
        settings = Settings.resolve(use_cache=False)  # embedded: generation budget applies
        with Extractor(
            settings, endpoint=lambda: _fixed(server.base_url), follow_up=False
        ) as extractor:
            result = extractor.summarise(article)
    assert len(server.requests) == 1  # not read again
    assert [r.counts[0].value for r in result.records] == [10]
    assert (
        result.warnings[0]
        == "answer cut off at max_tokens=900; kept the 1 event(s) written out before the cut"
    )


def _fixed(base_url: str) -> Any:
    from contextlib import nullcontext

    from summarizer.extraction.llm import Endpoint

    return nullcontext(Endpoint(base_url=base_url, model="fake"))


def test_truncation_of_a_single_paragraph_is_reported() -> None:
    article = article_from_bytes(PARAS[0].encode(), "one.txt", "one")
    with fake_llm_server([Reply(content="{", finish_reason="length")]) as server:
        with (
            Extractor(remote(server.base_url)) as extractor,
            pytest.raises(LLMOutputTruncatedError),
        ):
            extractor.summarise(article)


def test_an_article_longer_than_the_context_is_split_and_joined() -> None:
    text = "\n\n".join(PARAS * 30)
    article = article_from_bytes(text.encode(), "long.txt", "long")
    with fake_llm_server([Reply(content=answer_for(PARAS[0]))]) as server:
        settings = remote(server.base_url, context_tokens=4096, max_output_tokens=256)
        with Extractor(settings) as extractor:
            result = extractor.summarise(article)
    assert len(server.requests) >= 2
    sent = [r["messages"][-1]["content"] for r in server.requests]
    assert all(estimate_tokens(s) < 4096 for s in sent)
    assert len(result.records) == len(server.requests)


def test_embedded_generation_is_bounded_by_the_budget() -> None:
    settings = Settings.resolve(generation_budget_s=60, max_output_tokens=4096, context_tokens=8192)
    extractor = Extractor(settings)
    # 60 s at the slowest measured 15 tokens/s.
    assert extractor.max_tokens == 900
    assert extractor.parameters["max_tokens"] == 900
    extractor.close()


#: The follow-up's share of the 60 s budget at 15 tokens/s.
FOLLOW_UP_MAX_TOKENS = int(60 * FOLLOW_UP_BUDGET_SHARE * 15)

TALKS = (
    "The delegations met in Istanbul on 16 May. They agreed to exchange 1,000 prisoners each. "
    "Ukraine has brought home 5,000 people in total since 2022."
)


def test_embedded_model_asks_a_follow_up_for_agreements_and_tallies() -> None:
    # The follow-up is a second call with its own prompt, the article last; its events are
    # joined to the main answer's, and one repeating a main event is dropped.
    article = article_from_bytes(TALKS.encode(), "talks.txt", "talks")
    agreed = event(
        kind="agreement",
        date="2025-05-16",
        counts=[count("each_side", "people", 1000)],
        evidence=["They agreed to exchange 1,000 prisoners each"],
    )
    main = answer(
        event(kind="talks_round", counts=[], evidence=["The delegations met in Istanbul"]),
        agreed,
    )
    tally = event(
        kind="cumulative_tally",
        date=None,
        counts=[count("ukraine", "people", 5000)],
        evidence=["Ukraine has brought home 5,000 people in total since 2022"],
    )
    with fake_llm_server([Reply(content=main), Reply(content=answer(agreed, tally))]) as server:
        settings = Settings.resolve(use_cache=False)
        with Extractor(settings, endpoint=lambda: _fixed(server.base_url)) as extractor:
            result = extractor.summarise(article)
            parameters = extractor.parameters
            follow_up = parameters["follow_up_prompt"]
    assert len(server.requests) == 2
    first, second = (r["messages"] for r in server.requests)
    assert first[-1]["content"].endswith(TALKS)
    assert "cumulative_tally" in second[0]["content"] and first[0] != second[0]
    # Under the article, the candidate sentences for the two kinds.
    assert second[-1]["content"].endswith(
        f"{TALKS}\n\nSentences to check:\n"
        "[1] after: The delegations met in Istanbul on 16 May.\n"
        "    check: They agreed to exchange 1,000 prisoners each.\n"
        "[2] after: They agreed to exchange 1,000 prisoners each.\n"
        "    check: Ukraine has brought home 5,000 people in total since 2022."
    )
    # The follow-up's schema allows only its two kinds, so the grammar enforces them.
    kinds = json.dumps(server.requests[1]["response_format"])
    assert '"talks_round"' not in kinds and '"cumulative_tally"' in kinds
    assert [r.kind for r in result.records] == ["talks_round", "agreement", "cumulative_tally"]
    assert result.warnings == [
        "follow-up agreement 'They agreed to exchange 1,000 prisoners each': dropped as a repeat"
    ]
    assert result.usage.calls == 2
    assert str(follow_up).startswith("extract_agreements_tallies@")
    assert parameters["follow_up_max_tokens"] == FOLLOW_UP_MAX_TOKENS


def test_an_endpoint_model_gets_no_follow_up_unless_asked() -> None:
    article = article_from_bytes(TALKS.encode(), "talks.txt", "talks")
    main = answer(event(kind="talks_round", counts=[], evidence=["The delegations met"]))
    with fake_llm_server([Reply(content=main)]) as server:
        with Extractor(remote(server.base_url)) as extractor:
            extractor.summarise(article)
            assert "follow_up_prompt" not in extractor.parameters
    assert len(server.requests) == 1


def test_no_follow_up_call_without_candidate_sentences() -> None:
    text = "The delegations met in Istanbul on 16 May. On Friday 250 soldiers were swapped."
    article = article_from_bytes(text.encode(), "plain.txt", "plain")
    main = answer(event(kind="talks_round", counts=[], evidence=["The delegations met"]))
    with fake_llm_server([Reply(content=main)]) as server:
        with Extractor(
            Settings.resolve(use_cache=False), endpoint=lambda: _fixed(server.base_url)
        ) as extractor:
            result = extractor.summarise(article)
    assert len(server.requests) == 1 and result.usage.calls == 1


def test_a_cut_off_follow_up_keeps_the_main_answer_and_says_so() -> None:
    article = article_from_bytes(TALKS.encode(), "talks.txt", "talks")
    main = answer(event(kind="talks_round", counts=[], evidence=["The delegations met"]))
    with fake_llm_server([Reply(content=main), Reply(content="{", finish_reason="length")]) as s:
        settings = Settings.resolve(use_cache=False)
        with Extractor(settings, endpoint=lambda: _fixed(s.base_url)) as extractor:
            result = extractor.summarise(article)
    assert [r.kind for r in result.records] == ["talks_round"]
    assert result.warnings == [
        f"follow-up: answer cut off at max_tokens={FOLLOW_UP_MAX_TOKENS}; kept the 0 event(s) "
        "written out before the cut"
    ]


def _schema_ordered(value: int, quote: str) -> dict[str, Any]:
    """An event with its keys in the order the schema makes the model write them."""
    return {
        "evidence": [quote],
        "kind": "prisoner_exchange",
        "date": None,
        "location": None,
        "mediators": [],
        "parties": [],
        "counts": [
            {"side": "each_side", "category": "people", "value": value, "qualifier": "exact"}
        ],
        "claimed_by": "the ministry",
        "round_number": None,
    }


AFTER_FIGURES = " and the one cut after its figures"


@pytest.mark.parametrize(
    ("cut_after", "kept", "said", "claimed_by"),
    [
        # Cut after the figures: only claimed_by and round_number are lost, and unknown.
        (
            '"qualifier": "exact"}]',
            [10, 20],
            f"{AFTER_FIGURES} (claimed_by, round_number unknown)",
            None,
        ),
        (
            '"claimed_by": "the ministry"',
            [10, 20],
            f"{AFTER_FIGURES} (round_number unknown)",
            "the ministry",
        ),
        # Cut inside a figure (its qualifier not yet written) or before the figures: dropped.
        ('"value": 20, "qualifier": "ex', [10], "", None),
        ('"counts": [{"side": "each_side"', [10], "", None),
        ('"kind": "prisoner_exchange"', [10], "", None),
    ],
)
def test_embedded_truncation_keeps_an_event_cut_after_its_figures(
    cut_after: str, kept: list[int], said: str, claimed_by: str | None
) -> None:
    article = article_from_bytes("\n\n".join(PARAS[:2]).encode(), "two.txt", "two")
    full = json.dumps({"events": [_schema_ordered(10, PARAS[0]), _schema_ordered(20, PARAS[1])]})
    second = full.index(PARAS[1])
    cut = full[: full.index(cut_after, second) + len(cut_after)]
    with fake_llm_server([Reply(content=cut, finish_reason="length")]) as server:
        with Extractor(
            Settings.resolve(use_cache=False),
            endpoint=lambda: _fixed(server.base_url),
            follow_up=False,
        ) as extractor:
            result = extractor.summarise(article)
    assert [r.counts[0].value for r in result.records] == kept
    assert result.warnings[0] == (
        f"answer cut off at max_tokens=900; kept the 1 event(s) written out before the cut{said}"
    )
    assert result.records[-1].claimed_by == (claimed_by if len(kept) == 2 else "the ministry")
