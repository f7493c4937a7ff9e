"""The deterministic merger: records from many articles become real-world events (pure).

Merging is a function of the *set* of sourced records. Records are deduplicated by content,
canonicalised, sorted by a total order, and clustered greedily with complete linkage: a record
joins the first earlier cluster whose every member it is compatible with. So the same records
in any order give the same events, merging a merged timeline again changes nothing (its
sources are the records), and merging in batches equals merging at once.

Two records are the same event only when (each rule is checked against every member):

* their kinds are equal (a cumulative tally is never merged into a single exchange);
* their dates agree at the coarser precision (2025-07 agrees with 2025-07-23). An undated
  record can only be placed by its article's publication day: it may join an event dated
  within the :data:`UNDATED_WINDOW_DAYS` days up to that day, and with no publication day it
  stays an event of its own. A cumulative tally is only identified by its date and by what it
  counts (two tallies must share a side and category);
* their talks round numbers are equal when both are given;
* their locations are equal or one lies inside the other (Çırağan Palace is in Istanbul);
* their mediators overlap when both name any;
* every figure they both give for the same side and category agrees within
  :data:`TOLERANCE`: an exact figure is a point, "about N" is N ± 15 %, "over N" is N and up,
  "up to N" is N and down; the ranges, widened by the tolerance, must overlap. "Each side"
  is compared with each side's own figure.

Chosen values (documented in :func:`_choose_count` and :func:`_merge_cluster`): the most
precise date; the most specific place; for each figure, an exact figure over an approximate
one, then the value more articles report, then an official source's, then the smaller value;
a field whose sources disagree is marked as a conflict and keeps every reported value.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from summarizer.canonical import (
    canonical_mediator,
    canonical_party,
    canonical_place,
    place_depth,
    places_compatible,
)
from summarizer.records import (
    ArticleResult,
    Category,
    EventDate,
    EventKind,
    EventRecord,
    Qualifier,
    Side,
)

#: Relative tolerance by which two figures' ranges are widened before checking overlap.
TOLERANCE = 0.10
#: "about N" covers N ± this share.
ABOUT_SPREAD = 0.15
#: An undated record may be the same event as one dated this many days before its publication.
UNDATED_WINDOW_DAYS = 30

_KIND_ORDER: dict[str, int] = {
    "talks_round": 0,
    "agreement": 1,
    "prisoner_exchange": 2,
    "body_repatriation": 3,
    "cumulative_tally": 4,
}
_PRECISION_RANK = {"day": 3, "month": 2, "year": 1, "unknown": 0}
_OFFICIAL_WORDS = ("ministry", "president", "headquarters", "minister", "office", "government",
                   "delegation", "spokes")  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourcedRecord(_Strict):
    """One article's record together with the article facts its provenance needs."""

    record: EventRecord
    article_sha256: str
    source: str = Field(description="Path or URL the article was read from.")
    url: str | None = None
    title: str | None = None
    published: EventDate = Field(default_factory=EventDate)

    @property
    def key(self) -> str:
        """Content identity: equal records from the same article are one record."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def sourced_records(results: Iterable[ArticleResult]) -> list[SourcedRecord]:
    """Attach each result's article facts to its records."""
    return [
        SourcedRecord(
            record=record,
            article_sha256=result.article.sha256,
            source=result.article.source,
            url=result.article.url,
            title=result.article.title,
            published=result.article.published,
        )
        for result in results
        for record in result.records
    ]


class ReportedValue(_Strict):
    """One distinct value a field was given, and which sources gave it."""

    value: str | int | None
    sources: list[str]


class FieldReport(_Strict):
    """A merged field: the chosen value, every reported value, and whether they conflict."""

    chosen: str | int | None
    reported: list[ReportedValue]
    conflict: bool


class ReportedCount(_Strict):
    """One distinct figure for a side and category, and which sources gave it."""

    value: int | None
    qualifier: Qualifier
    sources: list[str]
    claimed_by: list[str]


class CountReport(_Strict):
    """A merged figure for one side and category."""

    side: Side
    category: Category
    value: int | None
    qualifier: Qualifier
    reported: list[ReportedCount]
    conflict: bool


