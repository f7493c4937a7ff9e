"""Batches: every input accounted for, concurrency, shared 429 back-off, resume, outputs."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CASSETTES, SEED_CASSETTES, SEED_IDS, SEEDS
from fake_llm_server import Reply, extraction_reply, fake_llm_server
from page_server import Page, page_server
from test_evaluate import result
from typer.testing import CliRunner

from summarizer import __version__
from summarizer.batch.runner import BatchReport, Outcome, run_batch, write_outputs
from summarizer.batch.store import Claimed
from summarizer.cli import app
from summarizer.config import EMBEDDED_MODEL_NAME, Settings
from summarizer.records import ArticleResult, Usage
from summarizer.timeline.merge import Timeline

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def article_text(i: int) -> str:
    return (
        f"Russia and Ukraine exchanged {i + 10} prisoners of war, officials said on day {i}.\n\n"
        f"Reporter number {i} wrote this from the newsroom."
    )


def write_articles(folder: Path, n: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        path = folder / f"a{i:03d}.txt"
        path.write_text(article_text(i))
        paths.append(path)
    return paths


def endpoint_settings(base_url: str, **overrides: Any) -> Settings:
    return Settings.resolve(base_url=base_url, model="fake-model", **overrides)


class Recorder:
    def __init__(self) -> None:
        self.total: int | None = None
        self.outcomes: list[Outcome] = []

    def started(self, total: int) -> None:
        self.total = total

    def finished(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)


def store_rows(path: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT source, status, error FROM articles ORDER BY source").fetchall()


def test_every_input_is_accounted_for_and_one_bad_one_sinks_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder / "sub", 3)
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (folder / "copy.md").write_text(article_text(0))  # the same text as sub/a000.txt
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(
        json.dumps({"id": "j1", "url": "https://example.test/j1", "published": "2025-07-24",
                    "title": "J1", "text": article_text(50)}) + "\n{broken\n"
    )  # fmt: skip
    poison = article_text(99)  # the endpoint fails on this one whatever we do
    (folder / "poison.txt").write_text(poison)

    def respond(request: dict[str, Any]) -> Reply:
        if "day 99" in request["messages"][-1]["content"]:
            return Reply(status=400)
        return extraction_reply(request)

    recorder = Recorder()
    with fake_llm_server([], respond=respond) as server:
        report = run_batch(
            [str(folder), str(jsonl), str(tmp_path / "missing.txt")],
            endpoint_settings(server.base_url, concurrency=3),
            store_path=tmp_path / "store.sqlite",
            observer=recorder,
        )
    assert recorder.total == len(report.outcomes) == 10
    assert sorted(recorder.outcomes, key=lambda o: o.source) == sorted(
        report.outcomes, key=lambda o: o.source
    )
    # copy.md, sub/a001, sub/a002 and j1 done; sub/a000 is copy.md's text again.
    assert report.counts == {"done": 4, "cached": 0, "resumed": 0, "failed": 5, "duplicate": 1}
    reasons = {Path(s).name: r for s, r in report.failures}
    assert reasons["empty.txt"] == "empty input"
    assert reasons["binary.txt"] == "binary file (contains NUL bytes), not an article"
    assert reasons["missing.txt"] == "no such file"
    assert reasons["more.jsonl:2"].startswith("not JSON")
    assert "rejected the request (HTTP 400)" in reasons["poison.txt"]
    assert report.unreadable == 4
    # Input order is kept; the duplicate is the later of the two identical texts.
    duplicate = next(o for o in report.outcomes if o.status == "duplicate")
    assert Path(duplicate.source).name == "a000.txt"  # copy.md sorts first in the folder
    # Publication dates and URLs are carried into the records.
    j1 = next(r for r in report.results if r.article.id == "j1")
    assert j1.article.url == "https://example.test/j1"
    assert {r.publication_date.value for r in j1.records} == {"2025-07-24"}
    # The store holds every article and every failure, each with its reason.
    rows = store_rows(tmp_path / "store.sqlite")
    assert sum(1 for _, status, _ in rows if status == "done") == 4
    failed = {Path(src).name: err for src, status, err in rows if status == "failed"}
    assert set(failed) == {"empty.txt", "binary.txt", "poison.txt", "missing.txt", "more.jsonl:2"}
    # Tokens: four calls at the fake endpoint's 100 + 20 (the refused one reported none).
    assert report.tokens == (400, 80)
    assert report.cost_usd is None
    assert "cost: unknown (no price for 'fake-model'; give --prices)" in report.as_text()


def test_rerun_skips_what_finished_and_retries_what_failed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 4)
    store = tmp_path / "store.sqlite"
    flaky = {"fail": True}

    def respond(request: dict[str, Any]) -> Reply:
        if flaky["fail"] and "day 2." in request["messages"][-1]["content"]:
            return Reply(status=400)
        return extraction_reply(request)

    with fake_llm_server([], respond=respond) as server:
        settings = endpoint_settings(server.base_url, use_cache=False, concurrency=2)
        first = run_batch([str(folder)], settings, store_path=store)
        assert first.counts["done"] == 3 and first.counts["failed"] == 1
        assert len(server.requests) == 4
        flaky["fail"] = False
        second = run_batch([str(folder)], settings, store_path=store)
        assert len(server.requests) == 5  # only the failed article was sent again
    assert second.counts == {"done": 1, "cached": 0, "resumed": 3, "failed": 0, "duplicate": 0}
    assert second.tokens == (100, 20)  # resumed articles cost nothing this time
    assert [o.source for o in second.outcomes] == [str(p) for p in sorted(folder.iterdir())]
    assert [status for _, status, _ in store_rows(store)] == ["done"] * 4


def test_cached_articles_are_counted_as_cached_and_cost_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 3)
    prices = tmp_path / "prices.yaml"
    prices.write_text("fake-model: {prompt: 2.0, completion: 10.0}\n")
    with fake_llm_server([], respond=extraction_reply) as server:
        settings = endpoint_settings(server.base_url, prices=prices)
        first = run_batch([str(folder)], settings, store_path=tmp_path / "one.sqlite")
        # A new store: nothing to resume, but the extraction cache still answers.
        second = run_batch([str(folder)], settings, store_path=tmp_path / "two.sqlite")
        assert len(server.requests) == 3
    assert first.cost_usd == pytest.approx((300 * 2.0 + 60 * 10.0) / 1e6)
    assert second.counts["cached"] == 3 and second.tokens == (0, 0) and second.cost_usd == 0
    assert [r.usage.prompt_tokens for r in second.results] == [100, 100, 100]


def test_concurrency_bounds_requests_in_flight(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 12)
    # Each answer waits until four requests are out: four at a time is then proven by the
    # endpoint itself (a fifth would show in max_in_flight; fewer would never be answered).
    four_out = threading.Barrier(4, timeout=60)

    def respond(request: dict[str, Any]) -> Reply:
        four_out.wait()
        return extraction_reply(request)

    with fake_llm_server([], respond=respond) as server:
        report = run_batch(
            [str(folder)],
            endpoint_settings(server.base_url, concurrency=4),
            store_path=tmp_path / "s.sqlite",
        )
    assert report.counts["done"] == 12 and not report.failures
    assert server.max_in_flight == 4


def test_a_429_pauses_every_worker_then_one_probe_goes_first(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 8)
    lock = threading.Lock()
    first_wave = threading.Barrier(4, timeout=60)
    refused_at: list[float] = []  # when each 429 was sent
    answered_at: dict[int, float] = {}  # when each later request was answered, by arrival

    arrivals = iter(range(1000))

    def respond(request: dict[str, Any]) -> Reply:
        with lock:
            arrival = next(arrivals)
        if arrival < 4:
            # The first wave (all four workers) is refused together: "wait a second".
            first_wave.wait()
            with lock:
                refused_at.append(time.monotonic())
            return Reply(status=429, headers={"Retry-After": "1"})
        reply = extraction_reply(request, delay_s=0.2 if arrival == 4 else 0.0)
        with lock:
            answered_at[arrival] = time.monotonic() + reply.delay_s
        return reply

    with fake_llm_server([], respond=respond) as server:
        report = run_batch(
            [str(folder)],
            endpoint_settings(server.base_url, concurrency=4),
            store_path=tmp_path / "s.sqlite",
        )
    assert report.counts["done"] == 8 and len(server.requests) == 12
    later = server.arrivals[4:]
    # Nothing is sent while the endpoint asked to wait (the pause starts when a 429 is read,
    # after it was sent, so this lower bound holds however slow the machine)...
    assert min(later) - max(refused_at) >= 0.99, (refused_at, later)
    # ...then one probe goes alone; the others follow only once it is answered.
    probe_answered = answered_at[4]
    assert all(t >= probe_answered - 0.01 for t in later[1:]), (probe_answered, later)


def test_outputs_timeline_records_and_report(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 3)
    with fake_llm_server([], respond=extraction_reply) as server:
        report = run_batch(
            [str(folder)], endpoint_settings(server.base_url), store_path=tmp_path / "s.sqlite"
        )
    out = tmp_path / "out"
    written = write_outputs(report, out)
    assert sorted(p.name for p in written) == [
        "records.jsonl", "report.json", "timeline.json", "timeline.md"
    ]  # fmt: skip
    lines = (out / "records.jsonl").read_text().splitlines()
    assert [ArticleResult.model_validate_json(x).article.id for x in lines] == [
        "a000",
        "a001",
        "a002",
    ]
    timeline = Timeline.model_validate_json((out / "timeline.json").read_text())
    assert sorted(e.counts[0].value for e in timeline.events) == [10, 11, 12]
    assert "each side: 11 servicemen" in (out / "timeline.md").read_text()
    assert json.loads((out / "report.json").read_text())["counts"]["done"] == 3
    assert not list(out.glob("*.partial"))


def test_cli_batch_over_a_folder_and_a_feed_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 2)
    page = f"<html><body><article><p>{article_text(7) * 3}</p></article></body></html>".encode()
    pages: dict[str, Page] = {}
    with page_server(pages) as web, fake_llm_server([], respond=extraction_reply) as llm:
        pages["/feed.xml"] = Page(
            (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>'
                f"<item><title>Seven</title><link>{web.url('/seven')}</link><guid>seven</guid></item>"
                f"<item><title>Gone</title><link>{web.url('/gone')}</link><guid>gone</guid></item>"
                "</channel></rss>"
            ).encode(),
            content_type="application/rss+xml",
        )
        pages["/seven"] = Page(page)
        monkeypatch.setenv("SUMMARIZER_BASE_URL", llm.base_url)
        monkeypatch.setenv("SUMMARIZER_MODEL", "fake-model")
        out = tmp_path / "out"
        # The feed links to this loopback server: following such links takes permission.
        args = ["batch", str(folder), web.url("/feed.xml"), "--out", str(out), "--quiet",
                "--allow-private-links"]  # fmt: skip
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output  # the 404 page is an unreadable input
        assert (
            "articles: 3 done (3 extracted, 0 from the cache, 0 from an earlier run), 1 failed"
            in result.stdout
        )
        assert (
            f"{web.url('/feed.xml')}#gone: linked page {web.url('/gone')}: download failed: HTTP 404"
            in result.stdout
        )
        again = CliRunner().invoke(app, args)
        assert again.exit_code == 2
        assert "3 done (0 extracted, 0 from the cache, 3 from an earlier run)" in again.stdout
        assert len(llm.requests) == 3
    assert (out / "batch.sqlite").exists()
    report = json.loads((out / "report.json").read_text())
    assert report["failures"] == [
        {
            "source": f"{web.url('/feed.xml')}#gone",
            "error": f"linked page {web.url('/gone')}: download failed: HTTP 404",
        }
    ]


def spent(prompt_tokens: int, completion_tokens: int, *, cached: bool = False) -> ArticleResult:
    """An article result (no records) whose calls took these tokens."""
    usage = Usage(
        calls=1, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, cached=cached
    )
    return result("a", []).model_copy(update={"usage": usage})


def test_batch_report_costs_only_the_tokens_this_run_spent(tmp_path: Path) -> None:
    from summarizer.batch.pricing import Price

    outcomes = [
        Outcome("a.txt", "done", result=spent(1000, 234)),
        Outcome("b.txt", "cached", result=spent(5000, 500, cached=True)),
        Outcome("c.txt", "resumed", result=spent(7000, 700)),
    ]
    price = Price(prompt=1, completion=2)
    report = BatchReport(outcomes, 1.25, "m", 2, tmp_path / "s.sqlite", price)
    assert report.tokens == (1000, 234)
    assert report.as_text().splitlines()[1] == (
        "tokens: 1,000 prompt + 234 completion; cost: $0.0015"  # (1000 * 1 + 234 * 2) / 1e6
    )


def wait_until(condition: Callable[[], bool], what: str, bound_s: float = 60) -> None:
    """Poll ``condition`` until it holds; fail (naming ``what``) after a generous bound."""
    deadline = time.monotonic() + bound_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def test_killed_batch_loses_nothing_finished_and_a_rerun_completes_it(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    folder = tmp_path / "in"
    write_articles(folder, 12)
    store = tmp_path / "store.sqlite"

    def done_rows() -> list[tuple[str, str, int]]:
        if not store.exists():
            return []
        with sqlite3.connect(store) as db:
            if not db.execute("SELECT name FROM sqlite_master WHERE name = 'records'").fetchone():
                return []  # the batch has opened the file but not yet created its tables
            return db.execute(
                "SELECT article_sha256, result, (SELECT COUNT(*) FROM records r WHERE r.key = a.key)"
                " FROM articles a WHERE status = 'done'"
            ).fetchall()

    # The first four answers come at once; later ones wait until the batch has been killed, so
    # exactly four articles have finished when it dies, however fast or slow the machine is.
    killed = threading.Event()
    lock = threading.Lock()
    answered = [0]

    def respond(request: dict[str, Any]) -> Reply:
        with lock:
            answered[0] += 1
            hold = answered[0] > 4
        if hold:
            killed.wait(timeout=120)
        return extraction_reply(request)

    try:
        with fake_llm_server([], respond=respond) as server:
            env = {
                **os.environ,
                "SUMMARIZER_BASE_URL": server.base_url,
                "SUMMARIZER_MODEL": "fake-model",
                "SUMMARIZER_USE_CACHE": "0",  # what a re-run skips must come from the store
            }
            command = [sys.executable, "-m", "summarizer", "batch", str(folder), "--store",
                       str(store), "--concurrency", "2", "--quiet"]  # fmt: skip
            process = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            # Four stored and both workers waiting on an answer: nothing more can finish.
            wait_until(lambda: len(done_rows()) == 4 and server.in_flight == 2, "4 done, 2 out")
            process.send_signal(signal.SIGKILL)
            process.wait(60)
            survived = done_rows()
            assert len(survived) == 4
            killed.set()
            requests_before = len(server.requests)
            rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
            assert rerun.returncode == 0, rerun.stderr
            # The re-run sent exactly the articles that had not finished.
            assert len(server.requests) - requests_before == 8
    finally:
        killed.set()
    finished = done_rows()
    assert len(finished) == 12 and len({sha for sha, _, _ in finished}) == 12
    # Every article's records are all there, exactly once.
    for _, saved, n_records in finished:
        assert len(ArticleResult.model_validate_json(saved).records) == n_records == 1
    assert "4 from an earlier run" in rerun.stdout


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "test_seed_extraction")


@pytest.mark.replays_only
@pytest.mark.vcr(*SEED_CASSETTES)
def test_batch_over_the_seeds_replays_the_recorded_extractions(
    tmp_path: Path, settings: Settings, embedded_endpoint: Any
) -> None:
    report = run_batch(
        [str(SEEDS)], settings, store_path=tmp_path / "s.sqlite", endpoint=embedded_endpoint
    )
    assert report.counts["done"] == 3 and not report.failures
    assert [r.article.id for r in report.results] == SEED_IDS
    assert all(r.records and r.provenance.endpoint == "embedded" for r in report.results)
    assert (report.model, report.concurrency, report.cost_usd) == (EMBEDDED_MODEL_NAME, 1, 0.0)
    prompt = sum(r.usage.prompt_tokens for r in report.results)
    assert report.tokens[0] == prompt > 5000  # three articles of about 2,000 prompt tokens


def test_progress_bar_counts_tokens_and_failure_lines() -> None:
    import io

    from rich.console import Console

    from summarizer.batch.progress import BatchProgress

    result = spent(1000, 234)
    shown = io.StringIO()
    console = Console(file=shown, force_terminal=True, width=200, color_system=None)
    with BatchProgress(console=console) as progress:
        progress.started(3)
        progress.finished(Outcome("a.txt", "done", result=result))
        progress.finished(Outcome("b.txt", "cached", result=result))
        progress.finished(Outcome("c.txt", "failed", error="empty input", unreadable=True))
    text = shown.getvalue()
    assert "summarizer: error: c.txt: empty input" in text
    assert (
        "3/3" in text and "done 1 · cached 1 · failed 1 · 1,234 tokens" in text
    )  # cached: 0 spent

    quiet = io.StringIO()
    console = Console(file=quiet, force_terminal=True, width=200, color_system=None)
    with BatchProgress(console=console, quiet=True) as progress:
        progress.started(1)
        progress.finished(Outcome("c.txt", "failed", error="empty input", unreadable=True))
    assert quiet.getvalue() == "summarizer: error: c.txt: empty input\n"


def test_the_embedded_model_runs_one_article_at_a_time(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    report = run_batch(
        [str(tmp_path / "in")], Settings.resolve(concurrency=8), store_path=tmp_path / "s.sqlite"
    )
    assert report.concurrency == 1 and report.outcomes == [] and report.cost_usd == 0.0


def test_ctrl_c_stops_at_once_and_keeps_what_finished(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    folder = tmp_path / "in"
    write_articles(folder, 6)
    store = tmp_path / "store.sqlite"

    def done() -> int:
        if not store.exists():
            return 0
        with sqlite3.connect(store) as db:
            if not db.execute("SELECT name FROM sqlite_master WHERE name = 'records'").fetchone():
                return 0  # the batch has opened the file but not yet created its tables
            return int(
                db.execute("SELECT COUNT(*) FROM articles WHERE status = 'done'").fetchone()[0]
            )

    # Every answer but the first is held until the test ends: a batch that waited for its
    # answers after Ctrl-C would never exit (and the bound below would fail it).
    test_over = threading.Event()

    def respond(request: dict[str, Any]) -> Reply:
        if "day 0." not in request["messages"][-1]["content"]:
            test_over.wait(timeout=300)
        return extraction_reply(request)

    try:
        with fake_llm_server([], respond=respond) as server:
            env = {**os.environ, "SUMMARIZER_BASE_URL": server.base_url, "SUMMARIZER_MODEL": "m",
                   "PYTHONFAULTHANDLER": "1"}  # fmt: skip
            command = [sys.executable, "-m", "summarizer", "batch", str(folder), "--store",
                       str(store), "--concurrency", "2", "--quiet"]  # fmt: skip
            process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
            # One article stored, and both workers waiting on a held answer.
            wait_until(lambda: done() == 1 and server.in_flight == 2, "1 done, 2 held")
            process.send_signal(signal.SIGINT)
            try:
                _, stderr = process.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
                _, stderr = process.communicate(timeout=30)
                raise AssertionError(
                    f"no exit 120 s after Ctrl-C; its threads:\n{stderr}"
                ) from None
            assert server.in_flight == 2  # it left with its answers still outstanding
    finally:
        test_over.set()
    assert process.returncode == 130
    assert "interrupted; finished articles are in the store" in stderr
    assert done() == 1


# --- the store: damage, versions and --reprocess ----------------------------------------------


def test_a_store_that_cannot_be_opened_is_one_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 2)
    store = tmp_path / "batch.sqlite"
    store.write_bytes(b"\x13not a database\xff" * 500)
    with fake_llm_server([], respond=extraction_reply) as server:
        monkeypatch.setenv("SUMMARIZER_BASE_URL", server.base_url)
        monkeypatch.setenv("SUMMARIZER_MODEL", "fake-model")
        result = CliRunner().invoke(app, ["batch", str(folder), "--store", str(store), "-q"])
        assert not server.requests  # nothing paid for that could not be stored
    assert result.exit_code == 3
    assert result.stderr == (
        f"summarizer: error: the batch store {store} cannot be opened (file is not a "
        "database): move it aside or pass another --store\n"
    )


def test_a_stored_result_that_cannot_be_read_is_done_again(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 3)
    store = tmp_path / "s.sqlite"
    with fake_llm_server([], respond=extraction_reply) as server:
        settings = endpoint_settings(server.base_url, use_cache=False)
        run_batch([str(folder)], settings, store_path=store)
        with sqlite3.connect(store) as db:
            db.execute("UPDATE articles SET result = '{broken' WHERE article_id = 'a001'")
        again = run_batch([str(folder)], settings, store_path=store)
        assert len(server.requests) == 4
    assert again.counts == {"done": 1, "cached": 0, "resumed": 2, "failed": 0, "duplicate": 0}
    with sqlite3.connect(store) as db:
        (text,) = db.execute("SELECT result FROM articles WHERE article_id = 'a001'").fetchone()
    assert ArticleResult.model_validate_json(text).article.id == "a001"  # the row is whole again


def test_reprocess_rebuilds_finished_results_from_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 3)
    store = tmp_path / "s.sqlite"
    with fake_llm_server([], respond=extraction_reply) as server:
        settings = endpoint_settings(server.base_url)
        run_batch([str(folder)], settings, store_path=store)
        # Results made by an older release (its post-processing left a warning this one would not).
        with sqlite3.connect(store) as db:
            for key, text in db.execute("SELECT key, result FROM articles").fetchall():
                old = ArticleResult.model_validate_json(text).model_copy(
                    update={"warnings": ["made by 0.0.9"]}
                )
                db.execute(
                    "UPDATE articles SET result = ?, summarizer_version = '0.0.9' WHERE key = ?",
                    (old.model_dump_json(), key),
                )
        resumed = run_batch([str(folder)], settings, store_path=store)
        reprocessed = run_batch([str(folder)], settings, store_path=store, reprocess=True)
        assert len(server.requests) == 3  # the cache answered for the model
    assert resumed.counts["resumed"] == 3 and resumed.reprocessed == 0
    assert resumed.as_text().splitlines()[3] == (
        "from an earlier run of another version: 3 by 0.0.9; --reprocess makes them again "
        f"with {__version__}"
    )
    assert reprocessed.counts == {"done": 0, "cached": 3, "resumed": 0, "failed": 0, "duplicate": 0}
    assert reprocessed.reprocessed == 3 and reprocessed.as_json()["reprocessed"] == 3
    assert reprocessed.as_text().startswith(
        "articles: 3 done (0 extracted, 3 from the cache, 0 from an earlier run; 3 reprocessed)"
    )
    assert all(r.warnings == [] for r in reprocessed.results)
    with sqlite3.connect(store) as db:
        stored = db.execute("SELECT result, summarizer_version FROM articles").fetchall()
    assert [ArticleResult.model_validate_json(t).warnings for t, _ in stored] == [[], [], []]
    assert {v for _, v in stored} == {__version__}


def test_cli_batch_reprocess_says_how_many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 2)
    with fake_llm_server([], respond=extraction_reply) as server:
        monkeypatch.setenv("SUMMARIZER_BASE_URL", server.base_url)
        monkeypatch.setenv("SUMMARIZER_MODEL", "fake-model")
        args = ["batch", str(folder), "--out", str(tmp_path / "out"), "-q"]
        assert CliRunner().invoke(app, args).exit_code == 0
        again = CliRunner().invoke(app, [*args, "--reprocess"])
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith(
        "articles: 2 done (0 extracted, 2 from the cache, 0 from an earlier run; 2 reprocessed)"
    )
    assert json.loads((tmp_path / "out" / "report.json").read_text())["reprocessed"] == 2


# --- two runs on one store ----------------------------------------------------------------------


def test_two_concurrent_batches_on_one_store_pay_once_per_article(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 24)
    store = tmp_path / "s.sqlite"
    both_busy = threading.Event()

    def respond(request: dict[str, Any]) -> Reply:
        # Hold the first answers until both runs have requests out (or a generous bound), so
        # that the runs really overlap: without claims both would be asking for a000..a003.
        both_busy.wait(timeout=60)
        return extraction_reply(request)

    reports: dict[str, BatchReport] = {}
    errors: list[BaseException] = []
    with fake_llm_server([], respond=respond) as server:
        settings = endpoint_settings(server.base_url, use_cache=False, concurrency=4)

        def batch(name: str) -> None:
            try:
                reports[name] = run_batch([str(folder)], settings, store_path=store)
            except BaseException as e:  # surfaced below
                errors.append(e)

        runs = [threading.Thread(target=batch, args=(name,)) for name in ("one", "two")]
        for run in runs:
            run.start()
        deadline = time.monotonic() + 60
        while server.in_flight < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        both_busy.set()
        for run in runs:
            run.join(120)
        assert not errors and not any(run.is_alive() for run in runs)
        paid = [r["messages"][-1]["content"] for r in server.requests]
    assert len(paid) == 24 and len(set(paid)) == 24  # every article asked for exactly once
    for report in reports.values():  # and each run accounts for every article
        c = report.counts
        assert c["done"] + c["resumed"] == 24 and c["failed"] == 0, c
    assert sum(r.counts["done"] for r in reports.values()) == 24
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM articles WHERE status = 'done'").fetchone() == (24,)
        assert db.execute("SELECT COUNT(*) FROM leases").fetchone() == (0,)


def test_an_article_held_by_a_live_run_is_left_to_it_and_resumed_once_it_is_done(
    tmp_path: Path,
) -> None:
    from summarizer.batch.store import ResultStore
    from summarizer.extraction.pipeline import Extractor
    from summarizer.ingest.articles import load_article

    folder = tmp_path / "in"
    paths = write_articles(folder, 4)
    store_path = tmp_path / "s.sqlite"
    rest_done = threading.Event()

    class Waiter(Recorder):
        def finished(self, outcome: Outcome) -> None:
            super().finished(outcome)
            if len(self.outcomes) == 3:
                rest_done.set()

    with fake_llm_server([], respond=extraction_reply) as server:
        settings = endpoint_settings(server.base_url, use_cache=False)
        with Extractor(settings) as extractor:
            held = load_article(str(paths[2]))
            key = extractor.key_for(held)
            other = ResultStore(store_path)  # another run, alive, working on a002
            assert other.claim(key) == Claimed()
            theirs = extractor.summarise(held)
        assert len(server.requests) == 1
        waiter = Waiter()
        ours: list[BatchReport] = []
        batch = threading.Thread(
            target=lambda: ours.append(
                run_batch([str(folder)], settings, store_path=store_path, observer=waiter)
            )
        )
        batch.start()
        assert rest_done.wait(60)  # it did the other three and is waiting for a002
        assert len(server.requests) == 4 and batch.is_alive()
        other.save_result(key, theirs)  # the other run finishes a002
        other.close()
        batch.join(60)
        assert not batch.is_alive()
        assert len(server.requests) == 4  # a002 was never paid for twice
    [report] = ours
    assert report.counts == {"done": 3, "cached": 0, "resumed": 1, "failed": 0, "duplicate": 0}
    assert next(o for o in report.outcomes if o.source == str(paths[2])).status == "resumed"


def test_a_killed_runs_claims_are_taken_over(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    from summarizer.extraction.pipeline import Extractor
    from summarizer.ingest.articles import load_article

    folder = tmp_path / "in"
    paths = write_articles(folder, 3)
    store_path = tmp_path / "s.sqlite"
    killed = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                            capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    with fake_llm_server([], respond=extraction_reply) as server:
        settings = endpoint_settings(server.base_url, use_cache=False)
        with Extractor(settings) as extractor:
            keys = [extractor.key_for(load_article(str(p))) for p in paths]
        run_batch([str(tmp_path / "nothing")], settings, store_path=store_path)  # the tables
        with sqlite3.connect(store_path) as db:
            db.executemany(
                "INSERT INTO leases (key, owner, expires_at) VALUES (?, ?, ?)",
                [
                    # A run on this machine whose process is gone: taken over at once.
                    (keys[0], f"{socket.gethostname()}:{killed}:0", time.time() + 3600),
                    # A run elsewhere that stopped renewing: taken over once its claim lapses.
                    (keys[1], "elsewhere:1:0", time.time() + 1.0),
                ],
            )
        report = run_batch([str(folder)], settings, store_path=store_path)
        assert len(server.requests) == 3
    assert report.counts == {"done": 3, "cached": 0, "resumed": 0, "failed": 0, "duplicate": 0}


def test_a_run_renews_its_claims_while_an_article_is_in_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer.batch import runner, store

    monkeypatch.setattr(store, "LEASE_S", 0.9)
    monkeypatch.setattr(runner, "LEASE_S", 0.9)
    folder = tmp_path / "in"
    write_articles(folder, 1)
    store_path = tmp_path / "s.sqlite"
    answer = threading.Event()

    def respond(request: dict[str, Any]) -> Reply:
        answer.wait(timeout=60)
        return extraction_reply(request)

    def expiries() -> list[float]:
        if not store_path.exists():
            return []
        with sqlite3.connect(store_path) as db:
            if not db.execute("SELECT name FROM sqlite_master WHERE name = 'leases'").fetchone():
                return []
            return [e for (e,) in db.execute("SELECT expires_at FROM leases")]

    with fake_llm_server([], respond=respond) as server:
        settings = endpoint_settings(server.base_url, use_cache=False)
        batch = threading.Thread(target=run_batch, args=([str(folder)], settings),
                                 kwargs={"store_path": store_path})  # fmt: skip
        batch.start()
        deadline = time.monotonic() + 60
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        [first] = expiries()  # claimed before it was sent
        while expiries() and expiries()[0] <= first and time.monotonic() < deadline:
            time.sleep(0.01)
        renewed = expiries()
        answer.set()
        batch.join(60)
    assert renewed and renewed[0] > first  # renewed while the answer was outstanding
    assert expiries() == []  # and given up once the article was stored
