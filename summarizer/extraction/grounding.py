"""The model's answer, grounded in the article: what the text supports is kept, the rest said (pure).

The model cites sentence numbers; everything else is checked against, or read from, the cited
text:

* evidence is the cited segments' own text with its span (verbatim by construction); an event
  that cites only a headline, a sub-heading or another non-prose line is dropped;
* the kind must be one the cited words can report (no bodies, no body repatriation);
* each figure's value must be written in the cited sentences; its qualifier and category are
  read from the words next to it, and "each side" or a nationality beside it decides the side;
* the date is the cited sentences' own date words, resolved by code against the publication
  date (a year is never guessed; an event told as done is never dated after publication);
* place, mediators and round number are read from the cited text, and who said it is kept only
  when the article names it.

Every removal and every correction becomes a warning quoting at most :data:`QUOTE_CHARS`
characters of anything the model wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from summarizer.extraction.candidates import Shown
from summarizer.extraction.dates import DateMention, find_dates, is_start_of_period, resolve
from summarizer.extraction.details import find_mediators, find_place, find_round
from summarizer.extraction.figures import Figure, prepared_text, read_figures
from summarizer.extraction.lexicon import mentions, pattern
from summarizer.extraction.segments import Segment
from summarizer.records import (
    AnswerFigure,
    Count,
    EventDate,
    EventKind,
    SentenceAnswer,
    Side,
)

#: The most characters of model-written text quoted in a warning.
QUOTE_CHARS = 200
_SIDE_OF: dict[str, Side] = {
    "russia": "russia",
    "ukraine": "ukraine",
    "each_side": "each_side",
    "both": "both_sides_total",
    "unknown": "unspecified",
}
_DATELINE_CHARS = 90


def short(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters (for warnings and re-asks)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class ArticleView:
    """What grounding needs to know of the article."""

    text: str
    language: str
    published: EventDate
    segments: tuple[Segment, ...]

    @property
    def dateline_end(self) -> int:
        """Offset where a dateline ("KYIV, May 24 (Agency) —") at the top of the text ends.

        The dateline's date is the day of the report, not of the event: never an event date.
        """
        for segment in self.segments:
            if not segment.is_prose:
                continue
            match = _DATELINE.match(segment.text)
            if match and find_dates(match.group(0)):
                return segment.start + match.end()
            return -1
        return -1


_DATELINE = re.compile(
    r"^\s*[^\W\d_][^\W\d_'’ .-]{1,30}(?:\s*/\s*[^\W\d_]+)?,\s[^\n]{3,50}?"
    r"(?:\s[—–-]{1,2}\s|\)\s*[—–-]*\s|/\s*[—–-]*\s|\.\s*[—–-]\s)"
)


@dataclass
class Draft:
    """An event read from the answer, grounded, before one article's reports are folded."""

    kind: EventKind
    segments: list[Segment]
    counts: list[Count]
    date: EventDate
    date_text: str | None
    location: str | None
    mediators: list[str]
    round_number: int | None
    claimed_by: str | None
    answer_index: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def first(self) -> int:
        """Index of its first cited segment (article order)."""
        return min(s.index for s in self.segments)


def _checked_kind(kind: EventKind, text: str, figures: list[Figure]) -> EventKind | None:
    """The kind the cited words support: the model's, a corrected one, or ``None``."""
    bodies = mentions("bodies", text)
    counted = [f.category for f in figures if f.category is not None]
    if kind == "body_repatriation" and not bodies:
        return "prisoner_exchange" if mentions("exchange", text) else None
    if kind == "prisoner_exchange":
        if counted and all(c == "bodies" for c in counted):
            return "body_repatriation"
        if not mentions("exchange", text):
            return "body_repatriation" if bodies else None
    if kind == "talks_round" and not mentions("talks", text):
        return "agreement" if mentions("agreement", text) else None
    if kind == "agreement" and not mentions("agreement", text):
        return None
    if kind == "cumulative_tally" and not mentions("running_total", text):
        return "prisoner_exchange" if mentions("exchange", text) and figures else None
    return kind


def _count(wanted: AnswerFigure, figures: list[Figure]) -> Count | None:
    found = _counted(wanted, figures)
    return None if found is None else found[0]


def _counted(wanted: AnswerFigure, figures: list[Figure]) -> tuple[Count, Figure] | None:
    """The count the text makes of a figure the model named, and the figure it was read from."""
    matches = [f for f in figures if f.value == wanted.number]
    if not matches:
        return None
    figure = next((f for f in matches if f.category is not None), matches[0])
    side: Side
    if figure.each_side:
        side = "each_side"
    elif figure.nationality in ("russia", "ukraine"):
        side = "russia" if figure.nationality == "russia" else "ukraine"
    else:
        side = _SIDE_OF[wanted.received_by]
    count = Count(
        side=side,
        category=figure.category or "people",
        value=figure.value,
        qualifier=figure.qualifier,
    )
    return count, figure