class Link(_Strict):
    """A relation between merged events."""

    relation: Literal["reached_at", "produced"]
    event: str


class SourceRef(_Strict):
    """A numbered source of the timeline: one record of one article."""

    ref: str
    sourced: SourcedRecord


class MergedEvent(_Strict):
    """One real-world event as all sources report it."""

    id: str = Field(description="Stable id: a hash of the member records.")
    kind: EventKind
    date: EventDate
    date_reports: FieldReport
    location: FieldReport
    round_number: FieldReport
    mediators: list[str]
    parties: list[str]
    counts: list[CountReport]
    claimed_by: list[str]
    sources: list[str] = Field(description="Refs of the source records, see Timeline.sources.")
    source_count: int
    article_count: int
    conflicts: list[str] = Field(description="Fields whose sources disagree.")
    links: list[Link] = Field(default_factory=list)
    explanation: list[str] = Field(description="Why each source joined this event.")


class Timeline(_Strict):
    """Merged events in date order, and the numbered source records behind them."""

    events: list[MergedEvent]
    sources: list[SourceRef]

    def records(self) -> list[SourcedRecord]:
        """The source records, for merging this timeline with more."""
        return [s.sourced for s in self.sources]


# --- canonical form -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Canon:
    sourced: SourcedRecord
    key: str
    kind: str
    date: EventDate
    location: str | None
    mediators: frozenset[str]
    parties: frozenset[str]
    round_number: int | None
    ranges: dict[tuple[str, str], tuple[float, float]]

    @property
    def sort_key(self) -> tuple[object, ...]:
        # Specific records first: they seed clusters that vaguer records may then join.
        return (
            _KIND_ORDER[self.kind],
            -_PRECISION_RANK[self.date.precision],
            self.date.value or "",
            self.location or "",
            self.key,
        )


def _range(value: int, qualifier: str) -> tuple[float, float]:
    if qualifier == "about":
        return value * (1 - ABOUT_SPREAD), value * (1 + ABOUT_SPREAD)
    if qualifier in ("over", "at_least"):
        return float(value), math.inf
    if qualifier in ("under", "up_to"):
        return 0.0, float(value)
    return float(value), float(value)


def _canon(sourced: SourcedRecord) -> _Canon:
    record = sourced.record
    ranges: dict[tuple[str, str], tuple[float, float]] = {}
    for count in record.counts:
        if count.value is None or count.side == "unspecified":
            continue
        sides = ("russia", "ukraine") if count.side == "each_side" else (count.side,)
        for side in sides:
            ranges.setdefault((side, count.category), _range(count.value, count.qualifier))
    return _Canon(
        sourced=sourced,
        key=sourced.key,
        kind=record.kind,
        date=record.event_date,
        location=canonical_place(record.location) if record.location else None,
        mediators=frozenset(canonical_mediator(m) for m in record.mediators),
        parties=frozenset(canonical_party(p) for p in record.parties),
        round_number=record.round_number,
        ranges=ranges,
    )


def _span(value: str) -> tuple[str, str]:
    """First and last day a date of any precision covers, as ISO text."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return value, value
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return f"{value}-01", f"{value}-{last:02d}"
    return f"{value}-01-01", f"{value}-12-31"


def _window(published: EventDate) -> tuple[str, str] | None:
    """The days an undated record's event may fall on: the month up to its publication day."""
    if published.precision != "day" or published.value is None:
        return None
    end = date.fromisoformat(published.value)
    return (end - timedelta(days=UNDATED_WINDOW_DAYS)).isoformat(), end.isoformat()


def _dates_compatible(a: _Canon, b: _Canon) -> bool:
    if a.date.value is not None and b.date.value is not None:
        return a.date.value.startswith(b.date.value) or b.date.value.startswith(a.date.value)
    if a.date.value is None and b.date.value is None:
        return False  # neither can be placed in time
    undated, dated = (a, b) if a.date.value is None else (b, a)
    window = _window(undated.sourced.published)
    if window is None or dated.date.value is None:
        return False
    first, last = _span(dated.date.value)
    return first <= window[1] and window[0] <= last


