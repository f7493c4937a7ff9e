"""Grounding a sentence label: the text wins over the model on kind, figures and dates."""

from __future__ import annotations

from summarizer.extraction.grounding import (
    ArticleView,
    could_report,
    follows_a_swap,
    read_sentence,
)
from summarizer.extraction.segments import split_segments
from summarizer.records import EventDate, SentenceAnswer

PUBLISHED = EventDate(value="2025-07-24", precision="day")


def view(text: str, published: EventDate = PUBLISHED, language: str = "en") -> ArticleView:
    return ArticleView(text, language, published, split_segments(text, language))


def entry(label: str, received_by: str | None = None) -> SentenceAnswer:
    return SentenceAnswer(label=label, received_by=received_by)  # type: ignore[arg-type]


def ground(text: str, label: SentenceAnswer, **kw: object):  # type: ignore[no-untyped-def]
    article = view(text, **kw)  # type: ignore[arg-type]
    return read_sentence(label, article.segments[0], article)


def test_figures_take_their_qualifier_category_and_side_from_the_text() -> None:
    drafts, warnings = ground(
        "Medinsky said that around 250 individuals from each side were exchanged on Wednesday.",
        entry("exchange", "ukraine"),
    )
    (draft,) = drafts
    (count,) = draft.counts
    assert (count.side, count.category, count.value, count.qualifier) == (
        "each_side", "people", 250, "about",
    )  # fmt: skip
    assert draft.date.value == "2025-07-23" and draft.date_text == "Wednesday"
    assert warnings == []


def test_figures_are_the_counts_the_sentence_writes_never_the_models() -> None:
    drafts, _ = ground(
        "Each side returned 270 servicemen on Friday; three of them were women aged 25.",
        entry("exchange"),
    )
    assert [c.value for c in drafts[0].counts] == [270]  # 3 counts nothing named, 25 is an age


def test_the_side_is_the_texts_then_the_models_then_unspecified() -> None:
    (draft,), _ = ground(
        "Kyiv handed back 248 Russian POWs, and 12 civilians came home on Friday.",
        entry("exchange", "ukraine"),
    )
    assert [(c.side, c.value) for c in draft.counts] == [("russia", 248), ("ukraine", 12)]
    # The words say who received them: the model's answer is not needed.
    (draft,), _ = ground(
        "Moscow got back 248 Russian POWs and 12 civilians on Friday.", entry("exchange", "ukraine")
    )
    assert [(c.side, c.value) for c in draft.counts] == [("russia", 248), ("russia", 12)]
    (draft,), _ = ground(
        "On Friday 120 civilians were handed over to Ukraine.", entry("exchange", "russia")
    )
    assert [(c.side, c.value) for c in draft.counts] == [("ukraine", 120)]
    (draft,), _ = ground("They freed 12 civilians on Friday.", entry("exchange"))
    assert [(c.side, c.value) for c in draft.counts] == [("unspecified", 12)]


def test_soldiers_returned_alive_are_no_repatriation_of_bodies() -> None:
    drafts, warnings = ground(
        "Moscow announced the return of 248 Russian POWs.",
        entry("bodies", "ukraine"),
    )
    (draft,) = drafts
    assert draft.kind == "prisoner_exchange"
    assert [(c.side, c.category) for c in draft.counts] == [("russia", "servicemen")]
    assert "read as prisoner_exchange" in warnings[0]


def test_a_kind_the_words_cannot_report_is_dropped() -> None:
    drafts, warnings = ground("The weather in Istanbul was warm on Friday.", entry("talks"))
    assert drafts == []
    assert warnings and "not a talks_round" in warnings[0]


def test_talks_and_the_agreement_reached_there_are_two_events() -> None:
    drafts, _ = ground(
        "At the second round in Istanbul on June 2, they agreed to swap 6,000 bodies each.",
        entry("talks+agreement"),
    )
    assert [(d.kind, [c.value for c in d.counts], d.round_number) for d in drafts] == [
        ("talks_round", [], 2),
        ("agreement", [6000], None),
    ]
    assert all(d.location == "Istanbul" and d.date.value == "2025-06-02" for d in drafts)


