"""Figures read from the text: values in any notation, qualifiers, categories, per-side."""

from __future__ import annotations

import pytest

from summarizer.extraction.figures import read_figures


def one(text: str, language: str = "en") -> tuple[int, str, str | None, bool]:
    figures = read_figures(text, language)
    assert len(figures) == 1, figures
    f = figures[0]
    return f.value, f.qualifier, f.category, f.each_side


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "Each side handed over 270 servicemen.", (270, "exact", "servicemen", True)),
        ("en", "about 250 persons per side were exchanged", (250, "about", "people", True)),
        ("en", "over 1,000 Ukrainian soldiers came home", (1000, "over", "servicemen", False)),
        ("en", "the bodies of 6,057 fallen soldiers", (6057, "exact", "bodies", False)),
        ("en", "at least 1.2 thousand people", (1200, "at_least", "people", False)),
        ("ru", "обменялись по 84 военнопленных", (84, "exact", "servicemen", True)),
        ("ru", "вернулись около 1,2 тыс. человек", (1200, "about", "people", False)),
        ("ru", "свыше 2 300 военнослужащих", (2300, "over", "servicemen", False)),
        ("ru", "почти 5,9 тысячи человек", (5900, "under", "people", False)),
        ("uk", "повернулися двісті сорок шість захисників", (246, "exact", "servicemen", False)),
        ("uk", "понад 1200 цивільних", (1200, "over", "civilians", False)),
        ("de", "je 146 Kriegsgefangene", (146, "exact", "servicemen", True)),
        ("de", "rund 250 Menschen", (250, "about", "people", False)),
        ("fr", "plus de 6 000 corps", (6000, "over", "bodies", False)),
        ("es", "unos doscientos civiles", (200, "about", "civilians", False)),
        ("pt", "mais de 300 militares", (300, "over", "servicemen", False)),
        ("it", "almeno 1.200 prigionieri", (1200, "at_least", "people", False)),
        ("pl", "po 303 żołnierzy", (303, "exact", "servicemen", True)),
        ("tr", "250'den fazla asker", (250, "over", "servicemen", False)),
        ("ar", "أكثر من 200 جندي", (200, "over", "servicemen", False)),
    ],
)
def test_value_qualifier_category_and_per_side(
    language: str, text: str, expected: tuple[int, str, str | None, bool]
) -> None:
    assert one(text, language) == expected


def test_dates_times_years_ages_percentages_and_money_are_not_figures() -> None:
    text = (
        "On May 16, 2025 at 14:30, 25% of the detainees aged 25 and over, held for 3 years, "
        "cost $300 million; the 2nd round began."
    )
    assert read_figures(text, "en") == []


def test_a_year_like_number_followed_by_what_it_counts_is_a_count() -> None:
    cases = [
        ("Türkiye arabuluculuğunda 2000 askeri takas edildi.", "tr", [2000]),
        ("обмен 2000 военнопленных", "ru", [2000]),
        # a year is still a year after a date word or a month
        ("In 2022 prisoners were exchanged; since 2014 soldiers have been held.", "en", []),
        ("В 2022 году пленные вернулись домой, а с 2014 военные ждут обмена.", "ru", []),
    ]
    for text, language, expected in cases:
        assert [f.value for f in read_figures(text, language)] == expected, text


def test_handed_over_is_no_qualifier() -> None:
    assert one("each side handed over 270 servicemen")[1] == "exact"


def test_a_figure_without_its_own_category_word_shares_its_neighbours() -> None:
    figures = read_figures("Russia handed over 1,000 bodies and received 19.", "en")
    assert [(f.value, f.category) for f in figures] == [(1000, "bodies"), (19, "bodies")]
    figures = read_figures("Росія отримала 27 і 51 тіло відповідно.", "uk")
    assert [(f.value, f.category) for f in figures] == [(27, "bodies"), (51, "bodies")]


