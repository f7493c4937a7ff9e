"""Loading inputs into normalised articles: decoding, HTML text extraction, language, hashing.

Every failure is an :class:`InputError` naming the input, so one bad file never hides the rest.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import sys
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.errors import InputError
from summarizer.ingest.published import published_in_html
from summarizer.records import ArticleMeta, EventDate

if TYPE_CHECKING:
    from charset_normalizer.models import CharsetMatch

#: Inputs larger than this are refused rather than read into memory.
MAX_INPUT_BYTES = 5 * 1024 * 1024
#: Article text longer than this is refused: no news article is that long.
MAX_ARTICLE_CHARS = 200_000
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}


@dataclass(frozen=True)
class Article:
    """One article, its text normalised."""

    id: str
    source: str
    text: str
    title: str | None = None
    url: str | None = None
    published: EventDate = field(default_factory=EventDate)
    #: What a reader should know about how the text was obtained (e.g. a fallback used).
    notes: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        """Hash of the normalised text: the article's identity for caching and dedup."""
        return _sha256(self.text)

    @property
    def language(self) -> str:
        """ISO 639-1 code of the text's language."""
        return detect_language(self.text)

    def meta(self) -> ArticleMeta:
        """The article's metadata record."""
        return ArticleMeta(
            id=self.id,
            source=self.source,
            title=self.title,
            url=self.url,
            published=self.published,
            language=self.language,
            sha256=self.sha256,
            chars=len(self.text),
        )


@lru_cache(maxsize=1024)
def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: py3langid loads its model on first use without a lock: batch workers starting together
#: each loaded their own copy (16 workers: 9 s and 1 GB). Classifying takes about a millisecond.
_LANGID_LOCK = threading.Lock()


@lru_cache(maxsize=1024)
def detect_language(text: str) -> str:
    """Detect the language of a text (py3langid, offline, bundled model)."""
    import py3langid  # loads its model on first use: only pay for it when asked

    with _LANGID_LOCK:
        code: str = py3langid.classify(text[:5000])[0]
    return code


def normalise_text(text: str) -> str:
    r"""Normalise an article's text without changing its words.

    NFC form, ``\n`` line ends, no trailing spaces, at most one blank line between
    paragraphs, no leading or trailing blank lines.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufeff", "")
    text = re.sub(r"[ \t\u00a0]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


#: Byte order marks and the codec each announces; UTF-32's before UTF-16's, which it begins with.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: charset-normalizer's language coherence from which its reading counts as confident: real
#: short Cyrillic sentences score 0.6-0.75, mojibake (KOI8-R read as Shift JIS) scores 0.
CONFIDENT_COHERENCE = 0.5
#: Further detection passes when no reading is confident (each excludes what was tried).
_EXTRA_PASSES = 3


def decode(data: bytes, source: str) -> str:
    """Decode bytes of unknown encoding into text.

    A byte order mark (UTF-8/16/32) decides; then UTF-8; then charset-normalizer, preferring a
    reading whose language it recognises with confidence. NUL bytes mean binary unless the
    verdict is UTF-16 or UTF-32 (whose text holds them) in a recognised language.

    Raises:
        InputError: The bytes are binary or match no encoding.

    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            name = codec.removesuffix("-sig").upper()
            try:
                return _text_not_binary(data.decode(codec), source)
            except UnicodeDecodeError:
                raise InputError(
                    source, f"cannot decode: starts with a {name} byte order mark but is not {name}"
                ) from None
    has_nul = b"\x00" in data[:8192]
    if not has_nul:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    best = _likeliest_encoding(data)
    if has_nul and not _is_wide_text(best):
        raise InputError(source, "binary file (contains NUL bytes), not an article")
    if best is None:
        raise InputError(source, "cannot decode: not text in any known encoding")
    return _text_not_binary(str(best), source)


def _likeliest_encoding(data: bytes) -> CharsetMatch | None:
    """charset-normalizer's reading of ``data``, preferring one in a recognised language.

    On short texts its first verdict can be a multi-byte encoding that decodes without error
    into a language it cannot recognise (a KOI8-R sentence read as Shift JIS half-width
    katakana), and then it skips the single-byte encodings. So when no reading is confident,
    ask again without the encodings already tried, and take the most coherent confident one.
    """
    from charset_normalizer import from_bytes  # only for non-UTF-8 inputs

    readings = list(from_bytes(data))
    if not readings or readings[0].coherence >= CONFIDENT_COHERENCE:
        return readings[0] if readings else None
    tried = {m.encoding for m in readings}
    for _ in range(_EXTRA_PASSES):
        more = [m for m in from_bytes(data, cp_exclusion=sorted(tried)) if m.encoding not in tried]
        if not more:
            break
        readings += more
        tried.update(m.encoding for m in more)
        if any(m.coherence >= CONFIDENT_COHERENCE for m in more):
            break
    confident = [m for m in readings if m.coherence >= CONFIDENT_COHERENCE]
    if not confident:
        return readings[0]
    return max(confident, key=lambda m: (m.coherence, -m.chaos))