def test_no_year_is_guessed_and_a_done_event_is_not_dated_after_publication() -> None:
    drafts, _ = ground(
        "The swap took place on July 23.",
        entry("exchange"),
        published=EventDate(),
    )
    assert drafts[0].date == EventDate() and drafts[0].date_text == "July 23"
    drafts, warnings = ground("The swap took place on 30.07.2025.", entry("exchange"))
    assert drafts[0].date == EventDate()
    assert "after the article's publication" in warnings[0]


def test_a_running_total_with_no_date_of_its_own_is_as_of_publication() -> None:
    drafts, _ = ground(
        "Since February 2022, 5,857 Ukrainians have been brought home.",
        entry("total", "ukraine"),
    )
    assert drafts[0].date == PUBLISHED  # "February 2022" opens the period, it is no date


def test_a_dateline_date_is_the_report_day_not_the_event_day() -> None:
    drafts, _ = ground(
        "KYIV, July 24 (Agency) — Ukraine and Russia exchanged 84 prisoners each.",
        entry("exchange"),
    )
    assert drafts[0].date == EventDate()


def test_a_swap_agreed_is_an_agreement_and_one_done_under_a_deal_is_both() -> None:
    drafts, _ = ground(
        "The delegations agreed to exchange another 1,200 prisoners of war each.",
        entry("exchange", "each_side"),
    )
    assert [d.kind for d in drafts] == ["agreement"]
    assert [c.value for c in drafts[0].counts] == [1200]
    drafts, _ = ground(
        "Russia and Ukraine exchanged 84 prisoners each under a deal reached in Istanbul.",
        entry("exchange"),
    )
    assert sorted(d.kind for d in drafts) == ["agreement", "prisoner_exchange"]


def test_figures_over_several_stages_are_a_running_total() -> None:
    drafts, _ = ground(
        "В мае стороны в три этапа обменялись по 1000 человек.",
        entry("exchange"),
        language="ru",
        published=EventDate(value="2025-08-24", precision="day"),
    )
    assert [(d.kind, d.date.value, [c.value for c in d.counts]) for d in drafts] == [
        ("cumulative_tally", "2025-05", [1000])
    ]


def test_a_recap_sentence_is_one_event_per_dated_occasion() -> None:
    drafts, _ = ground(
        "5 февраля стороны передали друг другу по 150 военнопленных, 19 марта — по 175.",
        entry("exchange"),
        language="ru",
        published=EventDate(value="2025-08-24", precision="day"),
    )
    assert [(d.date.value, [c.value for c in d.counts]) for d in drafts] == [
        ("2025-02-05", [150]),
        ("2025-03-19", [175]),
    ]


def test_a_day_named_relatively_is_an_occasion_when_each_day_has_its_counts() -> None:
    text = (
        "W piątek na wolność wyszło po 390 osób z każdej strony, a wczoraj Kijów i Moskwa "
        "wymieniły kolejnych 307 żołnierzy za 307."
    )
    published = EventDate(value="2025-05-25", precision="day")
    drafts, _ = ground(text, entry("exchange"), language="pl", published=published)
    assert [(d.date.value, [(c.side, c.value) for c in d.counts]) for d in drafts] == [
        ("2025-05-23", [("each_side", 390)]),
        ("2025-05-24", [("each_side", 307)]),
    ]
    # One occasion told on a day, reported on another: one event, on the day it happened.
    (draft,), _ = ground(
        "Yesterday Kyiv said 307 soldiers each were freed on Saturday.",
        entry("exchange"),
        published=published,
    )
    assert draft.date.value == "2025-05-24" and [c.value for c in draft.counts] == [307]


def test_a_deal_told_beside_a_swap_done_takes_no_date_of_the_swaps() -> None:
    drafts, _ = ground(
        "Rosja i Ukraina przeprowadziły w niedzielę trzeci etap uzgodnionej w Stambule "
        "wymiany więźniów – uwolniono po 303 wojskowych z każdej strony.",
        entry("exchange+talks"),
        language="pl",
        published=EventDate(value="2025-05-25", precision="day"),
    )
    assert sorted((d.kind, d.date.value) for d in drafts) == [
        ("agreement", None),
        ("prisoner_exchange", "2025-05-25"),
    ]


