from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from summarizer.ingest.articles import Article
from summarizer.ingest.published import parse_iso_date
from summarizer.ingest.sources import Failure, iter_articles, iter_inputs

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
        (f"{path}:4", 'field "text" is missing'),
    ]


def test_jsonl_fields_are_checked_up_front_and_fail_only_their_line(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    rows = [
        {"id": "ok", "text": TEXT, "published": "2025-07-24T23:30:00-05:00"},
        {"id": "int-date", "text": TEXT + " 1", "published": 20250101},
        {"id": "object-title", "text": TEXT + " 2", "title": {"x": 1}},
        {"id": "no-such-day", "text": TEXT + " 3", "published": "2025-13-45"},
        ["an", "array"],
        "a string",
        {"id": 7, "text": TEXT + " 4"},
        {"text": 5, "url": ["x"]},
        {"id": "year", "text": TEXT + " 5", "published": "2025", "title": None, "extra": 1},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    # Every line is judged while the inputs are listed: nothing wrong reaches a worker.
    items = list(iter_inputs([str(path)]))
    articles, failures = split(items)  # type: ignore[arg-type]
    assert [(a.id, a.published.value, a.published.precision) for a in articles] == [
        ("ok", "2025-07-24", "day"),
        ("year", "2025", "year"),
    ]
    assert [(f.source, f.reason) for f in failures] == [
        (
            f"{path}:2",
            'field "published" must be a date (YYYY, YYYY-MM, YYYY-MM-DD or an ISO datetime) '
            "or null, not a number",
        ),
        (f"{path}:3", 'field "title" must be a string or null, not an object'),
        (
            f"{path}:4",
            "field \"published\": '2025-13-45' is not a date "
            "(YYYY, YYYY-MM, YYYY-MM-DD or an ISO datetime)",
        ),
        (f"{path}:5", 'expected an object with a "text" string, not an array'),
        (f"{path}:6", 'expected an object with a "text" string, not a string'),
        (f"{path}:7", 'field "id" must be a string or null, not a number'),
        (
            f"{path}:8",
            'field "text" must be a string, not a number; '
            'field "url" must be a string or null, not an array',
        ),
    ]


def test_a_deeply_nested_jsonl_line_is_one_failure(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "\n" + json.dumps({"text": TEXT}) + "\n")
    articles, failures = split(list(iter_articles([str(path)])))
    assert len(articles) == 1
    assert [(f.source, f.reason) for f in failures] == [
        (f"{path}:1", "not JSON (nested too deeply)")
    ]


def test_jsonl_lines_are_decoded_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    separated = "Officials said:\u2028" + TEXT  # a line separator inside a JSON string
    path.write_bytes(
        codecs.BOM_UTF8
        + json.dumps({"id": "a", "text": TEXT}).encode()
        + b"\n"
        + json.dumps({"id": "latin", "text": "Die T\u00fcrkei"}, ensure_ascii=False).encode(
            "latin-1"
        )
        + b"\n"
        + json.dumps({"id": "sep", "text": separated}, ensure_ascii=False).encode()
        + b"\n"
    )
    articles, failures = split(list(iter_articles([str(path)])))
    assert [(a.id, a.text) for a in articles] == [("a", TEXT), ("sep", separated)]
    assert [(f.source, f.reason) for f in failures] == [
        (f"{path}:2", "not UTF-8 (byte 0xfc at column 31)")
    ]


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2025", "2025", "year"),
        ("2025-07", "2025-07", "month"),
        (" 2025-07-24 ", "2025-07-24", "day"),
        ("2024-02-29", "2024-02-29", "day"),
        ("2025-07-24T10:00:00Z", "2025-07-24", "day"),
        ("2025-07-24 23:30:00-05:00", "2025-07-24", "day"),
    ],
)
def test_iso_dates_keep_their_precision(text: str, value: str, precision: str) -> None:
    date = parse_iso_date(text)
    assert (date.value, date.precision) == (value, precision)


@pytest.mark.parametrize(
    "text",
    ["2025-13-45", "2025-02-29", "2025-00", "0000", "24 July 2025", "2025-07-24T25:00", "", "٢٠٢٥"],
)
def test_impossible_or_unknown_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a date \(YYYY, YYYY-MM, YYYY-MM-DD or an ISO"):
        parse_iso_date(text)


def test_feed_entries_with_an_impossible_date_or_a_marked_up_title(tmp_path: Path) -> None:
    path = tmp_path / "odd.rss"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>'
        "<item><guid>a</guid><title>&lt;b&gt;Swap&lt;/b&gt;   on the border</title>"
        f"<pubDate>2025-13-45</pubDate><description>{TEXT}</description></item>"
        "<item><guid>b</guid><title>Talks</title><pubDate>2025-06-02T23:30:00-05:00</pubDate>"
        "<description>Delegations met in Istanbul for a second round.</description></item>"
        "</channel></rss>"
    )
    first, second = iter_articles([str(path)])
    assert isinstance(first, Article) and isinstance(second, Article)
    # feedparser rolled 2025-13-45 over to 2026-01-01: an impossible date is no date.
    assert (first.published.value, first.published.precision) == (None, "unknown")
    assert first.title == "Swap on the border"
    assert first.text == f"Swap on the border\n\n{TEXT}"
    # The day the feed wrote, not the UTC day feedparser turned it into.
    assert second.published.value == "2025-06-02"


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
