"""An article as numbered segments: sentences, headlines, sub-headings, bylines, timestamps (pure).

The model never copies a quote: it cites segment numbers, and a record's evidence is the cited
segments' own text with its character span, verbatim by construction in every language.
Sentences are split by sentencex (about 300 languages); lines that are not prose are given a
role of their own, so that a headline, a sub-heading, a byline or a timestamp is never an
event's only evidence, and a sentence that gives a model instructions is never evidence at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from summarizer.extraction.lexicon import instruction_pattern, month_words

SegmentRole = Literal[
    "headline", "subheading", "byline", "timestamp", "caption", "link", "sentence", "instruction"
]
#: Roles that can never be an event's only evidence.
NON_PROSE: frozenset[str] = frozenset(
    {"headline", "subheading", "byline", "timestamp", "caption", "link", "instruction"}
)

#: A line this short without sentence punctuation at its end is a heading, not prose.
MAX_HEADING_CHARS = 140
MAX_HEADING_WORDS = 20
_END_PUNCT = (".", "!", "?", "…", ":", ";")
_CLOSERS = "\"'”’»)]*_ "

_TIME = r"\d{1,2}[:.h]\d{2}(?:\s*(?:[AaPp]\.?[Mm]\.?|GMT|UTC|CET|CEST|EET|EEST|MSK|BST|ET))?"
_TIMESTAMP_LINE = re.compile(
    rf"^\W*(?:{_TIME}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}(?:[,\s]+{_TIME})?|"
    r"\d{4}-\d{2}-\d{2}(?:[T\s]\d{2}:\d{2}(?::\d{2})?)?)\W*$"
)
_BYLINE = re.compile(
    r"^(?:by|von|par|por|di|door|przez|автор|автори|авторы|yazan|بقلم|text|texto|testo)\b[:\s]",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"^(?:photo|picture|image|video|фото|відео|видео|bild|foto|immagine|imagen|zdjęcie|"
    r"fotoğraf|صورة)\b\s*[:|/©(-]",
    re.IGNORECASE,
)
_LINK = re.compile(
    r"^(?:read (?:more|also)|see also|related|читайте (?:также|також)|также читайте|"
    r"lesen sie auch|mehr zum thema|lire aussi|à lire aussi|lea también|leia também|"
    r"leggi anche|czytaj (?:także|też|również)|ayrıca (?:okuyun|bakınız)|اقرأ أيضا|"
    r"subscribe|sign up|share this|поделиться|поділитися)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Segment:
    """One numbered piece of an article.

    Attributes:
        index: 1-based position in the article.
        start: Offset of its first character in the article text.
        end: Offset just past its last character (``text == article[start:end]``).
        text: The article's own text of it.
        role: What kind of line or sentence it is.
        paragraph: Which paragraph (line block) it belongs to, 0-based.

    """

    index: int
    start: int
    end: int
    text: str
    role: SegmentRole
    paragraph: int

    @property
    def is_prose(self) -> bool:
        """A sentence of running text (can be an event's evidence on its own)."""
        return self.role == "sentence"


#: A sentence piece that ends with a day or ordinal number and its dot ("am 2.", "ihr 18.").
_ORDINAL_END = re.compile(r"(?<![\d.,])\d{1,2}\.$")
#: Short words before such a number that make it an ordinal, not a sentence's last figure
#: ("am 2. Juni", "zum 3. Mal", "ihr 18. Sanktionspaket", "w 3. rundzie").
_ORDINAL_LEAD = re.compile(
    r"(?<!\w)(?:am|im|vom|zum|zur|bis|seit|der|die|das|den|dem|des|ihr|ihre|sein|seine|"
    r"w|we|z|do|od|na|po|dne|ve|i)\s+\d{1,2}\.$",
    re.IGNORECASE,
)


def _ordinal_cut(previous: str, piece: str) -> bool:
    """Whether the splitter cut after a day or ordinal number's dot ("am 2. | Juni")."""
    if not _ORDINAL_END.search(previous):
        return False
    head = piece.lstrip("\"'„“”«»( ")
    return (
        not head[:1].isupper()
        or month_words().match(head) is not None
        or _ORDINAL_LEAD.search(previous) is not None
    )


def _sentences(language: str, text: str) -> list[tuple[int, int]]:
    """Sentence spans of one line of prose, by sentencex, with tiny fragments joined back."""
    from sentencex import segment  # loads its language data on first use

    spans: list[tuple[int, int]] = []
    offset = 0
    try:
        pieces = list(segment(language or "en", text))
    except Exception:  # an unknown language code: fall back to the generic rules
        pieces = list(segment("en", text))
    for piece in pieces:
        start, end = offset, offset + len(piece)
        offset = end
        stripped = piece.strip()
        if not stripped:
            continue
        start += len(piece) - len(piece.lstrip())
        end -= len(piece) - len(piece.rstrip())
        letters = sum(ch.isalpha() for ch in stripped)
        # "Т.", "е.", "/ТАСС/." — an abbreviation or an agency tag split off: join it back.
        if spans and (
            letters < 3
            or len(stripped) < 8
            or _ordinal_cut(text[spans[-1][0] : spans[-1][1]], stripped)
        ):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return [piece for span in spans for piece in _bounded(text, span)]


#: A "sentence" longer than this (a table flattened into one line, a run-on page) is cut
#: at the last space before the bound: every request stays far inside the model's context.
MAX_SENTENCE_CHARS = 1200


def _bounded(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    start, end = span
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        if cut <= start:
            cut = start + MAX_SENTENCE_CHARS
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


def _line_role(line: str, first: bool, next_line: str | None) -> SegmentRole | None:
    """The role of a whole line that is not prose, or ``None`` for prose."""
    stripped = line.strip()
    if _TIMESTAMP_LINE.match(stripped):
        return "timestamp"
    if _CAPTION.match(stripped):
        return "caption"
    if _LINK.match(stripped):
        return "link"
    if _BYLINE.match(stripped) and len(stripped) <= 80:
        return "byline"
    bare = stripped.rstrip(_CLOSERS)
    short = len(stripped) <= MAX_HEADING_CHARS and len(stripped.split()) <= MAX_HEADING_WORDS
    if short and not bare.endswith(_END_PUNCT):
        letters = sum(ch.isalpha() for ch in stripped)
        if letters >= 3 and (first or next_line is not None):
            return "headline" if first else "subheading"
    return None


@lru_cache(maxsize=64)
def split_segments(text: str, language: str = "en") -> tuple[Segment, ...]:
    """Split an article into numbered segments with their roles and character spans.

    Lines (paragraphs) are classified first: timestamps, captions, "read more" links,
    bylines, and short lines without sentence punctuation (the first is the headline, later
    ones sub-headings). Prose lines are split into sentences by sentencex. A sentence that
    addresses a model or the reader with instructions gets the role ``instruction``.

    Args:
        text: The normalised article text.
        language: ISO 639-1 code of its language (for the sentence splitter).

    Returns:
        The segments in article order, numbered from 1.

    """
    lines: list[tuple[int, str]] = []
    offset = 0
    for raw in text.split("\n"):
        if raw.strip():
            lines.append((offset, raw))
        offset += len(raw) + 1
    segments: list[Segment] = []
    injected = instruction_pattern()
    for number, (line_start, line) in enumerate(lines):
        next_line = lines[number + 1][1] if number + 1 < len(lines) else None
        role = _line_role(line, not segments, next_line)
        if role is not None:
            lead = len(line) - len(line.lstrip())
            start, end = line_start + lead, line_start + len(line.rstrip())
            segments.append(Segment(len(segments) + 1, start, end, text[start:end], role, number))
            continue
        for s, e in _sentences(language, line):
            start, end = line_start + s, line_start + e
            piece = text[start:end]
            kind: SegmentRole = "instruction" if injected.search(piece) else "sentence"
            segments.append(Segment(len(segments) + 1, start, end, piece, kind, number))
    return tuple(segments)