#: How many sentences before its first cited one an undated event's date may come from.
CONTEXT_SENTENCES = 1


def _context_before(cited: list[Segment], view: ArticleView) -> list[Segment]:
    """The sentences just before an event's first cited one, in the same paragraph."""
    first = cited[0]
    before = [
        s
        for s in view.segments
        if s.paragraph == first.paragraph and s.index < first.index and s.is_prose
    ]
    return before[-CONTEXT_SENTENCES:]


def date_of(
    kind: str, when: str | None, cited: list[Segment], view: ArticleView
) -> tuple[EventDate, str | None, str | None]:
    """An event's date from its cited sentences' date words, resolved by code.

    The words the model named (``when``) pick among several; else the first full date. A
    date that opens a period ("since February 2022") and the dateline's date are never an
    event's. A running total with no date of its own is as of the publication day. A date
    after the publication of an article that reports the event as done is refused.

    Returns:
        The date, the words it was read from, and a warning when a date was refused.

    """
    dateline_end = view.dateline_end
    found: list[tuple[Segment, DateMention]] = [
        (segment, mention)
        for segment in cited
        for mention in find_dates(segment.text)
        if segment.start + mention.start >= dateline_end
        and not is_start_of_period(segment.text, mention)
    ]
    if not found:
        context = _context_before(cited, view)
        found = [
            (segment, mention)
            for segment in context
            for mention in find_dates(segment.text)
            if segment.start + mention.start >= dateline_end
            and not is_start_of_period(segment.text, mention)
        ][-1:]
    if not found:
        if kind == "cumulative_tally" and view.published.precision == "day":
            return view.published, None, None
        return EventDate(), None, None
    absolute = [f for f in found if f[1].kind == "absolute"]
    chosen = absolute[0] if absolute else found[0]
    if when:
        said = " ".join(when.casefold().split())
        matching = [
            f for f in found if f[1].text.casefold() in said or said in f[1].text.casefold()
        ]
        if matching:
            chosen = matching[0]
    mention = chosen[1]
    resolved = resolve(mention, view.language, view.published)
    if (
        resolved.precision == "day"
        and resolved.value
        and view.published.precision == "day"
        and view.published.value
        and date.fromisoformat(resolved.value) > date.fromisoformat(view.published.value)
    ):
        warning = (
            f"date {mention.text!r} resolves to {resolved.value}, after the article's "
            f"publication ({view.published.value}): left unknown"
        )
        return EventDate(), mention.text, warning
    return resolved, mention.text, None


def _allot(
    kinds: list[EventKind], wanted: list[AnswerFigure], figures: list[Figure]
) -> dict[EventKind, list[Count]]:
    """The counts of a sentence, per kind it reports (talks take none; a running total takes
    the figures written with a running-total word when a swap is told beside it)."""
    counts = [c for c in (_count(w, figures) for w in wanted) if c is not None]
    takers = [k for k in kinds if k != "talks_round"]
    allotted: dict[EventKind, list[Count]] = {k: [] for k in kinds}
    if not takers:
        return allotted
    if "cumulative_tally" in takers and len(takers) > 1:
        running = {f.value for f in figures if f.running_total}
        other = next(k for k in takers if k != "cumulative_tally")
        for count in counts:
            allotted["cumulative_tally" if count.value in running else other].append(count)
        return allotted
    allotted[takers[0]] = counts
    return allotted


def _unique(counts: list[Count]) -> list[Count]:
    kept: list[Count] = []
    for count in counts:
        if not any(
            (c.side, c.category, c.value) == (count.side, count.category, count.value)
            for c in kept
        ):
            kept.append(count)
    return kept


