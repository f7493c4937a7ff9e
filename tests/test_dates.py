"""Dates found and resolved by code, in every input language; a year is never guessed."""

from __future__ import annotations

import pytest

from summarizer.extraction.dates import (
    find_dates,
    is_start_of_period,
    publication_date_in_text,
    resolve,
)
from summarizer.records import EventDate

THURSDAY = EventDate(value="2025-07-24", precision="day")
SUNDAY = EventDate(value="2025-08-24", precision="day")
UNKNOWN = EventDate()


def resolved(text: str, language: str, published: EventDate) -> list[str | None]:
    return [resolve(m, language, published).value for m in find_dates(text)]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "exchanged on Wednesday, July 23", ["2025-07-23", "2025-07-23"]),
        ("ru", "в среду, 23 июля", ["2025-07-23", "2025-07-23"]),
        ("uk", "у середу, 23 липня", ["2025-07-23", "2025-07-23"]),
        ("de", "am Mittwoch, dem 23. Juli", ["2025-07-23", "2025-07-23"]),
        ("fr", "mercredi 23 juillet", ["2025-07-23", "2025-07-23"]),
        ("es", "el miércoles 23 de julio", ["2025-07-23", "2025-07-23"]),
        ("pt", "na quarta-feira, 23 de julho", ["2025-07-23", "2025-07-23"]),
        ("it", "mercoledì 23 luglio", ["2025-07-23", "2025-07-23"]),
        ("pl", "w środę 23 lipca", ["2025-07-23", "2025-07-23"]),
        ("tr", "23 Temmuz Çarşamba günü", ["2025-07-23", "2025-07-23"]),
        ("ar", "يوم الأربعاء 23 يوليو", ["2025-07-23", "2025-07-23"]),
        ("en", "yesterday", ["2025-07-23"]),
        ("ru", "вчера", ["2025-07-23"]),
        ("en", "talks on May 16, 2025", ["2025-05-16"]),
        ("en", "in May 2025", ["2025-05"]),
        ("en", "on 24.05.2025", ["2025-05-24"]),
        # Curly apostrophes and the genitive of "last Friday" dateparser does not list.
        ("uk", "у п’ятницю", ["2025-07-18"]),
        ("uk", "переговорів у Стамбулі минулої п’ятниці", ["2025-07-18"]),
        ("ru", "с прошлой субботы", ["2025-07-19"]),
        ("tr", "üçüncü turu dün İstanbul'da", ["2025-07-23"]),
    ],
)
def test_date_words_resolve_against_the_publication_day(
    language: str, text: str, expected: list[str]
) -> None:
    assert resolved(text, language, THURSDAY) == expected


def test_a_weekday_is_the_latest_such_day_up_to_publication() -> None:
    assert resolved("on Sunday", "en", SUNDAY) == ["2025-08-24"]  # Sunday's paper: that Sunday
    assert resolved("on Saturday", "en", SUNDAY) == ["2025-08-23"]


def test_last_week_is_a_month_when_the_whole_week_lies_in_one() -> None:
    assert resolve(find_dates("last week")[0], "en", THURSDAY) == EventDate(
        value="2025-07", precision="month"
    )


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the first round in Istanbul nine days ago"),
        ("de", "bei der ersten Verhandlungsrunde in Istanbul vor neun Tagen"),
        ("ru", "девять дней назад"),
        ("uk", "9 днів тому"),
        ("fr", "il y a neuf jours"),
        ("es", "hace nueve días"),
        ("pt", "Há nove dias, as duas partes"),
        ("it", "nove giorni fa"),
        ("tr", "9 gün önce"),
    ],
)
def test_days_counted_back_from_publication_name_one_day(language: str, text: str) -> None:
    assert resolved(text, language, THURSDAY) == ["2025-07-15"]
    assert resolved(text, language, UNKNOWN) == [None]  # no year is guessed


