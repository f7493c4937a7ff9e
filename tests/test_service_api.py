"""The service's API through the ASGI test client, on a fake model endpoint on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from page_server import Page, page_server
from service_support import EXCHANGE, Gate, article_text, running
from typer.testing import CliRunner

from summarizer.cli import app as cli
from summarizer.records import ArticleResult
from summarizer.service.openapi import openapi_document, openapi_drifted
from summarizer.service.settings import ServiceSettings, check_listen, is_loopback

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def test_an_article_is_summarised_answered_and_kept_in_the_store(tmp_path: Path) -> None:
    with running(tmp_path) as s:
        r = s.client.post(
            "/v1/articles",
            json={"text": EXCHANGE, "published": "2025-07-24", "id": "swap-1", "title": "Swap"},
        )
        assert r.status_code == 200, r.text
        result = ArticleResult.model_validate(r.json())
        assert result.article.id == "swap-1"
        assert result.article.title == "Swap"
        assert result.article.published.value == "2025-07-24"
        [record] = result.records
        assert record.kind == "prisoner_exchange"
        assert [(c.side, c.value) for c in record.counts] == [("each_side", 84)]
        evidence = record.evidence[0]
        assert EXCHANGE[evidence.start : evidence.end] == evidence.text  # spans into the text
        assert len(s.llm.requests) == 1
        # Kept: readable by id, with the text the spans point into.
        assert s.client.get("/v1/articles/swap-1").json() == r.json()
        assert s.client.get("/v1/articles/swap-1/text").text == EXCHANGE
        assert s.client.get(f"/v1/articles/{result.article.sha256[:16]}").status_code == 200
        assert s.client.get("/v1/articles/nope").status_code == 404


def test_text_and_html_bodies_and_a_cached_answer_makes_no_model_call(tmp_path: Path) -> None:
    with running(tmp_path) as s:
        first = s.client.post(
            "/v1/articles?published=2025-07-24",
            content=EXCHANGE.encode(),
            headers={"content-type": "text/plain; charset=utf-8"},
        )
        assert first.status_code == 200, first.text
        assert first.json()["article"]["id"].startswith("a-")
        again = s.client.post(
            "/v1/articles?published=2025-07-24",
            content=EXCHANGE.encode(),
            headers={"content-type": "text/plain"},
        )
        assert again.json() == first.json()
        assert len(s.llm.requests) == 1  # the store answered
        assert 'summarizer_cache_hits_total{layer="store"} 1.0' in s.client.get("/metrics").text
        page = (
            "<html><head><title>Swap day</title></head><body><article><p>"
            + EXCHANGE.replace("\n\n", "</p><p>")
            + "</p></article></body></html>"
        )
        html = s.client.post(
            "/v1/articles", content=page.encode(), headers={"content-type": "text/html"}
        )
        assert html.status_code == 200, html.text
        assert html.json()["article"]["title"] == "Swap day"
        assert html.json()["records"][0]["counts"][0]["value"] == 84


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"text": ""}, ["body", "text"]),
        ({"text": "   \n "}, ["body", "text"]),
        ({}, ["body"]),
        ({"text": "a", "url": "https://example.org/"}, ["body"]),
        ({"text": "a", "published": "2025-13-45"}, ["body", "published"]),
        ({"text": "a", "id": "has space"}, ["body", "id"]),
        ({"text": 5}, ["body", "text"]),
        ({"text": "a", "extra": 1}, ["body", "extra"]),
        ({"html": "<p></p>"}, ["body", "html"]),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    tmp_path: Path, body: dict[str, Any], where: list[str]
) -> None:
    with running(tmp_path) as s:
        r = s.client.post("/v1/articles", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"] == where
        assert "Traceback" not in r.text
        assert s.llm.requests == []


def test_not_json_and_wrong_content_types(tmp_path: Path) -> None:
    with running(tmp_path) as s:
        r = s.client.post(
            "/v1/articles", content=b"{broken", headers={"content-type": "application/json"}
        )
        assert r.status_code == 422
        assert r.json()["detail"][0]["type"] == "json_invalid"
        r = s.client.post("/v1/articles", content=b"x", headers={"content-type": "image/png"})
        assert r.status_code == 415
        assert "image/png" in r.json()["detail"]


def test_a_query_parameter_given_twice_is_a_422_naming_it(tmp_path: Path) -> None:
    with running(tmp_path) as s:
        r = s.client.post(
            "/v1/articles?title=a&title=b",
            content=EXCHANGE.encode(),
            headers={"content-type": "text/plain"},
        )
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["query", "title"]
        assert s.llm.requests == []  # refused before any work
        r = s.client.get("/v1/events?limit=5&limit=7")
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "limit"]


def test_a_body_over_the_limit_is_413_declared_or_streamed(tmp_path: Path) -> None:
    with running(tmp_path, max_body_bytes=2048) as s:
        big = {"text": "x" * 4000}
        r = s.client.post("/v1/articles", json=big)
        assert r.status_code == 413
        assert "2,048" in r.json()["detail"]

        def chunks() -> Any:  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b"y" * 1000

        r = s.client.post("/v1/articles", content=chunks(), headers={"content-type": "text/plain"})
        assert r.status_code == 413
        assert s.llm.requests == []
        # An article over the extractor's own limit (it takes the body) is a 413 too.
    with running(tmp_path, max_body_bytes=20 * 1024 * 1024) as s:
        r = s.client.post(
            "/v1/articles", content=b"word " * 1_100_000, headers={"content-type": "text/plain"}
        )
        assert r.status_code == 413
        assert "too large" in r.json()["detail"]


def test_an_article_over_its_budget_is_504_and_its_summary_is_still_kept(
    tmp_path: Path,
) -> None:
    gate = Gate()
    with running(tmp_path, respond=gate, article_timeout_s=0.2, max_in_flight=1) as s:
        r = s.client.post("/v1/articles", json={"text": EXCHANGE, "id": "slow"})
        assert r.status_code == 504
        assert "kept in the store" in r.json()["detail"]
        assert gate.arrived.wait(30)  # the model was asked (the SDK loads on this first miss)
        assert gate.count == 1 and not gate.release.is_set()  # and had not answered
        gate.release.set()
        s.service.pool.submit(lambda: None).result(timeout=30)  # one slot: the summary is done
        kept = s.client.get("/v1/articles/slow")
        assert kept.status_code == 200
        assert kept.json()["records"][0]["counts"][0]["value"] == 84


def test_a_full_queue_answers_503_with_retry_after(tmp_path: Path) -> None:
    gate = Gate()
    with running(tmp_path, respond=gate, max_in_flight=1, queue_size=1) as s:
        answers: dict[str, Any] = {}

        def post(name: str, i: int) -> None:
            answers[name] = s.client.post("/v1/articles", json={"text": article_text(i)})

        first = threading.Thread(target=post, args=("first", 1))
        first.start()
        assert gate.arrived.wait(30)  # the first is with the model
        second = threading.Thread(target=post, args=("second", 2))
        second.start()
        g = s.app.state.gate
        with g.changed:
            assert g.changed.wait_for(lambda: g.waiting == 1, 30)  # the second waits
        third = s.client.post("/v1/articles", json={"text": article_text(3)})
        assert third.status_code == 503
        assert int(third.headers["retry-after"]) >= 1
        assert "queue is full" in third.json()["detail"]
        assert "summarizer_queue_depth 1.0" in s.client.get("/metrics").text
        gate.release.set()
        first.join(30)
        second.join(30)
        assert answers["first"].status_code == answers["second"].status_code == 200


def test_clients_over_their_rate_get_429_with_retry_after(tmp_path: Path) -> None:
    with running(tmp_path, rate_limit=3) as s:
        codes = [s.client.get("/v1/events").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = s.client.get("/v1/events")
        assert int(limited.headers["retry-after"]) >= 1
        assert s.client.get("/healthz").status_code == 200  # probes are never limited
        # Another client (another key) has its own bucket.
        other = s.client.get("/v1/events", headers={"authorization": "Bearer other"})
        assert other.status_code == 200


def test_keys_guard_the_api_and_the_pages(tmp_path: Path) -> None:
    key = "k-3f9a1c7e5b2d4068"
    with running(tmp_path, api_keys=("another-key-0000", key)) as s:
        assert s.client.get("/v1/events").status_code == 401
        wrong = s.client.get("/v1/events", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == "Bearer"
        good = s.client.get("/v1/events", headers={"authorization": f"Bearer {key}"})
        assert good.status_code == 200
        assert s.client.get("/metrics").status_code == 401
        assert s.client.get("/healthz").status_code == 200
        # Pages: to the login form, which sets an HttpOnly, SameSite=Strict session cookie.
        page = s.client.get("/?kind=agreement", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2F%3Fkind%3Dagreement"
        bad = s.client.post("/login", data={"key": "nope", "next": "/"})
        assert bad.status_code == 401
        assert "not valid" in bad.text
        foreign = s.client.post(
            "/login", data={"key": key}, headers={"origin": "https://evil.example"}
        )
        assert foreign.status_code == 403
        ok = s.client.post(
            "/login", data={"key": key, "next": "//evil.example/"}, follow_redirects=False
        )
        assert ok.status_code == 303
        assert ok.headers["location"] == "/"  # never sent to another site
        cookie = ok.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert key not in cookie
        assert s.client.get("/").status_code == 200
        assert "Log out" in s.client.get("/").text
        s.client.post("/logout")
        assert s.client.get("/", follow_redirects=False).status_code == 303


def test_the_server_refuses_other_addresses_without_keys(tmp_path: Path) -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.5")
    check_listen("0.0.0.0", ServiceSettings(api_keys=("a-long-enough-key",)))  # no error
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 3
    assert result.output.strip().splitlines() == [
        "summarizer: error: refusing to listen on 0.0.0.0 without API keys: set "
        "SUMMARIZER_API_KEYS (comma-separated) or listen on 127.0.0.1"
    ]


def test_bad_service_settings_are_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUMMARIZER_QUEUE_SIZE", "many")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 3
    assert (
        result.output.strip()
        == "summarizer: error: SUMMARIZER_QUEUE_SIZE='many' is not a valid value"
    )


def test_urls_go_through_the_fetch_limits_and_the_private_address_guard(tmp_path: Path) -> None:
    page = f"<html><body><article><p>{EXCHANGE}</p></article></body></html>".encode()
    with page_server({"/swap": Page(page)}) as web:
        with running(tmp_path) as s:
            r = s.client.post("/v1/articles", json={"url": web.url("/swap")})
            assert r.status_code == 422
            [error] = r.json()["detail"]
            assert error["loc"] == ["body", "url"]
            assert "127.0.0.1 is a loopback address" in error["msg"]
            assert web.hits == []  # refused before anything was sent
        with running(tmp_path, settings={"allow_private_links": True}) as s:
            r = s.client.post("/v1/articles", json={"url": web.url("/swap")})
            assert r.status_code == 200, r.text
            assert r.json()["article"]["url"] == web.url("/swap")
            assert r.json()["records"][0]["counts"][0]["value"] == 84
            missing = s.client.post("/v1/articles", json={"url": web.url("/gone")})
            assert missing.status_code == 422
            assert "HTTP 404" in missing.json()["detail"][0]["msg"]


def test_the_model_failing_is_a_502_in_one_line(tmp_path: Path) -> None:
    from fake_llm_server import Reply

    with running(tmp_path, respond=lambda _: Reply(status=400)) as s:
        r = s.client.post("/v1/articles", json={"text": EXCHANGE})
        assert r.status_code == 502
        assert r.json()["detail"].startswith("the model failed:")
        assert "\n" not in r.json()["detail"]


def test_health_readiness_and_metrics(tmp_path: Path) -> None:
    with running(tmp_path) as s:
        assert s.client.get("/healthz").json() == {"status": "ok", "detail": None}
        ready = s.client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"
        s.client.post("/v1/articles", json={"text": EXCHANGE})
        s.client.post("/v1/batches", json={"sources": ["https://example.org/feed.xml"]})
        text = s.client.get("/metrics").text
        assert (
            'summarizer_http_requests_total{method="POST",route="/v1/articles",status="200"} 1.0'
            in text
        )
        assert "summarizer_http_request_duration_seconds_bucket" in text
        assert 'summarizer_tokens_total{kind="prompt"} 100.0' in text
        assert 'summarizer_tokens_total{kind="completion"} 20.0' in text
        assert "summarizer_queue_depth 0.0" in text
        assert 'summarizer_jobs{state="' in text
    # Nothing listens there: the endpoint cannot be reached, so not ready.
    with running(tmp_path, settings={"base_url": "http://127.0.0.1:9/v1"}) as s:
        not_ready = s.client.get("/readyz")
        assert not_ready.status_code == 503
        assert "cannot be reached" in not_ready.json()["detail"]


def test_the_embedded_model_not_installed_is_not_ready(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from summarizer.config import Settings
    from summarizer.service.app import create_app

    app = create_app(Settings.resolve(), ServiceSettings(), tmp_path / "s.sqlite")
    with TestClient(app) as client:
        r = client.get("/readyz")
        assert r.status_code == 503
        assert "summarizer model install" in r.json()["detail"]


def test_security_headers_and_cors(tmp_path: Path) -> None:
    with running(tmp_path) as s:
        page = s.client.get("/")
        csp = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src" not in csp and "default-src 'none'" in csp  # no script at all
        assert page.headers["x-content-type-options"] == "nosniff"
        preflight = s.client.options(
            "/v1/events",
            headers={"origin": "https://cms.example", "access-control-request-method": "GET"},
        )
        assert "access-control-allow-origin" not in preflight.headers
    with running(tmp_path, cors_origins=("https://cms.example",)) as s:
        r = s.client.get("/v1/events", headers={"origin": "https://cms.example"})
        assert r.headers["access-control-allow-origin"] == "https://cms.example"


def test_openapi_is_3_1_and_its_export_does_not_drift(tmp_path: Path) -> None:
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) >= {
        "/v1/articles", "/v1/batches", "/v1/batches/{job_id}", "/v1/batches/{job_id}/results",
        "/v1/events", "/v1/events/{event_id}", "/v1/articles/{article_id}", "/healthz",
        "/readyz", "/metrics",
    }  # fmt: skip
    assert openapi_drifted(ROOT / "schemas") == [], "run `summarizer schemas` to update"
    (tmp_path / "openapi.json").write_text(json.dumps({"openapi": "3.0.0"}))
    assert openapi_drifted(tmp_path) == ["openapi.json"]
    with running(tmp_path) as s:
        assert s.client.get("/openapi.json").json() == document