def test_nationality_beside_a_figure_names_who_received_it() -> None:
    figures = read_figures("Moscow got back 248 Russian POWs and Kyiv 230 Ukrainians.", "en")
    assert [(f.value, f.nationality) for f in figures] == [(248, "russia"), (230, "ukraine")]
    # "prisoners of war" is one noun; "from Russian captivity" says where, not whose.
    figures = read_figures(
        "devueltos 15 militares rusos heridos a cambio de 31 prisioneros de guerra ucranianos",
        "es",
    )
    assert [(f.value, f.nationality) for f in figures] == [(15, "russia"), (31, "ukraine")]
    figures = read_figures("307 soldiers from Russian captivity came home.", "en")
    assert [(f.value, f.nationality) for f in figures] == [(307, None)]
    # the nationality of an "of" modifier: "bodies of (fallen) Ukrainian soldiers"
    figures = read_figures(
        "handed over 1212 bodies of Ukrainian military and 6,000 bodies of fallen Russian "
        "soldiers, receiving 27 bodies of own soldiers",
        "en",
    )
    assert [(f.value, f.nationality) for f in figures] == [
        (1212, "ukraine"),
        (6000, "russia"),
        (27, None),
    ]


def test_an_each_side_phrase_belongs_to_its_own_figure() -> None:
    figures = read_figures(
        "обменять ещё до 1200 военнопленных с каждой стороны, а Россия пообещала передать "
        "Украине 3000 тел погибших",
        "ru",
    )
    assert [(f.value, f.each_side, f.qualifier, f.category) for f in figures] == [
        (1200, True, "up_to", "servicemen"),
        (3000, False, "exact", "bodies"),
    ]


def test_x_for_x_is_each_side() -> None:
    figures = read_figures("the 1,000-for-1,000 deal and a swap of 84 for 84 prisoners", "en")
    assert all(f.each_side for f in figures)


def test_an_each_side_figure_ending_its_list_item_shares_the_category_before_it() -> None:
    text = "5 февраля стороны передали друг другу по 150 военнопленных, 19 марта — по 175, при "
    text += "этом Украина получила 22 тяжелораненых военных."
    figures = read_figures(text, "ru")
    assert [(f.value, f.category) for f in figures] == [
        (150, "servicemen"), (175, "servicemen"), (22, "servicemen"),
    ]  # fmt: skip


def test_a_number_with_a_scale_word_is_whole_before_number_words_are_read() -> None:
    # text2num alone reads "6 mil" as "6 1000".
    figures = read_figures("acordaron transferir 6 mil cuerpos de militares muertos", "es")
    assert [(f.value, f.category) for f in figures] == [(6000, "bodies")]
    assert [f.value for f in read_figures("вернулись 3 тысячи пленных", "ru")] == [3000]


def test_since_makes_a_running_total_but_not_of_a_figure_with_its_own_day() -> None:
    text = (
        "In June, Kyiv received 1,212 bodies on June 11 and another 1,245 on June 16, when "
        "Russia said it had handed over 6,057 in total since June 11."
    )
    assert [(f.value, f.running_total) for f in read_figures(text, "en")] == [
        (1212, False), (1245, False), (6057, True),
    ]  # fmt: skip


def test_a_sentence_opening_with_a_running_total_word_counts_totals_throughout() -> None:
    text = (
        "Загалом, за даними Міноборони РФ, станом на 16 червня Україні передали 6057 тіл, "
        "а Росія отримала 78."
    )
    assert [(f.value, f.running_total) for f in read_figures(text, "uk")] == [
        (6057, True), (78, True),
    ]  # fmt: skip
    # Deeper in the sentence, "in total" is its own clause's only.
    text = "Russia got back 84 soldiers on Friday, bringing the number returned to 5,000 in total."
    assert [(f.value, f.running_total) for f in read_figures(text, "en")] == [
        (84, False), (5000, True),
    ]  # fmt: skip


def test_a_turkish_distributive_figure_is_each_sides() -> None:
    for text in ("iki tarafın da yaklaşık 250'şer askeri personeli teslim aldığını",
                 "tarafların 1.200'er savaş esirini daha takas etme konusunda uzlaştığını",
                 "146'şar esir serbest bırakıldı"):  # fmt: skip
        (figure,) = read_figures(text, "tr")
        assert figure.each_side, text
    # "1.000'e 1.000" is 1,000 for 1,000; a dative alone ("Kiev'e 300") is no pair.
    assert all(f.each_side for f in read_figures("1.000'e 1.000 esir takası", "tr"))
    assert not read_figures("Kiev'e 300 esir verdi", "tr")[0].each_side