def _is_wide_text(reading: CharsetMatch | None) -> bool:
    """Whether NUL bytes are UTF-16/32 text: only if that reading is in a recognised language.

    A few bytes of binary also decode as UTF-16 (``00 01 02 20 ...``), into no language.
    """
    return (
        reading is not None
        and reading.encoding.startswith(("utf_16", "utf_32"))
        and reading.coherence >= CONFIDENT_COHERENCE
    )


def _text_not_binary(text: str, source: str) -> str:
    """The text, unless control or private-use characters say it is binary."""
    head = text[:8192]
    odd = sum(
        1 for ch in head if unicodedata.category(ch) in _BINARY_CATEGORIES and ch not in "\n\r\t"
    )
    if odd > len(head) * 0.01:
        raise InputError(source, "binary file (control characters), not an article")
    return text


#: Controls, private use, lone surrogates: rare in text, common in binary read as text (a
#: binary file that happens to start with FF FE, read as UTF-16).
_BINARY_CATEGORIES = frozenset({"Cc", "Co", "Cs"})


def _looks_like_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def html_to_article_fields(html: str, source: str) -> dict[str, Any]:
    """Extract the main text, title and URL of an HTML page with trafilatura, and its date.

    Raises:
        InputError: The page holds no article text.

    """
    import trafilatura  # heavy import (lxml, date parsing): only for HTML inputs

    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True
    )
    if not text or not text.strip():
        raise InputError(source, "no article text found in the HTML")
    # Its date is not used (see published_in_html): no extensive search for one.
    meta = trafilatura.extract_metadata(html, extensive=False)
    return {
        "text": text,
        "title": getattr(meta, "title", None) if meta else None,
        "url": getattr(meta, "url", None) if meta else None,
        "published": published_in_html(html),
    }


def article_from_bytes(
    data: bytes,
    source: str,
    article_id: str,
    *,
    html: bool | None = None,
    title: str | None = None,
    url: str | None = None,
    published: str | None = None,
) -> Article:
    """Build an article from raw bytes.

    Args:
        data: The input's bytes.
        source: Where it came from, for messages and provenance.
        article_id: Stable id.
        html: Treat as HTML; ``None`` sniffs the content.
        title: Known title (overrides one found in HTML).
        url: Known URL.
        published: Known publication date, ``YYYY[-MM[-DD]]``.

    Returns:
        The article.

    Raises:
        InputError: Empty, binary, undecodable, too large or no text.

    """
    if not data.strip():
        raise InputError(source, "empty input")
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(source, f"too large ({len(data):,} bytes; limit {MAX_INPUT_BYTES:,})")
    text = decode(data, source)
    fields: dict[str, Any] = {"text": text, "title": None, "url": None, "published": EventDate()}
    if html or (html is None and _looks_like_html(text)):
        fields = html_to_article_fields(text, source)
    text = normalise_text(fields["text"])
    if not text:
        raise InputError(source, "empty input (only whitespace)")
    if len(text) > MAX_ARTICLE_CHARS:
        raise InputError(
            source, f"too long ({len(text):,} characters; limit {MAX_ARTICLE_CHARS:,})"
        )
    return Article(
        id=article_id,
        source=source,
        text=text,
        title=title or fields["title"],
        url=url or fields["url"],
        published=EventDate.parse(published) if published else fields["published"],
    )


def load_article(source: str, *, published: str | None = None) -> Article:
    """Read one article from a path, or from standard input when ``source`` is ``-``.

    Args:
        source: A file path or ``-``.
        published: Publication date to record, if known.

    Returns:
        The article.

    Raises:
        InputError: The input is missing, unreadable, or not an article.

    """
    if source == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        return article_from_bytes(data, "<stdin>", "stdin", published=published)
    path = Path(source)
    if path.is_dir():
        raise InputError(source, "is a directory (use `summarizer batch` for folders)")
    suffix = path.suffix.lower()
    if suffix not in _HTML_SUFFIXES | _TEXT_SUFFIXES:
        raise InputError(source, f"unknown format {suffix!r} (expected .txt, .md or .html)")
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(source, f"too large ({size:,} bytes; limit {MAX_INPUT_BYTES:,})")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except OSError as e:
        raise InputError(source, f"cannot read: {e.strerror}") from None
    html = True if suffix in _HTML_SUFFIXES else None
    return article_from_bytes(data, source, path.stem, html=html, published=published)