def test_days_counted_back_by_a_vague_word_name_no_date() -> None:
    assert find_dates("a few days ago") == []
    assert find_dates("vor einigen Tagen") == []


def test_no_year_is_guessed_without_a_publication_date() -> None:
    assert resolved("on Wednesday, July 23, after talks on May 16, 2025", "en", UNKNOWN) == [
        None,
        None,
        "2025-05-16",
    ]


def test_month_names_need_a_day_or_a_year_and_abbreviations_a_dot() -> None:
    assert find_dates("The sides may meet again; they carried out 5 swaps.") == []
    assert [m.text for m in find_dates("on Jan. 3, 2024")] == ["Jan. 3, 2024"]


def test_a_date_that_opens_a_period_is_marked() -> None:
    text = "5,857 people have come home since February 2022"
    (mention,) = find_dates(text)
    assert is_start_of_period(text, mention)
    text = "з лютого 2022 року"
    assert is_start_of_period(text, find_dates(text)[0])
    text = "Moscou a rendu 6 057 corps à l'Ukraine depuis le 11 juin"
    assert is_start_of_period(text, find_dates(text)[0])
    text = "największą wymianą od początku pełnoskalowej inwazji Rosji w lutym 2022 roku"
    assert is_start_of_period(text, find_dates(text)[0])
    text = "the biggest swap since the start of the war; it took place in May 2025"
    assert not is_start_of_period(text, find_dates(text)[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date 2025-07-24 + ↺ − 16 px\n\nRussia and Ukraine ...", "2025-07-24"),
        ("24.07.2025, 14:05\nText", "2025-07-24"),
        ("Mis à jour le 2 juin 2025 à 18h12\nTexte", "2025-06-02"),
        ("Опубликовано: 16 мая 2025 года, 12:40\nТекст", "2025-05-16"),
        ("KYIV, May 24, 2025 (Agency) — Ukraine and Russia ...", "2025-05-24"),
        ("KYIV, May 24 (Agency) — Ukraine and Russia ...", None),
        (
            "Headline\n\nA long first paragraph that only late in its text, well after where a "
            "dateline would be, mentions 16 May 2025, so it holds no date line at all.",
            None,
        ),
    ],
)
def test_the_publication_date_is_read_from_a_date_line_at_the_top(
    text: str, expected: str | None
) -> None:
    assert publication_date_in_text(text, "en").value == expected


def test_a_sentence_states_the_year_of_its_dates_unless_it_opens_a_period() -> None:
    from summarizer.extraction.dates import sentence_year

    listed = (
        "Russia and Ukraine held three rounds of talks in 2025, on May 16, June 2, and July 23."
    )
    assert sentence_year(listed) == 2025
    assert sentence_year("Talks resumed in 2025 after being suspended since early 2022.") == 2025
    assert sentence_year("Some have been held since 2022.") is None
    assert sentence_year("Swaps in 2024 and 2025 freed hundreds.") is None  # two years: neither


def test_a_day_without_a_year_is_kept_as_month_and_day_never_given_one() -> None:
    from summarizer.extraction.dates import month_day

    assert month_day("May 16", "en") == "05-16"
    assert month_day("16 мая", "ru") == "05-16"
    assert month_day("February 29", "en") == "02-29"
    for not_a_day in ("May 2025", "May", "Wednesday", "the 5th", "May 16, 2025"):
        assert month_day(not_a_day, "en") is None, not_a_day


def test_portuguese_weekday_words_before_a_noun_are_ordinals() -> None:
    assert [m.text for m in find_dates("en la segunda ronda de las negociaciones")] == []
    assert [m.text for m in find_dates("A quinta etapa da troca")] == []
    assert [m.text for m in find_dates("na segunda-feira, 9 de junho")][:1] == ["segunda-feira"]
    assert [m.text for m in find_dates("nesta segunda (9), a Rússia")] == ["segunda"]
    assert [m.text for m in find_dates("na sexta, os dois países")] == ["sexta"]
