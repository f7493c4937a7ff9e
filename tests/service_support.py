"""Running the service in tests: the ASGI test client over a store in tmp_path, a fake model."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_llm_server import FakeServer, Reply, extraction_reply, fake_llm_server
from fastapi import FastAPI
from fastapi.testclient import TestClient

from summarizer.config import Settings
from summarizer.records import (
    ArticleMeta,
    ArticleResult,
    Count,
    EventDate,
    EventRecord,
    Evidence,
    Provenance,
    Usage,
)
from summarizer.service.app import create_app
from summarizer.service.core import Service
from summarizer.service.settings import ServiceSettings

#: An article the fake model reads one prisoner exchange from (84 each side).
EXCHANGE = (
    "Russia and Ukraine exchanged 84 prisoners of war on Thursday, officials said.\n\n"
    "The swap was mediated by the United Arab Emirates, the ministry added."
)


def article_text(i: int) -> str:
    return (
        f"Russia and Ukraine exchanged {i + 10} prisoners of war, officials said on day {i}.\n\n"
        f"Reporter number {i} wrote this from the newsroom."
    )


@dataclass
class Running:
    client: TestClient
    app: FastAPI
    llm: FakeServer
    store: Path

    @property
    def service(self) -> Service:
        service: Service = self.app.state.service
        return service


class Gate:
    """Holds the fake model's answers until released; says when a request has arrived."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.arrived = threading.Event()
        self.count = 0

    def __call__(self, request: dict[str, Any]) -> Reply:
        self.count += 1
        self.arrived.set()
        self.release.wait(30)
        return extraction_reply(request)


@contextmanager
def running(
    tmp_path: Path,
    *,
    respond: Any = extraction_reply,
    store: Path | None = None,
    settings: dict[str, Any] | None = None,
    run_jobs: bool = True,
    llm: FakeServer | None = None,
    **service: Any,
) -> Iterator[Running]:
    """The app on a fake model endpoint, started (lifespan) and stopped around the block.

    ``llm``: a fake endpoint already running (a restarted service must find the same model,
    which is part of every cache and store key); else one answering with ``respond``.
    """
    with _endpoint(llm, respond) as llm:
        model = Settings.resolve(
            **{"base_url": llm.base_url, "model": "fake-model", **(settings or {})}
        )
        service_settings = ServiceSettings.resolve(**service)
        path = store or tmp_path / "store.sqlite"
        app = create_app(model, service_settings, path, run_jobs=run_jobs)
        with TestClient(app) as client:
            yield Running(client, app, llm, path)


@contextmanager
def _endpoint(llm: FakeServer | None, respond: Any) -> Iterator[FakeServer]:
    if llm is not None:
        yield llm
        return
    with fake_llm_server([], respond=respond) as started:
        yield started


def synthetic_result(i: int, rnd: random.Random) -> ArticleResult:
    """A finished article with one or two records, dated, placed and counted at random."""
    kinds = ["prisoner_exchange", "body_repatriation", "talks_round", "agreement",
             "cumulative_tally"]  # fmt: skip
    day = f"2025-0{rnd.randint(5, 7)}-{rnd.randint(10, 13)}"
    records = []
    for j in range(rnd.choice([1, 1, 2])):
        kind = rnd.choice(kinds)
        precision = rnd.random()
        when = day if precision < 0.8 else day[:7] if precision < 0.9 else None
        value = rnd.choice([84, 90, 250, 1000])
        quote = (
            f"Article {i} reports event {j}: {value} people in {rnd.choice(['Istanbul', 'Doha'])}."
        )
        records.append(
            EventRecord(
                id=f"art{i}#{j}",
                article_id=f"art{i}",
                kind=kind,  # type: ignore[arg-type]
                event_date=EventDate.parse(when),
                publication_date=EventDate.parse(day),
                location=rnd.choice([None, "Istanbul", "Doha"]),
                mediators=rnd.choice([[], ["Türkiye"], ["UAE"]]),
                parties=["Russia", "Ukraine"],
                counts=[]
                if kind == "talks_round"
                else [
                    Count(
                        side=rnd.choice(["each_side", "russia", "ukraine"]),  # type: ignore[arg-type]
                        category="servicemen",
                        value=value,
                        qualifier=rnd.choice(["exact", "about"]),  # type: ignore[arg-type]
                    )
                ],
                claimed_by=rnd.choice([None, "Russian Defense Ministry", "Zelenskyy"]),
                round_number=rnd.choice([None, 2, 3]) if kind == "talks_round" else None,
                evidence=[Evidence(text=quote)],
            )
        )
    return ArticleResult(
        article=ArticleMeta(
            id=f"art{i}",
            source=f"art{i}.txt",
            language="en",
            sha256=f"{i:064x}",
            chars=100,
            published=EventDate.parse(day),
        ),
        records=records,
        provenance=Provenance(
            prompt_name="p",
            prompt_version="1",
            prompt_sha256="x",
            schema_sha256="y",
            model_requested="m",
            model_answered="m",
            endpoint="embedded",
        ),
        usage=Usage(calls=1, prompt_tokens=100, completion_tokens=20),
    )