def test_talks_named_by_their_round_in_passing_are_an_event() -> None:
    drafts, _ = ground(
        "On July 23, the day of the third round of talks, the sides swapped about 250 each.",
        entry("exchange"),
    )
    assert sorted((d.kind, d.round_number) for d in drafts) == [
        ("prisoner_exchange", None),
        ("talks_round", 3),
    ]


def test_a_listed_round_of_talks_per_date_with_the_year_the_sentence_states() -> None:
    drafts, _ = ground(
        "Russia and Ukraine held three rounds of talks in Istanbul in 2025, on May 16, June 2, "
        "and July 23.",
        entry("talks"),
        published=EventDate(),  # no publication date: only a year the text states is used
    )
    assert [(d.kind, d.date.value) for d in drafts] == [
        ("talks_round", "2025-05-16"),
        ("talks_round", "2025-06-02"),
        ("talks_round", "2025-07-23"),
    ]


def test_a_handover_wanted_pledged_or_decided_is_an_agreement_not_a_handover() -> None:
    for text, language in [
        ("Beide Seiten wollen jeweils weitere 1200 Kriegsgefangene austauschen.", "de"),
        (
            "Zudem sagte Moskau zu, der Ukraine die sterblichen Überreste von 3000 getöteten "
            "Soldaten zu übergeben.",
            "de",
        ),
        ("Moscow pledged to return the bodies of 6,000 Ukrainian soldiers.", "en"),
        # committed to, or told in the future tense
        (
            "As delegações comprometeram-se a trocar mais 1.200 prisioneiros de guerra de "
            "cada lado.",
            "pt",
        ),
        (
            "Кроме того, по словам Мединского, стороны передадут друг другу тела погибших "
            "военнослужащих — по 6 тыс. с каждой стороны.",
            "ru",
        ),
        (
            "Medinski ayrıca Rusya'nın 3 bin Ukraynalı askerin cenazesini Ukrayna'ya teslim "
            "edeceğini söyledi.",
            "tr",
        ),
    ]:
        drafts, _ = ground(text, entry("exchange+total"), language=language)
        assert [d.kind for d in drafts] == ["agreement"], text
    _, warnings = ground(
        "Beide Seiten wollen jeweils 1200 Gefangene austauschen.", entry("exchange"), language="de"
    )
    assert any("agreed, not done" in w for w in warnings)
    # Done is done, whatever else the sentence says; "according to" is no deal.
    drafts, _ = ground(
        "Russia got back the bodies of 19 of its servicemen, according to Vladimir Medinsky.",
        entry("bodies", "russia"),
    )
    assert [d.kind for d in drafts] == ["body_repatriation"]
    assert [(c.side, c.value) for c in drafts[0].counts] == [("russia", 19)]


def test_a_figure_told_as_another_days_is_not_this_events() -> None:
    (draft,), warnings = ground(
        "Ukraine and Russia exchanged 307 soldiers each on Saturday, a day after the two "
        "sides freed 390 people apiece.",
        entry("exchange"),
    )
    assert [c.value for c in draft.counts] == [307]
    assert any("390 counted on another day" in w for w in warnings)


def test_the_receiver_in_the_dative_and_in_other_languages() -> None:
    cases = [
        ("Російській стороні, як зазначили у штабі, передали тіла 19 загиблих.", "uk",
         [("russia", 19)]),
        ("Україні передали 6057 тіл, а Росія отримала 78.", "uk",
         [("ukraine", 6057), ("russia", 78)]),
        ("Россия вернула из украинского плена 84 военнослужащих, в обмен Киеву переданы 80 "
         "военнопленных.", "ru", [("russia", 84), ("ukraine", 80)]),
        ("L'Ukraine a reçu lundi 1 245 corps de soldats.", "fr", [("ukraine", 1245)]),
        # the receiver, then a parenthetical, then the verb
        ("Російська сторона, своєю чергою, отримала 246 тіл.", "uk", [("russia", 246)]),
    ]  # fmt: skip
    for text, language, expected in cases:
        drafts, _ = ground(text, entry("bodies", "unknown"), language=language)
        assert [(c.side, c.value) for d in drafts for c in d.counts] == expected, text


