"""The merger: gold seed timeline, hand-written tricky cases, and properties over generated records."""

from __future__ import annotations

from typing import Any

from conftest import GOLD_PATH
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.evaluation.gold import load_gold
from summarizer.records import Count, EventDate, EventRecord
from summarizer.timeline.merge import SourcedRecord, Timeline, merge
from summarizer.timeline.render import timeline_json, timeline_markdown

GOLD = load_gold(GOLD_PATH)


def clusters(timeline: Timeline) -> list[set[str]]:
    ids = {s.ref: s.sourced.record.id for s in timeline.sources}
    return [{ids[ref] for ref in event.sources} for event in timeline.events]


def test_gold_seed_records_merge_into_the_gold_events() -> None:
    timeline = merge(GOLD.sourced_records())
    key_of = GOLD.key_of()
    merged = [{key_of[i] for i in cluster} for cluster in clusters(timeline)]
    assert all(len(keys) == 1 for keys in merged), merged  # nothing merged that should not be
    keys = [next(iter(k)) for k in merged]
    assert sorted(keys) == sorted(set(key_of.values()))  # nothing split that should merge
    by_key = {next(iter(k)): e for k, e in zip(merged, timeline.events, strict=True)}
    # The Istanbul rounds once each, dated, with their sources counted.
    for key, date, articles in [
        ("talks-round-1", "2025-05-16", 2),
        ("talks-round-2", "2025-06-02", 1),
        ("talks-round-3", "2025-07-23", 2),
    ]:
        assert (by_key[key].date.value, by_key[key].article_count) == (date, articles)
    assert by_key["agreement-1000-for-1000"].article_count == 2
    # The 390-per-side stage and the ~250-per-side July stage stay two exchanges; tallies stay tallies.
    assert by_key["exchange-390"].id != by_key["exchange-2025-07-23"].id
    assert {e.kind for k, e in by_key.items() if k.startswith("tally")} == {"cumulative_tally"}
    # Each agreement is linked to the round of talks it was reached at.
    for agreement, talks in [
        ("agreement-1000-for-1000", "talks-round-1"),
        ("agreement-2025-06-02", "talks-round-2"),
        ("agreement-2025-07-23", "talks-round-3"),
    ]:
        assert [link.event for link in by_key[agreement].links] == [by_key[talks].id]
        assert by_key[agreement].id != by_key[talks].id


def record(
    rid: str,
    kind: str = "prisoner_exchange",
    date: str | None = "2025-07-23",
    location: str | None = None,
    counts: list[tuple[str, str, int | None, str]] | None = None,
    claimed_by: str | None = None,
    mediators: list[str] | None = None,
    round_number: int | None = None,
    published: str | None = None,
) -> SourcedRecord:
    article = rid.split("#")[0]
    return SourcedRecord(
        record=EventRecord(
            id=rid,
            article_id=article,
            kind=kind,  # type: ignore[arg-type]
            event_date=EventDate.parse(date),
            publication_date=EventDate(),
            location=location,
            mediators=mediators or [],
            parties=["Russia", "Ukraine"],
            counts=[
                Count(side=s, category=c, value=v, qualifier=q)  # type: ignore[arg-type]
                for s, c, v, q in (counts or [])
            ],
            claimed_by=claimed_by,
            round_number=round_number,
            evidence=[f"quote of {rid}"],
        ),
        article_sha256=f"sha-{article}",
        source=f"{article}.txt",
        published=EventDate.parse(published),
    )


def test_same_day_different_places_are_different_events() -> None:
    timeline = merge(
        [record("a#0", location="Istanbul"), record("b#0", location="Ukrainian-Belarusian border")]
    )
    assert len(timeline.events) == 2


def test_places_inside_one_another_merge() -> None:
    timeline = merge([record("a#0", location="Çırağan Palace"), record("b#0", location="Стамбул")])
    assert len(timeline.events) == 1
    assert timeline.events[0].location.chosen == "Çırağan Palace"  # the most specific place


