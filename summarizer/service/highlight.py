"""Evidence highlighted inside the article text, as escaped HTML (pure).

Everything that comes from an article is escaped; the only markup in the output is the
``<mark>`` elements this module writes (and ``<p>`` for paragraphs). A span whose offsets do
not point at its quote (a result of another version, a text normalised differently) is looked
up by its text instead, and left unmarked when it is not there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from summarizer.records import Evidence

#: Characters of context kept on each side of the evidence in an excerpt.
EXCERPT_CONTEXT = 240


@dataclass(frozen=True)
class Span:
    """A passage to mark: ``text[start:end]``, labelled (the id a link can point at)."""

    start: int
    end: int
    label: str = ""


def locate(text: str, evidence: Evidence) -> tuple[int, int] | None:
    """Where a piece of evidence is in ``text``: its own span if it fits, else its first match."""
    if (
        evidence.start is not None
        and evidence.end is not None
        and text[evidence.start : evidence.end] == evidence.text
    ):
        return evidence.start, evidence.end
    found = text.find(evidence.text)
    return (found, found + len(evidence.text)) if found >= 0 else None


def spans_for(text: str, evidence: Iterable[tuple[str, Evidence]]) -> list[Span]:
    """The spans of labelled evidence that can be found in ``text``, in text order."""
    spans = []
    for label, item in evidence:
        where = locate(text, item)
        if where is not None:
            spans.append(Span(where[0], where[1], label))
    return sorted(spans, key=lambda s: (s.start, s.end))


def _merged(spans: Sequence[Span]) -> list[Span]:
    """Overlapping or touching spans joined (the first label kept), in text order."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if span.end <= span.start:
            continue
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.label)
        else:
            merged.append(span)
    return merged


def highlight(text: str, spans: Sequence[Span], start: int = 0, end: int | None = None) -> Markup:
    """``text[start:end]`` as escaped HTML with every span in it inside ``<mark>``.

    Args:
        text: The article's normalised text.
        spans: Passages to mark (clipped to the window; overlapping ones joined).
        start: First character shown.
        end: End of what is shown (default: the end of the text).

    Returns:
        HTML safe to put in a page: paragraphs (blank lines) as ``<p>``, line breaks as
        ``<br>``, marks with ``id`` set to their label when it has one.

    """
    end = len(text) if end is None else end
    window = [
        Span(max(s.start, start), min(s.end, end), s.label)
        for s in _merged(spans)
        if s.end > start and s.start < end
    ]
    paragraphs: list[list[str]] = [[]]

    def prose(chunk: str) -> None:
        for i, part in enumerate(chunk.split("\n\n")):
            if i:
                paragraphs.append([])  # a blank line outside the evidence: a new paragraph
            paragraphs[-1].append(_lines(part))

    at = start
    for span in window:
        prose(text[at : span.start])
        label = f' id="{escape(span.label)}"' if span.label else ""
        inside = _lines(text[span.start : span.end]).replace("<br><br>", "<br>")
        paragraphs[-1].append(f"<mark{label}>{inside}</mark>")
        at = span.end
    prose(text[at:end])
    html = "".join(f"<p>{''.join(p)}</p>" for p in paragraphs if "".join(p).strip())
    return Markup(html)


def _lines(text: str) -> str:
    """Escaped text, its line ends as ``<br>``."""
    return str(escape(text)).replace("\n", "<br>")


def excerpt_window(text: str, spans: Sequence[Span]) -> tuple[int, int]:
    """A window of ``text`` around the spans: :data:`EXCERPT_CONTEXT` characters either side.

    The window's ends are moved to whitespace, so that no word is cut; paragraphs around the
    evidence are shown as far as the window reaches.
    """
    if not spans:
        return 0, min(len(text), 2 * EXCERPT_CONTEXT)
    first = min(s.start for s in spans)
    last = max(s.end for s in spans)
    start = max(0, first - EXCERPT_CONTEXT)
    end = min(len(text), last + EXCERPT_CONTEXT)
    while 0 < start < first and not text[start - 1].isspace():
        start += 1
    while last < end < len(text) and not text[end].isspace():
        end -= 1
    return start, end