def test_the_receiver_named_before_the_figure_and_the_giver_of_a_passive() -> None:
    cases = [
        # "to <party>" before the figure, with the verb before or after it
        ("Russian side has transferred to Ukrainian side the bodies of 1245 servicemen.",
         [("ukraine", 1245)]),
        ("Today to Ukraine were transferred 6057 bodies, to Russia — 78 bodies.",
         [("ukraine", 6057), ("russia", 78)]),
        # who gave them, in a passive: the other side received them
        ('"From the Kiev side to us are returned the bodies of 51 our fallen servicemen", '
         "wrote Medinskiy.", [("russia", 51)]),
    ]  # fmt: skip
    for text, expected in cases:
        drafts, _ = ground(text, entry("bodies", "unknown"), language="en")
        assert [(c.side, c.value) for d in drafts for c in d.counts] == expected, text
    # who gave them: the other side received them (not "returned", which may be either)
    drafts, _ = ground(
        "Kyiv received 1,245 bodies on June 16, when Russia said it had handed over 6,057 in "
        "total since June 11.",
        entry("bodies", "unknown"),
    )
    assert sorted((d.kind, [(c.side, c.value) for c in d.counts]) for d in drafts) == [
        ("body_repatriation", [("ukraine", 1245)]),
        ("cumulative_tally", [("ukraine", 6057)]),  # a running total told beside a handover
    ]
    (draft,), _ = ground(
        "Ukraine received the bodies of 1,000 soldiers from Russia and handed back 19.",
        entry("bodies", "unknown"),
    )
    assert [(c.side, c.value) for c in draft.counts] == [("ukraine", 1000), ("unspecified", 19)]
    (draft,), _ = ground("Ukraine returned 84 of its soldiers home.", entry("exchange", "unknown"))
    assert [(c.side, c.value) for c in draft.counts] == [("unspecified", 84)]
    # The verb's object is the first figure after it: the 51 is not said to go to Ukraine.
    (draft,), _ = ground(
        "Russia transferred to Ukraine still 1245 bodies of perished military, received back 51",
        entry("bodies", "unknown"),
    )
    assert [(c.side, c.value) for c in draft.counts] == [("ukraine", 1245), ("unspecified", 51)]


def test_a_date_told_as_a_deals_dates_the_agreement_not_the_swap_done_under_it() -> None:
    drafts, _ = ground(
        "The biggest exchange came over three days in May, when each side freed 1,000 people "
        "between May 23 and May 25 under a deal struck in Istanbul on May 16; the last group, "
        "303 soldiers from each side, crossed on May 25.",
        entry("exchange+total"),
    )
    assert sorted((d.kind, d.date.value, [c.value for c in d.counts]) for d in drafts) == [
        ("agreement", "2025-05-16", []),  # the figures are the swap's, not the deal's
        ("cumulative_tally", "2025-05-25", [1000]),  # as of the latest day it names
        ("prisoner_exchange", "2025-05-25", [303]),
    ]
    drafts, _ = ground(
        "Russia transferred 1,245 bodies today under the Istanbul agreements.",
        entry("bodies", "ukraine"),
        published=EventDate(value="2025-06-16", precision="day"),
    )
    # "agreements today": today is the handover's (a deal's date is a day and month)
    assert [d.date.value for d in drafts if d.kind == "body_repatriation"] == ["2025-06-16"]


def test_figures_told_respectively_go_with_the_occasions_of_the_sentence_before() -> None:
    text = (
        "11 червня Україна отримала 1212 тіл, а 16 червня – ще 1245. "
        "Росії тоді передали 27 і 51 тіло відповідно."
    )
    article = view(text, language="uk")
    drafts, _ = read_sentence(entry("bodies", "russia"), article.segments[1], article)
    assert [(d.date.value, [(c.side, c.value) for c in d.counts]) for d in drafts] == [
        ("2025-06-11", [("russia", 27)]),
        ("2025-06-16", [("russia", 51)]),
    ]