def _ranges_overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] * (1 - TOLERANCE) <= b[1] * (1 + TOLERANCE) and b[0] * (1 - TOLERANCE) <= a[1] * (
        1 + TOLERANCE
    )


def _mismatch(a: _Canon, b: _Canon) -> str | None:
    """Why two records cannot be one event, or ``None`` if they can."""
    if a.kind != b.kind:
        return "kinds differ"
    if not _dates_compatible(a, b):
        if a.date.value and b.date.value:
            return f"dates {a.date.value} and {b.date.value} differ"
        return "an undated report outside the publication window"
    if a.kind == "cumulative_tally":
        if a.date.value is None or b.date.value is None:
            return "an undated tally cannot be identified"
        if not a.ranges.keys() & b.ranges.keys():
            return "the tallies count different things"
    if a.round_number and b.round_number and a.round_number != b.round_number:
        return f"rounds {a.round_number} and {b.round_number} differ"
    if a.location and b.location and not places_compatible(a.location, b.location):
        return f"places {a.location} and {b.location} differ"
    if a.mediators and b.mediators and not a.mediators & b.mediators:
        return "mediators differ"
    for key in a.ranges.keys() & b.ranges.keys():
        if not _ranges_overlap(a.ranges[key], b.ranges[key]):
            return f"figures for {key[0]}/{key[1]} contradict"
    return None


def _agreement(a: _Canon, b: _Canon) -> str:
    """What two compatible records share, for ``--explain``."""
    parts = [f"kind {a.kind}"]
    if a.date.value and b.date.value:
        parts.append(f"dates {b.date.value} ~ {a.date.value}")
    elif a.date.value or b.date.value:
        parts.append("one date unknown")
    if a.round_number and a.round_number == b.round_number:
        parts.append(f"round {a.round_number}")
    if a.location and b.location:
        parts.append(f"places {b.location} ~ {a.location}")
    if a.mediators & b.mediators:
        parts.append("mediators " + ", ".join(sorted(a.mediators & b.mediators)))
    shared = sorted(a.ranges.keys() & b.ranges.keys())
    if shared:
        parts.append("figures agree for " + ", ".join(f"{s}/{c}" for s, c in shared))
    return "; ".join(parts)


# --- clustering ----------------------------------------------------------------------------


@dataclass
class _Cluster:
    index: int
    members: list[_Canon] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)

    @property
    def date_key(self) -> str:
        return self.members[0].date.value or ""


def _prefixes(value: str) -> list[str]:
    """'2025-07-23' -> ['', '2025', '2025-07', '2025-07-23']."""
    if not value:
        return [""]
    parts = value.split("-")
    return ["", *("-".join(parts[: i + 1]) for i in range(len(parts)))]


def _cluster(canons: Sequence[_Canon]) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    # kind -> date prefix -> clusters whose most precise date starts with that prefix. The
    # first member of a cluster has its most precise date (records come most precise first).
    by_prefix: dict[str, dict[str, list[_Cluster]]] = defaultdict(lambda: defaultdict(list))
    by_exact: dict[str, dict[str, list[_Cluster]]] = defaultdict(lambda: defaultdict(list))
    for canon in canons:
        value = canon.date.value or ""
        if value:
            # Same or more precise dates within this one, and coarser dates containing it.
            candidates = list(by_prefix[canon.kind][value])
            for prefix in _prefixes(value)[1:-1]:
                candidates += by_exact[canon.kind][prefix]
        else:
            candidates = [
                cluster
                for key in _window_keys(canon.sourced.published)
                for cluster in by_exact[canon.kind][key]
            ]
        chosen: _Cluster | None = None
        for cluster in sorted(candidates, key=lambda c: c.index):
            if all(_mismatch(member, canon) is None for member in cluster.members):
                chosen = cluster
                break
        if chosen is None:
            chosen = _Cluster(index=len(clusters))
            clusters.append(chosen)
            for prefix in _prefixes(value):
                by_prefix[canon.kind][prefix].append(chosen)
            by_exact[canon.kind][value].append(chosen)
            chosen.explanation.append(f"{_label(canon)}: first report")
        else:
            chosen.explanation.append(
                f"{_label(canon)}: joined ({_agreement(chosen.members[0], canon)})"
            )
        chosen.members.append(canon)
    return clusters


