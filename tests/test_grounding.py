"""Grounding a sentence label: the text wins over the model on kind, figures and dates."""

from __future__ import annotations

from summarizer.extraction.grounding import ArticleView, read_sentence
from summarizer.extraction.segments import split_segments
from summarizer.records import EventDate, SentenceAnswer

PUBLISHED = EventDate(value="2025-07-24", precision="day")


def view(text: str, published: EventDate = PUBLISHED, language: str = "en") -> ArticleView:
    return ArticleView(text, language, published, split_segments(text, language))


def entry(*kinds: str, figures: list[tuple[int, str]] | None = None) -> SentenceAnswer:
    return SentenceAnswer.model_validate(
        {
            "n": 1,
            "kinds": list(kinds),
            "figures": [{"number": n, "received_by": s} for n, s in figures or []],
        }
    )


def ground(text: str, label: SentenceAnswer, **kw: object):  # type: ignore[no-untyped-def]
    article = view(text, **kw)  # type: ignore[arg-type]
    return read_sentence(label, article.segments[0], article)


def test_figures_take_their_qualifier_category_and_side_from_the_text() -> None:
    drafts, warnings = ground(
        "Medinsky said that around 250 individuals from each side were exchanged on Wednesday.",
        entry("prisoner_exchange", figures=[(250, "ukraine")]),
    )
    (draft,) = drafts
    (count,) = draft.counts
    assert (count.side, count.category, count.value, count.qualifier) == (
        "each_side", "people", 250, "about",
    )  # fmt: skip
    assert draft.date.value == "2025-07-23" and draft.date_text == "Wednesday"
    assert warnings == []


def test_a_figure_not_written_in_the_sentence_is_dropped_with_a_warning() -> None:
    drafts, warnings = ground(
        "Each side returned 270 servicemen on Friday.",
        entry("prisoner_exchange", figures=[(270, "each_side"), (9999, "each_side")]),
    )
    assert [c.value for c in drafts[0].counts] == [270]
    assert warnings == ["sentence 1: dropped figure 9999: not written in the sentence as a count"]


def test_soldiers_returned_alive_are_no_repatriation_of_bodies() -> None:
    drafts, warnings = ground(
        "Moscow announced the return of 248 Russian POWs.",
        entry("body_repatriation", figures=[(248, "ukraine")]),
    )
    (draft,) = drafts
    assert draft.kind == "prisoner_exchange"
    assert [(c.side, c.category) for c in draft.counts] == [("russia", "servicemen")]
    assert "read as prisoner_exchange" in warnings[0]


def test_a_kind_the_words_cannot_report_is_dropped() -> None:
    drafts, warnings = ground("The weather in Istanbul was warm on Friday.", entry("talks_round"))
    assert drafts == []
    assert warnings and "not a talks_round" in warnings[0]


def test_talks_and_the_agreement_reached_there_are_two_events() -> None:
    drafts, _ = ground(
        "At the second round in Istanbul on June 2, they agreed to swap 6,000 bodies each.",
        entry("talks_round", "agreement", figures=[(6000, "each_side")]),
    )
    assert [(d.kind, [c.value for c in d.counts], d.round_number) for d in drafts] == [
        ("talks_round", [], 2),
        ("agreement", [6000], None),
    ]
    assert all(d.location == "Istanbul" and d.date.value == "2025-06-02" for d in drafts)


def test_no_year_is_guessed_and_a_done_event_is_not_dated_after_publication() -> None:
    drafts, _ = ground(
        "The swap took place on July 23.",
        entry("prisoner_exchange"),
        published=EventDate(),
    )
    assert drafts[0].date == EventDate() and drafts[0].date_text == "July 23"
    drafts, warnings = ground(
        "The swap took place on 30.07.2025.", entry("prisoner_exchange")
    )
    assert drafts[0].date == EventDate()
    assert "after the article's publication" in warnings[0]


def test_a_running_total_with_no_date_of_its_own_is_as_of_publication() -> None:
    drafts, _ = ground(
        "Since February 2022, 5,857 Ukrainians have been brought home.",
        entry("cumulative_tally", figures=[(5857, "ukraine")]),
    )
    assert drafts[0].date == PUBLISHED  # "February 2022" opens the period, it is no date


def test_a_dateline_date_is_the_report_day_not_the_event_day() -> None:
    drafts, _ = ground(
        "KYIV, July 24 (Agency) — Ukraine and Russia exchanged 84 prisoners each.",
        entry("prisoner_exchange", figures=[(84, "each_side")]),
    )
    assert drafts[0].date == EventDate()
