"""The service under load, on loopback only, bounded in count and time (not a test).

    python benchmarks/bench_serve.py [--records 100000] [--requests 400] [--seconds 20]

Starts `summarizer serve` in a child process on 127.0.0.1 against a fake OpenAI-compatible
endpoint (also on 127.0.0.1), and prints:

(a) cached ``POST /v1/articles``: the same article, already in the store, at concurrency 1,
    16 and 64 (each level at most --requests requests or --seconds seconds): requests per
    second, p50 and p99 latency;
(b) ``GET /v1/events`` over a store of --records synthetic records (bench_merge's: about three
    reports per event over three years), filtered pages of 50 events and a walk through
    pages by cursor: p50 and p99 (target p99 < 100 ms for a filtered page of 50);
(c) the server's memory (resident now and at its peak) and how long it took to take the
    store into its timeline at start.

The load comes from this process (threads with their own connections); the machine's two
cores are shared by both sides, so the numbers are a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from bench_merge import synthetic  # noqa: E402
from fake_llm_server import extraction_reply, fake_llm_server  # noqa: E402

from summarizer import __version__  # noqa: E402
from summarizer.batch.store import ResultStore  # noqa: E402
from summarizer.records import ArticleMeta, ArticleResult, Provenance, Usage  # noqa: E402

ARTICLE = (
    "Russia and Ukraine exchanged 84 prisoners of war on Thursday, the Russian Defense Ministry "
    "said.\n\nThe swap was mediated by the United Arab Emirates."
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def fill_store(path: Path, n: int) -> int:
    """Write n synthetic records (one article each) into a new store; returns articles."""
    ResultStore(path).close()  # create the tables
    by_article: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for sourced in synthetic(n):
        by_article[sourced.record.article_id].append(sourced)
    rows = []
    now = time.time()
    for i, (article, records) in enumerate(by_article.items()):
        first = records[0]
        result = ArticleResult(
            article=ArticleMeta(
                id=article, source=first.source, language="en", sha256=first.article_sha256,
                chars=100, published=first.published,
            ),
            records=[r.record for r in records],
            provenance=Provenance(
                prompt_name="p", prompt_version="1", prompt_sha256="x", schema_sha256="y",
                model_requested="m", model_answered="m", endpoint="embedded",
            ),
            usage=Usage(calls=1, prompt_tokens=100, completion_tokens=20),
        )  # fmt: skip
        # Finished over the last hour, as a batch would have written them.
        finished = now - 3600 + i * 0.01
        rows.append(
            (f"k{i}", first.article_sha256, article, first.source, result.model_dump_json(),
             __version__, finished)
        )  # fmt: skip
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO articles (key, article_sha256, article_id, source, status, result, "
            "summarizer_version, finished_at) VALUES (?, ?, ?, ?, 'done', ?, ?, ?)",
            rows,
        )
    return len(rows)


def start_server(store: Path, base_url: str, work: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {
        **os.environ,
        "SUMMARIZER_BASE_URL": base_url,
        "SUMMARIZER_MODEL": "fake-model",
        "SUMMARIZER_DATA_DIR": str(work / "data"),
        "SUMMARIZER_CACHE_DIR": str(work / "cache"),
        "SUMMARIZER_RATE_LIMIT": "0",
        "SUMMARIZER_QUEUE_SIZE": "256",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "serve", "--port", str(port), "--store", str(store)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(
                f"the server stopped: {process.stderr.read()[-2000:] if process.stderr else ''}"
            )
        try:
            if httpx2.get(root + "/healthz", timeout=1).status_code == 200:
                return process, root
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    sys.exit("the server did not start in 900 s")


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def load(root: str, concurrency: int, requests: int, seconds: float, make) -> list[float]:  # type: ignore[no-untyped-def]
    """Send up to ``requests`` requests, ``concurrency`` at a time (asyncio, one connection
    each); their latencies. Stops after ``seconds`` too.
    """

    async def run() -> list[float]:
        latencies: list[float] = []
        counter = iter(range(requests))
        stop_at = time.monotonic() + seconds
        limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx2.AsyncClient(base_url=root, timeout=120, limits=limits) as client:

            async def worker() -> None:
                while time.monotonic() < stop_at and (i := next(counter, None)) is not None:
                    started = time.perf_counter()
                    response = await make(client, i)
                    if response.status_code != 200:
                        sys.exit(f"request failed: {response.status_code} {response.text[:200]}")
                    latencies.append(time.perf_counter() - started)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies

    return asyncio.run(run())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(name: str, latencies: list[float], wall: float) -> dict[str, float]:
    row = {
        "requests": len(latencies),
        "per_s": len(latencies) / wall,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }
    print(f"{name:<44} {row['requests']:>6} {row['per_s']:>8.0f} {row['p50_ms']:>8.1f} "
          f"{row['p99_ms']:>8.1f}")  # fmt: skip
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp, fake_llm_server([], respond=extraction_reply) as llm:
        work = Path(tmp)
        store = work / "store.sqlite"
        started = time.perf_counter()
        articles = fill_store(store, args.records)
        print(f"store: {args.records:,} records in {articles:,} articles written in "
              f"{time.perf_counter() - started:.1f}s")  # fmt: skip
        started = time.perf_counter()
        process, root = start_server(store, llm.base_url, work)
        try:
            ready_s = time.perf_counter() - started
            events = 0
            with httpx2.Client(base_url=root, timeout=60) as client:
                page = client.get("/v1/events", params={"limit": 1})
                first = client.post("/v1/articles", json={"text": ARTICLE, "id": "bench"})
                assert first.status_code == 200, first.text
                events = len(client.get("/v1/events", params={"limit": 200}).json()["events"])
            rss, peak = memory_mb(process.pid)
            print(f"server: up with its timeline in {ready_s:.1f}s; memory {rss:.0f} MB "
                  f"(peak {peak:.0f} MB); first page had {events} events")  # fmt: skip
            results["startup_s"] = ready_s
            print(f"\n{'':<44} {'count':>6} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}")

            async def post(client: httpx2.AsyncClient, i: int) -> httpx2.Response:
                return await client.post("/v1/articles", json={"text": ARTICLE, "id": "bench"})

            for concurrency in (1, 16, 64):
                t0 = time.perf_counter()
                lat = load(root, concurrency, args.requests, args.seconds, post)
                results[f"post_cached_c{concurrency}"] = report(
                    f"POST /v1/articles (cached), concurrency {concurrency}",
                    lat, time.perf_counter() - t0,
                )  # fmt: skip
            filters = [
                ("GET /v1/events, no filter", {}),
                ("GET /v1/events?kind=prisoner_exchange", {"kind": "prisoner_exchange"}),
                ("GET /v1/events?side=russia", {"side": "russia"}),
                ("GET /v1/events?from=2024-03-01&to=2024-06-30",
                 {"from": "2024-03-01", "to": "2024-06-30"}),
                ("GET /v1/events?q=doha", {"q": "doha"}),
                ("GET /v1/events?kind=agreement&q=istanbul",
                 {"kind": "agreement", "q": "istanbul"}),
                ("GET /v1/events?article=a5000", {"article": "a5000"}),
            ]  # fmt: skip
            for name, params in filters:

                async def get(
                    client: httpx2.AsyncClient,
                    i: int,
                    params: dict = params,  # type: ignore[type-arg]
                ) -> httpx2.Response:
                    return await client.get("/v1/events", params={**params, "limit": 50})

                t0 = time.perf_counter()
                lat = load(root, 1, args.requests // 2, args.seconds, get)
                results[name] = report(name + " (50)", lat, time.perf_counter() - t0)
            with httpx2.Client(base_url=root, timeout=60) as client:
                cursor, pages, lat = None, 0, []
                while pages < 200:
                    t0 = time.perf_counter()
                    params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
                    body = client.get("/v1/events", params=params).json()
                    lat.append(time.perf_counter() - t0)
                    pages += 1
                    cursor = body["next_cursor"]
                    if cursor is None:
                        break
                results["cursor_walk"] = report(
                    f"GET /v1/events, {pages} pages by cursor", lat, sum(lat)
                )
                total = client.get("/metrics").text.count("summarizer_http_requests_total{")
            rss, peak = memory_mb(process.pid)
            results["memory_mb"] = {"rss": rss, "peak": peak}
            print(f"\nserver memory after the runs: {rss:.0f} MB resident, peak {peak:.0f} MB "
                  f"({total} request series in /metrics)")  # fmt: skip
            del page
        finally:
            process.terminate()
            process.wait(30)
    print("\n" + json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
