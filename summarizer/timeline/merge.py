"""The deterministic merger: records from many articles become real-world events (pure).

Merging is a function of the *set* of sourced records. Records are deduplicated by content,
canonicalised, sorted by a total order, and clustered greedily with complete linkage: a record
joins the first earlier cluster whose every member it is compatible with. So the same records
in any order give the same events, merging a merged timeline again changes nothing (its
sources are the records), and merging in batches equals merging at once.

Two records are the same event only when (each rule is checked against every member):

* their kinds are equal (a cumulative tally is never merged into a single exchange);
* their dates agree at the coarser precision (2025-07 agrees with 2025-07-23). An undated
  record is placed by its article's publication day (it may join an event dated within the
  :data:`UNDATED_WINDOW_DAYS` days up to that day); failing that, by what it shares with an
  event (its round number, its day without a year, an exact figure for the same side and
  category) when exactly one event of its kind fits; otherwise it stays an event of its own.
  A cumulative tally is only identified by its date and by what it counts (two tallies must
  share a side and category);
* their talks round numbers are equal when both are given;
* their places are compatible (equal, or one inside the other: Çırağan Palace is in
  Istanbul) when both are places the gazetteer knows; an unknown name never vetoes;
* their mediators overlap when both name known mediators (a party to the war or a city is
  never a mediator);
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
import gc
import hashlib
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from summarizer.records import (
    ArticleResult,
    Category,
    EventDate,
    EventKind,
    EventRecord,
    Qualifier,
    Side,
    dates_agree,
)
from summarizer.timeline.canonical import (
    PARTIES,
    canonical_mediator,
    canonical_party,
    canonical_place,
    is_known_mediator,
    is_known_place,
    is_party_place,
    place_depth,
    places_compatible,
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
        # pydantic writes fields in declaration order, so the JSON is canonical.
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()


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


@dataclass(frozen=True, slots=True)
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
    month_day: str | None
    exact_figures: frozenset[tuple[str, int]]

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


def _canon(sourced: SourcedRecord, key: str) -> _Canon:
    record = sourced.record
    told: dict[tuple[str, str], set[tuple[float, float]]] = defaultdict(set)
    exact: set[tuple[str, int]] = set()
    for count in record.counts:
        if count.value is None or count.side == "unspecified":
            continue
        sides = ("russia", "ukraine") if count.side == "each_side" else (count.side,)
        for side in sides:
            told[(side, count.category)].add(_range(count.value, count.qualifier))
            if count.qualifier == "exact":
                exact.add((side, count.value))  # "84 servicemen" and "84 people": one figure
    # A side and category told with several figures (246 freed, 31 more, 277 in all) is
    # not one figure to compare: it vetoes nothing (its exact figures still place it).
    ranges = {key: next(iter(found)) for key, found in told.items() if len(found) == 1}
    location = canonical_place(record.location) if record.location else None
    day = record.event_date.value if record.event_date.precision == "day" else None
    return _Canon(
        sourced=sourced,
        key=key,
        kind=record.kind,
        date=record.event_date,
        # A side's capital or country is where the story is told from, not a place to compare.
        location=None if location is None or is_party_place(location) else location,
        # A party is never a mediator, and a city is a place, not a mediator.
        mediators=frozenset(
            canonical_mediator(m) for m in record.mediators if not _party_or_place(m)
        ),
        parties=frozenset(canonical_party(p) for p in record.parties),
        round_number=record.round_number,
        ranges=ranges,
        month_day=day[5:] if day else record.date_without_year,
        exact_figures=frozenset(exact),
    )


@lru_cache(maxsize=4096)
def _party_or_place(name: str) -> bool:
    # A country that mediates ("Qatar", "the UAE") is a mediator even though it is a place;
    # a city ("Istanbul") or a side ("Ukraine") is not.
    if canonical_party(name) in PARTIES:
        return True
    return is_known_place(canonical_place(name)) and not is_known_mediator(canonical_mediator(name))


@lru_cache(maxsize=8192)
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


def _widened(r: tuple[float, float]) -> tuple[float, float]:
    return r[0] * (1 - TOLERANCE), r[1] * (1 + TOLERANCE)


@dataclass(slots=True)
class _Cluster:
    """Members and what complete linkage needs to know of them, kept up to date.

    Checking a record against every member one by one would make clustering quadratic in
    the cluster size; these summaries answer "compatible with every member?" directly.
    """

    index: int
    members: list[_Canon] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    precise_date: str | None = None  # dated members form a chain; its most precise link
    windows: list[tuple[str, str] | None] = field(default_factory=list)  # undated members
    locations: set[str] = field(default_factory=set)
    mediator_sets: set[frozenset[str]] = field(default_factory=set)  # canonical ones only
    rounds: set[int] = field(default_factory=set)
    key_sets: set[frozenset[tuple[str, str]]] = field(default_factory=set)
    # per figure key: (largest widened low end, smallest widened high end) over members
    bounds: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)

    def add(self, canon: _Canon, *, anchored: bool = False) -> None:
        """Add a member; an undated one joined by its anchors sets no date window."""
        self.members.append(canon)
        value = canon.date.value
        if value is None:
            if not anchored:
                self.windows.append(_window(canon.sourced.published))
        elif self.precise_date is None or len(value) > len(self.precise_date):
            self.precise_date = value
        if canon.location and is_known_place(canon.location):
            self.locations.add(canon.location)
        known = frozenset(m for m in canon.mediators if is_known_mediator(m))
        if known:
            self.mediator_sets.add(known)
        if canon.round_number:
            self.rounds.add(canon.round_number)
        self.key_sets.add(frozenset(canon.ranges))
        for key, r in canon.ranges.items():
            lo, hi = _widened(r)
            old = self.bounds.get(key)
            self.bounds[key] = (lo, hi) if old is None else (max(old[0], lo), min(old[1], hi))

    def accepts(self, canon: _Canon, *, anchored: bool = False) -> bool:
        """Whether ``canon`` is compatible with every member (the rules in the module doc).

        ``anchored``: ``canon`` is undated and is being placed by what it shares with this
        cluster (a round, a day of the year, an exact figure) instead of by a date window.
        """
        value = canon.date.value
        if anchored:
            if canon.kind == "cumulative_tally" and not canon.exact_figures:
                return False  # a running total is only known by what it counts
            if (
                canon.month_day
                and self.precise_date
                and len(self.precise_date) == 10
                and self.precise_date[5:] != canon.month_day
            ):
                return False
        elif value is not None:
            if self.precise_date is not None and not dates_agree(value, self.precise_date):
                return False
            if self.windows:
                first, last = _span(value)
                if any(w is None or not (first <= w[1] and w[0] <= last) for w in self.windows):
                    return False
        else:
            window = _window(canon.sourced.published)
            if window is None or self.precise_date is None:
                return False  # two undated reports cannot be placed against each other
            # Undated members already placed by their windows hold the same dated event:
            # the new one is checked against that event's date, not against them.
            first, last = _span(self.precise_date)
            if not (first <= window[1] and window[0] <= last):
                return False
        if canon.kind == "cumulative_tally" and not anchored:
            if value is None or self.windows:
                return False  # an undated tally cannot be identified
            keys = frozenset(canon.ranges)
            if any(not keys & other for other in self.key_sets):
                return False  # tallies must count the same thing
        if canon.round_number and any(r != canon.round_number for r in self.rounds):
            return False
        # Places and mediators only veto when both are known names that cannot be one.
        if (
            canon.location
            and is_known_place(canon.location)
            and any(not places_compatible(canon.location, place) for place in self.locations)
        ):
            return False
        known = frozenset(m for m in canon.mediators if is_known_mediator(m))
        if known and any(not known & other for other in self.mediator_sets):
            return False
        for key, r in canon.ranges.items():
            bound = self.bounds.get(key)
            if bound is not None:
                lo, hi = _widened(r)
                if lo > bound[1] or hi < bound[0]:
                    return False
        return True


def _index(cluster: _Cluster) -> int:
    return cluster.index


def _prefixes(value: str) -> list[str]:
    """'2025-07-23' -> ['', '2025', '2025-07', '2025-07-23']."""
    if not value:
        return [""]
    parts = value.split("-")
    return ["", *("-".join(parts[: i + 1]) for i in range(len(parts)))]


def _anchors(canon: _Canon) -> list[tuple[str, object]]:
    """What an undated record shares with an event that places it: round, day, figures."""
    anchors: list[tuple[str, object]] = []
    if canon.round_number:
        anchors.append(("round", canon.round_number))
    if canon.month_day:
        anchors.append(("day", canon.month_day))
    anchors += [("figure", figure) for figure in sorted(canon.exact_figures)]
    return anchors


def _only_fit(
    canon: _Canon,
    candidates: Iterable[_Cluster],
    by_anchor: dict[tuple[str, object], list[_Cluster]],
) -> _Cluster | None:
    """The one dated event of its publication window an undated record fits, if only one.

    With several (an agreement published in June fits May's and June's), the one it shares
    a round, a day or an exact figure with, if exactly one; else none: two would be a guess.
    """
    fitting = [c for c in candidates if c.accepts(canon)]
    if len(fitting) <= 1:
        return fitting[0] if fitting else None
    shared = {c.index for anchor in _anchors(canon) for c in by_anchor.get(anchor, [])}
    anchored = [c for c in fitting if c.index in shared]
    return anchored[0] if len(anchored) == 1 else None


def _cluster(canons: Sequence[_Canon]) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    # kind -> date prefix -> clusters whose most precise date starts with that prefix. The
    # first member of a cluster has its most precise date (records come most precise first).
    by_prefix: dict[str, dict[str, list[_Cluster]]] = defaultdict(lambda: defaultdict(list))
    by_exact: dict[str, dict[str, list[_Cluster]]] = defaultdict(lambda: defaultdict(list))
    # kind -> anchor -> clusters with a member that has it (for undated records).
    by_anchor: dict[str, dict[tuple[str, object], list[_Cluster]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for canon in canons:
        value = canon.date.value or ""
        if value:
            # Same or more precise dates within this one, and coarser dates containing it.
            lists = [by_prefix[canon.kind][value]]
            lists += [by_exact[canon.kind][prefix] for prefix in _prefixes(value)[1:-1]]
        else:
            lists = [by_exact[canon.kind][key] for key in _window_keys(canon.sourced.published)]
        # Each list is in creation order already: merge them lazily, stop at the first fit.
        candidates = heapq.merge(*(x for x in lists if x), key=_index)
        if value:
            chosen = next((c for c in candidates if c.accepts(canon)), None)
        else:
            chosen = _only_fit(canon, candidates, by_anchor[canon.kind])
        anchored = False
        if chosen is None and not value:
            # No date to place it by: an event it shares a round, a day or an exact figure
            # with, if exactly one such event fits (two would make it a guess).
            fitting = {
                c.index: c
                for anchor in _anchors(canon)
                for c in by_anchor[canon.kind][anchor]
                if c.accepts(canon, anchored=True)
            }
            if len(fitting) == 1:
                chosen = next(iter(fitting.values()))
                anchored = True
        if chosen is None:
            chosen = _Cluster(index=len(clusters))
            clusters.append(chosen)
            for prefix in _prefixes(value):
                by_prefix[canon.kind][prefix].append(chosen)
            by_exact[canon.kind][value].append(chosen)
            chosen.explanation.append(f"{_label(canon)}: first report")
        else:
            how = "placed by what it shares, no date" if anchored else "joined"
            chosen.explanation.append(
                f"{_label(canon)}: {how} ({_agreement(chosen.members[0], canon)})"
            )
        for anchor in _anchors(canon):
            listed = by_anchor[canon.kind][anchor]
            if not listed or listed[-1] is not chosen:
                listed.append(chosen)
        chosen.add(canon, anchored=anchored)
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
# Events are built as plain dicts and the whole timeline is validated once at the end: one
# pass in pydantic-core costs a fraction of building hundreds of thousands of models one by one.

_SIDE_ORDER = ("each_side", "russia", "ukraine", "both_sides_total", "unspecified")
_CATEGORY_ORDER = ("servicemen", "civilians", "bodies", "people")
Json = dict[str, Any]


def _count_order(side: str, category: str) -> tuple[int, int]:
    return _SIDE_ORDER.index(side), _CATEGORY_ORDER.index(category)


@lru_cache(maxsize=4096)
def _is_official(claimed_by: str | None) -> bool:
    return bool(claimed_by) and any(w in (claimed_by or "").lower() for w in _OFFICIAL_WORDS)


def _field(values: list[tuple[str | int | None, str]], choose: str | int | None) -> Json:
    grouped: dict[str | int | None, list[str]] = defaultdict(list)
    for value, ref in values:
        grouped[value].append(ref)
    # Members come in source order, so each value's refs are already in order.
    reported = [
        {"value": v, "sources": refs}
        for v, refs in sorted(grouped.items(), key=lambda item: (item[0] is None, str(item[0])))
    ]
    distinct = {v for v, _ in values if v is not None}
    return {"chosen": choose, "reported": reported, "conflict": len(distinct) > 1}


def _choose_count(reported: list[Json]) -> Json:
    """Pick the figure to show.

    An exact figure over an approximate one, then the one more sources give, then an official
    source's, then the smaller value (so the choice never depends on input order).
    """
    return min(
        reported,
        key=lambda r: (
            r["qualifier"] != "exact",
            -len(r["sources"]),
            not any(_is_official(c) for c in r["claimed_by"]),
            r["value"] if r["value"] is not None else math.inf,
            r["qualifier"],
        ),
    )


def _counts(members: list[_Canon], ref_of: list[str]) -> list[Json]:
    """Figures per side and category, every distinct one with the sources that gave it."""
    by_key: dict[tuple[str, str], dict[tuple[int | None, str], Json]] = defaultdict(dict)
    for member, ref in zip(members, ref_of, strict=True):
        claim = member.sourced.record.claimed_by
        for count in member.sourced.record.counts:
            slot = by_key[(count.side, count.category)]
            entry = slot.setdefault(
                (count.value, count.qualifier),
                {
                    "value": count.value,
                    "qualifier": count.qualifier,
                    "sources": [],
                    "claimed_by": [],
                },
            )
            entry["sources"].append(ref)
            if claim and claim not in entry["claimed_by"]:
                entry["claimed_by"].append(claim)
    counts = []
    for (side, category), slot in sorted(by_key.items(), key=lambda item: _count_order(*item[0])):
        reported = sorted(
            slot.values(), key=lambda r: (r["value"] is None, r["value"] or 0, r["qualifier"])
        )
        for entry in reported:
            entry["claimed_by"].sort()
        best = _choose_count(reported)
        distinct = {(r["value"], r["qualifier"]) for r in reported if r["value"] is not None}
        counts.append(
            {
                "side": side,
                "category": category,
                "value": best["value"],
                "qualifier": best["qualifier"],
                "reported": reported,
                "conflict": len(distinct) > 1,
            }
        )
    return counts


def _merge_cluster(cluster: _Cluster, refs: dict[str, str]) -> Json:
    members = cluster.members
    ref_of = [refs[m.key] for m in members]
    best_date = min(
        (m.date for m in members), key=lambda d: (-_PRECISION_RANK[d.precision], d.value or "")
    )
    locations = [m.location for m in members if m.location]
    location = (
        min(locations, key=lambda p: (-place_depth(p), -locations.count(p), p))
        if locations
        else None
    )
    rounds = [m.round_number for m in members if m.round_number]
    round_number = min(rounds, key=lambda r: (-rounds.count(r), r)) if rounds else None
    counts = _counts(members, ref_of)
    date_report = _field(
        [(m.date.value, r) for m, r in zip(members, ref_of, strict=True)], best_date.value
    )
    # 2025-07 and 2025-07-23 are one date told more or less precisely, not a conflict.
    date_report["conflict"] = False
    location_report = _field(
        [(m.location, r) for m, r in zip(members, ref_of, strict=True)], location
    )
    # Places on one chain (palace in city) do not conflict; unrelated places cannot be here.
    location_report["conflict"] = False
    round_report = _field(
        [(m.round_number, r) for m, r in zip(members, ref_of, strict=True)], round_number
    )
    conflicts = ["round_number"] if round_report["conflict"] else []
    conflicts += [f"counts.{c['side']}.{c['category']}" for c in counts if c["conflict"]]
    return {
        "id": "E"
        + hashlib.sha256("|".join(sorted(m.key for m in members)).encode()).hexdigest()[:12],
        "kind": members[0].kind,
        "date": best_date,
        "date_reports": date_report,
        "location": location_report,
        "round_number": round_report,
        "mediators": sorted({x for m in members for x in m.mediators}),
        "parties": sorted({x for m in members for x in m.parties}),
        "counts": counts,
        "claimed_by": sorted(
            {m.sourced.record.claimed_by for m in members if m.sourced.record.claimed_by}
        ),
        "sources": ref_of,
        "source_count": len(members),
        "article_count": len({m.sourced.article_sha256 for m in members}),
        "conflicts": conflicts,
        "links": [],
        "explanation": cluster.explanation,
    }


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


def _link(events: list[Json]) -> None:
    """Link each agreement to the round of talks at which it was reached (same day, place)."""
    talks_on: dict[str | None, list[Json]] = defaultdict(list)
    for event in events:
        if event["kind"] == "talks_round":
            talks_on[event["date"].value].append(event)
    for agreement in (e for e in events if e["kind"] == "agreement"):
        if agreement["date"].precision != "day":
            continue
        for round_ in talks_on[agreement["date"].value]:
            a, b = agreement["location"]["chosen"], round_["location"]["chosen"]
            if isinstance(a, str) and isinstance(b, str) and not places_compatible(a, b):
                continue
            agreement["links"].append({"relation": "reached_at", "event": round_["id"]})
            round_["links"].append({"relation": "produced", "event": agreement["id"]})


def merge(records: Iterable[SourcedRecord]) -> Timeline:
    """Merge sourced records into a timeline of real-world events.

    Args:
        records: Records from any number of articles, in any order; duplicates are ignored.

    Returns:
        The timeline. The same set of records always gives the same timeline.

    """
    with _cyclic_gc_paused():
        return _merge(records)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while merging.

    The merge allocates millions of small objects and no reference cycles; the collector's
    full-heap passes triggered by that churn took over half the run time at 100k records.
    Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _merge(records: Iterable[SourcedRecord]) -> Timeline:
    unique = {r.key: r for r in records}
    canons = sorted((_canon(r, key) for key, r in unique.items()), key=lambda c: c.sort_key)
    clusters = sorted(_cluster(canons), key=_event_order)
    refs: dict[str, str] = {}
    sources: list[Json] = []
    for cluster in clusters:
        cluster.members.sort(key=_member_order)
        for member in cluster.members:
            ref = f"S{len(refs) + 1}"
            refs[member.key] = ref
            sources.append({"ref": ref, "sourced": member.sourced})
    events = [_merge_cluster(c, refs) for c in clusters]
    del clusters, canons
    _link(events)
    # Validate event by event, dropping each dict once done, so the two forms of the
    # timeline never coexist in full (peak memory).
    events.reverse()
    validated = []
    while events:
        validated.append(MergedEvent.model_validate(events.pop()))
    return Timeline.model_construct(
        events=validated, sources=[SourceRef.model_validate(s) for s in sources]
    )