def test_a_swap_that_was_the_only_result_of_talks_is_their_agreement() -> None:
    for text, language in [
        ("The swap of 1,000 prisoners for 1,000 was the only concrete result of talks in "
         "Istanbul on May 16.", "en"),
        ("Seul résultat tangible : un échange de 1 000 prisonniers, annoncé à l'issue de la "
         "réunion.", "fr"),
    ]:  # fmt: skip
        drafts, _ = ground(text, entry("exchange"), language=language)
        assert [d.kind for d in drafts] == ["agreement"], text


def test_a_count_of_what_no_one_came_back_from_is_no_running_total() -> None:
    for text, language in [
        ("Dall'inizio dell'invasione la missione ha raccolto in tutto oltre 1.200 testimonianze "
         "di ex prigionieri.", "it"),
        ("The report records at least 206 deaths of Ukrainian prisoners of war in custody "
         "since February 2022.", "en"),
    ]:  # fmt: skip
        for label in ("exchange", "total", "exchange+total"):
            drafts, _ = ground(text, entry(label, "ukraine"), language=language)
            assert drafts == [], (text, label)
    (draft,), _ = ground(
        "Ukraine has brought home 5,857 people since February 2022.", entry("exchange", "ukraine")
    )
    assert draft.kind == "cumulative_tally"


def test_weekdays_told_after_last_week_are_last_weeks_and_a_day_told_last_year_its() -> None:
    monday = EventDate(value="2025-06-16", precision="day")
    drafts, _ = ground(
        "Kiev et Moscou ont procédé la semaine dernière à plusieurs échanges : lundi, des "
        "soldats de moins de 25 ans ont été libérés ; samedi, une nouvelle étape a eu lieu.",
        entry("exchange"),
        language="fr",
        published=monday,
    )
    assert [d.date.value for d in drafts] == ["2025-06-09", "2025-06-14"]
    (draft,), _ = ground(
        "Geçen hafta perşembe günü ise Ukrayna 1.000 asker cenazesini teslim aldı.",
        entry("bodies", "ukraine"),
        language="tr",
    )
    assert draft.date.value == "2025-07-17"
    # The week told after the weekday is another event's ("agreed last week").
    (draft,), _ = ground(
        "Rússia e Ucrânia trocaram neste domingo 303 militares de cada lado, encerrando a "
        "troca acordada na semana passada em Istambul.",
        entry("exchange"),
        language="pt",
        published=EventDate(value="2025-05-25", precision="day"),
    )
    assert draft.date.value == "2025-05-25"
    (draft,), _ = ground(
        "El 3 de enero del año pasado volvieron a casa 230 personas.",
        entry("exchange", "ukraine"),
        language="es",
        published=EventDate(value="2025-04-20", precision="day"),
    )
    assert draft.date.value == "2024-01-03"


def test_a_swap_received_under_an_agreement_is_the_swap_and_the_agreement() -> None:
    drafts, _ = ground(
        "L'Ukraine a récupéré lundi 1 245 corps de soldats, dans le cadre des accords conclus "
        "début juin à Istanbul.",
        entry("bodies", "ukraine"),
        language="fr",
        published=EventDate(value="2025-06-16", precision="day"),
    )
    assert sorted((d.kind, d.date.value, [c.value for c in d.counts]) for d in drafts) == [
        ("agreement", None, []),
        ("body_repatriation", "2025-06-16", [1245]),
    ]


def test_days_of_swaps_told_since_a_meeting_are_not_the_meetings_days() -> None:
    drafts, _ = ground(
        "The two sides have also swapped prisoners of war three times since the Istanbul "
        "meeting: on June 9, on June 10, and again on Saturday.",
        entry("exchange+talks"),
        published=EventDate(value="2025-06-16", precision="day"),
    )
    assert sorted((d.kind, d.date.value) for d in drafts) == [
        ("prisoner_exchange", "2025-06-09"),
        ("prisoner_exchange", "2025-06-10"),
        ("prisoner_exchange", "2025-06-14"),
        ("talks_round", None),
    ]


