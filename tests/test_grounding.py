from __future__ import annotations

import pytest
from factories import event
from pydantic import ValidationError

from summarizer.extraction.grounding import ARTICLE_KEY, GroundedExtraction, event_problems, ground
from summarizer.records import Extraction

ARTICLE = (
    "Each side returned 270 servicemen and 120 civilians on the Ukrainian-Belarusian border, "
    "as part of a broader agreement to swap a total of 1,000 prisoners."
)


def test_grounded_output_validates() -> None:
    parsed = GroundedExtraction.model_validate(
        {"events": [event()]}, context={ARTICLE_KEY: ARTICLE}
    )
    assert parsed.events[0].counts[0].value == 270


def test_ungrounded_quote_and_figure_fail_validation_with_a_message_for_the_model() -> None:
    bad = event(
        evidence=["Each side returned 300 servicemen"],
        counts=[
            {"side": "each_side", "category": "servicemen", "value": 300, "qualifier": "exact"}
        ],
    )
    with pytest.raises(ValidationError) as info:
        GroundedExtraction.model_validate({"events": [bad]}, context={ARTICLE_KEY: ARTICLE})
    message = str(info.value)
    assert (
        "events[0] (prisoner_exchange): evidence quote 'Each side returned 300 servicemen'"
        in message
    )
    assert "count 300 (each_side, servicemen) is not stated in the article" in message


def test_without_article_context_grounding_is_not_checked() -> None:
    bad = event(evidence=["words that are nowhere"])
    assert GroundedExtraction.model_validate({"events": [bad]}).events[0].evidence == [
        "words that are nowhere"
    ]


def test_ground_drops_ungrounded_parts_and_warns() -> None:
    extraction = Extraction.model_validate(
        {
            "events": [
                event(
                    evidence=["each side RETURNED 270 servicemen", "a quote from nowhere at all"],
                    counts=[
                        {
                            "side": "each_side",
                            "category": "servicemen",
                            "value": 270,
                            "qualifier": "exact",
                        },
                        {
                            "side": "each_side",
                            "category": "people",
                            "value": 540,
                            "qualifier": "exact",
                        },
                        {
                            "side": "russia",
                            "category": "civilians",
                            "value": None,
                            "qualifier": "exact",
                        },
                    ],
                ),
                event(kind="agreement", evidence=["invented agreement text"], counts=[]),
            ]
        }
    )
    kept, warnings = ground(extraction, ARTICLE)
    assert len(kept) == 1
    assert kept[0].evidence == ["Each side returned 270 servicemen"]  # the article's own text
    assert [c.value for c in kept[0].counts] == [270, None]
    assert warnings == [
        "event 0 (prisoner_exchange): dropped evidence 'a quote from nowhere at all': not found verbatim in the article",
        "event 0 (prisoner_exchange): dropped figure 540 (each_side, people): not stated in the article",
        "event 1 (agreement): dropped evidence 'invented agreement text': not found verbatim in the article",
        "event 1 (agreement): dropped the event: no grounded evidence",
    ]


def test_event_problems_empty_when_grounded() -> None:
    parsed = Extraction.model_validate({"events": [event()]})
    assert event_problems(parsed.events[0], ARTICLE) == []


def test_names_in_another_script_are_fed_back_and_warned_about() -> None:
    foreign = event(location="Белоруссия", mediators=["Türkiye"], claimed_by="Міноборони")
    with pytest.raises(ValidationError) as info:
        GroundedExtraction.model_validate({"events": [foreign]}, context={ARTICLE_KEY: ARTICLE})
    assert "location 'Белоруссия' must be written in English" in str(info.value)
    assert "claimed_by 'Міноборони' must be written in English" in str(info.value)
    assert "Türkiye" not in str(info.value)  # Latin with diacritics is fine
    kept, warnings = ground(Extraction.model_validate({"events": [foreign]}), ARTICLE)
    assert kept[0].location == "Белоруссия"  # kept: still what the article says
    assert warnings == [
        "event 0 (prisoner_exchange): location 'Белоруссия' must be written in English",
        "event 0 (prisoner_exchange): claimed_by 'Міноборони' must be written in English",
    ]


def test_repeated_events_are_dropped() -> None:
    extraction = Extraction.model_validate({"events": [event(), event(), event(kind="agreement")]})
    kept, warnings = ground(extraction, ARTICLE)
    assert [e.kind for e in kept] == ["prisoner_exchange", "agreement"]
    assert warnings == ["event 1 (prisoner_exchange): dropped as a repeat of an earlier event"]