def test_two_sides_differing_figures_for_one_swap_merge_as_a_conflict() -> None:
    russia = record(
        "ru#0",
        counts=[("each_side", "servicemen", 250, "about")],
        claimed_by="Russian Defense Ministry",
    )
    ukraine = record(
        "ua#0", counts=[("each_side", "servicemen", 270, "exact")], claimed_by="Volodymyr Zelensky"
    )
    timeline = merge([russia, ukraine])
    [event] = timeline.events
    [count] = event.counts
    assert (count.value, count.qualifier, count.conflict) == (
        270,
        "exact",
        True,
    )  # exact over approximate
    assert [(r.value, r.qualifier) for r in count.reported] == [(250, "about"), (270, "exact")]
    assert event.conflicts == ["counts.each_side.servicemen"]
    text = timeline_markdown(timeline)
    assert (
        "Sources disagree on each side (servicemen): Russian Defense Ministry put it at about 250 [S1]; "
        "Volodymyr Zelensky put it at 270 [S2]."
    ) in text


def test_figures_beyond_the_tolerance_are_different_events() -> None:
    timeline = merge(
        [
            record("a#0", counts=[("each_side", "people", 390, "exact")]),
            record("b#0", counts=[("each_side", "people", 250, "about")]),
        ]
    )
    assert len(timeline.events) == 2


def test_exact_figures_within_tolerance_merge_but_far_ones_do_not() -> None:
    assert (
        len(
            merge(
                [
                    record("a#0", counts=[("russia", "servicemen", 84, "exact")]),
                    record("b#0", counts=[("russia", "servicemen", 90, "exact")]),
                ]
            ).events
        )
        == 1
    )
    assert (
        len(
            merge(
                [
                    record("a#0", counts=[("russia", "servicemen", 84, "exact")]),
                    record("b#0", counts=[("russia", "servicemen", 120, "exact")]),
                ]
            ).events
        )
        == 2
    )


def test_open_ended_figures() -> None:
    over = record("a#0", kind="cumulative_tally", counts=[("ukraine", "servicemen", 1000, "over")])
    more = record("b#0", kind="cumulative_tally", counts=[("ukraine", "servicemen", 1300, "exact")])
    fewer = record("c#0", kind="cumulative_tally", counts=[("ukraine", "servicemen", 700, "exact")])
    assert len(merge([over, more]).events) == 1
    assert len(merge([over, fewer]).events) == 2


def test_month_precision_date_joins_the_day() -> None:
    timeline = merge(
        [
            record("a#0", date="2025-07-23"),
            record("b#0", date="2025-07"),
            record("c#0", date="2025-08"),
        ]
    )
    assert [e.date.value for e in timeline.events] == ["2025-07-23", "2025-08"]
    assert timeline.events[0].source_count == 2 and not timeline.events[0].conflicts


def test_a_tally_never_merges_into_an_exchange_and_an_undated_one_joins_its_figure() -> None:
    exchange = record("a#0", counts=[("ukraine", "servicemen", 1000, "exact")])
    tally = record(
        "b#0", kind="cumulative_tally", counts=[("ukraine", "servicemen", 1000, "exact")]
    )
    undated = record(
        "c#0", kind="cumulative_tally", date=None, counts=[("ukraine", "servicemen", 1000, "exact")]
    )
    events = merge([exchange, tally, undated]).events
    assert sorted(e.kind for e in events) == ["cumulative_tally", "prisoner_exchange"]
    # The undated tally gives the same exact figure as the dated one: the one event it fits.
    (joined,) = [e for e in events if e.kind == "cumulative_tally"]
    assert joined.source_count == 2
    other = record(
        "d#0", kind="cumulative_tally", date=None, counts=[("ukraine", "servicemen", 1400, "exact")]
    )
    assert len(merge([exchange, tally, other]).events) == 3  # a figure no event has: apart


