"""Figures read from the text: value, qualifier, category, per-side and nationality (pure).

A small model miscopies numbers, drops "about" and calls soldiers bodies. So a figure's value
must be written in the sentences an event cites, and its qualifier and category are read from
the words next to it; where the model and the text disagree, the text wins.

Numbers are read in digits with any thousands separator ("1,000", "1 000", "1.000"), with a
scale word ("1,2 тыс.", "1.2 thousand", "2,3 mil") and in words (text2num for en, fr, es,
pt, de, it; number-parser for ru, uk, pl, tr, ar and others). Dates, times, years, percentages,
ordinals, ages and amounts of money are not figures.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from summarizer.extraction.lexicon import (
    NATIONALITY,
    QUALIFIER_WORDS,
    month_words,
    pattern,
)
from summarizer.records import Category, Qualifier

if TYPE_CHECKING:
    from summarizer.extraction.dates import DateMention

_TEXT2NUM_LANGUAGES = {"en", "fr", "es", "pt", "de", "it", "nl", "da"}
_NUMBER_PARSER_LANGUAGES = {"ru", "uk", "pl", "tr", "ar", "bg", "cs", "sk", "hr", "sr", "ro"}

_SEPARATORS = ",.\u00a0\u202f\u2009 '’"
_NUMBER = re.compile(
    r"(?<![\w.,/:\-])"
    r"(?P<int>\d{1,3}(?:[,.\u00a0\u202f\u2009 '’]\d{3})+|\d+)"
    r"(?:(?P<dec>[.,]\d{1,2})(?!\d))?"
    r"(?:\s?(?P<scale>thousand|тыс\.?|тысяч\w*|тис\.?|тисяч\w*|tausend|mille|mil(?!\w)|"
    r"bin(?!\w)|ألف|آلاف|tys\.?|tysięc\w*|tysiąc\w*|mila))?",
    re.IGNORECASE,
)
_NUMBER_ANYWHERE = re.compile(
    _NUMBER.pattern.replace(r"(?<![\w.,/:\-])", r"(?<![\w.,/:])(?<!\d-)"), re.IGNORECASE
)
_SCALE_1000 = 1000
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_PERCENT = re.compile(
    r"^\s*(?:%|per ?cent|процент|відсот|prozent|pour ?cent|por ?ciento|por ?cento|"
    r"per ?cento|procent|بالمئة|في المئة)",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"^\s*(?:[$€£₴₽]|dollars?|euros?|usd|eur|rubles?|roubles?|hryvnias?|руб|грн|гривен|"
    r"долл|євро|евро|million|billion|млн|млрд|mln|mld|milliard|milliarden|millones|milioni)",
    re.IGNORECASE,
)
_TIME_OR_ORDINAL_AFTER = re.compile(
    r"^(?:[:.]\d|st\b|nd\b|rd\b|th\b|-?(?:й|я|е|го|му|ого|ий|а|ї|ше)\b|\.\s?(?=[a-zäöü]))",
    re.IGNORECASE,
)
_AGE_BEFORE = re.compile(
    r"(?<!\w)(?:aged|age of|ages of|under the age of|younger than|older than|в возрасте|"
    r"младше|старше|у віці|молодше|старше|im alter von|unter|âgés? de|de moins de|"
    r"menores de|mayores de|di età|sotto i|poniżej|w wieku|yaşındaki|yaş altı)\s*$",
    re.IGNORECASE,
)
_AGE_LIMIT = re.compile(
    r"(?:under|below|younger than|до|младше|молодше|unter|moins de|menores de|menos de|"
    r"sotto i|poniżej|altında)\s*$",
    re.IGNORECASE,
)
_AGE_AFTER = re.compile(
    r"^\s*(?:-?year-old|years? old|years? of age|лет\b|років\b|jahre alt|jährig|ans\b|"
    r"años\b|anos\b|anni\b|lat\b|yaş)",
    re.IGNORECASE,
)
_UNDER_BEFORE = re.compile(
    r"\b(?:under|below|younger than|до|младше|молодше|unter|moins de|menores de)\s*$", re.IGNORECASE
)
_CASUALTY = re.compile(
    r"\b(?:kill\w*|wound\w*|injur\w*|dead|died|casualt\w*|matando|mort[oa]s|ferid[oa]s|"
    r"погиб\w*|ранен\w*|убит\w*|загину\w*|поранен\w*|вбит\w*|getötet|verletzt\w*|tués?|"
    r"blessés?|muert[oa]s|herid[oa]s|mort[ie]|ferit[ie]|zabit\w*|rann\w*|öldü\w*|"
    r"yaral\w*|hayatını kaybet\w*|zginęł\w*|zginęli|zmarł\w*|morr\w*|murieron|fallecier\w*|"
    r"قتل\w*|جرح\w*|مقتل|مصرع|إصابة|جرحى)",
    re.IGNORECASE,
)
# "day 3", "round 2", "No. 5": the number names something, it counts nothing.
_LABEL_BEFORE = re.compile(
    r"\b(?:day|number|no\.|nr\.|№|round|stage|phase|part|page|article|paragraph|section|item|"
    r"point|chapter|episode|tranche|resolution|день|номер|раунд|этап|етап|пункт|статья|стаття|"
    r"tag|runde|phase|jour|tour|étape|día|ronda|etapa|giorno|turno|dzień|runda|gün|tur)\s*$",
    re.IGNORECASE,
)
_DURATION_AFTER = re.compile(
    r"^\s*(?:-?(?:hours?|minutes?|days?|weeks?|months?|years?|часов|часа|минут|дней|дня|"
    r"недел|месяц|лет|годин|хвилин|днів|тижн|місяц|років|stunden|minuten|tage|wochen|monate|"
    r"jahre|heures|minutes|jours|semaines|mois|ans|horas|minutos|días|semanas|meses|años|"
    r"dias|anos|ore|minuti|giorni|settimane|mesi|anni|godzin|minut|dni|tygodni|miesięcy|lat|"
    r"saat|dakika|gün|hafta|ay|yıl|ساعة|ساعات|دقيقة|يوم|أيام|أسبوع|شهر|سنة|سنوات))\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.;!?:()\[\]«»\"“”]|\s[—–-]\s")
_SENTENCE_PART_END = re.compile(r"[.;!?:()\[\]]|\s[—–-]\s")
_FOR_PAIR = re.compile(
    r"^\s*(?:[^\W\d]+\s+){0,2}(?:-?\s?(?:for|на|за|za|na|contre|contra|por|per|für|gegen|karşılık|مقابل|x|"
    r"['’]y?[ae])\s?-?\s*)(\d[\d,. ]*)",
    re.IGNORECASE,
)
_EACH_AFTER = re.compile(
    r"^\s*(?:[^\W\d]+\s+){0,2}(?:each|apiece|per side|on each side|from each side|"
    r"с каждой стороны|на каждую сторону|з кожного боку|з кожної сторони|pro seite|je seite|"
    r"de chaque côté|par camp|por cada lado|por bando|de cada lado|per parte|z każdej strony|"
    r"na stronę|من كل جانب|لكل طرف|لكل جانب|chacun|chacune|cada uno|cada una|cada um|"
    r"ciascuno|ciascuna|każdy|każda|jeweils)(?!\w)",
    re.IGNORECASE,
)
#: Turkish distributive suffix on a figure: "250'şer", "1.200'er" (each), not "1.000'e" (to).
_DISTRIBUTIVE = re.compile(r"['’](?:ş?[ae]r)(?!\w)", re.IGNORECASE)
_TURKISH_AFTER = {
    "over": re.compile(r"^'?\w{0,3}\s*(?:fazla|aşkın|üzerinde)", re.IGNORECASE),
    "about": re.compile(r"^'?\w{0,3}\s*civarında", re.IGNORECASE),
    "up_to": re.compile(r"^'?\w{0,3}\s*kadar", re.IGNORECASE),
}
#: Words before a figure that make it the people a study heard, not people set free.
_STUDIED = re.compile(
    r"(?<!\w)(?:interviews? with|interviewed|surveyed|testimon(?:y|ies) (?:of|from)|"
    r"интервью с|опросил\w*|опрошенн\w*|інтерв['’ʼ]ю з|опитал\w*|опитування|befragt\w*|"
    r"befragung|entretiens? avec|entrevistas? (?:con|com)|entrevist\w+|intervist\w+|"
    r"wywiad\w* z|ankiet\w*|ile görüş\w+|مقابلات مع)(?!\w)",
    re.IGNORECASE,
)
#: How many characters around a number are read for its words.
BEFORE_CHARS = 60
AFTER_CHARS = 70
#: Categories by precedence when several are named after one figure ("bodies of soldiers").
_CATEGORY_ORDER: tuple[Category, ...] = ("bodies", "civilians", "servicemen", "people")


@dataclass(frozen=True)
class Figure:
    """One number stated in a text, with what the words next to it say about it.

    Attributes:
        value: The number.
        text: The words it was read from (number and category word).
        start: Offset of the number in the text it was read from (numbers in words already
            turned into digits).
        end: Offset just past the number.
        qualifier: exact, or the approximation written before (or after) it.
        category: What it counts, or ``None`` when no category word goes with it.
        each_side: The text says each side got this many ("each side", "по 84", "X for X").
        nationality: ``russia``/``ukraine`` when a nationality word follows it ("248 Russian
            servicemen" were received by Russia).
        running_total: A running-total word is in its clause ("in total", "since 2022").
        studied: The words before it make it the people a study heard ("interviews with 512
            freed defenders"), not people set free.

    """

    value: int
    text: str
    start: int
    end: int
    qualifier: Qualifier
    category: Category | None
    each_side: bool
    nationality: str | None
    running_total: bool
    studied: bool = False


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u02bc", "'")


#: Plural scale words that count nothing exactly ("thousands of prisoners", "тысячи
#: пленных"): kept as words (the parsers read them as 1000). "две тысячи" is 2,000.
_VAGUE_PLURAL = re.compile(
    r"(?<!\d)(?<!\d\s)(?<!\d\u00a0)"
    r"(?<!два )(?<!две )(?<!три )(?<!четыре )(?<!дві )(?<!чотири )(?<!dwa )(?<!trzy )"
    r"(?<!cztery )"
    r"(?<!\w)(thousands|hundreds|dozens|тысячи|сотни|десятки|тисячі|сотні|тысяч|тисяч|"
    r"milliers|centaines|dizaines|miles|cientos|centenares|decenas|milhares|centenas|"
    r"dezenas|migliaia|centinaia|decine|tausende|hunderte|dutzende|tysiące|tysięcy|setki|"
    r"dziesiątki|binlerce|yüzlerce|onlarca|آلاف|مئات)(?!\w)",
    re.IGNORECASE,
)
_KEPT = "\u2063"  # an invisible separator no number parser reads


@lru_cache(maxsize=512)
def digits_for_words(text: str, language: str) -> str:
    """The text with numbers written in words turned into digits (other words unchanged)."""
    kept = _VAGUE_PLURAL.sub(lambda m: _KEPT.join(m.group(1)), _fold(text))
    return _parsed_numbers(kept, language).replace(_KEPT, "")


#: Polish "a thousand" on its own ("tysiąc za tysiąc", "po tysiąc", "wymiany tysiąca
#: więźniów"): number-parser has no Polish. "kilka tysięcy" (several thousand) stays words.
_POLISH_THOUSAND = re.compile(r"(?<!\d\s)(?<!\w)(?:tysiąc|tysiąca|tysiącu)(?!\w)", re.IGNORECASE)


def _parsed_numbers(text: str, language: str) -> str:
    if language == "pl":
        text = _POLISH_THOUSAND.sub("1000", text)
    try:
        if language in _TEXT2NUM_LANGUAGES:
            from text_to_num import alpha2digit

            return str(alpha2digit(text, language))
        if language in _NUMBER_PARSER_LANGUAGES:
            from number_parser import parse

            # number-parser's Ukrainian list spells the apostrophe as U+02BC.
            source = text.replace("'", "\u02bc") if language == "uk" else text
            converted = str(parse(source, language=language))
            return converted.replace("\u02bc", "'") if language == "uk" else converted
    except Exception:  # a parser bug on odd input must not lose the article's digits
        return text
    return text


def _value(match: re.Match[str]) -> int | None:
    whole = re.sub(r"[^\d]", "", match.group("int"))
    if not whole:
        return None
    value = int(whole)
    decimal = match.group("dec")
    if match.group("scale"):
        fraction = float("0." + decimal[1:]) if decimal else 0.0
        return round((value + fraction) * _SCALE_1000)
    return value


def _ends_with(pattern_text: str, before: str) -> bool:
    return re.search(rf"(?:^|\W)(?:{pattern_text})\s*$", before, re.IGNORECASE) is not None


@lru_cache(maxsize=16)
def _phrase_alternation(name: str) -> str:
    words = QUALIFIER_WORDS[name]
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_HANDED_OVER = re.compile(
    r"(?:hand|handed|hands|handing|turn|turned|turning|pass|passed|sign|signed|took|taken)\s+over\s*$",
    re.IGNORECASE,
)


def _qualifier(before: str, after: str, language: str) -> Qualifier:
    if language == "tr":
        for name, regex in _TURKISH_AFTER.items():
            if regex.search(after):
                return name  # type: ignore[return-value]
    for name in ("at_least", "over", "under", "up_to", "about"):
        if language == "tr" and name in ("under", "up_to"):
            continue  # Turkish writes these after the number
        if name == "over" and _HANDED_OVER.search(before):
            continue  # "handed over 270" is no approximation
        if _ends_with(_phrase_alternation(name), before):
            return name  # type: ignore[return-value]
    return "exact"


def _category(after: str, before: str) -> Category | None:
    window = _CLAUSE_END.split(after, maxsplit=1)[0]
    window = re.split(r"\d", window, maxsplit=1)[0]  # stop at the next number
    found = {c for c in _CATEGORY_ORDER if pattern(f"category:{c}").search(window)}
    # "the bodies of 1,212 (fallen soldiers)": the category word comes before the number.
    near_before = before[-30:]
    if "bodies" not in found and pattern("category:bodies").search(near_before):
        found.add("bodies")
    if {"people", "servicemen", "civilians"} <= found:
        return "people"  # "390 individuals, including both soldiers and civilians"
    for category in _CATEGORY_ORDER:
        if category in found:
            return category
    return None


#: "prisoners of war" is one noun: the nationality after it is the figure's too
#: ("31 prisioneros de guerra ucranianos"), while "soldiers from Russian captivity" is not.
_OF_WAR = re.compile(
    r"^(\s*[^\W\d]+)\s+(?:of\s+war|de\s+guerr[ae]|di\s+guerra|wojenn\w*)(?!\w)", re.IGNORECASE
)


#: "1,212 bodies of Ukrainian military", "les corps de 50 soldats": the noun's modifier.
_OF = re.compile(r"^(?:of|de|des|di|dei|degli|delle|der)$", re.IGNORECASE)
#: Words that may stand between "of" and a nationality ("bodies of fallen Russian soldiers").
_FALLEN = re.compile(
    r"^(?:fallen|perished|dead|killed|deceased|slain|gefallene[rn]?|getötete[rn]?|"
    r"soldats|militaires|caídos|muertos|caduti|mortos)$",
    re.IGNORECASE,
)


def _nationality(after: str) -> str | None:
    after = _OF_WAR.sub(r"\1", after, count=1)
    words = _CLAUSE_END.split(after, maxsplit=1)[0].split()
    head_words = words[:2]
    if len(words) > 2 and _OF.match(words[1]):
        # "bodies of Ukrainian military", "bodies of perished Russian soldiers"
        skip = 3 if len(words) > 3 and _FALLEN.match(words[2]) else 2
        head_words = [words[0], *words[skip : skip + 1]]
    head = " ".join(head_words)
    for side in NATIONALITY:
        if pattern(f"nationality:{side}").search(head):
            return side
    return None


def _clause_before(before: str) -> str:
    parts = _CLAUSE_END.split(before)
    return parts[-1] if parts else before


#: Words after which a year-like number is a year ("in 2000", "с 2014", "desde 2022").
_YEAR_BEFORE = re.compile(
    r"(?<!\w)(?:in|since|of|by|until|till|from|to|during|before|after|year|в|с|до|от|по|з|від|"
    r"у|im|seit|bis|von|vor|nach|jahr|en|depuis|desde|hasta|em|até|nel|dal|fino al|od|do|w|"
    r"yılı|سنة|عام|منذ)\s*$",
    re.IGNORECASE,
)


def _counts_right_after(before: str, after: str) -> bool:
    """Whether a year-like number counts people: "2000 askeri", "2000 prisoners".

    The word right after it is what it counts, and no date word comes just before it.
    """
    first = after.split(maxsplit=1)[0] if after.split() else ""
    return (
        after[:1].isspace()
        and _category(first, "") is not None
        and not _YEAR_BEFORE.search(before[-12:])
        and not month_words().search(before[-15:])
    )


def _is_not_a_figure(text: str, match: re.Match[str], value: int) -> bool:
    before, after = text[: match.start()], text[match.end() :]
    raw = match.group("int")
    if _YEAR.match(raw) and not match.group("scale") and not _counts_right_after(before, after):
        return True
    if _PERCENT.match(after) or _MONEY.match(after) or _TIME_OR_ORDINAL_AFTER.match(after):
        return True
    if re.search(r"[$€£₴₽#№]\s*$", before):
        return True
    if _AGE_BEFORE.search(before[-30:]) or _AGE_AFTER.match(after):
        return True

    if _DURATION_AFTER.match(after):
        return True
    head = " ".join(after.split()[:3])
    if _LABEL_BEFORE.search(before[-20:]) and _category(head, "") is None:
        return True
    # "captives under 25": an age limit, not a count (nothing counted follows it).
    if value < 30 and _UNDER_BEFORE.search(before[-12:]) and _category(head, "") is None:
        return True
    # "killing at least 12 people", "12 people were killed", "12 wounded": casualties, not
    # people set free. A count of soldiers or civilians ("31 wounded soldiers") or of bodies
    # stays.
    near_before = _CLAUSE_END.split(before[-25:])[-1]
    near_after = " ".join(_CLAUSE_END.split(after, maxsplit=1)[0].split()[:6])
    # "31 wounded Ukrainian prisoners of war", "22 wounded captives": freed, not casualties
    prisoners = pattern("exchange").search(near_after) is not None
    category = _category(near_after, "")
    # "12 people were killed", "12 Menschen wurden getötet": "killed" makes a count of the
    # dead, but of people killed, not of bodies handed over
    killed_people = (
        category == "bodies"
        and pattern("bodies").search(f"{near_before} {near_after}") is None
        and pattern("category:people").search(near_after) is not None
        and pattern("category:servicemen").search(near_after) is None
    )
    if (
        (category in (None, "people") or killed_people)
        and not prisoners
        and (_CASUALTY.search(near_before) or _CASUALTY.search(near_after))
    ):
        return True
    return _is_date_part(before, after)


def _is_date_part(before: str, after: str) -> bool:
    months = month_words()
    head = after[:16]
    tail = before[-16:]
    # "16 мая", "16. Mai", "May 16", "16 de junio", "le 2 juin"
    after_match = re.match(r"^\.?\s*(?:de\s+|of\s+)?(\S+)", head)
    if after_match and months.fullmatch(after_match.group(1).rstrip(".,;")):
        return True
    before_match = re.search(r"(\S+)\s*$", tail)
    return bool(before_match and months.fullmatch(before_match.group(1).rstrip(".,;")))


_DECIMAL_SCALE = re.compile(
    r"(?<![\d.,])(\d+)[.,](\d{1,2})\s?(thousand|тыс\.?|тысяч\w*|тис\.?|тисяч\w*|tausend|mille|"
    r"mil(?!\w)|bin(?!\w)|ألف|آلاف|tys\.?|tysięc\w*|tysiąc\w*|mila)",
    re.IGNORECASE,
)
#: "6 mil", "3 тысячи": made whole before the number words are read (text2num reads "6 mil"
#: as "6 1000").
_INTEGER_SCALE = re.compile(
    r"(?<![\d.,])(\d{1,3})\s?(?:thousand|тыс\.?|тысяч\w*|тис\.?|тисяч\w*|tausend|mille|"
    r"mil(?!\w)|bin(?!\w)|ألف|آلاف|tys\.?|tysięc\w*|tysiąc\w*|mila)(?!\w)",
    re.IGNORECASE,
)
#: "unos/unas" (es), "uns/umas" (pt) are "about", not "one": text2num would read them as 1.
_ABOUT_ARTICLES = re.compile(r"(?<!\w)(?:unos|unas|uns|umas)(?=\s)", re.IGNORECASE)
#: How far after a figure an "each side" phrase still belongs to it ("250 persons per side").
EACH_AFTER_CHARS = 45


def prepared_text(text: str, language: str) -> str:
    """Scaled decimals made whole ("1,2 тыс." -> "1200") and number words made digits."""
    text = _DECIMAL_SCALE.sub(
        lambda m: str(round((int(m.group(1)) + float("0." + m.group(2))) * _SCALE_1000)),
        _fold(text),
    )
    text = _INTEGER_SCALE.sub(lambda m: str(int(m.group(1)) * _SCALE_1000), text)
    if language in ("es", "pt"):
        text = _ABOUT_ARTICLES.sub("cerca de", text)
    return digits_for_words(text, language)


_EACH_VERB_BEFORE = re.compile(
    r"\beach\s+(?:(?:also|have|has|had|then)\s+)?(?:handed over|released|freed|returned|"
    r"exchanged|swapped|received|got back|repatriated|sent back|transferred)\s+"
    r"(?:(?:another|a further|some|about|around|over|nearly|almost|up to)\s+)?$",
    re.IGNORECASE,
)


def _each_side_numbers(text: str, numbers: list[tuple[int, int]]) -> set[int]:
    """Which numbers (by index) an "each side" phrase of their clause is about.

    A phrase right after a number is that number's ("1200 ... с каждой стороны", "250
    persons per side"); a phrase before numbers is theirs up to the end of the clause
    ("each side handed over 270 servicemen and 120 civilians").
    """
    marked: set[int] = set()
    for phrase in pattern("each_side").finditer(text):
        before = [
            i
            for i, (_, end) in enumerate(numbers)
            if end <= phrase.start()
            and not _CLAUSE_END.search(text[end : phrase.start()])
            and phrase.start() - end <= EACH_AFTER_CHARS
        ]
        if before:
            marked.add(before[-1])
            continue
        for i, (start, _) in enumerate(numbers):
            if start >= phrase.end() and not _CLAUSE_END.search(text[phrase.end() : start]):
                marked.add(i)
    for i, (start, end) in enumerate(numbers):
        if pattern("each_side_before").search(text[max(0, start - 20) : start]):
            marked.add(i)
        # "Russia and Ukraine each handed over 390", "both sides each freed 84"
        if _EACH_VERB_BEFORE.search(text[max(0, start - 40) : start]):
            marked.add(i)
        if _EACH_AFTER.match(text[end : end + AFTER_CHARS]) or _DISTRIBUTIVE.match(text, end):
            marked.add(i)
        # "84 for 84", "1,000-for-1,000": both numbers are each side's.
        if i + 1 < len(numbers):
            gap = text[end : numbers[i + 1][0]]
            if _for_pair_gap(gap) and re.sub(r"\D", "", text[start:end]) == re.sub(
                r"\D", "", text[numbers[i + 1][0] : numbers[i + 1][1]]
            ):
                marked.update({i, i + 1})
    return marked


def read_figures(text: str, language: str = "en") -> list[Figure]:
    """Every figure stated in ``text``, in order, with its words.

    Args:
        text: One or more sentences of an article.
        language: ISO 639-1 code (for numbers written in words and word order).

    Returns:
        The figures; dates, times, years, percentages, ordinals, ages, durations and money
        are left out.

    """
    converted = prepared_text(text, language)
    found = [
        (match, value)
        for match in _NUMBER_ANYWHERE.finditer(converted)
        if (value := _value(match)) is not None and not _is_not_a_figure(converted, match, value)
    ]
    each_side = _each_side_numbers(converted, [m.span() for m, _ in found])
    dated = _dates_in(converted) if found else []
    counts_from_a_date = any(opens for _, opens in dated)  # "since February 2022"
    # "In total, according to the ministry, ... 6,057 bodies": a sentence that opens with a
    # running-total word counts running totals throughout.
    opening = re.split(r"[,;:—–]", converted.lstrip(), maxsplit=1)[0]
    opens_with_total = len(opening) <= 30 and bool(pattern("running_total").match(opening))
    figures: list[Figure] = []
    for position, (match, value) in enumerate(found):
        before = converted[max(0, match.start() - BEFORE_CHARS) : match.start()]
        after = converted[match.end() : match.end() + AFTER_CHARS]
        category = _category(after, before)
        if category is None and value <= 60 and _AGE_LIMIT.search(before[-12:]):
            continue  # "prisoners under 25", "до 25 лет": an age limit, not a count
        clause = _clause_before(before)
        window = converted[max(0, match.start() - 40) : match.end() + 40]
        # "since June 11" makes a running total, but not of a figure with a day of its own
        # ("1,212 bodies on June 11 and another 1,245 on June 16, ... 6,057 since June 11").
        since = counts_from_a_date and not any(
            0 <= m.start - match.end() <= 24 and not opens for m, opens in dated
        )
        figures.append(
            Figure(
                value=value,
                text=converted[match.start() : match.end() + len(after.split(",")[0][:40])].strip(),
                start=match.start(),
                end=match.end(),
                qualifier=_qualifier(before, after, language),
                category=category,
                each_side=position in each_side,
                nationality=_nationality(after),
                running_total=opens_with_total
                or since
                or bool(pattern("running_total").search(clause + " " + window)),
                studied=_STUDIED.search(before[-30:]) is not None,
            )
        )
    return _paired_categories(_shared_categories(figures, converted), converted)


def _for_pair_gap(gap: str) -> bool:
    """Whether the words between two numbers pair them: "84 for 84", "1.000'e 1.000"."""
    return _FOR_PAIR.match(gap + "0") is not None


def _paired_categories(figures: list[Figure], text: str) -> list[Figure]:
    """An "X for X" pair with no category word after it counts what the words before say.

    "обмен пленными по формуле «1000 на 1000»", "a 1,000-for-1,000 prisoner swap": the pair
    is one swap's count; its category is the nearest category word before it, else people
    (bodies when the sentence is about bodies).
    """
    result = list(figures)
    for i in range(len(result) - 1):
        first, second = result[i], result[i + 1]
        if (
            first.category is not None
            or second.category is not None
            or first.value != second.value
            or not (first.each_side and second.each_side)
            or not _for_pair_gap(text[first.end : second.start])
        ):
            continue
        # the clause before the pair, quotes included ("по формуле «205 на 205»")
        before = _SENTENCE_PART_END.split(text[max(0, first.start - BEFORE_CHARS) : first.start])[
            -1
        ]
        named = [
            (match.start(), category)
            for category in _CATEGORY_ORDER
            for match in pattern(f"category:{category}").finditer(before)
        ]
        category: Category = max(named)[1] if named else "people"
        if pattern("bodies").search(text):
            category = "bodies"
        result[i] = replace(first, category=category)
        result[i + 1] = replace(second, category=category)
    return result


def _dates_in(text: str) -> list[tuple[DateMention, bool]]:
    """The text's date mentions, each with whether it opens a period ("since June 11")."""
    from summarizer.extraction.dates import find_dates, is_start_of_period

    return [(m, is_start_of_period(text, m)) for m in find_dates(text)]


_CONJUNCTION = re.compile(r"^\s*(?:,|and|or|і|и|й|та|und|oder|et|ou|y|e|o|i|ve|و|а также|—|-)?\s*$",
                          re.IGNORECASE)  # fmt: skip


def _shared_categories(figures: list[Figure], text: str) -> list[Figure]:
    """A figure without a category word shares that of its neighbour in a list.

    "27 and 51 bodies": the category after the last figure of a list is every figure's;
    "1,000 bodies ... and 19.": a figure that ends its clause takes the one before it.
    """
    result = list(figures)
    for i, figure in enumerate(result):
        if figure.category is not None:
            continue
        following = result[i + 1] if i + 1 < len(result) else None
        if (
            following is not None
            and following.category is not None
            and _CONJUNCTION.match(text[figure.end : following.start])
        ):
            result[i] = replace(figure, category=following.category)
            continue
        previous = next((f for f in reversed(result[:i]) if f.category is not None), None)
        rest = _CLAUSE_END.split(text[figure.end :], maxsplit=1)[0]
        if figure.each_side:
            rest = rest.split(",", 1)[0]  # "по 150 военнопленных, 19 марта — по 175, ..."
        # "1,000 bodies ... and received 19." (the figure ends its clause) — not "three of
        # them were women", which counts something else.
        if previous is not None and not re.search(r"[^\W\d_]{3,}", rest):
            result[i] = replace(figure, category=previous.category)
        elif (
            previous is not None
            and figure.running_total
            and all(f.category in (None, previous.category) for f in result)
        ):
            # "1,245 bodies on June 16, when Russia said it had handed over 6,057 in total":
            # a running total of what its sentence counts, when it counts one thing
            result[i] = replace(figure, category=previous.category)
    return result


def stated_values(text: str, language: str = "en") -> frozenset[int]:
    """The values of every figure ``text`` states (see :func:`read_figures`)."""
    return frozenset(f.value for f in read_figures(text, language))
