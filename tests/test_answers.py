"""The answer schema of a request, and lenient reading of any raw answer."""

from __future__ import annotations

import json

from factories import label, labels

from summarizer.extraction.answers import answer_model, parse_answer


def test_the_schema_fixes_one_entry_per_sentence_in_order() -> None:
    schema = answer_model(3).model_json_schema()
    sentences = schema["properties"]["sentences"]
    assert sentences["minItems"] == sentences["maxItems"] == 3
    consts = [schema["$defs"][ref["$ref"].split("/")[-1]]["properties"]["n"]["const"]
              for ref in sentences["prefixItems"]]  # fmt: skip
    assert consts == [1, 2, 3]
    assert "items" not in sentences  # llama.cpp's grammar refuses `items: false`


def test_a_valid_answer_is_read_whole() -> None:
    raw = labels(label(1, "prisoner_exchange", (307, "each_side")), label(2))
    answer, warnings = parse_answer(raw, 2)
    assert warnings == []
    assert [(e.n, e.kinds) for e in answer.sentences] == [
        (1, ["prisoner_exchange"]),
        (2, ["none"]),
    ]
    assert answer.sentences[0].figures[0].number == 307


def test_a_cut_off_answer_keeps_its_complete_entries() -> None:
    raw = labels(label(1, "talks_round"), label(2, "agreement"), label(3))
    answer, warnings = parse_answer(raw[: raw.index('{"n": 3') + 12], 3)
    assert [e.n for e in answer.sentences] == [1, 2]
    assert warnings == ["the answer is not complete JSON; read its 2 complete entries"]


def test_bad_entries_are_dropped_one_by_one_with_a_short_warning() -> None:
    raw = json.dumps(
        {
            "sentences": [
                {"n": 1, "kinds": ["talks_round"]},
                {"n": 9, "kinds": ["agreement"]},  # no sentence 9 was shown
                {"n": 2, "kinds": ["invented_kind" * 50]},
                {"n": 1, "kinds": ["agreement"]},  # sentence 1 again
            ]
        }
    )
    answer, warnings = parse_answer(raw, 2)
    assert [(e.n, e.kinds) for e in answer.sentences] == [(1, ["talks_round"])]
    assert len(warnings) == 3
    assert all(len(w) < 300 for w in warnings)


def test_an_answer_that_is_not_an_object_is_one_warning() -> None:
    answer, warnings = parse_answer("<html>" + "x" * 10_000, 2)
    assert answer.sentences == []
    assert len(warnings) == 1 and len(warnings[0]) < 300
