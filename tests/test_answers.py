"""The answer schema of a request, and lenient reading of any raw answer."""

from __future__ import annotations

import json

from factories import label, labels

from summarizer.extraction.answers import answer_model, parse_answer


def test_the_schema_fixes_one_entry_per_sentence_in_order() -> None:
    schema = answer_model(3).model_json_schema()
    sentences = schema["properties"]["sentences"]
    assert sentences["minItems"] == sentences["maxItems"] == 3
    assert [entry["prefixItems"][0]["const"] for entry in sentences["prefixItems"]] == [1, 2, 3]
    assert "items" not in sentences  # llama.cpp's grammar refuses `items: false`


def test_a_valid_answer_is_read_whole() -> None:
    raw = labels(label(1, "prisoner_exchange", (307, "each_side")), label(2))
    entries, warnings = parse_answer(raw, 2)
    assert warnings == []
    assert [(e.n, e.kinds) for e in entries] == [(1, ["prisoner_exchange"]), (2, ["none"])]
    assert entries[0].figures[0].number == 307


def test_two_kinds_of_one_sentence_are_joined_by_a_plus() -> None:
    entries, _ = parse_answer(labels(label(1, "talks_round", "agreement")), 1)
    assert entries[0].kinds == ["talks_round", "agreement"]


def test_a_cut_off_answer_keeps_its_complete_entries() -> None:
    raw = labels(label(1, "talks_round"), label(2, "agreement"), label(3))
    entries, warnings = parse_answer(raw[: raw.index("[3, ") + 6], 3)
    assert [e.n for e in entries] == [1, 2]
    assert warnings == ["the answer is not complete JSON; read its 2 complete entries"]


def test_bad_entries_are_dropped_one_by_one_with_a_short_warning() -> None:
    raw = json.dumps(
        {
            "sentences": [
                [1, "talks_round", []],
                [9, "agreement", []],  # no sentence 9 was shown
                [2, "invented_kind" * 50, []],
                [1, "agreement", []],  # sentence 1 again
            ]
        }
    )
    entries, warnings = parse_answer(raw, 2)
    assert [(e.n, e.kinds) for e in entries] == [(1, ["talks_round"])]
    assert len(warnings) == 3
    assert all(len(w) < 300 for w in warnings)


def test_an_answer_that_is_not_an_object_is_one_warning() -> None:
    entries, warnings = parse_answer("<html>" + "x" * 10_000, 2)
    assert entries == []
    assert len(warnings) == 1 and len(warnings[0]) < 300