def test_different_rounds_and_mediators_do_not_merge() -> None:
    assert (
        len(
            merge(
                [
                    record("a#0", kind="talks_round", round_number=2),
                    record("b#0", kind="talks_round", round_number=3),
                ]
            ).events
        )
        == 2
    )
    assert (
        len(
            merge(
                [record("a#0", mediators=["Turkey"]), record("b#0", mediators=["Türkiye"])]
            ).events
        )
        == 1
    )
    assert (
        len(merge([record("a#0", mediators=["Qatar"]), record("b#0", mediators=["UAE"])]).events)
        == 2
    )


def test_explanation_names_the_matching_keys() -> None:
    timeline = merge(
        [
            record("a#0", location="Istanbul", counts=[("russia", "servicemen", 84, "exact")]),
            record(
                "b#0",
                date="2025-07",
                location="Çırağan Palace",
                counts=[("russia", "servicemen", 84, "exact")],
            ),
        ]
    )
    assert timeline.events[0].explanation == [
        "a#0: first report",
        "b#0: joined (kind prisoner_exchange; dates 2025-07 ~ 2025-07-23; places Çırağan Palace ~ Istanbul; "
        "figures agree for russia/servicemen)",
    ]


def test_an_undated_report_is_placed_by_its_publication_day() -> None:
    dated = record("a#0", date="2025-07-23", counts=[("each_side", "people", 250, "about")])
    recent = record(
        "b#0", date=None, published="2025-07-24", counts=[("each_side", "people", 250, "about")]
    )
    late = record(
        "c#0", date=None, published="2025-10-01", counts=[("each_side", "people", 250, "about")]
    )
    unknown = record("d#0", date=None, counts=[("each_side", "people", 250, "about")])
    timeline = merge([dated, recent, late, unknown])
    assert sorted(e.source_count for e in timeline.events) == [1, 1, 2]
    [pair] = [e for e in timeline.events if e.source_count == 2]
    assert pair.date.value == "2025-07-23"


def test_an_undated_report_two_events_of_its_window_fit_is_placed_by_what_it_shares() -> None:
    may = record(
        "a#0", kind="agreement", date="2025-05-16", counts=[("each_side", "people", 1000, "exact")]
    )
    june = record(
        "b#0", kind="agreement", date="2025-06-02", counts=[("ukraine", "bodies", 6000, "exact")]
    )
    shares = record(
        "c#0",
        kind="agreement",
        date=None,
        published="2025-06-03",
        counts=[("each_side", "bodies", 6000, "exact")],
    )
    nothing = record("d#0", kind="agreement", date=None, published="2025-06-03")
    timeline = merge([may, june, shares, nothing])
    assert sorted(sorted(c) for c in clusters(timeline)) == [["a#0"], ["b#0", "c#0"], ["d#0"]]
    # With one event of its kind in the window, the window alone places it.
    assert sorted(sorted(c) for c in clusters(merge([june, nothing]))) == [["b#0", "d#0"]]


def test_undated_reports_of_one_event_all_join_it_by_their_windows() -> None:
    dated = record("a#0", kind="agreement", date="2025-05-16")
    undated = [
        record(f"{name}#0", kind="agreement", date=None, published=published)
        for name, published in (("b", "2025-05-17"), ("c", "2025-05-20"), ("d", "2025-05-25"))
    ]
    # Each window holds May 16: the later ones are not kept out by the earlier undated ones.
    assert clusters(merge([dated, *undated])) == [{"a#0", "b#0", "c#0", "d#0"}]
    # A report whose window misses the date stays apart.
    far = record("e#0", kind="agreement", date=None, published="2025-08-01")
    assert sorted(len(c) for c in clusters(merge([dated, *undated, far]))) == [1, 4]


def test_several_figures_for_one_side_and_category_veto_no_merge() -> None:
    swap = record(
        "a#0", date="2025-04-19",
        counts=[("each_side", "servicemen", 246, "exact")],
    )  # fmt: skip
    with_details = record(
        "b#0", date=None,
        counts=[("ukraine", "servicemen", 246, "exact"), ("ukraine", "servicemen", 31, "exact"),
                ("russia", "servicemen", 15, "exact"), ("russia", "servicemen", 246, "exact")],
    )  # fmt: skip
    # Placed by its exact 246s; 31 and 15 are further groups, not a conflicting figure.
    assert clusters(merge([swap, with_details])) == [{"a#0", "b#0"}]
    single = record("c#0", date=None, counts=[("russia", "servicemen", 15, "exact"),
                                              ("ukraine", "servicemen", 246, "exact")])  # fmt: skip
    # One figure per side that disagrees (15 against 246 for Russia) still vetoes.
    assert sorted(len(c) for c in clusters(merge([swap, single]))) == [1, 1]


