"""Rendering results as Markdown and JSON (pure: values in, text out)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from summarizer.records import ArticleResult, Count, EventDate, EventRecord

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


def format_date(date: EventDate) -> str:
    """A date with its precision, e.g. ``2025-07 (month)``; ``date unknown`` if unknown."""
    if date.value is None:
        return "date unknown"
    return date.value if date.precision == "day" else f"{date.value} ({date.precision})"


def format_count(count: Count) -> str:
    """One figure in words, e.g. ``each side: about 250 servicemen``."""
    value = (
        "number not stated"
        if count.value is None
        else f"{_QUALIFIERS[count.qualifier]}{count.value:,}"
    )
    return f"{_SIDES[count.side]}: {value} {count.category}"


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
    lines.extend(f"   - Evidence: “{quote}”" for quote in record.evidence)
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


def results_json(results: Sequence[ArticleResult], failures: Sequence[tuple[str, str]]) -> str:
    """The JSON document of a run: ``{"articles": [...], "failures": [...]}``."""
    doc: dict[str, Any] = {
        "articles": [r.model_dump(mode="json") for r in results],
        "failures": [{"source": s, "error": e} for s, e in failures],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
