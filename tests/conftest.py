from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from cassette_support import (
    FILTERED_HEADERS,
    RERECORD_COMMAND,
    ReadableYamlSerializer,
    json_body_matcher,
    scrub_response,
    unused_interactions,
)

from summarizer.config import EMBEDDED_MODEL_NAME, Settings
from summarizer.extraction.llm import Endpoint

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CASSETTES = ROOT / "cassettes"
GOLD_PATH = Path(__file__).resolve().parent / "gold" / "seeds.gold.yaml"
SEED_IDS = ["000_a33cf321543e0b29", "003_e181aa8f936635a2", "004_666d5ab743824ce9"]
#: The recorded extraction of each seed article.
SEED_CASSETTES = [
    str(
        CASSETTES
        / "test_seed_extraction"
        / f"test_seed_records_are_grounded_and_traced[{seed}].yaml"
    )
    for seed in SEED_IDS
]
#: Where replayed requests "go": never contacted, the cassette answers.
REPLAY_BASE_URL = "http://127.0.0.1:9/v1"


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    # Registered as "yaml" so that pytest-recording's rewrite mode finds the files to replace.
    vcr.register_serializer("yaml", ReadableYamlSerializer)
    vcr.register_matcher("json_body", json_body_matcher)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "serializer": "yaml",
        # Host and port are left out on purpose: the embedded server listens on a random port.
        "match_on": ["method", "path", "json_body"],
        "filter_headers": FILTERED_HEADERS,
        "filter_query_parameters": ["api_key", "key"],
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
        "allow_playback_repeats": False,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.split(".")[-1])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "allow_unused_interactions: the test replays only part of its cassette on purpose",
    )
    config.addinivalue_line(
        "markers",
        "replays_only: replays cassettes other tests record (skipped while recording)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Recording rewrites cassettes from live traffic; a test that replays another test's
    # cassette (or sends a changed request on purpose) would overwrite it with the wrong one.
    if not recording(config):
        return
    skip = pytest.mark.skip(reason="replays other tests' cassettes; run it after recording")
    for item in items:
        if item.get_closest_marker("replays_only"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _every_interaction_used(request: pytest.FixtureRequest) -> Iterator[None]:
    """A cassette interaction that no replay used is a stale recording: fail the test."""
    node = request.node
    if (
        node.get_closest_marker("vcr") is None
        or node.get_closest_marker("allow_unused_interactions") is not None
        or recording(request.config)
    ):
        yield
        return
    cassette = request.getfixturevalue("vcr")
    yield
    unused = unused_interactions(cassette)
    assert not unused, (
        f"{cassette._path}: interaction(s) {unused} were recorded but no request replayed them; "
        f"re-record: {RERECORD_COMMAND}"
    )


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point cache and data dirs at tmp_path and drop any endpoint the developer has set."""
    for name in list(os.environ):
        if name.startswith("SUMMARIZER_") and name not in ("SUMMARIZER_RECORD",):
            monkeypatch.delenv(name)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SUMMARIZER_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def settings() -> Settings:
    # Every candidate sentence is read: the time budgets would make what a recording holds
    # depend on the recording machine's speed, and a replay (which takes no time) read more.
    return Settings.resolve(generation_budget_s=1e6, context_budget_s=1e6)


def recording(config: pytest.Config) -> bool:
    return config.getoption("--record-mode") not in (None, "none")


@pytest.fixture(scope="session")
def embedded_endpoint(pytestconfig: pytest.Config) -> Iterator[Any]:
    """An endpoint provider for the embedded model.

    Replaying (the default), requests are answered by cassettes and never reach the network.
    Recording, the real embedded model is served on loopback, so cassettes hold real traffic.
    """
    if not recording(pytestconfig):

        @contextmanager
        def replay() -> Iterator[Endpoint]:
            yield Endpoint(base_url=REPLAY_BASE_URL, model=EMBEDDED_MODEL_NAME)

        yield replay
        return
    from summarizer.extraction.local_model import LocalServer

    # The autouse fixture hides the developer's data dir; recording needs the installed model.
    server = LocalServer(Settings.resolve(data_dir=Path(platformdirs.user_data_dir("summarizer"))))
    base_url = server.start()

    @contextmanager
    def live() -> Iterator[Endpoint]:
        yield Endpoint(base_url=base_url, model=EMBEDDED_MODEL_NAME)

    yield live
    server.stop()
