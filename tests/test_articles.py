from __future__ import annotations

import codecs
import io
import random
from pathlib import Path

import pytest
from conftest import SEEDS

from summarizer.errors import InputError
from summarizer.ingest.articles import (
    MAX_INPUT_BYTES,
    article_from_bytes,
    load_article,
    normalise_text,
)


def test_seed_loads_with_language_and_stable_hash() -> None:
    path = SEEDS / "004_666d5ab743824ce9.txt"
    article = load_article(str(path))
    assert article.id == "004_666d5ab743824ce9"
    assert article.language == "en"
    assert article.sha256 == load_article(str(path)).sha256
    assert "390 individuals" in article.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty input"),
        ("blank.txt", b"  \n\t\n ", "empty input"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        ("notes.pdf", b"%PDF-1.4 text", "unknown format '.pdf'"),
    ],
)
def test_bad_inputs_name_the_input(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        load_article(str(path))
    assert str(info.value).startswith(f"{path}: {reason}")
    assert "\n" not in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_article(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a directory"):
        load_article(str(tmp_path))


def test_huge_input_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(MAX_INPUT_BYTES + 1)
    with pytest.raises(InputError, match="too large"):
        load_article(str(path))


RUSSIAN = "Россия и Украина провели обмен пленными."


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        (
            "cp1251",
            "Россия и Украина провели обмен пленными: 390 на 390 человек, сообщило министерство.",
        ),
        (
            "latin-1",
            "Die Ukraine und Russland tauschten Gefangene aus; die Vermittlung übernahm die Türkei, hieß es.",
        ),
        # Short Cyrillic: KOI8-R came out as half-width katakana (read as Shift JIS).
        ("koi8-r", RUSSIAN),
        ("cp1251", RUSSIAN),
        ("koi8-u", "Україна та Росія провели обмін полоненими."),
        # A byte order mark decides; UTF-16 and UTF-32 hold NUL bytes and are still text.
        ("utf-16", "Ukraine and Russia exchanged prisoners."),
        ("utf-16", RUSSIAN),
        ("utf-32", "Ukraine and Russia exchanged prisoners."),
        ("utf-8-sig", RUSSIAN),
        # No byte order mark: charset-normalizer's verdict is UTF-16, so the NULs are text.
        ("utf-16-le", "Ukraine and Russia exchanged prisoners of war on Friday."),
        ("utf-16-be", RUSSIAN),
    ],
)
def test_legacy_encodings_are_detected(tmp_path: Path, encoding: str, text: str) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    assert load_article(str(path)).text == text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "bom-then-controls.txt",
            codecs.BOM_UTF16_LE + "\x01\x02\x03 id 7\x04".encode("utf-16-le") * 200,
            "binary file (control characters), not an article",
        ),
        (
            "bom-then-noise.txt",
            codecs.BOM_UTF16_LE + random.Random(0).randbytes(4000),
            "cannot decode: starts with a UTF-16 byte order mark but is not UTF-16",
        ),
        (
            "odd-utf16.txt",
            codecs.BOM_UTF16_LE + "Ukraine".encode("utf-16-le") + b"\x00\xd8",
            "cannot decode: starts with a UTF-16 byte order mark but is not UTF-16",
        ),
        (
            # charset-normalizer reads these bytes as UTF-16, but in no language it knows.
            "tiny-binary.txt",
            b"\x00\x01\x02 not text",
            "binary file (contains NUL bytes), not an article",
        ),
        (
            "nul-in-latin1.txt",
            "Die Türkei vermittelte.\x00".encode("latin-1") * 20,
            "binary file (contains NUL bytes), not an article",
        ),
    ],
    ids=["controls", "noise", "truncated", "tiny", "nul"],
)
def test_what_only_looks_like_text_is_still_refused(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as error:
        load_article(str(path))
    assert str(error.value) == f"{path}: {reason}"


def test_html_main_text_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    body = " ".join(
        ["Russia and Ukraine exchanged 84 prisoners of war on Friday, officials said."] * 4
    )
    path.write_text(
        "<html><head><title>Swap</title><meta property='article:published_time' content='2025-03-14'>"
        f"</head><body><nav>Home | World | Sport</nav><article><h1>Swap</h1><p>{body}</p>"
        "<p>The exchange was mediated by the United Arab Emirates.</p></article>"
        "<footer>Copyright 2025</footer></body></html>",
        encoding="utf-8",
    )
    article = load_article(str(path))
    assert "84 prisoners of war" in article.text
    assert "Copyright" not in article.text
    assert article.published.value == "2025-03-14"


BODY = (
    "<p>"
    + "Russia and Ukraine exchanged 84 prisoners of war on Friday, officials said. " * 4
    + "</p>"
)


def page(head: str = "", article: str = "", footer: str = "") -> str:
    return (
        f"<html><head><title>Swap</title>{head}</head><body><nav>Home | World</nav>"
        f"<article><h1>Swap</h1>{article}{BODY}</article><footer>{footer}</footer></body></html>"
    )


@pytest.mark.parametrize(
    ("html", "value", "precision"),
    [
        # A footer's copyright year is no publication date (it became 2025-01-01, a day).
        (page(footer="Copyright 2025 Example News"), None, "unknown"),
        (page(footer="© 2025"), None, "unknown"),
        (
            page(
                head='<meta property="article:published_time" content="2025-07-24T10:00:00+00:00">',
                footer="Copyright 2024",
            ),
            "2025-07-24",
            "day",
        ),
        # A bare year, or a month, keeps its precision (a year became 2025-01-01, a day).
        (page(head='<meta name="date" content="2025">'), "2025", "year"),
        (page(head='<meta name="DC.date.issued" content="2025-07">'), "2025-07", "month"),
        (
            page(head='<meta name="pubdate" content="Thu, 24 Jul 2025 10:00:00 GMT">'),
            "2025-07-24",
            "day",
        ),
        (
            page(
                head='<script type="application/ld+json">{"@context": "https://schema.org", '
                '"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle", '
                '"datePublished": "2025-06-02T08:00:00Z", "dateModified": "2025-06-09"}]}</script>'
            ),
            "2025-06-02",
            "day",
        ),
        (page(article='<time pubdate datetime="2025-05-16">16 May</time>'), "2025-05-16", "day"),
        # The article's own <time>, not the sidebar's.
        (
            page(article='<time datetime="2025-05-16T09:00">Friday</time>').replace(
                "<footer>", '<footer><time datetime="2020-01-01">old</time>'
            ),
            "2025-05-16",
            "day",
        ),
        # Dates in the text, the URL or a placeholder are guesses, not metadata.
        (page(article="<p>Updated 12 March 2024.</p>"), None, "unknown"),
        (
            page(head='<link rel="canonical" href="https://news.example.test/2023/01/05/swap">'),
            None,
            "unknown",
        ),
        (
            page(head='<meta property="article:published_time" content="0001-01-01T00:00:00">'),
            None,
            "unknown",
        ),
        # Unreadable metadata is skipped for the next source.
        (
            page(
                head='<meta name="date" content="last Friday">'
                '<script type="application/ld+json">{"datePublished": </script>'
                '<script type="application/ld+json">[{"datePublished": "2025-03-14"}]</script>'
            ),
            "2025-03-14",
            "day",
        ),
        (
            page(head='<script type="application/ld+json">' + "[" * 100_000 + "</script>"),
            None,
            "unknown",
        ),
    ],
    ids=[
        "copyright",
        "copyright-sign",
        "meta-datetime",
        "meta-year",
        "meta-month",
        "meta-rfc2822",
        "json-ld-graph",
        "time-pubdate",
        "time-in-article",
        "text-only",
        "url-only",
        "placeholder",
        "bad-then-json-ld",
        "deep-json-ld",
    ],
)
def test_an_html_page_date_comes_from_its_metadata_at_its_precision(
    html: str, value: str | None, precision: str
) -> None:
    article = article_from_bytes(html.encode(), "page.html", "page", html=True)
    assert "84 prisoners of war" in article.text
    assert (article.published.value, article.published.precision) == (value, precision)


def test_html_without_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><script>var x = 1;</script></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="no article text found"):
        load_article(str(path))


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.TextIOWrapper(io.BytesIO(b"Ukraine said 95 soldiers came home."))
    )
    article = load_article("-", published="2025-01-02")
    assert (article.id, article.source) == ("stdin", "<stdin>")
    assert article.published.value == "2025-01-02"


def test_normalise_text_keeps_words_and_paragraphs() -> None:
    assert normalise_text("\ufeffA  b \r\n\r\n\r\n\r\nC\u00a0\nD") == "A  b\n\nC\nD"


def test_article_from_bytes_non_english_language() -> None:
    article = article_from_bytes(
        "Россия и Украина провели обмен военнопленными в Стамбуле, сообщило министерство обороны.".encode(),
        "x",
        "x",
    )
    assert article.language == "ru"


def test_a_short_koi8r_paragraph_is_russian_not_katakana() -> None:
    article = article_from_bytes(RUSSIAN.encode("koi8-r"), "koi8.txt", "koi8")
    assert (article.text, article.language) == (RUSSIAN, "ru")