def _window_keys(published: EventDate) -> list[str]:
    """Every date key (day, month, year) an undated record published then may match."""
    window = _window(published)
    if window is None:
        return []
    start = date.fromisoformat(window[0])
    days = [(start + timedelta(days=i)).isoformat() for i in range(UNDATED_WINDOW_DAYS + 1)]
    return sorted({*days, *(d[:7] for d in days), *(d[:4] for d in days)})


def _label(canon: _Canon) -> str:
    return canon.sourced.record.id


# --- resolving fields ---------------------------------------------------------------------


_SIDE_ORDER = ("each_side", "russia", "ukraine", "both_sides_total", "unspecified")
_CATEGORY_ORDER = ("servicemen", "civilians", "bodies", "people")


def _count_order(side: str, category: str) -> tuple[int, int]:
    return _SIDE_ORDER.index(side), _CATEGORY_ORDER.index(category)


def _is_official(claimed_by: str | None) -> bool:
    return bool(claimed_by) and any(w in (claimed_by or "").lower() for w in _OFFICIAL_WORDS)


def _field(values: list[tuple[str | int | None, str]], choose: str | int | None) -> FieldReport:
    grouped: dict[str | int | None, list[str]] = defaultdict(list)
    for value, ref in values:
        grouped[value].append(ref)
    reported = [
        ReportedValue(value=v, sources=sorted(set(refs), key=_ref_order))
        for v, refs in sorted(grouped.items(), key=lambda item: (item[0] is None, str(item[0])))
    ]
    distinct = {v for v, _ in values if v is not None}
    return FieldReport(chosen=choose, reported=reported, conflict=len(distinct) > 1)


def _ref_order(ref: str) -> int:
    return int(ref[1:])


def _choose_count(reported: list[ReportedCount]) -> ReportedCount:
    """Pick the figure to show.

    An exact figure over an approximate one, then the one more sources give, then an official
    source's, then the smaller value (so the choice never depends on input order).
    """
    return min(
        reported,
        key=lambda r: (
            r.qualifier != "exact",
            -len(r.sources),
            not any(_is_official(c) for c in r.claimed_by),
            r.value if r.value is not None else math.inf,
            r.qualifier,
        ),
    )


