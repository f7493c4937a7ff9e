"""Rendering results as Markdown and JSON (pure: values in, text out)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from summarizer.records import ArticleResult, Count, EventDate, EventRecord
from summarizer.timeline.merge import MergedEvent, Timeline

_KIND_TITLES = {
    "prisoner_exchange": "Prisoner exchange",
    "body_repatriation": "Repatriation of bodies",
    "talks_round": "Round of talks",
    "agreement": "Agreement",
    "cumulative_tally": "Cumulative tally",
}
_SIDES = {
    "russia": "to Russia",
    "ukraine": "to Ukraine",
    "each_side": "each side",
    "both_sides_total": "both sides in total",
    "unspecified": "side not stated",
}
_QUALIFIERS = {"exact": "", "about": "about ", "over": "over ", "under": "under ",
               "up_to": "up to ", "at_least": "at least "}  # fmt: skip


#: A title for each kind of event.
KIND_TITLES = _KIND_TITLES
#: Who received people, in words, per side.
SIDE_WORDS = _SIDES


def format_date(date: EventDate) -> str:
    """A date with its precision, e.g. ``2025-07 (month)``; ``date unknown`` if unknown."""
    if date.value is None:
        return "date unknown"
    return date.value if date.precision == "day" else f"{date.value} ({date.precision})"


def format_count(count: Count) -> str:
    """One figure in words, e.g. ``each side: about 250 servicemen``."""
    return _figure(count.side, count.category, count.value, count.qualifier)


def figure_text(side: str, category: str, value: int | None, qualifier: str) -> str:
    """One figure in words, e.g. ``each side: about 250 servicemen``."""
    return _figure(side, category, value, qualifier)


def _figure(side: str, category: str, value: int | None, qualifier: str) -> str:
    number = "an unstated number of" if value is None else f"{_QUALIFIERS[qualifier]}{value:,}"
    return f"{_SIDES[side]}: {number} {category}"


def _record_md(index: int, record: EventRecord) -> list[str]:
    head = [f"**{_KIND_TITLES[record.kind]}**", format_date(record.event_date)]
    if record.round_number:
        head.append(f"round {record.round_number}")
    if record.location:
        head.append(record.location)
    if record.mediators:
        head.append("mediated by " + ", ".join(record.mediators))
    lines = [f"{index}. " + " · ".join(head)]
    if record.counts:
        lines.append("   - Figures: " + "; ".join(format_count(c) for c in record.counts))
    lines.append(f"   - Claimed by: {record.claimed_by or 'not attributed'}")
    lines.extend(f"   - Evidence: “{quote}”" for quote in record.quotes)
    return lines


def article_markdown(result: ArticleResult) -> str:
    """Markdown for one article's records, with provenance and warnings."""
    meta, prov, usage = result.article, result.provenance, result.usage
    title = meta.title or meta.id
    lines = [f"## {title}", ""]
    source = [f"source: `{meta.source}`", f"language: {meta.language}"]
    if meta.published.value:
        source.append(f"published: {format_date(meta.published)}")
    lines.append(" · ".join(source))
    cached = ", cached" if usage.cached else ""
    lines.append(
        f"model: {prov.model_answered} · prompt: {prov.prompt_name}@{prov.prompt_version} "
        f"({prov.prompt_sha256[:12]}) · schema: {prov.schema_sha256[:12]} · "
        f"{usage.calls} call(s), {usage.prompt_tokens:,} prompt + {usage.completion_tokens:,} "
        f"completion tokens{cached}"
    )
    lines.append("")
    if result.records:
        for i, record in enumerate(result.records, start=1):
            lines.extend(_record_md(i, record))
    else:
        lines.append("_No events found._")
    if result.warnings:
        lines += ["", "Warnings:"] + [f"- {w}" for w in result.warnings]
    return "\n".join(lines) + "\n"


def failures_markdown(failures: Sequence[tuple[str, str]]) -> str:
    """Markdown list of inputs that failed."""
    if not failures:
        return ""
    return "## Failed inputs\n\n" + "\n".join(f"- `{src}`: {why}" for src, why in failures) + "\n"


