"""Scoring extracted records against gold annotations (pure: results and gold in, scores out).

Alignment (per article, documented in the README): a predicted record and a gold event can be
aligned only when their kinds are equal. Among those pairs, the score is

* 2 points when their evidence overlaps (token Jaccard of the quotes >= 0.3, or one quote
  contains the other),
* 1 point when their dates are compatible at the coarser precision,
* 1 point when they share a figure (same side, category and value) or a talks round number.

Pairs scoring at least 2 are matched one to one, best score first (ties: gold order, then
prediction order). So a record is matched by what it quotes or, failing that, by when it
happened and what it counts; never by kind alone.

Then, over all articles:

* events: precision = matched / predicted, recall = matched / gold, per kind and overall;
* fields (date, location, mediators, round_number, and each count as side/category/value/
  qualifier): every non-empty value is a slot; a predicted slot is correct when its record is
  matched and the gold event has the same value (places compared after canonicalisation,
  dates exactly);
* grounding: the share of the model's quotes and figures that were kept by grounding;
* clusters: the predicted records are merged, each aligned record takes its gold event's key
  (an unaligned one its own), and the clusters are scored against the gold keys, pairwise and
  with B-cubed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from summarizer.evaluation.gold import GoldEvent, GoldFile
from summarizer.records import ArticleResult, EventRecord, dates_agree
from summarizer.timeline.canonical import canonical_mediator, canonical_place
from summarizer.timeline.merge import merge, sourced_records

MIN_MATCH_SCORE = 2
EVIDENCE_JACCARD = 0.3
FIELDS = ("date", "location", "mediators", "round_number", "counts")


class Score(BaseModel):
    """Precision, recall and F1 with the counts behind them."""

    model_config = ConfigDict(frozen=True)

    tp: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        """Correct share of what was predicted."""
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        """Found share of the gold."""
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> dict[str, float | int]:
        """The score as a flat dict (for JSON)."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "predicted": self.predicted,
            "gold": self.gold,
        }