def test_an_x_for_x_pair_counts_the_category_named_before_it() -> None:
    for text, language, category in [
        ("6 мая стороны обменялись военнопленными по формуле «205 на 205».", "ru", "servicemen"),
        ("Тогда делегации условились провести обмен по формуле «тысяча на тысячу».", "ru",
         "people"),
        ("the 1,000-for-1,000 swap agreed in Istanbul", "en", "people"),
        ("a promise to return bodies 6,000 for 6,000", "en", "bodies"),
    ]:  # fmt: skip
        figures = read_figures(text, language)
        assert [(f.each_side, f.category) for f in figures] == [(True, category)] * 2, text


def test_arabic_each_side_and_nationality_nouns_are_read() -> None:
    (total, each) = read_figures("شملت 492 أسير حرب، بواقع 246 أسيراً لكل جانب", "ar")
    assert (total.value, total.category, each.value, each.each_side, each.category) == (
        492, "servicemen", 246, True, "people",
    )  # fmt: skip
    figures = read_figures(
        "230 ucranianos volvieron a su patria, y Rusia recibió 248 militares", "es"
    )
    assert [(f.value, f.category) for f in figures] == [(230, "people"), (248, "servicemen")]
    # "russi" (it) is no stem of "Russie" (fr)
    (figure,) = read_figures("contre 78 reçus par la Russie", "fr")
    assert figure.category is None


def test_plural_scale_words_count_nothing_exactly() -> None:
    for text, language in [
        ("Thousands of Ukrainians are still held in Russia.", "en"),
        ("hundreds of prisoners", "en"),
        ("тысячи пленных остаются в России", "ru"),
        ("тисячі полонених", "uk"),
        ("miles de prisioneros", "es"),
        ("несколько тысяч пленных", "ru"),
    ]:
        assert read_figures(text, language) == [], text
    assert [f.value for f in read_figures("по 6 тысяч тел", "ru")] == [6000]
    assert [f.value for f in read_figures("one thousand prisoners", "en")] == [1000]


def test_the_people_a_study_heard_are_marked() -> None:
    (figure,) = read_figures(
        "Документ ґрунтується на інтерв'ю з 512 звільненими захисниками.", "uk"
    )
    assert figure.studied
    (figure,) = read_figures("The mission interviewed 57 Russian POWs held by Ukraine.", "en")
    assert figure.studied
    (figure,) = read_figures("Ukraine got back 84 soldiers on Thursday.", "en")
    assert not figure.studied


def test_each_after_the_figure_in_several_languages() -> None:
    for text, language in [
        ("un échange de 1 000 prisonniers chacun", "fr"),
        ("intercambiaron 246 militares cada uno", "es"),
        ("hanno liberato 84 prigionieri ciascuno", "it"),
    ]:
        (figure,) = read_figures(text, language)
        assert figure.each_side, text


def test_polish_a_thousand_on_its_own_is_1000_and_several_thousand_is_no_figure() -> None:
    cases = [
        ("Koniec wymiany „tysiąc za tysiąc”", [(1000, True), (1000, True)]),
        ("obie strony odzyskały po tysiąc swoich obywateli", [(1000, True)]),
        # "na" and "contra" pair two equal numbers: each side's
        ("wymiany tysiąca więźniów na tysiąc", [(1000, True), (1000, True)]),
        ("ponad tysiąc jeńców", [(1000, False)]),
        ("może przebywać jeszcze kilka tysięcy osób", []),
        ("około 8 tysięcy Ukraińców", [(8000, False)]),
    ]
    for text, expected in cases:
        assert [(f.value, f.each_side) for f in read_figures(text, "pl")] == expected, text
    figures = read_figures("canje de 1.000 prisioneros contra 1.000", "es")
    assert [(f.value, f.each_side) for f in figures] == [(1000, True), (1000, True)]


def test_people_killed_or_dead_are_casualties_in_every_language() -> None:
    for text, language in [
        ("12 people were killed in the strike", "en"),
        ("12 Menschen wurden getötet", "de"),
        ("Na froncie zginęło 5 osób", "pl"),
        ("مقتل 12 شخصا وإصابة 30", "ar"),
        ("morreram 12 pessoas", "pt"),
        ("murieron 12 personas", "es"),
    ]:
        assert read_figures(text, language) == [], text
    # bodies handed over stay counts, of the killed too
    for text in (
        "the bodies of 12 people killed in the strike were returned",
        "Ukraine received 1,000 killed soldiers",
    ):
        assert [f.category for f in read_figures(text, "en")] == ["bodies"], text
