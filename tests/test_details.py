"""Places, mediators and round numbers read from the cited text by gazetteer."""

from __future__ import annotations

import pytest

from summarizer.extraction.details import find_mediators, find_place, find_round
from summarizer.extraction.lexicon import pattern


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("The third round took place at the Çırağan Palace in Istanbul.", "talks_round",
         "Çırağan Palace"),
        ("Переговоры прошли в Стамбуле.", "talks_round", "Istanbul"),
        ("Die Gespräche fanden im Dolmabahçe-Palast statt.", "talks_round", "Dolmabahçe Palace"),
        ("Swapped on the Ukrainian-Belarusian border.", "prisoner_exchange",
         "Ukrainian-Belarusian border"),
        ("обмін відбувся на білорусько-українському кордоні", "prisoner_exchange",
         "Ukrainian-Belarusian border"),
        # A city in a swap's sentence is where the deal was made, not where the swap was.
        ("The swap under the Istanbul agreements went ahead.", "prisoner_exchange", None),
        ("The talks in Kyiv and Moscow continued.", "talks_round", None),
    ],
)  # fmt: skip
def test_places_from_the_gazetteer(text: str, kind: str, expected: str | None) -> None:
    assert find_place(text, kind) == expected


def test_mediators_need_a_word_of_mediation_and_are_states_or_bodies() -> None:
    mediation = pattern("mediation")
    assert find_mediators(["The swap was mediated by the UAE."], mediation) == [
        "United Arab Emirates"
    ]
    assert find_mediators(["Посредником выступили Объединённые Арабские Эмираты."], mediation) == [
        "United Arab Emirates"
    ]
    assert find_mediators(["Talks hosted by Türkiye in Istanbul."], mediation) == ["Türkiye"]
    # Named without mediating; a city is never a mediator; a party is never one.
    assert find_mediators(["Turkish officials welcomed the swap."], mediation) == []
    assert find_mediators(["Mediated in Istanbul by Russia and Ukraine."], mediation) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the third round of peace talks", 3),
        ("At the second round, in Doha", 2),
        ("во втором раунде переговоров", 2),
        ("третій раунд переговорів", 3),
        ("die erste Runde der Gespräche", 1),
        ("la tercera ronda de negociaciones", 3),
        ("round 3 of the talks", 3),
        ("üçüncü tur görüşmeler", 3),
        ("the talks resumed", None),
    ],
)
def test_round_numbers_from_ordinals_next_to_the_word_for_a_round(
    text: str, expected: int | None
) -> None:
    assert find_round(text) == expected
