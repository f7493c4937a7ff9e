"""One event, one record: an article's sentences about one event fold; different ones do not."""

from __future__ import annotations

from summarizer.extraction.folding import fold, link_agreements
from summarizer.extraction.grounding import ArticleView, Draft, read_sentence
from summarizer.extraction.segments import split_segments
from summarizer.records import EventDate, SentenceAnswer

ARTICLE = (
    "KYIV, May 24 (Agency) — Ukraine and Russia exchanged 307 soldiers each on Saturday. "
    "Russia's Defence Ministry confirmed the exchange. "
    "On Friday each side handed over 270 servicemen and 120 civilians. "
    "The first round of talks took place on May 16 at the Dolmabahçe Palace, mediated by Turkey. "
    "During the meeting, the delegations agreed on a 1,000-for-1,000 exchange."
)
LABELS = {1: "exchange", 2: "exchange", 3: "exchange", 4: "talks", 5: "agreement"}


def drafts() -> list[Draft]:
    view = ArticleView(
        ARTICLE, "en", EventDate(value="2025-05-24", precision="day"), split_segments(ARTICLE)
    )
    found = []
    for segment in view.segments:
        label = SentenceAnswer(label=LABELS[segment.index])  # type: ignore[arg-type]
        found += read_sentence(label, segment, view)[0]
    return found


def test_sentences_about_one_swap_fold_and_different_swaps_stay_apart() -> None:
    folded, notes = fold(drafts())
    exchanges = [d for d in folded if d.kind == "prisoner_exchange"]
    assert [([s.index for s in d.segments], d.date.value) for d in exchanges] == [
        ([1, 2], "2025-05-24"),  # "confirmed the exchange" carries nothing of its own
        ([3], "2025-05-23"),  # a day earlier, other figures: another swap
    ]
    assert len(notes) == 1


def test_an_agreement_reached_at_a_round_shares_its_place_date_and_mediator() -> None:
    folded = link_agreements(fold(drafts())[0])
    (talks,) = [d for d in folded if d.kind == "talks_round"]
    (agreement,) = [d for d in folded if d.kind == "agreement"]
    assert (talks.date.value, talks.location, talks.mediators, talks.round_number) == (
        "2025-05-16", "Dolmabahçe Palace", ["Türkiye"], 1,
    )  # fmt: skip
    assert (agreement.date.value, agreement.location, agreement.mediators) == (
        "2025-05-16", "Dolmabahçe Palace", ["Türkiye"],
    )  # fmt: skip


def test_folding_does_not_depend_on_the_order_of_the_reports() -> None:
    forward = fold(drafts())[0]
    backward = fold(list(reversed(drafts())))[0]
    assert [(d.kind, [s.index for s in d.segments]) for d in forward] == [
        (d.kind, [s.index for s in d.segments]) for d in backward
    ]


def test_a_report_with_its_own_day_and_month_is_not_a_plain_mention() -> None:
    text = (
        "Russia and Ukraine exchanged 84 servicemen each on Thursday. "
        "Families waited at the border for hours. "
        "The previous exchange took place on July 23, on the day of the third round of talks."
    )
    view = ArticleView(text, "en", EventDate(), split_segments(text))  # no publication date
    found = []
    for segment in view.segments:
        found += read_sentence(SentenceAnswer(label="exchange"), segment, view)[0]  # type: ignore[arg-type]
    folded, _ = fold(found)
    exchanges = [d for d in folded if d.kind == "prisoner_exchange"]
    # Neither has a year to date it by, yet "July 23" tells the second swap apart.
    assert [[s.index for s in d.segments] for d in exchanges] == [[1], [3]]


