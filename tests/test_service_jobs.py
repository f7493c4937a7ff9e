"""Background batch jobs: counts, results pages, cancelling, the guard, restart and resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fake_llm_server import Reply, asked_sentence, extraction_reply, fake_llm_server
from page_server import Page, page_server
from service_support import Gate, article_text, running

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

JSONL = "application/x-ndjson"


def lines(*rows: Any) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows).encode()


def finished(view: Any) -> bool:
    return view.state in ("done", "failed", "cancelled")


def test_a_jsonl_job_runs_in_the_background_and_accounts_for_every_line(tmp_path: Path) -> None:
    body = lines(
        {"id": "j0", "text": article_text(0), "published": "2025-07-24"},
        {"id": "j1", "text": article_text(1)},
        "{broken",
        {"id": "j2", "text": article_text(2)},
        {"id": "copy", "text": article_text(0), "published": "2025-07-24"},
    )
    with running(tmp_path) as s:
        r = s.client.post("/v1/batches", content=body, headers={"content-type": JSONL})
        assert r.status_code == 202, r.text
        job = r.json()["id"]
        assert r.json()["status_url"] == f"/v1/batches/{job}"
        s.service.jobs.wait(job, finished)
        status = s.client.get(f"/v1/batches/{job}").json()
        assert status["state"] == "done"
        assert (status["total"], status["done"], status["failed"], status["duplicate"]) == (
            5, 3, 1, 1,
        )  # fmt: skip
        assert status["failures"] == [
            {
                "source": f"batch {job} line 3",
                "error": "not JSON (Expecting property name enclosed in double quotes)",
            }
        ]
        assert status["prompt_tokens"] == 300  # three model calls of 100 prompt tokens
        assert status["completion_tokens"] == 60
        assert status["cost_usd"] is None  # no price for the fake model
        # Results, a page at a time, then kept in the store for the other endpoints.
        first = s.client.get(f"/v1/batches/{job}/results?limit=2").json()
        assert len(first["results"]) == 2
        rest = s.client.get(
            f"/v1/batches/{job}/results?limit=2&cursor={first['next_cursor']}"
        ).json()
        assert rest["next_cursor"] is None
        ids = {r["article"]["id"] for r in first["results"] + rest["results"]}
        assert ids == {"j0", "j1", "j2"}
        sources = {r["article"]["source"] for r in first["results"] + rest["results"]}
        assert sources == {f"batch {job} line {n}" for n in (1, 2, 4)}  # no server path
        assert s.client.get("/v1/articles/j1").status_code == 200
        assert s.client.get("/v1/articles/j1/text").text == article_text(1)
        s.service.timeline.wait_current()
        events = s.client.get("/v1/events?article=j2").json()["events"]
        assert [e["event"]["counts"][0]["value"] for e in events] == [12]
        # Cancelling a finished job changes nothing.
        assert s.client.delete(f"/v1/batches/{job}").json()["state"] == "done"
        assert s.client.get("/v1/batches/nope").status_code == 404
        assert s.client.delete("/v1/batches/nope").status_code == 404


def test_bad_batch_requests_are_422(tmp_path: Path) -> None:
    with running(tmp_path, run_jobs=False) as s:
        for body in ({"sources": []}, {"sources": ["/etc/passwd"]}, {"sources": "x"}, {}):
            r = s.client.post("/v1/batches", json=body)
            assert r.status_code == 422, body
        empty = s.client.post("/v1/batches", content=b"", headers={"content-type": JSONL})
        assert empty.status_code == 422
        assert s.client.get("/v1/batches/x/results?cursor=abc").status_code == 422


def test_a_running_job_is_cancelled_and_what_finished_is_kept(tmp_path: Path) -> None:
    gate = Gate()
    with running(tmp_path, respond=gate) as s:
        body = lines(*({"id": f"c{i}", "text": article_text(i)} for i in range(3)))
        job = s.client.post("/v1/batches", content=body, headers={"content-type": JSONL}).json()
        assert gate.arrived.wait(30)  # the first article is with the model
        status = s.client.delete(f"/v1/batches/{job['id']}").json()
        assert status["state"] == "cancelled"
        gate.release.set()
        assert s.service.jobs.view(job["id"]).state == "cancelled"  # type: ignore[union-attr]


def test_an_unfinished_job_goes_on_after_a_restart(tmp_path: Path) -> None:
    """The service stops while a job runs; started again on the same store, it finishes it."""
    state: dict[str, int] = {"answered": 0}
    gate = Gate()

    def first_life(request: dict[str, Any]) -> Reply:
        if state["answered"] >= 2:
            return gate(request)  # the third article hangs until the service is stopped
        state["answered"] += 1
        return extraction_reply(request)

    def respond(request: dict[str, Any]) -> Reply:
        return first_life(request) if state["life"] == 1 else extraction_reply(request)

    state["life"] = 1
    body = lines(*({"id": f"r{i}", "text": article_text(i)} for i in range(4)))
    store = tmp_path / "store.sqlite"
    with fake_llm_server([], respond=respond) as llm:
        # One article at a time: the third is the one in flight when the service stops.
        with running(tmp_path, llm=llm, store=store, settings={"concurrency": 1}) as s:
            job = s.client.post("/v1/batches", content=body, headers={"content-type": JSONL})
            job_id = job.json()["id"]
            assert gate.arrived.wait(30)
            before = s.client.get(f"/v1/batches/{job_id}").json()
            assert (before["state"], before["done"]) == ("running", 2)
        asked_before = len(llm.requests)  # two answered, the third hanging
        assert asked_before == 3
        state["life"] = 2
        gate.release.set()  # the old answer comes too late: nobody stores it
        with running(tmp_path, llm=llm, store=store, settings={"concurrency": 1}) as s:
            view = s.service.jobs.wait(job_id, finished)
            assert view is not None
            after = s.client.get(f"/v1/batches/{job_id}").json()
            assert (after["state"], after["done"], after["failed"]) == ("done", 4, 0), after
            # The two finished articles were resumed from the store, not asked again (the
            # first life's hanging request may be retried by its client as it shuts down: it
            # is about the third article, and nobody stores its answer).
            again = [asked_sentence(r) for r in llm.requests[asked_before:]]
            assert not [a for a in again if "day 0." in a or "day 1." in a], again
            assert any("day 2." in a for a in again) and any("day 3." in a for a in again)
            assert after["prompt_tokens"] == 400  # the first life's account is kept
            results = s.client.get(f"/v1/batches/{job_id}/results").json()["results"]
            assert sorted(r["article"]["id"] for r in results) == ["r0", "r1", "r2", "r3"]


def test_sources_sent_to_the_service_must_lead_to_public_addresses(tmp_path: Path) -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>Swap</title><link>http://127.0.0.1:1/x</link><description>d</description></item>
    </channel></rss>"""
    with page_server({"/feed.xml": Page(feed, content_type="application/rss+xml")}) as web:
        with running(tmp_path) as s:
            r = s.client.post("/v1/batches", json={"sources": [web.url("/feed.xml")]})
            view = s.service.jobs.wait(r.json()["id"], finished)
            assert view is not None and view.state == "done"
            [(source, error)] = view.failures
            assert source == web.url("/feed.xml")
            assert "loopback address" in error
            assert web.hits == []