def test_a_period_from_one_day_to_another_is_no_list_of_occasions() -> None:
    (draft,), _ = ground(
        "El intercambio se produjo en el marco de la tregua de Pascua, desde las 18:00 del "
        "sábado hasta la medianoche del domingo.",
        entry("exchange"),
        language="es",
        published=EventDate(value="2025-04-20", precision="day"),
    )
    assert draft.kind == "prisoner_exchange"


def test_a_sentence_no_answer_could_make_an_event_of_is_not_worth_a_call() -> None:
    from summarizer.extraction.grounding import could_report

    for text in (
        "The next round of talks is expected in June.",
        "Thousands of Ukrainians are believed to remain in Russian captivity.",
        "Die Bundesregierung begrüßte die Gespräche, die kommende Woche stattfinden sollen.",
    ):
        assert not could_report(text, "de" if text.startswith("Die") else "en"), text
        view_ = view(text)
        for label in ("exchange", "talks", "agreement", "total", "bodies"):
            drafts, _ = read_sentence(entry(label, "ukraine"), view_.segments[0], view_)
            assert drafts == [], (text, label)
    assert could_report("Ukraine and Russia exchanged 84 prisoners each on Thursday.", "en")
    assert could_report("The delegations agreed to swap 1,200 prisoners each.", "en")


def test_a_study_of_freed_prisoners_is_no_swap_and_a_confirmed_one_is_done() -> None:
    drafts, _ = ground(
        "Документ ґрунтується на інтерв'ю з 512 звільненими захисниками та захисницями.",
        entry("exchange", "ukraine"),
        language="uk",
    )
    assert drafts == []
    # "would" is about the identification; the repatriation was confirmed: done, not agreed.
    (draft,), _ = ground(
        "The headquarters confirmed the repatriation but spoke only of more than 1,200 bodies, "
        "adding that experts would now begin identifying them.",
        entry("bodies", "ukraine"),
    )
    assert draft.kind == "body_repatriation"
    assert [(c.value, c.qualifier) for c in draft.counts] == [(1200, "over")]
    # Living prisoners never become a swap on the "bodies" label alone.
    drafts, _ = ground(
        "Many Ukrainians are believed to remain in Russian captivity.", entry("bodies", "ukraine")
    )
    assert drafts == []


def test_stages_told_by_their_ordinal_day_are_one_swap_each() -> None:
    drafts, _ = ground(
        "В первый день стороны обменялись 390 на 390 человек, из них по 120 гражданских; во "
        "второй день домой вернулись по 307 военнослужащих, в третий — ещё по 303.",
        entry("exchange"),
        language="ru",
    )
    assert [[c.value for c in d.counts] for d in drafts] == [[390, 120], [307], [303]]
    assert [d.occasion for d in drafts] == [0, 1, 2]


def test_a_stage_counted_after_the_sentence_that_tells_the_swap_is_a_swap() -> None:
    text = (
        "Damit sind binnen drei Tagen auf jeder Seite tausend Menschen freigekommen. Am Freitag "
        "waren es je 390 Menschen gewesen; am Samstag folgten je 307 Soldaten. Unter den "
        "Ukrainern befanden sich damals 33 Soldaten und 51 Zivilisten."
    )
    article = view(text, EventDate(value="2025-05-25", precision="day"), "de")
    _, stages, breakdown = article.segments
    assert follows_a_swap(stages, article.segments)
    assert could_report(stages.text, "de", after_swap=True)
    assert not could_report(stages.text, "de")  # alone, no word of it tells a swap
    drafts, _ = read_sentence(entry("exchange"), stages, article)
    assert sorted((d.kind, d.date.value, [c.value for c in d.counts]) for d in drafts) == [
        ("prisoner_exchange", "2025-05-23", [390]),
        ("prisoner_exchange", "2025-05-24", [307]),
    ]
    # the sentence before the breakdown tells no swap of its own (no word of one)
    assert not follows_a_swap(breakdown, article.segments)
    # counted with neither a day nor "each": a breakdown told in passing, not a stage
    assert not could_report(breakdown.text, "de", after_swap=True)


