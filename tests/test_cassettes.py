"""Cassette hygiene and loud replay failures."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from cassette_support import RERECORD_COMMAND, ReadableYamlSerializer
from conftest import CASSETTES, SEEDS

from summarizer.config import EMBEDDED_MODEL_NAME, Settings
from summarizer.errors import LLMUnavailableError
from summarizer.extraction.llm import Endpoint
from summarizer.extraction.pipeline import PROMPT_NAME, Extractor, prompt_label
from summarizer.extraction.prompts import load_prompt, parse_prompt
from summarizer.ingest.articles import load_article
from summarizer.schema_export import schema_sha256

SEED = "000_a33cf321543e0b29"
SEED_CASSETTE = f"test_seed_records_are_grounded_and_traced[{SEED}].yaml"
CREDENTIAL = re.compile(
    r"(sk-[A-Za-z0-9_-]{20,}|Bearer\s+\S{8,}|api[_-]?key\W{1,4}[A-Za-z0-9_-]{12,})", re.I
)


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "test_seed_extraction")


def all_cassettes() -> list[Any]:
    return sorted(CASSETTES.rglob("*.yaml"))


def test_there_are_cassettes_and_none_holds_a_credential() -> None:
    assert len(all_cassettes()) >= 3
    for path in all_cassettes():
        text = path.read_text(encoding="utf-8")
        assert not CREDENTIAL.search(text), f"{path} holds something like a credential"
        for interaction in ReadableYamlSerializer.deserialize(text)["interactions"]:
            names = {h.lower() for h in interaction["request"]["headers"]}
            assert not names & {
                "authorization",
                "api-key",
                "openai-organization",
                "openai-project",
                "cookie",
            }
            assert "set-cookie" not in {h.lower() for h in interaction["response"]["headers"]}


def test_cassettes_record_the_prompt_and_schema_versions() -> None:
    """Each recorded call names the prompt it renders and the schema; its static part is
    the prompt's (only the sentence asked about differs)."""
    prompt = load_prompt(PROMPT_NAME)
    static = [m.as_dict() for m in prompt.render({"sentence": ""})[:-1]]
    seen = set()
    calls = 0
    for path in (CASSETTES / "test_seed_extraction").glob("*.yaml"):
        for interaction in ReadableYamlSerializer.deserialize(path.read_text(encoding="utf-8"))[
            "interactions"
        ]:
            headers = {k.lower(): v for k, v in interaction["request"]["headers"].items()}
            [label] = headers["x-summarizer-prompt"]
            messages = json.loads(interaction["request"]["body"])["messages"]
            assert messages[:-1] == static, (path.name, label)
            assert messages[-1]["content"].startswith("Sentence: ")
            assert headers["x-summarizer-schema"] == [schema_sha256()[:16]]
            seen.add(label)
            calls += 1
    assert seen == {prompt_label(prompt)} and calls >= 3


def extract_with(settings: Settings, endpoint: Any, prompt: Any = None) -> None:
    with Extractor(settings, endpoint=endpoint, prompt=prompt) as extractor:
        extractor.summarise(load_article(str(SEEDS / f"{SEED}.txt")))


@pytest.mark.replays_only
@pytest.mark.vcr
@pytest.mark.allow_unused_interactions
@pytest.mark.default_cassette(SEED_CASSETTE)
def test_a_changed_prompt_fails_replay_naming_it(
    settings: Settings, embedded_endpoint: Any
) -> None:
    original = load_prompt(PROMPT_NAME)
    text = Path(original.path).read_text(encoding="utf-8")
    text = text.replace("You classify one sentence", "You classify a sentence")
    assert text != Path(original.path).read_text(encoding="utf-8")
    changed = parse_prompt(text, original.path)
    with pytest.raises(LLMUnavailableError) as info:
        extract_with(settings, embedded_endpoint, changed)
    message = str(info.value)
    assert (
        f"prompt changed: recorded {original.name}@{original.version}:{original.sha256[:16]}"
        in message
    )
    assert "messages[0].content changed" in message
    assert RERECORD_COMMAND in message


@pytest.mark.replays_only
@pytest.mark.vcr
@pytest.mark.allow_unused_interactions
@pytest.mark.default_cassette(SEED_CASSETTE)
def test_a_changed_parameter_fails_replay_naming_it(embedded_endpoint: Any) -> None:
    with pytest.raises(LLMUnavailableError, match=r"request differs at: seed changed"):
        extract_with(Settings.resolve(seed=99), embedded_endpoint)


def test_an_interaction_no_request_replays_is_found(tmp_path: Path, settings: Settings) -> None:
    import vcr
    from cassette_support import json_body_matcher, unused_interactions
    from conftest import REPLAY_BASE_URL

    source = CASSETTES / "test_seed_extraction" / SEED_CASSETTE
    cassette = ReadableYamlSerializer.deserialize(source.read_text(encoding="utf-8"))
    stale = copy.deepcopy(cassette["interactions"][0])
    stale["request"]["body"] = stale["request"]["body"].replace("Sentence: ", "Sentence:  ")
    cassette["interactions"].append(stale)
    path = tmp_path / "stale.yaml"
    path.write_text(ReadableYamlSerializer.serialize(cassette), encoding="utf-8")
    recorder = vcr.VCR(
        serializer="yaml", match_on=["method", "path", "json_body"], record_mode="none"
    )
    recorder.register_serializer("yaml", ReadableYamlSerializer)
    recorder.register_matcher("json_body", json_body_matcher)

    @contextmanager
    def endpoint() -> Iterator[Endpoint]:
        yield Endpoint(base_url=REPLAY_BASE_URL, model=EMBEDDED_MODEL_NAME)

    with recorder.use_cassette(str(path)) as replay:
        extract_with(settings, endpoint)
    # The seed cassette holds one call per candidate sentence; the stale copy is the last.
    assert unused_interactions(replay) == [len(cassette["interactions"]) - 1]