def _merge_cluster(cluster: _Cluster, refs: dict[str, str]) -> MergedEvent:
    members = cluster.members
    ref_of = [refs[m.key] for m in members]
    dates = sorted(
        (m.date for m in members),
        key=lambda d: (-_PRECISION_RANK[d.precision], d.value or ""),
    )
    locations = [m.location for m in members if m.location]
    location = (
        min(locations, key=lambda p: (-place_depth(p), -locations.count(p), p))
        if locations
        else None
    )
    rounds = [m.round_number for m in members if m.round_number]
    round_number = min(rounds, key=lambda r: (-rounds.count(r), r)) if rounds else None
    # Figures, kept per side and category as each source gave them.
    by_key: dict[tuple[str, str], dict[tuple[int | None, str], ReportedCount]] = defaultdict(dict)
    for member, ref in zip(members, ref_of, strict=True):
        for count in member.sourced.record.counts:
            slot = by_key[(count.side, count.category)]
            old = slot.get((count.value, count.qualifier))
            claim = member.sourced.record.claimed_by
            slot[(count.value, count.qualifier)] = ReportedCount(
                value=count.value,
                qualifier=count.qualifier,
                sources=sorted({*(old.sources if old else []), ref}, key=_ref_order),
                claimed_by=sorted({*(old.claimed_by if old else []), *([claim] if claim else [])}),
            )
    counts = []
    for (side, category), slot in sorted(by_key.items(), key=lambda item: _count_order(*item[0])):
        reported = sorted(slot.values(), key=lambda r: (r.value is None, r.value or 0, r.qualifier))
        best = _choose_count(reported)
        counts.append(
            CountReport(
                side=side,  # type: ignore[arg-type]
                category=category,  # type: ignore[arg-type]
                value=best.value,
                qualifier=best.qualifier,
                reported=reported,
                conflict=len({(r.value, r.qualifier) for r in reported if r.value is not None}) > 1,
            )
        )
    date_report = _field(
        [(m.date.value, r) for m, r in zip(members, ref_of, strict=True)], dates[0].value
    )
    # 2025-07 and 2025-07-23 are one date told more or less precisely, not a conflict.
    date_report = date_report.model_copy(update={"conflict": False})
    location_report = _field(
        [(m.location, r) for m, r in zip(members, ref_of, strict=True)], location
    )
    # Places on one chain (palace in city) do not conflict; unrelated places cannot be here.
    location_report = location_report.model_copy(update={"conflict": False})
    round_report = _field(
        [(m.round_number, r) for m, r in zip(members, ref_of, strict=True)], round_number
    )
    conflicts = ["round_number"] if round_report.conflict else []
    conflicts += [f"counts.{c.side}.{c.category}" for c in counts if c.conflict]
    return MergedEvent(
        id="E" + hashlib.sha256("|".join(sorted(m.key for m in members)).encode()).hexdigest()[:12],
        kind=members[0].kind,  # type: ignore[arg-type]
        date=dates[0],
        date_reports=date_report,
        location=location_report,
        round_number=round_report,
        mediators=sorted({x for m in members for x in m.mediators}),
        parties=sorted({x for m in members for x in m.parties}),
        counts=counts,
        claimed_by=sorted(
            {m.sourced.record.claimed_by for m in members if m.sourced.record.claimed_by}
        ),
        sources=sorted(ref_of, key=_ref_order),
        source_count=len(members),
        article_count=len({m.sourced.article_sha256 for m in members}),
        conflicts=conflicts,
        explanation=cluster.explanation,
    )


def _event_order(cluster: _Cluster) -> tuple[object, ...]:
    first = cluster.members[0]
    return (
        first.date.value is None,
        first.date.value or "",
        _KIND_ORDER[first.kind],
        first.round_number or 0,
        first.key,
    )


def _member_order(canon: _Canon) -> tuple[object, ...]:
    s = canon.sourced
    return (s.published.value or "", s.source, s.record.id, canon.key)


def _links(events: list[MergedEvent]) -> list[MergedEvent]:
    """Link each agreement to the round of talks at which it was reached (same date, place)."""
    talks = [e for e in events if e.kind == "talks_round"]
    linked: dict[str, list[Link]] = defaultdict(list)
    for agreement in (e for e in events if e.kind == "agreement"):
        if agreement.date.precision != "day":
            continue
        for round_ in talks:
            if round_.date.value != agreement.date.value:
                continue
            a, b = agreement.location.chosen, round_.location.chosen
            if isinstance(a, str) and isinstance(b, str) and not places_compatible(a, b):
                continue
            linked[agreement.id].append(Link(relation="reached_at", event=round_.id))
            linked[round_.id].append(Link(relation="produced", event=agreement.id))
    return [e.model_copy(update={"links": linked.get(e.id, [])}) for e in events]


def merge(records: Iterable[SourcedRecord]) -> Timeline:
    """Merge sourced records into a timeline of real-world events.

    Args:
        records: Records from any number of articles, in any order; duplicates are ignored.

    Returns:
        The timeline. The same set of records always gives the same timeline.

    """
    unique = {r.key: r for r in records}
    canons = sorted((_canon(r) for r in unique.values()), key=lambda c: c.sort_key)
    clusters = sorted(_cluster(canons), key=_event_order)
    refs: dict[str, str] = {}
    ordered_sources: list[SourceRef] = []
    for cluster in clusters:
        cluster.members.sort(key=_member_order)
        for member in cluster.members:
            ref = f"S{len(refs) + 1}"
            refs[member.key] = ref
            ordered_sources.append(SourceRef(ref=ref, sourced=member.sourced))
    events = [_merge_cluster(c, refs) for c in clusters]
    return Timeline(events=_links(events), sources=ordered_sources)
