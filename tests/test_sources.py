from __future__ import annotations

import json
from pathlib import Path

from summarizer.ingest.articles import Article
from summarizer.ingest.sources import Failure, iter_articles

TEXT = "Russia and Ukraine exchanged 84 prisoners of war on Friday, the ministry said."


def split(items: list[Article | Failure]) -> tuple[list[Article], list[Failure]]:
    return [i for i in items if isinstance(i, Article)], [
        i for i in items if isinstance(i, Failure)
    ]


def test_folder_recursively_with_bad_files_reported_and_duplicates_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text(TEXT)
    (tmp_path / "a" / "copy.md").write_text(TEXT + "\n")  # same normalised text
    (tmp_path / "two.txt").write_text(
        "Ukraine received the bodies of 501 soldiers, officials said."
    )
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    articles, failures = split(list(iter_articles([str(tmp_path)])))
    assert [a.id for a in articles] == ["copy", "two"]
    assert failures == [Failure(str(tmp_path / "empty.txt"), "empty input")]


def test_jsonl_carries_ids_urls_and_dates_and_reports_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    rows = [
        json.dumps(
            {
                "id": "x1",
                "url": "https://example.test/a",
                "title": "Swap",
                "published": "2025-07-24",
                "text": TEXT,
            }
        ),
        "{broken",
        json.dumps({"id": "x3", "text": ""}),
        json.dumps({"id": "x4"}),
        json.dumps({"text": "Ukraine received the bodies of 501 soldiers, officials said."}),
    ]
    path.write_text("\n".join(rows) + "\n")
    articles, failures = split(list(iter_articles([str(path)])))
    assert [(a.id, a.url, a.published.value) for a in articles] == [
        ("x1", "https://example.test/a", "2025-07-24"),
        ("batch-5", None, None),
    ]
    assert [(f.source, f.reason) for f in failures] == [
        (f"{path}:2", "not JSON (Expecting property name enclosed in double quotes)"),
        (f"{path}:3", "empty input"),
        (f"{path}:4", 'expected an object with a "text" string'),
    ]


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Swap on the border</title><link>https://example.test/swap</link>
<guid>swap-1</guid><pubDate>Thu, 24 Jul 2025 10:00:00 GMT</pubDate>
<description><![CDATA[<p>Russia and Ukraine exchanged <b>84</b> prisoners on Wednesday.</p>]]></description></item>
<item><title>Empty</title><guid>empty-2</guid><description></description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><id>tag:example.test,2025:1</id><title>Talks in Istanbul</title><updated>2025-06-02T12:00:00Z</updated>
<link href="https://example.test/talks"/><content type="html">&lt;p&gt;Delegations met in Istanbul for a second round.&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_and_atom_entries_become_articles(tmp_path: Path) -> None:
    rss, atom = tmp_path / "news.rss", tmp_path / "news.atom"
    rss.write_text(RSS)
    atom.write_text(ATOM)
    articles, failures = split(list(iter_articles([str(rss), str(atom)])))
    first, second = articles
    assert (first.id, first.url, first.published.value, first.title) == (
        "swap-1",
        "https://example.test/swap",
        "2025-07-24",
        "Swap on the border",
    )
    assert (
        first.text
        == "Swap on the border\n\nRussia and Ukraine exchanged 84 prisoners on Wednesday."
    )
    assert (second.url, second.published.value) == ("https://example.test/talks", "2025-06-02")
    assert "second round" in second.text
    assert failures == [Failure(f"{rss}#empty-2", "empty input")]


def test_malformed_feed_is_one_failure(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<rss><channel><item><title>unclosed")
    articles, failures = split(list(iter_articles([str(path)])))
    assert articles == []
    assert failures[0].source == str(path)
    assert failures[0].reason.startswith("malformed feed (")
    assert failures[1:] == [Failure(f"{path}#broken-0", "empty input")]  # the unreadable entry


def test_a_file_that_is_no_feed_at_all(tmp_path: Path) -> None:
    path = tmp_path / "notes.xml"
    path.write_text("just some words, no markup")
    [failure] = list(iter_articles([str(path)]))
    assert failure.source == str(path)
    assert (
        failure.reason.startswith("not a readable RSS/Atom feed (")
        and "syntax error" in failure.reason
    )


def test_the_feed_fixture() -> None:
    feed = Path(__file__).parent / "fixtures" / "feeds" / "exchanges.rss"
    articles, failures = split(list(iter_articles([str(feed)])))
    assert [(a.id, a.published.value, a.url) for a in articles] == [
        ("swap-2025-08-14", "2025-08-14", "https://news.example.test/2025/08/14/swap"),
        ("bodies-2025-08-19", "2025-08-19", "https://news.example.test/2025/08/19/bodies"),
    ]
    assert "146 prisoners of war" in articles[0].text and "<p>" not in articles[0].text
    # "Live updates" has a title and no text: a title alone is not an article.
    assert [(f.source, f.reason) for f in failures] == [(f"{feed}#live-2025-08-20", "empty input")]