def test_an_undated_follow_up_with_exact_figures_goes_on_about_the_swap_before_it() -> None:
    def exchanges(follow_up: str) -> list[list[int]]:
        text = (
            "Russia and Ukraine exchanged 146 servicemen each on Sunday. "
            "The ministry published a video of the returnees. " + follow_up
        )
        published = EventDate(value="2025-08-24", precision="day")
        view = ArticleView(text, "en", published, split_segments(text))
        found = []
        for segment in view.segments:
            label = SentenceAnswer(label="exchange")  # type: ignore[arg-type]
            found += read_sentence(label, segment, view)[0]
        folded, _ = fold(found)
        return [[s.index for s in d.segments] for d in folded if d.kind == "prisoner_exchange"]

    assert exchanges("Besides the soldiers, eight civilians returned to Ukraine.") == [[1, 3]]
    # "Over 5,000" sums several swaps: no detail of this one.
    assert exchanges("Over 5,000 people have returned home from captivity.") == [[1], [3]]


def _folded(text: str, labels: dict[int, str], published: EventDate | None = None) -> list[Draft]:
    view = ArticleView(text, "en", published or EventDate(), split_segments(text))
    found = []
    for segment in view.segments:
        label = SentenceAnswer(label=labels.get(segment.index, "exchange"))  # type: ignore[arg-type]
        found += read_sentence(label, segment, view)[0]
    return fold(found)[0]


def test_what_a_follow_up_adds_to_a_swap_and_its_total_are_the_same_swap() -> None:
    text = (
        "On Saturday Ukraine brought home 246 servicemen from Russian captivity. "
        "Buses took them to a hospital. "
        "Separately, Ukraine got back 31 wounded servicemen in exchange for 15 Russian soldiers. "
        "In all, 277 servicemen have returned home to Ukraine. "
        "Russia, in turn, received 246 of its servicemen in the exchange. "
        "The previous exchange took place a month ago, when 175 servicemen were swapped for 175."
    )
    folded = _folded(text, {2: "none", 4: "total"})
    assert [(d.kind, [s.index for s in d.segments]) for d in folded] == [
        ("prisoner_exchange", [1, 3, 4, 5]),
        ("prisoner_exchange", [6]),  # "The previous exchange": another one
    ]
    assert sorted((c.side, c.value) for c in folded[0].counts) == [
        ("russia", 15), ("russia", 246), ("ukraine", 31), ("ukraine", 246), ("ukraine", 277),
    ]  # fmt: skip


def test_a_follow_up_with_another_figure_and_no_word_of_adding_stays_apart() -> None:
    text = (
        "On Saturday Ukraine brought home 246 servicemen from Russian captivity. "
        "Families waited at the border. "
        "Ukraine got back 31 servicemen in exchange for 15 Russian soldiers. "
        "In all, 300 servicemen have returned home."
    )
    folded = _folded(text, {4: "total"})
    # No "Separately"/"in turn", and 300 is not 246 + 31: three reports.
    assert [(d.kind, [s.index for s in d.segments]) for d in folded] == [
        ("prisoner_exchange", [1]),
        ("prisoner_exchange", [3]),
        ("cumulative_tally", [4]),
    ]


def test_two_figures_of_one_side_and_category_are_both_compared() -> None:
    text = (
        "Russia handed over 1,245 bodies to Ukraine, and 51 bodies were returned to Ukraine. "
        "On June 16, 1,245 bodies were handed over to Ukraine."
    )
    folded = _folded(text, {1: "bodies", 2: "bodies"})
    # {1245, 51} and {1245} share 1,245: one handover (not "51 differs from 1,245").
    assert [[s.index for s in d.segments] for d in folded] == [[1, 2]]


def test_a_figure_that_sums_the_swaps_figures_for_its_side_is_the_same_swap() -> None:
    text = (
        "On Saturday 246 Russian servicemen were returned and 246 prisoners of war were "
        "transferred to Ukraine. "
        "Additionally, 15 wounded Russian servicemen were returned in exchange for 31 "
        "wounded Ukrainian prisoners of war. "
        "Zelensky wrote that 277 of our warriors have returned home to Ukraine. "
        "Zelensky wrote that 300 of our warriors have returned home to Ukraine."
    )
    folded = _folded(text, {}, EventDate(value="2025-04-20", precision="day"))
    # 277 = 246 + 31 (each side's 246 counts for Ukraine); 300 is no sum of them.
    assert [[s.index for s in d.segments] for d in folded] == [[1, 2, 3], [4]]