class PRF(BaseModel):
    """A precision/recall/F1 triple that is not a ratio of counts (B-cubed)."""

    model_config = ConfigDict(frozen=True)

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> dict[str, float]:
        """The score as a flat dict (for JSON)."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


class Report(BaseModel):
    """All scores of one evaluation."""

    model_config = ConfigDict(frozen=True)

    events: dict[str, Score]
    fields: dict[str, Score]
    figures: Score
    typed_figures: Score
    dates: Score
    languages: dict[str, Score]
    distractor_events: int
    duplicates: int
    grounding: dict[str, float | int]
    clusters_pairwise: Score
    clusters_bcubed: PRF
    multi_article_events: int
    multi_article_joined: int
    alignment: dict[str, list[tuple[str, str]]]

    def metrics(self) -> dict[str, float]:
        """Every metric under a flat name, for comparing runs."""
        out: dict[str, float] = {}
        for group, scores in (("events", self.events), ("fields", self.fields)):
            for name, score in scores.items():
                for metric in ("precision", "recall", "f1"):
                    out[f"{group}.{name}.{metric}"] = round(getattr(score, metric), 4)
        for group, scores in (("languages", self.languages),):
            for name, score in scores.items():
                out[f"{group}.{name}.f1"] = round(score.f1, 4)
        for metric in ("precision", "recall", "f1"):
            out[f"figures.{metric}"] = round(getattr(self.figures, metric), 4)
            out[f"typed_figures.{metric}"] = round(getattr(self.typed_figures, metric), 4)
            out[f"clusters.pairwise.{metric}"] = round(getattr(self.clusters_pairwise, metric), 4)
            out[f"clusters.bcubed.{metric}"] = round(getattr(self.clusters_bcubed, metric), 4)
        out["dates.right_share"] = round(self.dates.precision, 4)
        out["distractor_events"] = float(self.distractor_events)
        out["duplicates"] = float(self.duplicates)
        out["multi_article.joined"] = float(self.multi_article_joined)
        out["multi_article.events"] = float(self.multi_article_events)
        out["grounding.figures_kept"] = float(self.grounding["figures_kept_share"])
        out["grounding.quotes_kept"] = float(self.grounding["quotes_kept_share"])
        return out

    def as_json(self) -> dict[str, object]:
        """The report as a JSON-ready dict."""
        return {
            "events": {k: v.row() for k, v in self.events.items()},
            "fields": {k: v.row() for k, v in self.fields.items()},
            "figures": self.figures.row(),
            "typed_figures": self.typed_figures.row(),
            "dates": self.dates.row(),
            "languages": {k: v.row() for k, v in self.languages.items()},
            "distractor_events": self.distractor_events,
            "duplicates": self.duplicates,
            "multi_article": {
                "events": self.multi_article_events,
                "joined": self.multi_article_joined,
            },
            "grounding": self.grounding,
            "clusters": {
                "pairwise": self.clusters_pairwise.row(),
                "bcubed": self.clusters_bcubed.row(),
            },
            "alignment": {k: [list(p) for p in v] for k, v in self.alignment.items()},
            "metrics": self.metrics(),
        }


_TOKEN = re.compile(r"\w+")


def _tokens(texts: Iterable[str]) -> set[str]:
    return {t.casefold() for text in texts for t in _TOKEN.findall(text)}


def _evidence_overlap(a: Sequence[str], b: Sequence[str]) -> bool:
    for x in a:
        for y in b:
            if x.casefold() in y.casefold() or y.casefold() in x.casefold():
                return True
    ta, tb = _tokens(a), _tokens(b)
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= EVIDENCE_JACCARD


def _count_slots(counts: Iterable[object]) -> set[tuple[str, str, int | None, str]]:
    return {(c.side, c.category, c.value, c.qualifier) for c in counts}  # type: ignore[attr-defined]


def _pair_score(record: EventRecord, gold: GoldEvent) -> int:
    if record.kind != gold.kind:
        return 0
    score = 2 if _evidence_overlap(record.quotes, gold.evidence) else 0
    if dates_agree(record.event_date.value, gold.date):
        score += 1
    shared_figure = {s[:3] for s in _count_slots(record.counts)} & {
        s[:3] for s in _count_slots(gold.counts)
    }
    same_round = record.round_number is not None and record.round_number == gold.round_number
    if shared_figure or same_round:
        score += 1
    return score


def align(records: Sequence[EventRecord], gold: Sequence[GoldEvent]) -> list[tuple[int, int]]:
    """One-to-one (prediction index, gold index) pairs by the alignment rule above."""
    pairs = [
        (score, g, p)
        for p, record in enumerate(records)
        for g, event in enumerate(gold)
        if (score := _pair_score(record, event)) >= MIN_MATCH_SCORE
    ]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    matched = []
    for _, g, p in pairs:
        if p not in used_p and g not in used_g:
            used_p.add(p)
            used_g.add(g)
            matched.append((p, g))
    return sorted(matched)


def _slots(event: EventRecord | GoldEvent) -> dict[str, set[object]]:
    if isinstance(event, EventRecord):
        date, location, rounds = event.event_date.value, event.location, event.round_number
    else:
        date, location, rounds = event.date, event.location, event.round_number
    return {
        "date": {date} if date else set(),
        "location": {canonical_place(location)} if location else set(),
        "mediators": {frozenset(canonical_mediator(m) for m in event.mediators)}
        if event.mediators
        else set(),
        "round_number": {rounds} if rounds else set(),
        "counts": set(_count_slots(event.counts)),
    }


def _grounding(results: Sequence[ArticleResult]) -> dict[str, float | int]:
    quotes_kept = sum(len(r.evidence) for res in results for r in res.records)
    figures_kept = sum(
        1 for res in results for r in res.records for c in r.counts if c.value is not None
    )
    warnings = [w for res in results for w in res.warnings]
    quotes_dropped = sum(1 for w in warnings if ": dropped evidence " in w)
    figures_dropped = sum(1 for w in warnings if ": dropped figure " in w)
    return {
        "quotes_kept": quotes_kept,
        "quotes_dropped": quotes_dropped,
        "quotes_kept_share": round(quotes_kept / (quotes_kept + quotes_dropped), 4)
        if quotes_kept + quotes_dropped
        else 1.0,
        "figures_kept": figures_kept,
        "figures_dropped": figures_dropped,
        "figures_kept_share": round(figures_kept / (figures_kept + figures_dropped), 4)
        if figures_kept + figures_dropped
        else 1.0,
        "events_dropped": sum(1 for w in warnings if "dropped the event" in w),
    }


def _pairwise(pred: dict[str, str], gold: dict[str, str]) -> Score:
    items = sorted(pred)
    same_pred = {(a, b) for i, a in enumerate(items) for b in items[i + 1 :] if pred[a] == pred[b]}
    same_gold = {(a, b) for i, a in enumerate(items) for b in items[i + 1 :] if gold[a] == gold[b]}
    return Score(tp=len(same_pred & same_gold), predicted=len(same_pred), gold=len(same_gold))


def _bcubed(pred: dict[str, str], gold: dict[str, str]) -> PRF:
    if not pred:
        return PRF(precision=0.0, recall=0.0)
    by_pred: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for item in pred:
        by_pred[pred[item]].add(item)
        by_gold[gold[item]].add(item)
    precision = sum(len(by_pred[pred[i]] & by_gold[gold[i]]) / len(by_pred[pred[i]]) for i in pred)
    recall = sum(len(by_pred[pred[i]] & by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in pred)
    return PRF(precision=precision / len(pred), recall=recall / len(pred))


def evaluate(results: Sequence[ArticleResult], gold: GoldFile) -> Report:
    """Score extraction results against gold.

    Args:
        results: One result per article; articles are matched to gold by article id.
        gold: The gold annotations.

    Returns:
        The report. Gold articles without a result count as all missed.

    """
    by_id = {r.article.id: r for r in results}
    events: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    fields: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    languages: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    figures, typed, dates = [0, 0, 0], [0, 0, 0], [0, 0, 0]
    distractor_events = duplicates = 0
    alignment: dict[str, list[tuple[str, str]]] = {}
    gold_key_of: dict[str, str] = {}
    article_of: dict[str, str] = {}
    for article_id, article in sorted(gold.articles.items()):
        result = by_id.get(article_id)
        records = result.records if result else []
        language = result.article.language if result else article_id.split("-")[0]
        matched = align(records, article.events)
        alignment[article_id] = [(records[p].id, article.events[g].key) for p, g in matched]
        for p, g in matched:
            gold_key_of[records[p].id] = article.events[g].key
            article_of[records[p].id] = article_id
        for counter in (events["all"], languages[language]):
            counter[0] += len(matched)
            counter[1] += len(records)
            counter[2] += len(article.events)
        for record in records:
            events[record.kind][1] += 1
        for event in article.events:
            events[event.kind][2] += 1
        for p, _ in matched:
            events[records[p].kind][0] += 1
        if not article.events:
            distractor_events += len(records)
        duplicates += _duplicates(records, article.events, matched)
        pair_of = dict(matched)
        for p, record in enumerate(records):
            predicted = _slots(record)
            truth_event = article.events[pair_of[p]] if p in pair_of else None
            truth = _slots(truth_event) if truth_event else {f: set() for f in FIELDS}
            for name in FIELDS:
                fields[name][1] += len(predicted[name])
                fields[name][0] += len(predicted[name] & truth[name])
            gold_values = {c.value for c in truth_event.counts} if truth_event else set()
            gold_typed = (
                {(c.side, c.category, c.value) for c in truth_event.counts}
                if truth_event
                else set()
            )
            values = {c.value for c in record.counts if c.value is not None}
            typed_values = {(c.side, c.category, c.value) for c in record.counts if c.value}
            figures[0] += len(values & gold_values)
            figures[1] += len(values)
            typed[0] += len(typed_values & gold_typed)
            typed[1] += len(typed_values)
            if truth_event is not None:
                dates[0] += record.event_date.value == truth_event.date
                dates[1] += 1
                dates[2] += 1
        for event in article.events:
            for name, slot_values in _slots(event).items():
                fields[name][2] += len(slot_values)
            figures[2] += len({c.value for c in event.counts if c.value is not None})
            typed[2] += len({(c.side, c.category, c.value) for c in event.counts if c.value})
    scored = [r for r in results if r.article.id in gold.articles]
    timeline = merge(sourced_records(scored))
    ids = {s.ref: s.sourced.record.id for s in timeline.sources}
    pred_cluster = {ids[ref]: event.id for event in timeline.events for ref in event.sources}
    gold_cluster = {rid: gold_key_of.get(rid, f"unaligned:{rid}") for rid in pred_cluster}
    multi, joined = _multi_article(pred_cluster, gold_key_of, article_of)
    return Report(
        events={k: Score(tp=v[0], predicted=v[1], gold=v[2]) for k, v in sorted(events.items())},
        fields={k: Score(tp=v[0], predicted=v[1], gold=v[2]) for k, v in sorted(fields.items())},
        figures=Score(tp=figures[0], predicted=figures[1], gold=figures[2]),
        typed_figures=Score(tp=typed[0], predicted=typed[1], gold=typed[2]),
        dates=Score(tp=dates[0], predicted=dates[1], gold=dates[2]),
        languages={
            k: Score(tp=v[0], predicted=v[1], gold=v[2]) for k, v in sorted(languages.items())
        },
        distractor_events=distractor_events,
        duplicates=duplicates,
        grounding=_grounding(scored),
        clusters_pairwise=_pairwise(pred_cluster, gold_cluster),
        clusters_bcubed=_bcubed(pred_cluster, gold_cluster),
        multi_article_events=multi,
        multi_article_joined=joined,
        alignment=alignment,
    )


def _duplicates(
    records: Sequence[EventRecord], gold: Sequence[GoldEvent], matched: list[tuple[int, int]]
) -> int:
    """Records left unaligned that repeat a gold event another record already stands for."""
    taken = {g for _, g in matched}
    aligned = {p for p, _ in matched}
    return sum(
        1
        for p, record in enumerate(records)
        if p not in aligned
        and any(
            g in taken
            and record.kind == event.kind
            and _evidence_overlap(record.quotes, event.evidence)
            for g, event in enumerate(gold)
        )
    )


def _multi_article(
    pred_cluster: dict[str, str], gold_key_of: dict[str, str], article_of: dict[str, str]
) -> tuple[int, int]:
    """Real events found (aligned) in two or more articles, and how many of them are joined.

    Joined: every aligned record of the event is in one timeline event.
    """
    by_key: dict[str, list[str]] = defaultdict(list)
    for record_id, key in gold_key_of.items():
        if record_id in pred_cluster:
            by_key[key].append(record_id)
    multi = joined = 0
    for record_ids in by_key.values():
        if len({article_of[r] for r in record_ids}) < 2:
            continue
        multi += 1
        joined += len({pred_cluster[r] for r in record_ids}) == 1
    return multi, joined


def report_table(report: Report) -> str:
    """A readable table of a report."""
    lines = [f"{'metric':<34} {'P':>6} {'R':>6} {'F1':>6} {'tp/pred/gold':>14}"]
    for group, scores in (("events", report.events), ("fields", report.fields)):
        for name, s in scores.items():
            lines.append(
                f"{group + '.' + name:<34} {s.precision:6.2f} {s.recall:6.2f} {s.f1:6.2f} "
                f"{f'{s.tp}/{s.predicted}/{s.gold}':>14}"
            )
    for name, s in report.languages.items():
        lines.append(
            f"{'languages.' + name:<34} {s.precision:6.2f} {s.recall:6.2f} {s.f1:6.2f} "
            f"{f'{s.tp}/{s.predicted}/{s.gold}':>14}"
        )
    for name, s in (("figures (value)", report.figures), ("figures (side, category, value)",
                                                         report.typed_figures)):  # fmt: skip
        lines.append(
            f"{name:<34} {s.precision:6.2f} {s.recall:6.2f} {s.f1:6.2f} "
            f"{f'{s.tp}/{s.predicted}/{s.gold}':>14}"
        )
    d = report.dates
    share = f"{d.tp}/{d.predicted}"
    lines.append(f"{'dates right on matched events':<34} {d.precision:6.2f} {'':>13} {share:>14}")
    lines.append(
        f"events on distractors: {report.distractor_events}; duplicate records: "
        f"{report.duplicates}; multi-article events joined: {report.multi_article_joined}/"
        f"{report.multi_article_events}"
    )
    pw, b3 = report.clusters_pairwise, report.clusters_bcubed
    lines.append(f"{'clusters.pairwise':<34} {pw.precision:6.2f} {pw.recall:6.2f} {pw.f1:6.2f} "
                 f"{f'{pw.tp}/{pw.predicted}/{pw.gold}':>14}")  # fmt: skip
    lines.append(f"{'clusters.bcubed':<34} {b3.precision:6.2f} {b3.recall:6.2f} {b3.f1:6.2f}")
    g = report.grounding
    lines.append(
        f"grounding: {g['quotes_kept']} quotes kept, {g['quotes_dropped']} dropped "
        f"({g['quotes_kept_share']:.0%}); {g['figures_kept']} figures kept, "
        f"{g['figures_dropped']} dropped ({g['figures_kept_share']:.0%}); "
        f"{g['events_dropped']} events dropped"
    )
    return "\n".join(lines) + "\n"


def compare_metrics(before: dict[str, float], after: dict[str, float]) -> str:
    """Per-metric deltas between two runs' ``metrics`` (from `eval -f json`)."""
    lines = [f"{'metric':<34} {'before':>7} {'after':>7} {'delta':>7}"]
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        delta = f"{b - a:+7.2f}" if a is not None and b is not None else f"{'n/a':>7}"
        fa = f"{a:7.2f}" if a is not None else f"{'-':>7}"
        fb = f"{b:7.2f}" if b is not None else f"{'-':>7}"
        lines.append(f"{name:<34} {fa} {fb} {delta}")
    return "\n".join(lines) + "\n"
