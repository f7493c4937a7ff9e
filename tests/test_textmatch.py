from __future__ import annotations

import pytest

from summarizer.extraction.textmatch import locate_quote, normalise, quote_problem, stated_numbers

ARTICLE = (
    "Moscow and Kyiv have each handed over 390 individuals\u2014including both soldiers and "
    "civilians. Lavrov said Russia would present a \u201cmemorandum\u201d to Ukraine.\n\n"
    "The breakthrough deal was reached during a two-hour meeting in Turkey."
)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        (
            "each handed over 390 individuals\u2014including",
            "each handed over 390 individuals\u2014including",
        ),
        (
            "each handed over 390 individuals - including",
            "each handed over 390 individuals\u2014including",
        ),
        ("present a 'memorandum' to Ukraine", "present a \u201cmemorandum\u201d to Ukraine"),
        ('present a "memorandum" to Ukraine.', "present a \u201cmemorandum\u201d to Ukraine"),
        ("Two-hour meeting in Turkey", "two-hour meeting in Turkey"),
        ("deal was   reached\nduring", "deal was reached during"),
    ],
)
def test_locate_quote_returns_the_articles_own_span(quote: str, expected: str) -> None:
    assert locate_quote(quote, ARTICLE) == expected


@pytest.mark.parametrize(
    ("quote", "reason"),
    [
        ("each handed over 400 individuals", "not found verbatim in the article"),
        ("Moscow and Kyiv agreed", "not found verbatim in the article"),
        ("the", "too short to be evidence"),
        ("  '.'  ", "too short to be evidence"),
    ],
)
def test_quote_problem_names_the_reason(quote: str, reason: str) -> None:
    assert locate_quote(quote, ARTICLE) is None
    assert quote_problem(quote, ARTICLE) == reason


def test_normalise_folds_quotes_dashes_and_spaces() -> None:
    assert normalise("\u201cA\u201d \u2014  b\u00a0c\u2026") == '"A" - b c...'


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("about 2,300 servicemen", {2300}, {2, 300}),
        ("1,000-for-1,000 swap", {1000}, {1}),
        ("10 000 people and 1.000 Menschen", {10000, 1000}, set()),
        ("2,3 тыс. военных", {2300}, {3}),
        ("three rounds, up to three years", {3}, {4}),
        ("two hundred and fifty people", {250}, {200}),
        ("twenty-five soldiers", {25}, set()),
        ("a dozen civilians", {12}, set()),
        ("обменялись двумя... три пленных", {3}, set()),
        ("drei Gefangene und zwölf Zivilisten", {3, 12}, set()),
        ("on May 16, 2025 at 390 per side", {16, 2025, 390}, {162025}),
    ],
)
def test_stated_numbers(text: str, present: set[int], absent: set[int]) -> None:
    found = stated_numbers(text)
    assert present <= found
    assert not (absent & found)