def test_a_vaguer_figure_that_meets_the_swaps_own_is_the_same_swap() -> None:
    text = (
        "Ukraine received the bodies of 1,245 soldiers on Monday. "
        "Russia in return received the remains of 51 of its servicemen. "
        "The headquarters confirmed that more than 1,200 bodies were handed over to Ukraine. "
        "A separate statement said fewer than 1,000 bodies were handed over to Ukraine."
    )
    folded = _folded(text, {}, EventDate(value="2025-06-16", precision="day"))
    # "more than 1,200" meets 1,245; "fewer than 1,000" does not.
    assert [[s.index for s in d.segments] for d in folded] == [[1, 2, 3], [4]]


def test_an_each_side_figure_is_compared_with_each_sides_own() -> None:
    text = (
        "Ukraine brought home 307 Ukrainian servicemen on Saturday, Zelensky said. "
        "On Friday the sides handed over 390 people, 270 servicemen and 120 civilians."
    )
    view = ArticleView(text, "en", EventDate(), split_segments(text))
    found = []
    for segment, received_by in zip(view.segments, (None, "each_side"), strict=True):
        answer = SentenceAnswer(label="exchange", received_by=received_by)  # type: ignore[arg-type]
        found += read_sentence(answer, segment, view)[0]
    assert [(c.side, c.value) for c in found[1].counts] == [
        ("each_side", 390), ("each_side", 270), ("each_side", 120),
    ]  # fmt: skip
    # 270 servicemen for each side is not the swap that gave Ukraine 307 servicemen.
    assert [[s.index for s in d.segments] for d in fold(found)[0]] == [[1], [2]]


def test_an_undated_agreement_after_a_paragraph_break_is_the_round_just_before_it() -> None:
    def agreement_date(text: str) -> str | None:
        view = ArticleView(
            text, "en", EventDate(value="2025-06-03", precision="day"), split_segments(text)
        )
        found = []
        for segment in view.segments:
            label = (
                "talks"
                if segment.index == 1
                else "agreement"
                if "agreed" in segment.text
                else "none"
            )
            found += read_sentence(SentenceAnswer(label=label), segment, view)[0]  # type: ignore[arg-type]
        (agreement,) = [d for d in link_agreements(fold(found)[0]) if d.kind == "agreement"]
        return agreement.date.value

    round_held = "The second round of talks was held yesterday in Istanbul."
    deal = '"We agreed on a large exchange of all the seriously wounded," Medinsky said.'
    assert agreement_date(f"{round_held} The meeting lasted an hour.\n{deal}") == "2025-06-02"
    # three sentences on: nothing ties the deal to that round
    filler = "The meeting lasted an hour. Reporters waited outside. The weather was warm."
    assert agreement_date(f"{round_held} {filler}\n{deal}") is None


def test_a_headline_figure_the_prose_gives_otherwise_is_not_the_events() -> None:
    text = (
        "Koniec wymiany „tysiąc za tysiąc”. W niedzielę kolejnych 303 żołnierzy\n"
        "Rosja i Ukraina zakończyły w niedzielę wymianę jeńców. Każda ze stron przekazała "
        "drugiej po 303 żołnierzy."
    )
    view = ArticleView(
        text, "pl", EventDate(value="2025-05-25", precision="day"), split_segments(text, "pl")
    )
    found = []
    for segment in view.segments:
        found += read_sentence(SentenceAnswer(label="exchange"), segment, view)[0]
    (swap,) = fold(found)[0]
    # the headline's 1,000 each is the whole swap's; the last stage is 303 each
    assert [(c.side, c.value) for c in swap.counts] == [("each_side", 303)]
    assert [s.index for s in swap.segments] == [1, 2, 3]
