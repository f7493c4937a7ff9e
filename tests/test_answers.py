"""The answer schema of one sentence's request, and lenient reading of any raw answer."""

from __future__ import annotations

import pytest

from summarizer.extraction.answers import LABELS, RECIPIENTS, answer_model, parse_answer
from summarizer.records import SentenceAnswer


def test_the_embedded_model_answers_an_array_and_is_asked_the_side_only_when_needed() -> None:
    short = answer_model(asks_recipient=False).model_json_schema()
    assert short["type"] == "array" and short["minItems"] == short["maxItems"] == 1
    assert short["prefixItems"][0]["enum"] == list(LABELS)
    long = answer_model(asks_recipient=True).model_json_schema()
    assert [item["enum"] for item in long["prefixItems"]] == [list(LABELS), list(RECIPIENTS)]
    assert "items" not in long  # llama.cpp's grammar refuses `items: false`


def test_an_endpoint_gets_the_object_form_of_the_same_answer() -> None:
    schema = answer_model(asks_recipient=True, array=False).model_json_schema()
    assert schema["type"] == "object"
    assert schema["required"] == ["label", "received_by"]
    assert schema["additionalProperties"] is False


def test_the_schema_is_a_fresh_copy_each_time() -> None:
    model = answer_model(asks_recipient=False)
    first = model.model_json_schema()
    first["title"] = "changed by a caller"
    assert model.model_json_schema()["title"] == "SentenceAnswer"


@pytest.mark.parametrize(
    ("raw", "label", "received_by", "kinds"),
    [
        ('["exchange","each"]', "exchange", "each_side", ["prisoner_exchange"]),
        ('["bodies","Ukraine"]', "bodies", "ukraine", ["body_repatriation"]),
        ('["total","both"]', "total", "both_sides_total", ["cumulative_tally"]),
        ('{"label": "exchange", "received_by": "Russia"}', "exchange", "russia",
         ["prisoner_exchange"]),
        # Answers cached before the one-word recipients are still read.
        ('["exchange", "each_side"]', "exchange", "each_side", ["prisoner_exchange"]),
        ('["none"]', "none", None, []),
        ('["talks+agreement"]', "talks+agreement", None, ["talks_round", "agreement"]),
        ('{"label": "bodies", "received_by": "ukraine"}', "bodies", "ukraine",
         ["body_repatriation"]),
    ],
)  # fmt: skip
def test_answers_are_read_in_either_form(
    raw: str, label: str, received_by: str | None, kinds: list[str]
) -> None:
    answer, warnings = parse_answer(raw)
    assert (answer.label, answer.received_by, answer.kinds) == (label, received_by, kinds)
    assert warnings == []


@pytest.mark.parametrize(
    "raw", ['["battle"]', '["exchange", "each_side", "extra"]', "<html>" + "x" * 10_000, ""]
)
def test_an_answer_that_cannot_be_read_is_none_with_one_short_warning(raw: str) -> None:
    answer, warnings = parse_answer(raw)
    assert answer == SentenceAnswer(label="none")
    assert len(warnings) == 1 and len(warnings[0]) < 300
