from __future__ import annotations

import hashlib

import pytest
from conftest import ROOT

from summarizer.extraction.answers import answer_model
from summarizer.extraction.endpoint import MODE_NAME
from summarizer.extraction.prompts import load_prompt
from summarizer.records import EventDate, EventRecord, Evidence, SentenceAnswer
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
    path.write_text(path.read_text().replace('"label"', '"kind_of_event"'))
    assert drifted_schemas(tmp_path) == ["extraction.schema.json"]


def test_the_request_schema_requires_what_it_asks() -> None:
    # llama.cpp's grammar lets the model skip optional fields: every item asked is required.
    for asks_recipient in (False, True):
        array = answer_model(asks_recipient=asks_recipient).model_json_schema()
        assert array["type"] == "array"
        assert array["minItems"] == array["maxItems"] == len(array["prefixItems"])
        assert len(array["prefixItems"]) == (2 if asks_recipient else 1)
        obj = answer_model(asks_recipient=asks_recipient, array=False).model_json_schema()
        assert obj["required"] == list(obj["properties"])
        assert obj["additionalProperties"] is False


def test_every_label_and_recipient_is_explained_in_the_prompt() -> None:
    # With JSON_SCHEMA the model only gets a grammar, never the field descriptions.
    prompt = load_prompt("extract_events")
    system = next(t.template for role, t in prompt.messages if role == "system")
    schema = answer_model(asks_recipient=True).model_json_schema()
    labels, recipients = (item["enum"] for item in schema["prefixItems"])
    for label in labels:
        for part in label.split("+"):
            assert part in system, f"prompt does not explain the label {part!r}"
    for recipient in recipients:
        assert recipient in system, f"prompt does not explain received_by {recipient!r}"


def test_array_and_object_answers_read_the_same() -> None:
    assert SentenceAnswer.model_validate(["exchange", "russia"]) == SentenceAnswer.model_validate(
        {"label": "exchange", "received_by": "russia"}
    )
    assert SentenceAnswer.model_validate(["talks+agreement"]).kinds == ["talks_round", "agreement"]
    assert SentenceAnswer.model_validate(["none"]).kinds == []


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
    assert answer_model(asks_recipient=False).model_json_schema()["title"] == "SentenceAnswer"


def test_the_request_schema_is_safe_to_change_by_a_caller() -> None:
    # instructor edits the schema it is given; the next request must get the original.
    for model in (answer_model(asks_recipient=True), answer_model(asks_recipient=False)):
        first = model.model_json_schema()
        original = model.model_json_schema()
        first["title"] = "changed by a caller"
        first.setdefault("prefixItems", []).append({"type": "null"})
        assert model.model_json_schema() == original


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