def test_talks_not_known_to_happen_are_not_asked_about() -> None:
    for text, language in [
        ("Ob es eine vierte Runde gibt, ist offen.", "de"),
        ("The date of a fourth round of talks is unclear.", "en"),
        ("Пока неизвестно, когда пройдёт следующий раунд переговоров.", "ru"),
    ]:
        assert not could_report(text, language), text
    assert could_report("Die dritte Runde der Gespräche fand am Mittwoch statt.", "de")


def test_a_month_with_days_of_it_in_the_sentence_gives_way_to_the_days() -> None:
    drafts, _ = ground(
        "In June, Kyiv received 1,212 bodies on June 11 and another 1,245 on June 16.",
        entry("bodies"),
    )
    assert [(d.date.value, [c.value for c in d.counts]) for d in drafts] == [
        ("2025-06-11", [1212]),
        ("2025-06-16", [1245]),
    ]
    # a running total is as of the latest day it names
    (draft,), _ = ground(
        "Over three days in May each side freed 1,000 people in all, between May 23 and May 25.",
        entry("total"),
    )
    assert (draft.kind, draft.date.value) == ("cumulative_tally", "2025-05-25")


def test_a_date_told_as_the_day_a_deal_was_reached_is_the_deals() -> None:
    (draft,), _ = ground(
        "Обмін тілами відбувається відповідно до домовленостей, досягнутих у Стамбулі 2 червня.",
        entry("exchange"),
        language="uk",
    )
    assert (draft.kind, draft.date.value) == ("agreement", "2025-06-02")
    drafts, _ = ground(
        "The swap followed the agreements, reached in Istanbul on June 2.", entry("exchange")
    )
    assert [(d.kind, d.date.value) for d in drafts] == [("agreement", "2025-06-02")]


def test_stage_days_told_by_ordinal_are_dated_by_the_range_told_before_them() -> None:
    article = view(
        "Эта договорённость была выполнена за три дня, с 23 по 25 мая. В первый день стороны "
        "обменялись 390 на 390 человек; во второй день домой вернулись по 307 военнослужащих, "
        "в третий — ещё по 303.",
        EventDate(value="2025-06-03", precision="day"),
        "ru",
    )
    drafts, _ = read_sentence(entry("exchange"), article.segments[1], article)
    assert [(d.date.value, [c.value for c in d.counts]) for d in drafts] == [
        ("2025-05-23", [390]),
        ("2025-05-24", [307]),
        ("2025-05-25", [303]),
    ]
    # a range of another length says nothing of these days
    article = view(
        "The swaps ran from May 20 to May 25. On the first day each side freed 390 people; "
        "on the second, 307 soldiers each.",
        EventDate(value="2025-06-03", precision="day"),
    )
    drafts, _ = read_sentence(entry("exchange"), article.segments[1], article)
    assert [(d.date.value, [c.value for c in d.counts]) for d in drafts] == [
        (None, [390]),
        (None, [307]),
    ]


def test_what_took_place_in_a_clause_about_the_round_is_the_round() -> None:
    (draft,), _ = ground(
        "Porozumienie w sprawie wymiany tysiąca więźniów na tysiąc było jedynym rezultatem "
        "pierwszej rundy rozmów, która odbyła się 16 maja w Stambule.",
        entry("agreement+exchange"),
        language="pl",
        published=EventDate(value="2025-05-25", precision="day"),
    )
    assert (draft.kind, draft.date.value) == ("agreement", "2025-05-16")
    assert [(c.side, c.value) for c in draft.counts] == [("each_side", 1000)]
    # a swap that took place is still one
    drafts, _ = ground(
        "The exchange agreed in Istanbul took place on Sunday.", entry("agreement+exchange")
    )
    assert sorted(d.kind for d in drafts) == ["agreement", "prisoner_exchange"]
