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


@pytest.mark.replays_only
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
    # What the merger must get right whatever the extraction: a dated event shown once...
    dated = {e.id for e in timeline.events if e.date.value}
    for key in ("talks-round-1", "talks-round-2", "talks-round-3"):
        assert len([i for i in shown[key] if i in dated]) == 1, (key, shown[key])
    # (The 1,000-for-1,000 deal's one dated record, 003's, is mis-dated July 23 by the
    # extraction: the model labels "The first round took place on May 16 ..." none, so the
    # deal made "during the meeting" is linked to the third round. Not the merger's doing.)
    key = "agreement-1000-for-1000"
    assert not [i for i in shown[key] if i in dated], shown[key]
    # ...(undated agreements are not guessed into one of three rounds' deals: 004's "deal
    # brokered last week" with no publication date, 000's "agreements brokered in Istanbul"
    # and 003's ~2,300 returned "as a result of agreements reached in Istanbul"; two of them
    # are shown undated, one joins the mis-dated July deal; 004's meeting itself the model
    # labels "none")
    assert len([i for i in shown[key] if i not in dated]) == 2
    assert len(shown["talks-round-1"]) == 1
    # ...the 390-per-side stage and the ~250-per-side July stage never one event...
    figures = {
        e.id: {r.value for c in e.counts for r in c.reported}
        for e in timeline.events
        if e.kind == "prisoner_exchange"
    }
    with_390 = {i for i, values in figures.items() if 390 in values}
    with_250 = {i for i, values in figures.items() if 250 in values}
    assert with_390 and with_250 and not with_390 & with_250
    # ...no event mixes kinds (a tally never absorbs an exchange)...
    kind_of = {s.ref: s.sourced.record.kind for s in timeline.sources}
    sources = {s.ref: s.sourced.record.article_id for s in timeline.sources}
    for event in timeline.events:
        assert {kind_of[ref] for ref in event.sources} == {event.kind}
    # ...and the July swap (000's five sentences about it, one record) and the third round
    # (000 and 003) are one event each.
    (july,) = [e for e in timeline.events if e.id in with_250]
    assert july.date.value == "2025-07-23"
    (july_record,) = [s.sourced.record for s in timeline.sources if s.ref in july.sources]
    assert len(july_record.evidence) == 5
    (third,) = [e for e in timeline.events if e.id in shown["talks-round-3"] and e.id in dated]
    assert {sources[ref] for ref in third.sources} == {
        "000_a33cf321543e0b29",
        "003_e181aa8f936635a2",
    }
    # What the recorded extraction lets it show with a date (the gold has 15 events; shown =
    # same kind, compatible dates, same round; undated events fit any of their kind). The July
    # agreement is shown only through 003's mis-dated 1,000-for-1,000 deal (000's "agreements
    # brokered in Istanbul" gives no day of its own; Wednesday is the swap's), and the May 16
    # deal is not shown dated. Medinsky's running total of about 1,200 is found but dated
    # the publication day (July 24; the gold says July 23, the day he spoke), so by this
    # loose rule it shows Galuzin's undated tally, not his own. Not shown with a date: the
    # other tallies (Galuzin's is read as an agreement and an exchange, Zelenskyy's "over
    # 1,000 brought home" as an exchange), the June agreement (folded into the
    # 1,000-for-1,000 deal of the same article), and the 390 stage (004 gives no date the
    # code can read).
    assert sorted(k for k, ids in shown.items() if set(ids) & dated) == [
        "agreement-2025-07-23",
        "exchange-2025-07-23",
        "talks-round-1",
        "talks-round-2",
        "talks-round-3",
        "tally-galuzin",
    ]
    markdown = timeline_markdown(timeline)
    assert markdown.count("Round 3 of talks") == 1