# --- properties over generated records -------------------------------------------------------

KINDS = ["prisoner_exchange", "body_repatriation", "talks_round", "agreement", "cumulative_tally"]
DATES = [None, "2025", "2025-05", "2025-05-16", "2025-05-17", "2025-06", "2025-06-02"]
PLACES = [
    None,
    "Istanbul",
    "Çırağan Palace",
    "Dolmabahçe Palace",
    "Doha",
    "Ukrainian-Belarusian border",
]
COUNTS = st.lists(
    st.tuples(
        st.sampled_from(["russia", "ukraine", "each_side", "both_sides_total"]),
        st.sampled_from(["servicemen", "civilians", "people"]),
        st.sampled_from([None, 84, 90, 250, 270, 390, 1000]),
        st.sampled_from(["exact", "about", "over", "up_to"]),
    ),
    max_size=2,
)


@st.composite
def records(draw: Any) -> list[SourcedRecord]:
    n = draw(st.integers(min_value=0, max_value=14))
    return [
        record(
            f"art{draw(st.integers(0, 5))}#{i}",
            kind=draw(st.sampled_from(KINDS)),
            date=draw(st.sampled_from(DATES)),
            location=draw(st.sampled_from(PLACES)),
            counts=draw(COUNTS),
            claimed_by=draw(
                st.sampled_from([None, "Russian Defense Ministry", "Volodymyr Zelensky"])
            ),
            round_number=draw(st.sampled_from([None, 1, 2])),
            published=draw(st.sampled_from([None, "2025-05-20", "2025-06-03"])),
        )
        for i in range(n)
    ]


@settings(max_examples=150, deadline=None)
@given(records(), st.randoms(use_true_random=False))
def test_order_does_not_matter(recs: list[SourcedRecord], rnd: Any) -> None:
    shuffled = list(recs)
    rnd.shuffle(shuffled)
    assert timeline_json(merge(shuffled)) == timeline_json(merge(recs))


@settings(max_examples=150, deadline=None)
@given(records())
def test_merging_is_idempotent(recs: list[SourcedRecord]) -> None:
    once = merge(recs)
    assert timeline_json(merge(once.records())) == timeline_json(once)
    assert timeline_json(merge(once.records() + recs)) == timeline_json(once)  # duplicates ignored


@settings(max_examples=150, deadline=None)
@given(records(), st.lists(st.integers(min_value=0, max_value=14), max_size=4))
def test_incremental_equals_batch(recs: list[SourcedRecord], cuts: list[int]) -> None:
    points = sorted({min(c, len(recs)) for c in cuts})
    pieces = [recs[a:b] for a, b in zip([0, *points], [*points, len(recs)], strict=True)]
    timeline = merge([])
    for piece in pieces:
        timeline = merge(timeline.records() + piece)
    assert timeline_json(timeline) == timeline_json(merge(recs))


@settings(max_examples=100, deadline=None)
@given(records())
def test_every_record_lands_in_exactly_one_event_with_its_sources_counted(
    recs: list[SourcedRecord],
) -> None:
    timeline = merge(recs)
    refs = [ref for event in timeline.events for ref in event.sources]
    assert sorted(refs) == sorted(s.ref for s in timeline.sources)
    assert len(timeline.sources) == len({r.key for r in recs})
    for event in timeline.events:
        assert event.source_count == len(event.sources)
        members = [s for s in timeline.sources if s.ref in event.sources]
        assert event.article_count == len({m.sourced.article_sha256 for m in members})
        assert {m.sourced.record.kind for m in members} == {event.kind}
