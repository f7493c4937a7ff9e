"""The seed timeline from the replayed cassettes, against the hand-written gold."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CASSETTES, GOLD_PATH, SEED_CASSETTES, SEEDS

from summarizer.config import Settings
from summarizer.evaluation.gold import GoldEvent, load_gold
from summarizer.extraction.pipeline import Extractor
from summarizer.ingest.articles import load_article
from summarizer.records import dates_agree
from summarizer.timeline.merge import MergedEvent, merge, sourced_records
from summarizer.timeline.render import timeline_markdown

GOLD = load_gold(GOLD_PATH)


def shows(event: MergedEvent, gold: GoldEvent) -> bool:
    """Alignment rule: same kind, compatible dates, same round when both give one."""
    if event.kind != gold.kind:
        return False
    if gold.date and event.date.value and not dates_agree(gold.date, event.date.value):
        return False
    chosen_round = event.round_number.chosen
    return not (gold.round_number and chosen_round and gold.round_number != chosen_round)


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "test_seed_extraction")


@pytest.mark.vcr(*SEED_CASSETTES)
def test_seed_timeline_from_the_recorded_extractions(
    settings: Settings, embedded_endpoint: Any
) -> None:
    with Extractor(settings, endpoint=embedded_endpoint) as extractor:
        results = [
            extractor.summarise(load_article(str(SEEDS / f"{seed}.txt")))
            for seed in sorted(GOLD.articles)
        ]
    timeline = merge(sourced_records(results))
    # Per real-world event, its most precisely dated gold annotation.
    gold_events: dict[str, GoldEvent] = {}
    for article in GOLD.articles.values():
        for event in article.events:
            known = gold_events.get(event.key)
            if known is None or len(event.date or "") > len(known.date or ""):
                gold_events[event.key] = event
    shown = {
        key: [e.id for e in timeline.events if shows(e, gold)] for key, gold in gold_events.items()
    }
    # What the merger must get right whatever the extraction: nothing shown twice...
    for key in ("talks-round-1", "talks-round-2", "talks-round-3", "agreement-1000-for-1000"):
        assert len(shown[key]) <= 1, (key, shown[key])
    # ...the 390-per-side stage and the ~250-per-side July stage never one event...
    figures = {
        e.id: {r.value for c in e.counts for r in c.reported}
        for e in timeline.events
        if e.kind == "prisoner_exchange"
    }
    with_390 = {i for i, values in figures.items() if 390 in values}
    with_250 = {i for i, values in figures.items() if 250 in values}
    assert with_390 and with_250 and not with_390 & with_250
    # ...and no event mixes kinds (a tally never absorbs an exchange).
    kind_of = {s.ref: s.sourced.record.kind for s in timeline.sources}
    for event in timeline.events:
        assert {kind_of[ref] for ref in event.sources} == {event.kind}
    # Issue 3, item 6. The 1,000-for-1,000 agreement is shown exactly once (the follow-up call
    # finds it in 003, dated 16 May; 004's "broader agreement to swap a total of 1,000" is
    # read as an agreement dated 2022, so it does not join it)...
    assert len(shown["agreement-1000-for-1000"]) == 1
    # ...the running totals are shown as cumulative_tally events: Galuzin's ~2,300 (the main
    # call's "prisoner_exchange" reading of it is dropped for the follow-up's), Medinsky's
    # ~1,200 and Zelenskyy's "over 1,000 ... brought home" (the event the follow-up's answer
    # was cut off in, after its figures). The model gave Medinsky's total to Ukraine rather
    # than to both sides, so it and Zelenskyy's agree within tolerance and are shown as one
    # tally whose figures conflict.
    tally_figures = {
        (r.value, r.qualifier)
        for e in timeline.events
        if e.kind == "cumulative_tally"
        for c in e.counts
        for r in c.reported
    }
    assert tally_figures == {(2300, "about"), (1200, "about"), (1000, "over")}
    tallies = [e for e in timeline.events if e.kind == "cumulative_tally"]
    assert len(tallies) == 2 and any(c.conflict for e in tallies for c in e.counts)
    # ...and no tally figure of the gold is shown on an exchange.
    gold_tally_values = {
        c.value for g in gold_events.values() if g.kind == "cumulative_tally" for c in g.counts
    }
    assert gold_tally_values == {2300, 170, 200, 2400, 1200, 1000}
    assert not set().union(*figures.values()) & gold_tally_values
    # What the recorded extraction of the embedded model lets it show (the gold has 11 events;
    # shown = same kind, compatible dates, same round). Not shown: the July exchange and the
    # Medinsky/Zelenskyy tally (dated the publication day, 24 July, not 23 July), and the June
    # and July agreements.
    assert sorted(k for k, ids in shown.items() if ids) == [
        "agreement-1000-for-1000",
        "exchange-390",
        "talks-round-1",
        "talks-round-2",
        "talks-round-3",
        "tally-galuzin",
    ]
    markdown = timeline_markdown(timeline)
    assert markdown.count("Round 3 of talks") == 1
