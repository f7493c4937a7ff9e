"""Property-based API tests generated from the OpenAPI document (schemathesis).

Every operation is called with generated requests (a bounded number of examples each): no
answer may be a server error, and every answer must match what the document says of its
status, content type, headers and body. Offline: the model is the fake endpoint on
127.0.0.1, every URL resolves to a loopback address (so the guard refuses it at once) and
batch jobs are only queued.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fake_llm_server import extraction_reply, fake_llm_server
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from service_support import EXCHANGE

from summarizer.config import Settings
from summarizer.ingest.fetch import Fetcher
from summarizer.ingest.link_guard import PublicOnlyBackend
from summarizer.service.app import create_app
from summarizer.service.settings import ServiceSettings

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

#: Examples per operation: enough to find a 500 or a schema mismatch, few enough to stay fast
#: (API_EXAMPLES=500 for a deeper run).
EXAMPLES = int(os.environ.get("API_EXAMPLES", "30"))


@pytest.fixture
def api_schema(tmp_path: Path) -> Iterator[Any]:
    with fake_llm_server([], respond=extraction_reply) as llm:
        model = Settings.resolve(base_url=llm.base_url, model="fake-model")
        loopback = Fetcher(
            public_only=True, link_backend=PublicOnlyBackend(resolver=lambda h, p: ["127.0.0.1"])
        )
        app = create_app(
            model,
            ServiceSettings(rate_limit=0, max_body_bytes=64 * 1024),
            tmp_path / "store.sqlite",
            run_jobs=False,
            fetcher=loopback,
        )
        with TestClient(app) as client:
            # Something to find: one article, its event, a queued job.
            client.post("/v1/articles", json={"text": EXCHANGE, "id": "seed"})
            client.post("/v1/batches", json={"sources": ["https://example.org/feed.xml"]})
            app.state.service.timeline.wait_current()
            yield schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


# A request that breaks the schema by being too big (maxItems, maxLength) may meet the body
# limit first: 413 is a rejection too.
CONFIG = schemathesis.config.SchemathesisConfig.from_str(
    """
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5XX"]
"""
)
schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_by_its_schema_and_never_a_server_error(case: Any) -> None:
    # A well-formed article can still be unreadable (empty once normalised, binary-looking,
    # no text in its HTML), which is a 422: "positive data" is not always accepted.
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    case.call_and_validate(excluded_checks=[positive_data_acceptance])