def results_json(
    results: Sequence[ArticleResult],
    failures: Sequence[tuple[str, str]],
    timeline: Timeline | None = None,
) -> str:
    """The JSON document of a run: ``{"articles": [...], "failures": [...], "timeline": ...}``."""
    doc: dict[str, Any] = {
        "articles": [r.model_dump(mode="json") for r in results],
        "failures": [{"source": s, "error": e} for s, e in failures],
    }
    if timeline is not None:
        doc["timeline"] = timeline.model_dump(mode="json")
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- the merged timeline ---------------------------------------------------------------------


def _refs(refs: Sequence[str]) -> str:
    return "[" + ", ".join(refs) + "]"


_AT_WORDS = ("palace", "border", "airport", "hotel", "centre", "center", "checkpoint", "crossing")


def _place_phrase(place: str) -> str:
    lowered = place.lower()
    if "border" in lowered and not lowered.startswith("the "):
        return f"at the {place}"
    if any(word in lowered for word in _AT_WORDS):
        return f"at {place}"
    return f"in {place}"


def _event_sentence(event: MergedEvent, titles: dict[str, MergedEvent]) -> str:
    noun = _KIND_TITLES[event.kind]
    if event.kind == "talks_round" and isinstance(event.round_number.chosen, int):
        noun = f"Round {event.round_number.chosen} of talks"
    parts = [noun]
    if isinstance(event.location.chosen, str):
        parts.append(_place_phrase(event.location.chosen))
    if event.mediators:
        parts.append("mediated by " + " and ".join(event.mediators))
    sentence = " ".join(parts)
    if event.counts:
        sentence += ": " + "; ".join(
            _figure(c.side, c.category, c.value, c.qualifier) for c in event.counts
        )
    for link in event.links:
        other = titles.get(link.event)
        if other is not None and link.relation == "reached_at":
            sentence += f", reached at the {format_date(other.date)} round of talks ({other.id})"
        elif other is not None:
            sentence += f", which produced an agreement ({other.id})"
    return sentence + f". {_refs(event.sources)}"


def _conflict_sentences(event: MergedEvent, claims: dict[str, str]) -> list[str]:
    sentences = []
    for count in event.counts:
        if not count.conflict:
            continue
        versions = []
        for reported in count.reported:
            who = (
                ", ".join(sorted({claims[r] for r in reported.sources})) or "an unattributed report"
            )
            figure = (
                "no figure"
                if reported.value is None
                else f"{_QUALIFIERS[reported.qualifier]}{reported.value:,}"
            )
            versions.append(f"{who} put it at {figure} {_refs(reported.sources)}")
        sentences.append(
            f"Sources disagree on {_SIDES[count.side]} ({count.category}): "
            + "; ".join(versions)
            + "."
        )
    if event.round_number.conflict:
        versions = [f"{r.value} {_refs(r.sources)}" for r in event.round_number.reported if r.value]
        sentences.append("Sources disagree on the round: " + "; ".join(versions) + ".")
    return sentences


def timeline_markdown(timeline: Timeline, *, explain: bool = False) -> str:
    """The merged timeline in Markdown.

    One dated entry per event, every sentence with its source references, conflicts said
    plainly, then the numbered sources with their quotes.
    """
    claims = {
        s.ref: s.sourced.record.claimed_by or "an unattributed report" for s in timeline.sources
    }
    by_id = {e.id: e for e in timeline.events}
    lines = ["# Timeline", ""]
    if not timeline.events:
        lines.append("_No events._")
    for event in timeline.events:
        count = f"{event.article_count} article{'s' if event.article_count != 1 else ''}"
        sentence = _event_sentence(event, by_id)
        lines.append(f"- **{format_date(event.date)}** — {sentence} ({count}, {event.id})")
        lines.extend(f"  - {sentence}" for sentence in _conflict_sentences(event, claims))
        if explain:
            lines.extend(f"  - merge: {line}" for line in event.explanation)
    lines += ["", "## Sources", ""]
    for ref in timeline.sources:
        s = ref.sourced
        where = s.url or s.source
        published = f", published {format_date(s.published)}" if s.published.value else ""
        quotes = " … ".join(f"“{q}”" for q in s.record.quotes)
        lines.append(
            f"- [{ref.ref}] {s.record.article_id} (`{where}`{published}) — "
            f"{s.record.claimed_by or 'unattributed'}: {quotes}"
        )
    return "\n".join(lines) + "\n"


def timeline_json(timeline: Timeline) -> str:
    """The merged timeline as JSON (schemas/timeline.schema.json); stable byte for byte."""
    return json.dumps(timeline.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
