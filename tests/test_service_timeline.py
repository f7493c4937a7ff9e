"""The timeline kept in the store: equal to a full merge, filtered, paged; highlighted pages."""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from service_support import EXCHANGE, running, synthetic_result

from summarizer.batch.store import ResultStore
from summarizer.records import Evidence
from summarizer.service.highlight import Span, excerpt_window, highlight, spans_for
from summarizer.service.timeline_index import EventFilter, TimelineIndex
from summarizer.timeline.merge import merge, sourced_records
from summarizer.timeline.partition import EventEntry, local_entries

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def all_events(index: TimelineIndex, where: EventFilter | None = None) -> list[tuple[str, str]]:
    """Every event of the index in order, as (event JSON, sources JSON), walking the pages."""
    found = []
    after = None
    while True:
        page, following = index.page(where or EventFilter(), after=after, limit=7)
        found += [
            (e.event.model_dump_json(), str([s.model_dump_json() for s in e.sources])) for e in page
        ]
        if following is None:
            return found
        after = page[-1].sort_key


def full_merge(results: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    entries: list[EventEntry] = local_entries(merge(sourced_records(results)))
    return [
        (e.event.model_dump_json(), str([s.model_dump_json() for s in e.sources])) for e in entries
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_incremental_timeline_equals_a_full_merge_of_the_same_records(
    tmp_path: Path, seed: int
) -> None:
    rnd = random.Random(seed)
    results = [synthetic_result(i, rnd) for i in range(120)]
    order = list(results)
    rnd.shuffle(order)
    path = tmp_path / "store.sqlite"
    with ResultStore(path) as store:
        index = TimelineIndex(path)
        start = 0
        while start < len(order):  # results arrive in batches of random size, merged in
            size = rnd.randint(1, 30)
            for result in order[start : start + size]:
                store.save_result(f"k-{result.article.id}", result)
            index.update()
            start += size
            assert all_events(index) == full_merge(order[:start])
        # A result replaced (reprocessed) and one removed are taken in by a full update.
        replaced = results[5].model_copy(update={"records": results[5].records[:1]})
        store.save_result("k-art5", replaced)
        store._db.execute("DELETE FROM articles WHERE key = 'k-art7'")
        index.update(full=True)
        expected = [replaced if r.article.id == "art5" else r for r in results]
        expected = [r for r in expected if r.article.id != "art7"]
        assert all_events(index) == full_merge(expected)


def test_links_between_talks_and_agreements_match_a_full_merge(tmp_path: Path) -> None:
    rnd = random.Random(11)
    results = [synthetic_result(i, rnd) for i in range(200)]
    path = tmp_path / "store.sqlite"
    with ResultStore(path) as store:
        index = TimelineIndex(path)
        for result in results[:100]:
            store.save_result(f"k-{result.article.id}", result)
        index.update()
        for result in results[100:]:
            store.save_result(f"k-{result.article.id}", result)
        index.update()
    events = all_events(index)
    assert events == full_merge(results)
    assert sum('"links":[{' in e for e, _ in events) >= 2  # the case is exercised


def test_filters_and_cursor_pages(tmp_path: Path) -> None:
    rnd = random.Random(5)
    results = [synthetic_result(i, rnd) for i in range(60)]
    path = tmp_path / "store.sqlite"
    with ResultStore(path) as store:
        for result in results:
            store.save_result(f"k-{result.article.id}", result)
    with running(tmp_path, store=path) as s:
        everything = []
        cursor = None
        while True:
            query = "/v1/events?limit=5" + (f"&cursor={cursor}" if cursor else "")
            page = s.client.get(query).json()
            everything += page["events"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(everything) == s.service.timeline.index.count() > 5
        dates = [e["event"]["date"]["value"] for e in everything]
        dated = [d for d in dates if d]
        assert dated == sorted(dated, key=lambda d: (d[:4], d))  # in date order
        assert dates[len(dated) :] == [None] * (len(dates) - len(dated))  # undated last

        def ids(query: str) -> set[str]:
            r = s.client.get("/v1/events?limit=200&" + query)
            assert r.status_code == 200, r.text
            return {e["event"]["id"] for e in r.json()["events"]}

        def matching(pred) -> set[str]:  # type: ignore[no-untyped-def]
            return {e["event"]["id"] for e in everything if pred(e)}

        assert ids("kind=agreement") == matching(lambda e: e["event"]["kind"] == "agreement")
        assert ids("side=russia") == matching(
            lambda e: {c["side"] for c in e["event"]["counts"]} & {"russia", "each_side"}
        )
        assert ids("q=DOHA") == matching(
            lambda e: (
                any(
                    "doha" in (q["text"].lower())
                    for s in e["sources"]
                    for q in s["sourced"]["record"]["evidence"]
                )
                or "Doha" in str(e["event"]["location"])
            )
        )
        in_june = ids("from=2025-06-01&to=2025-06-30")
        # An event counts when its date, at its precision, reaches into June.
        assert in_june == matching(
            lambda e: (v := e["event"]["date"]["value"] or "") == "2025" or v.startswith("2025-06")
        )
        assert in_june  # the case is exercised
        assert ids("article=art3") == matching(
            lambda e: any(s["sourced"]["record"]["article_id"] == "art3" for s in e["sources"])
        )
        assert ids("kind=agreement&side=ukraine") == ids("kind=agreement") & ids("side=ukraine")
        one = everything[0]["event"]["id"]
        assert s.client.get(f"/v1/events/{one}").json() == everything[0]
        assert s.client.get("/v1/events/E000").status_code == 404
        for bad in ("kind=war", "from=yesterday", "side=nobody", "cursor=xyz", "limit=0", "q="):
            assert s.client.get(f"/v1/events?{bad}").status_code == 422, bad


def test_the_timeline_page_marks_evidence_inside_the_article_and_escapes_it(
    tmp_path: Path,
) -> None:
    hostile = EXCHANGE + '\n\n<script>alert("x")</script> <img src=x onerror=alert(1)>'
    with running(tmp_path) as s:
        r = s.client.post(
            "/v1/articles", json={"text": hostile, "id": "hostile<b>", "title": "<i>T</i>"}
        )
        assert r.status_code == 422  # ids are plain
        r = s.client.post("/v1/articles", json={"text": hostile, "id": "h1", "title": "<i>T</i>"})
        assert r.status_code == 200, r.text
        s.service.timeline.wait_current()
        page = s.client.get("/").text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;i&gt;T&lt;/i&gt;" in page
        marked = re.findall(r"<mark[^>]*>(.*?)</mark>", page)
        assert marked == [
            "Russia and Ukraine exchanged 84 prisoners of war on Thursday, officials said."
        ]
        assert "<details>" in page and "Figures per side" in page
        article = s.client.get("/articles/h1").text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in article
        assert "<script>alert" not in article
        assert re.findall(r'<mark id="r0-e0">(.*?)</mark>', article) == marked
        assert s.client.get("/articles/none").status_code == 404
        bad = s.client.get("/?from=soon&kind=war")
        assert bad.status_code == 400
        assert "must be a date" in bad.text


def test_the_form_summarises_a_pasted_article_and_shows_its_page(tmp_path: Path) -> None:
    with running(tmp_path) as s:
        form = s.client.get("/new").text
        assert '<label for="n-text">Article text</label>' in form
        r = s.client.post("/new", data={"text": EXCHANGE, "published": "2025-07-24"},
                          follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        page = s.client.get(r.headers["location"]).text
        assert "<mark" in page and "each side: 84 servicemen" in page
        empty = s.client.post("/new", data={"text": ""})
        assert empty.status_code == 422
        assert "give exactly one of" in html.unescape(empty.text)
        foreign = s.client.post(
            "/new", data={"text": EXCHANGE}, headers={"origin": "https://x.example"}
        )
        assert foreign.status_code == 403


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab <>&\"'\n."), max_size=60),
    cuts=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=4),
)
def test_highlighting_keeps_the_text_and_marks_exactly_the_spans(
    text: str, cuts: list[tuple[int, int]]
) -> None:
    spans = [Span(min(a, b), max(a, b)) for a, b in cuts if min(a, b) < len(text)]
    spans = [Span(s.start, min(s.end, len(text))) for s in spans if s.end > s.start]
    out = str(highlight(text, spans))
    assert "<" not in re.sub(r"</?(mark|p|br)>", "", out)  # the only markup is ours

    def bare(markup: str) -> str:  # the characters shown, without markup or whitespace
        return "".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())

    assert bare(out) == "".join(text.split())  # nothing lost, nothing added
    marked = "".join(re.findall(r"<mark>(.*?)</mark>", out, flags=re.S))
    covered = sorted({i for s in spans for i in range(s.start, s.end)})
    assert bare(marked) == "".join("".join(text[i] for i in covered).split())


def test_evidence_is_found_by_its_span_or_else_its_text() -> None:
    text = "One.\n\nRussia returned 84 soldiers. Two."
    good = Evidence(text="Russia returned 84 soldiers.", start=6, end=34)
    moved = Evidence(text="Russia returned 84 soldiers.", start=0, end=28)
    absent = Evidence(text="Not in the text.")
    spans = spans_for(text, [("a", good), ("b", moved), ("c", absent)])
    assert [(s.start, s.end, s.label) for s in spans] == [(6, 34, "a"), (6, 34, "b")]
    start, end = excerpt_window(text, spans)
    assert text[start:end] == text  # a short article is shown whole
    long = "word " * 100 + text[6:] + " more" * 100
    spans = spans_for(long, [("a", Evidence(text="Russia returned 84 soldiers."))])
    start, end = excerpt_window(long, spans)
    shown = long[start:end]
    assert shown.startswith("word ") and shown.endswith("more")  # no word cut
    assert 400 < len(shown) < 520  # about 240 characters either side
