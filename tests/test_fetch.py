"""Feeds and pages over HTTP (a local server): timeouts, size limits, 404s, linked pages."""

from __future__ import annotations

import time

import pytest
from page_server import Page, page_server

from summarizer.config import FetchLinks
from summarizer.errors import InputError
from summarizer.ingest.articles import Article
from summarizer.ingest.fetch import Fetcher, is_url
from summarizer.ingest.sources import Pending, iter_articles, iter_inputs

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

PAGE_TEXT = (
    "Russia and Ukraine exchanged 84 prisoners of war on Friday, the Defence Ministry said. "
    "The exchange took place on the Belarusian border after weeks of talks. "
    "Officials on both sides confirmed the figure in separate statements. " * 3
)
PAGE = f"""<!doctype html><html><head><title>Swap on the border</title>
<meta property="article:published_time" content="2025-07-24"></head>
<body><nav>Home | World</nav><article><h1>Swap on the border</h1><p>{PAGE_TEXT}</p></article>
<footer>Copyright</footer></body></html>""".encode()


def rss(*items: str) -> bytes:
    body = "".join(items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{body}</channel></rss>'.encode()


def item(guid: str, link: str, description: str = "") -> str:
    return (
        f"<item><title>Entry {guid}</title><link>{link}</link><guid>{guid}</guid>"
        f"<pubDate>Thu, 24 Jul 2025 10:00:00 GMT</pubDate>"
        f"<description>{description}</description></item>"
    )


def test_is_url() -> None:
    assert is_url("https://example.test/feed") and is_url("HTTP://x/y")
    assert not is_url("seeds/a.txt") and not is_url("file:///etc/passwd")


def test_fetch_limits_time_size_and_status() -> None:
    big = b"x" * 5000
    pages = {
        "/ok": Page(PAGE),
        "/slow": Page(PAGE, delay_s=2.0),
        "/big": Page(big),
        "/big-chunked": Page(big, chunked=True),
        "/error": Page(b"oops", status=500),
    }
    with page_server(pages) as server, Fetcher(timeout_s=0.5, max_bytes=4000) as fetcher:
        assert fetcher.get(server.url("/ok")).content == PAGE
        started = time.monotonic()
        with pytest.raises(InputError, match=r"download timed out \(no answer within 0.5s\)"):
            fetcher.get(server.url("/slow"))
        assert time.monotonic() - started < 1.5
        with pytest.raises(InputError, match=r"too large \(5,000 bytes; limit 4,000\)"):
            fetcher.get(server.url("/big"))
        with pytest.raises(InputError, match=r"too large \(over \d[\d,]* bytes; limit 4,000\)"):
            fetcher.get(server.url("/big-chunked"))
        with pytest.raises(InputError, match="HTTP 404") as missing:
            fetcher.get(server.url("/missing"))
        assert missing.value.source == server.url("/missing")
        with pytest.raises(InputError, match="HTTP 500"):
            fetcher.get(server.url("/error"))
    with Fetcher(timeout_s=0.5) as fetcher, pytest.raises(InputError, match="not an http"):
        fetcher.get("ftp://example.test/x")


def test_feed_url_entries_read_from_their_linked_pages() -> None:
    summary = "Teaser: 84 prisoners swapped on Friday."
    pages: dict[str, Page] = {}
    with page_server(pages) as server:
        pages["/feed.xml"] = Page(
            rss(
                item("good", server.url("/articles/swap")),
                item("gone", server.url("/articles/gone"), summary),
                item("slow", server.url("/articles/slow")),
            ),
            content_type="application/rss+xml",
        )
        pages["/articles/swap"] = Page(PAGE)
        pages["/articles/slow"] = Page(PAGE, delay_s=2.0)
        # The feed links to this loopback server: following such links takes permission.
        with Fetcher(timeout_s=0.5, allow_private_links=True) as fetcher:
            items = list(iter_inputs([server.url("/feed.xml")], fetcher=fetcher))
            assert all(isinstance(i, Pending) for i in items)
            assert server.hits == ["/feed.xml"]  # linked pages are read later, by the workers
            read = list(iter_articles([server.url("/feed.xml")], fetcher=fetcher))
    good, gone, slow = read
    assert isinstance(good, Article) and good.id == "good"
    assert "exchanged 84 prisoners" in good.text and "Copyright" not in good.text
    assert (good.url, good.published.value) == (server.url("/articles/swap"), "2025-07-24")
    # A 404 with text in the feed: the entry's own text is used, and the result says so.
    assert isinstance(gone, Article) and gone.text == f"Entry gone\n\n{summary}"
    assert gone.notes == (
        f"linked page not read ({server.url('/articles/gone')}: download failed: HTTP 404); "
        "used the feed entry's own text",
    )
    # A page that does not answer in time and no text in the feed: one failure naming both.
    assert not isinstance(slow, Article)
    assert slow.source == f"{server.url('/feed.xml')}#slow"
    assert slow.reason == (
        f"linked page {server.url('/articles/slow')}: download timed out (no answer within 0.5s)"
    )


def test_fetch_links_never_keeps_the_feed_text_and_long_entries_need_no_page() -> None:
    long_text = "The sides exchanged 84 prisoners of war. " * 20
    pages: dict[str, Page] = {}
    with page_server(pages) as server:
        pages["/feed.rss"] = Page(
            rss(
                item("short", server.url("/a"), "84 prisoners swapped."),
                item("long", server.url("/b"), long_text),
            ),
            content_type="text/xml",
        )
        with Fetcher(timeout_s=0.5) as fetcher:
            never = list(
                iter_inputs(
                    [server.url("/feed.rss")], fetcher=fetcher, fetch_links=FetchLinks.never
                )
            )
            auto = list(iter_inputs([server.url("/feed.rss")], fetcher=fetcher))
    assert all(isinstance(i, Article) for i in never)
    assert [type(i).__name__ for i in auto] == ["Pending", "Article"]


def test_a_page_url_is_one_article_and_a_dead_url_one_failure() -> None:
    with page_server({"/story": Page(PAGE)}) as server, Fetcher(timeout_s=0.5) as fetcher:
        story, dead = iter_articles([server.url("/story"), server.url("/nothing")], fetcher=fetcher)
    assert isinstance(story, Article) and story.title == "Swap on the border"
    assert story.url == server.url("/story")
    assert not isinstance(dead, Article)
    assert (dead.source, dead.reason) == (server.url("/nothing"), "download failed: HTTP 404")