def read_sentence(
    entry: SentenceAnswer, segment: Segment, view: ArticleView, where: str = ""
) -> tuple[list[Draft], list[str]]:
    """Ground what the model said of one sentence: one draft per kind of event it reports.

    Args:
        entry: The model's label of the sentence.
        segment: The sentence.
        view: The article.
        where: Prefix for warnings (the part of a long article).

    Returns:
        The drafts (a headline's too: folding decides whether a sentence joins it) and
        warnings for what the text did not support.

    """
    label = f"{where}sentence {segment.index}"
    warnings: list[str] = []
    figures = read_figures(segment.text, view.language)
    kinds: list[EventKind] = []
    said: EventKind
    for said in dict.fromkeys(k for k in entry.kinds if k != "none"):
        kind = _checked_kind(said, segment.text, figures)
        if kind is None:
            warnings.append(
                f"{label}: not a {said}, as its words say: {short(segment.text, 120)!r}"
            )
        elif kind not in kinds:
            if kind != said:
                warnings.append(f"{label}: read as {kind}, not {said}, as its words say")
            kinds.append(kind)
    for wanted in entry.figures:
        if not any(f.value == wanted.number for f in figures):
            warnings.append(
                f"{label}: dropped figure {short(str(wanted.number), 20)}: not written in the "
                "sentence as a count"
            )
    allotted = _allot(kinds, list(entry.figures), figures)
    drafts = []
    for kind in [k for k in kinds if k in _TOLD_BY_DATE]:
        occasions = _occasions(segment, entry, figures, view)
        if occasions is not None:
            kinds.remove(kind)
            for mention, counts in occasions:
                resolved = _refused_if_later(resolve(mention, view.language, view.published), view)
                drafts.append(
                    _draft(kind, segment, counts, resolved, mention.text, view, segment.index)
                )
    for kind in kinds:
        event_date, date_text, date_warning = date_of(kind, None, [segment], view)
        if date_warning:
            warnings.append(f"{label}: {date_warning}")
        drafts.append(
            _draft(
                kind, segment, _unique(allotted[kind]), event_date, date_text, view, segment.index
            )
        )
    return drafts, warnings


#: Kinds a recap tells as a list of occasions: "on 5 February 150 each, on 19 March 175".
_TOLD_BY_DATE = ("prisoner_exchange", "body_repatriation")


def _occasions(
    segment: Segment, entry: SentenceAnswer, figures: list[Figure], view: ArticleView
) -> list[tuple[DateMention, list[Count]]] | None:
    """The occasions of a sentence that lists several dated swaps, each with its figures.

    Each figure goes with the date nearest to it. Dates no figure goes with are occasions of
    their own only when no date has a figure (a plain list: "on June 9, 14 and 26").

    Returns:
        ``None`` when the sentence tells one occasion (fewer than two dates of events).

    """
    text = prepared_text(segment.text, view.language)
    offset = view.dateline_end - segment.start
    mentions = [
        m
        for m in find_dates(text)
        if m.kind in ("absolute", "weekday") and m.start >= offset and not is_start_of_period(text, m)
    ]
    if len({m.text.casefold() for m in mentions}) < 2:
        return None
    grouped: dict[int, list[Count]] = {i: [] for i in range(len(mentions))}
    counted = [found for w in entry.figures if (found := _counted(w, figures)) is not None]
    if counted:
        # A list is told date first ("5 февраля ... по 150, 19 марта — по 175") or figure
        # first ("1,212 bodies on June 11 and another 1,245 on June 16"): each figure goes
        # with the date before it, or with the date after it, as the list begins.
        date_first = mentions[0].start < min(figure.start for _, figure in counted)
        for count, figure in counted:
            if date_first:
                before = [i for i, m in enumerate(mentions) if m.start < figure.start]
                chosen_index = before[-1] if before else 0
            else:
                after = [i for i, m in enumerate(mentions) if m.start > figure.end]
                chosen_index = after[0] if after else len(mentions) - 1
            grouped[chosen_index].append(count)
    with_figures = [i for i, counts in grouped.items() if counts]
    chosen = with_figures or list(grouped)
    return [(mentions[i], _unique(grouped[i])) for i in chosen]


def _refused_if_later(resolved: EventDate, view: ArticleView) -> EventDate:
    if (
        resolved.precision == "day"
        and resolved.value
        and view.published.precision == "day"
        and view.published.value
        and date.fromisoformat(resolved.value) > date.fromisoformat(view.published.value)
    ):
        return EventDate()
    return resolved


def _draft(
    kind: EventKind,
    segment: Segment,
    counts: list[Count],
    event_date: EventDate,
    date_text: str | None,
    view: ArticleView,
    index: int,
) -> Draft:
    return Draft(
        kind=kind,
        segments=[segment],
        counts=counts,
        date=event_date,
        date_text=date_text,
        location=find_place(segment.text, kind),
        mediators=find_mediators([segment.text], pattern("mediation")) if segment.is_prose else [],
        round_number=find_round(segment.text) if kind == "talks_round" else None,
        claimed_by=None,
        answer_index=index,
    )


def read_answer(
    entries: list[SentenceAnswer], shown: Shown, view: ArticleView, where: str = ""
) -> tuple[list[Draft], list[str]]:
    """Ground every labelled sentence of one answer; see :func:`read_sentence`."""
    drafts: list[Draft] = []
    warnings: list[str] = []
    for entry in entries:
        segment = shown.by_number(entry.n)
        if segment is None:
            continue
        found, notes = read_sentence(entry, segment, view, where)
        drafts += found
        warnings += notes
    return drafts, warnings
