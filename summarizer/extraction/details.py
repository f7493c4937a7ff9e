"""Place, mediators, round number and who said it, read from the cited text (pure).

These are read by code from the sentences an event cites, in any of the tool's languages,
against small gazetteers: a place is one the gazetteer knows (never a side's capital), a
mediator is a state or body named in a sentence that speaks of mediation (never a party,
never a city), and a round number is an ordinal next to the word for a round. Who said it
(``claimed_by``) is not read yet: records leave it empty rather than guess.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

#: Canonical place -> pattern (stems in the tool's languages). Most specific first.
_PLACES: tuple[tuple[str, str], ...] = (
    ("Dolmabahçe Palace", r"dolmabah[çc]e|долмабахче|دولمة?\s?باهتشه|دولما"),
    ("Çırağan Palace", r"[çc][ıi]ra[ğg]an|чыраган|чираган|чіраган|جراغان|تشيراغان"),
    ("Istanbul", r"[iİ]stanbul|стамбул|estambul|istambul|stambu[łl]|إسطنبول|اسطنبول"),
    ("Ankara", r"ankar[aey]|анкар"),
    ("Antalya", r"antalya|анталь|анталі"),
    ("Doha", r"doha|доха|الدوحة"),
    ("Abu Dhabi", r"abu dhabi|абу-даби|абу-дабі|أبو ?ظبي"),
    ("Riyadh", r"riyadh|riad|эр-рияд|ер-ріяд|الرياض"),
    ("Jeddah", r"jeddah|джидд|جدة"),
    ("Geneva", r"geneva|genf|genève|ginebra|genebra|ginevra|genew|cenevre|женев|жеnev|جنيف"),
)
_BORDER = r"border|границ|кордон|grenz|frontière|frontera|fronteira|confine|granic|sınır|حدود"
_BELARUS = (
    r"belarus|беларус|белорус|білорус|weißruss|bélarus|biélorussie|bielorrusia|bielorrússia|"
    r"bielorussia|białoru|بيلاروس"
)
#: Canonical mediator -> pattern. States and bodies only: a city is not a mediator.
_MEDIATORS: tuple[tuple[str, str], ...] = (
    (
        "United Arab Emirates",
        r"united arab emirates|\buae\b|emirat|эмират|емірат|оаэ|оае|émirats|emiratos|emirados|"
        r"emirati|emiraty|birleşik arap emirlikleri|\bbae\b|الإمارات|الاماراتية|الإماراتية",
    ),
    (
        "Türkiye",
        r"turkey|türkiye|turkish|турци|туреччин|турецк|турецьк|türkei|türkisch|turquie|turc\b|"
        r"turque|turquía|turco|turquia|turchia|turca|turcj|tureck|تركيا|التركي",
    ),
    ("Qatar", r"qatar|катар|katar|قطر"),
    (
        "Saudi Arabia",
        r"saudi|саудовск|саудівськ|saudi-arabien|saoudite|saudita|saudyjsk|suudi|السعودي",
    ),
    ("Vatican", r"vatican|holy see|ватикан|vatikan|vaticano|watykan|الفاتيكان"),
    (
        "International Committee of the Red Cross",
        r"red cross|\bicrc\b|красн\w* крест|червон\w* хрест|roten kreuz|croix-rouge|cruz roja|"
        r"cruz vermelha|croce rossa|czerwon\w* krzy|kızılhaç|الصليب الأحمر|мккк|мкчх",
    ),
    (
        "United States",
        r"united states|\bu\.s\.(?!\w)|\busa\b|сша|états-unis|estados unidos|stati uniti|"
        r"stany zjednoczone|\babd\b|الولايات المتحدة|американ|americk|american",
    ),
)
_ROUND_WORD = (
    r"round|раунд|тур\b|тура|туре|runde|cycle|ronda|rodada|runda|rundzie|tur\b|turu|turda|"
    r"جولة|الجولة"
)
_ORDINALS: tuple[tuple[int, str], ...] = (
    (
        1,
        r"first|1st|перв\w*|перш\w*|erste\w*|premi[eè]re?|primer[ao]?|"
        r"primeira|prim[oa]|pierwsz\w*|birinci|ilk|الأولى|الاولى",
    ),
    (
        2,
        r"second|2nd|втор\w*|друг\w*|zweite\w*|deuxième|"
        r"seconde?|segund[ao]|second[oa]|drug\w*|ikinci|الثانية",
    ),
    (
        3,
        r"third|3rd|трет\w*|трет\w*|dritte\w*|troisième|"
        r"tercer[ao]?|terceir[ao]|terz[oa]|trzeci\w*|üçüncü|الثالثة",
    ),
    (
        4,
        r"fourth|4th|четв[её]рт\w*|четверт\w*|vierte\w*|"
        r"quatrième|cuart[ao]|quart[ao]|czwart\w*|dördüncü|الرابعة",
    ),
    (
        5,
        r"fifth|5th|пят\w*|п'ят\w*|fünfte\w*|"
        r"cinquième|quint[ao]|piąt\w*|beşinci|الخامسة",
    ),
)  # fmt: skip
_FLAGS = re.IGNORECASE


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u02bc", "'")


@cache
def _compiled(pattern_text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern_text})", _FLAGS)


def find_place(text: str, kind: str) -> str | None:
    """The place an event's sentences name, by the gazetteer; ``None`` if none.

    Swaps and handovers happen on the border; a city named in a swap's sentence is where
    talks or agreements were made ("under the Istanbul agreements"), so for those kinds only
    the border counts. Talks and agreements take the most specific known place.
    """
    text = _fold(text)
    if _compiled(_BORDER).search(text) and _compiled(_BELARUS).search(text):
        border = "Ukrainian-Belarusian border"
    else:
        border = None
    if kind in ("prisoner_exchange", "body_repatriation", "cumulative_tally"):
        return border
    for place, pattern_text in _PLACES:
        if _compiled(pattern_text).search(text):
            return place
    return None


def find_mediators(sentences: list[str], mediation: re.Pattern[str]) -> list[str]:
    """States and bodies named in a sentence that speaks of mediation, canonical and sorted.

    Args:
        sentences: The cited sentences.
        mediation: The pattern of mediation words (``lexicon.pattern("mediation")``).

    """
    found: set[str] = set()
    for sentence in sentences:
        folded = _fold(sentence)
        if not mediation.search(folded):
            continue
        for mediator, pattern_text in _MEDIATORS:
            if _compiled(pattern_text).search(folded):
                found.add(mediator)
    return sorted(found)


def find_round(text: str) -> int | None:
    """The round number of talks an ordinal next to the word for a round gives, if any."""
    folded = _fold(text)
    round_word = _compiled(_ROUND_WORD)
    for match in round_word.finditer(folded):
        window = folded[max(0, match.start() - 30) : match.end() + 25]
        digits = re.search(
            r"(?:round|runde|раунд|тур)\s*(?:no\.?|№|#)?\s*(\d)\b|(\d)\s*(?:-?[йяе]|\.)?\s*(?:"
            + _ROUND_WORD
            + ")",
            window,
            _FLAGS,
        )
        if digits:
            value = int(digits.group(1) or digits.group(2))
            if 1 <= value <= 20:
                return value
        for number, ordinal in _ORDINALS:
            if re.search(rf"(?<!\w)(?:{ordinal})(?!\w)", window, _FLAGS):
                return number
    return None
