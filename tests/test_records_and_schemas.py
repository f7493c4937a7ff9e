from __future__ import annotations

import hashlib

import pytest
from conftest import ROOT

from summarizer.extraction.answers import answer_model
from summarizer.extraction.endpoint import MODE_NAME
from summarizer.extraction.prompts import load_prompt
from summarizer.records import (
    Answer,
    AnswerFigure,
    EventDate,
    EventRecord,
    Evidence,
    SentenceAnswer,
)
from summarizer.schema_export import (
    EXTRACTION_SCHEMAS,
    drifted_schemas,
    schema_documents,
    schema_sha256,
    write_schemas,
)


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2025-07-23", "2025-07-23", "day"),
        ("2025-07", "2025-07", "month"),
        ("2025", "2025", "year"),
        ("2025-07-23T10:00:00Z", "2025-07-23", "day"),
        (None, None, "unknown"),
        ("", None, "unknown"),
        ("2025-13", None, "unknown"),
        ("2025-02-30", None, "unknown"),
        ("2024-02-29", "2024-02-29", "day"),
        ("July 2025", None, "unknown"),
    ],
)
def test_event_date_parse(text: str | None, value: str | None, precision: str) -> None:
    date = EventDate.parse(text)
    assert (date.value, date.precision) == (value, precision)


def test_committed_schemas_match_the_models() -> None:
    drifted = drifted_schemas(ROOT / "schemas")
    assert drifted == [], f"run `summarizer schemas` to update: {drifted}"


def test_drift_is_detected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    write_schemas(tmp_path)
    assert drifted_schemas(tmp_path) == []
    path = tmp_path / "extraction.schema.json"
    path.write_text(path.read_text().replace('"kinds"', '"types_of_event"'))
    assert drifted_schemas(tmp_path) == ["extraction.schema.json"]


def test_llm_schema_requires_what_every_entry_must_say() -> None:
    # llama.cpp's grammar lets the model skip optional fields: only figures may be left out
    # (an entry labelled "none" has none).
    entry = SentenceAnswer.model_json_schema()
    assert set(entry["required"]) == {"n", "kinds"}
    figure = AnswerFigure.model_json_schema()
    assert set(figure["required"]) == set(figure["properties"])


def test_every_llm_field_is_explained_in_the_prompt() -> None:
    # With JSON_SCHEMA the model only gets a grammar, never the field descriptions.
    prompt = load_prompt("extract_events")
    system = next(t.template for role, t in prompt.messages if role == "system")
    for model in (SentenceAnswer, AnswerFigure):
        for name in model.model_fields:
            assert f"{name}" in system, f"prompt does not explain {model.__name__}.{name}"
    for kind in SentenceAnswer.model_json_schema()["properties"]["kinds"]["items"]["enum"]:
        assert f'"{kind}"' in system, kind


def test_schema_hash_is_stable_and_covers_every_document() -> None:
    assert set(schema_documents()) == {
        "extraction.schema.json",
        "article_result.schema.json",
        "timeline.schema.json",
    }
    # The hash recorded with every output is the hash of the committed extraction schemas.
    digest = hashlib.sha256()
    for name in sorted(EXTRACTION_SCHEMAS):
        digest.update(name.encode())
        digest.update((ROOT / "schemas" / name).read_bytes())
    assert schema_sha256() == digest.hexdigest()
    assert answer_model(3).model_json_schema()["title"] == "Answer"


def test_the_cached_request_schema_is_pydantics_and_safe_to_change() -> None:
    from pydantic import BaseModel

    for model in (Answer, answer_model(4)):
        fresh = BaseModel.model_json_schema.__func__(model)  # type: ignore[attr-defined]
        first = model.model_json_schema()
        assert first == fresh
        first["title"] = "changed by a caller"
        assert model.model_json_schema() == fresh


def test_the_mode_named_in_cache_keys_is_the_mode_used() -> None:
    from summarizer.extraction.llm import MODE

    assert MODE.value == MODE_NAME


def test_records_saved_with_plain_quotes_are_still_read() -> None:
    record = EventRecord.model_validate(
        {
            "id": "a#0",
            "article_id": "a",
            "kind": "talks_round",
            "event_date": {},
            "publication_date": {},
            "evidence": ["The delegations met in Istanbul."],
        }
    )
    assert record.evidence == [Evidence(text="The delegations met in Istanbul.")]
    assert record.quotes == ["The delegations met in Istanbul."]
