"""Dates read and resolved by code, never guessed (pure).

The model is bad at years and at weekday arithmetic, so it only points at the words; code
finds date expressions in the text (day and month, month and year, numeric dates, weekdays,
"yesterday", "last week", in every input language, from dateparser's language data) and
resolves them with dateparser against the publication date. A year is never invented: a date
that needs a year the text and the publication date do not give is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache

from summarizer.extraction.figures import digits_for_words
from summarizer.records import EventDate

#: The languages whose month, weekday and relative-date words are looked for.
LANGUAGES = ("en", "ru", "uk", "de", "fr", "es", "pt", "it", "pl", "tr", "ar", "nl")
_MONTH_KEYS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE_DAYS = {"1 day ago", "0 day ago", "2 day ago", "1 week ago"}
_YEAR = r"(?:19|20)\d\d"
#: Lines at the top of an article that may carry its date line.
DATE_LINE_LINES = 4


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a text, with its character span."""

    start: int
    end: int
    text: str
    has_year: bool
    kind: str  # "absolute", "weekday" or "relative"


#: Three-letter month names that are whole words, not abbreviations.
_SHORT_MONTHS = {"may", "mai", "maj", "mei", "май", "мая"}
#: Four-letter weekday names that are whole words.
_SHORT_WEEKDAYS = {"cuma", "salı"}
#: Words dateparser lists as weekday forms that are everyday words ("серед": "among").
_NOT_WEEKDAYS = {"серед"}
#: Weekday forms dateparser does not list: the genitive of "last Friday" ("минулої п'ятниці",
#: "прошлой субботы").
_MORE_WEEKDAYS = {
    **dict.fromkeys(["понеділка", "понедельника"], 0),
    **dict.fromkeys(["вівторка", "вторника"], 1),
    **dict.fromkeys(["середи"], 2),
    **dict.fromkeys(["четверга"], 3),
    **dict.fromkeys(["п'ятниці", "пятницы"], 4),
    **dict.fromkeys(["суботи", "субботы"], 5),
    **dict.fromkeys(["неділі", "воскресенья"], 6),
}
#: Apostrophes that stand for one another in Ukrainian words ("п’ятницю", "п'ятницю").
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})
#: Relative words dateparser knows that name no day of their own.
_VAGUE = {"till date", "geçen gün", "اليوم السابق"}


def _locale_words(code: str, key: str) -> list[str]:
    from dateparser.languages.loader import default_loader

    return [w.lower() for w in default_loader.get_locale(code).info.get(key, [])]


def _words(keys: tuple[str, ...], languages: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Whole names and (dotted) abbreviations of months or weekdays in ``languages``."""
    short = _SHORT_MONTHS if keys == _MONTH_KEYS else _SHORT_WEEKDAYS
    full: set[str] = set()
    abbreviations: set[str] = set()
    for code in languages:
        for key in keys:
            for word in _locale_words(code, key):
                bare = word.rstrip(".")
                if bare in _NOT_WEEKDAYS:
                    continue
                if len(bare) >= 5 or bare in short or (len(bare) == 4 and keys == _MONTH_KEYS):
                    full.add(bare)
                elif len(bare) >= 3:
                    abbreviations.add(bare)
    return sorted(full, key=len, reverse=True), sorted(abbreviations, key=len, reverse=True)


@cache
def weekday_index() -> dict[str, int]:
    """Every weekday name (any form dateparser knows) -> 0 (Monday) .. 6."""
    index: dict[str, int] = {}
    for code in LANGUAGES:
        for number, key in enumerate(_WEEKDAY_KEYS):
            for word in _locale_words(code, key):
                index.setdefault(word.rstrip("."), number)
    for word, number in _MORE_WEEKDAYS.items():
        index.setdefault(word, number)
    return index


#: Relative day words shorter than four letters that are words, not abbreviations.
_SHORT_RELATIVE = {"dün"}


def _relative_words(languages: tuple[str, ...]) -> list[str]:
    from dateparser.languages.loader import default_loader

    found: set[str] = set()
    for code in languages:
        relative = default_loader.get_locale(code).info.get("relative-type", {})
        for key, words in relative.items():
            if key in _RELATIVE_DAYS:
                found.update(
                    w.lower()
                    for w in words
                    if (len(w) >= 4 or w in _SHORT_RELATIVE) and not w.isdigit() and w not in _VAGUE
                )
    return sorted(found, key=len, reverse=True)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in words)


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    month_names, month_abbreviations = _words(_MONTH_KEYS, LANGUAGES)
    months = _alternation(month_names)
    if month_abbreviations:
        months += "|" + "|".join(rf"{re.escape(a)}\." for a in month_abbreviations)
    weekday_names = sorted(
        {*_words(_WEEKDAY_KEYS, LANGUAGES)[0], *_MORE_WEEKDAYS}, key=len, reverse=True
    )
    weekdays = _alternation(weekday_names).replace("'", "['\u2019\u02bc]")
    month_names_only = _alternation(
        sorted({*month_names, *_MONTHS_AFTER_IN}, key=len, reverse=True)
    )
    relative = _alternation(_relative_words(LANGUAGES))
    day = r"\d{1,2}(?:st|nd|rd|th|-?го|-?е|\.|'?\w{0,3}(?=\s))?"  # before its month
    day_after = r"\d{1,2}(?:st|nd|rd|th)?"  # after its month: "July 23." ends a sentence
    of = r"(?:\s+(?:de|of|del|di|du|do|da))?"
    flags = re.IGNORECASE
    return [
        ("numeric", _NUMERIC),
        (
            "absolute",
            re.compile(
                rf"(?<![\w,.])(?:{day}{of}\s*(?:{months})(?:{of},?\s*{_YEAR})?|"
                rf"(?:{months})\s+{day_after}(?:,?\s*{_YEAR})?|"
                rf"(?:{months}){of}\s+{_YEAR})(?!\w)",
                flags,
            ),
        ),
        # "in May", "в мае", "im Juni": a month on its own, after a preposition.
        ("absolute", re.compile(rf"(?<!\w)(?:{_IN})\s+(?:{month_names_only})(?!\w)", flags)),
        ("weekday", re.compile(rf"(?<!\w)(?:{weekdays})(?!\w)", flags)),
        ("relative", _DAYS_AGO),
        ("relative", re.compile(rf"(?<!\w)(?:{relative})(?!\w)", flags)),
    ]


_NUMBER_WORD = r"(?:\d{1,2}|[^\W\d_]{3,12})"
#: "nine days ago", "vor zehn Tagen", "il y a neuf jours", "há dez dias": a day counted back
#: from the publication day.
_DAYS_AGO = re.compile(
    rf"(?<!\w)(?:{_NUMBER_WORD}\s+days?\s+ago|vor\s+{_NUMBER_WORD}\s+Tagen|"
    rf"{_NUMBER_WORD}\s+(?:дня|дней)\s+назад|{_NUMBER_WORD}\s+(?:дні|днів)\s+тому|"
    rf"il y a\s+{_NUMBER_WORD}\s+jours|hace\s+{_NUMBER_WORD}\s+días|"
    rf"há\s+{_NUMBER_WORD}\s+dias|{_NUMBER_WORD}\s+giorni\s+fa|{_NUMBER_WORD}\s+dni\s+temu|"
    rf"{_NUMBER_WORD}\s+gün\s+önce|قبل\s+{_NUMBER_WORD}\s+(?:أيام|يوما))(?!\w)",
    re.IGNORECASE,
)


@lru_cache(maxsize=256)
def _days_back(text: str, language: str) -> int | None:
    """How many days back "nine days ago" counts (digits or a number word), if it says."""
    base = datetime(2001, 1, 31)
    for words in (text, digits_for_words(text, language)):
        parsed = _parse(words, language, base)
        if parsed is not None and parsed[1] == "day" and 0 < (base.date() - parsed[0]).days < 60:
            return (base.date() - parsed[0]).days
    return None


_IN = r"in|im|в|во|у|en|em|a|ad|w|we|de|del|di|du|à|au"
#: Months after "in" where dateparser knows only the nominative and genitive forms.
_MONTHS_AFTER_IN = {
    **dict.fromkeys(["январе", "січні", "styczniu"], 1),
    **dict.fromkeys(["феврале", "лютому", "lutym"], 2),
    **dict.fromkeys(["марте", "березні", "marcu"], 3),
    **dict.fromkeys(["апреле", "квітні", "kwietniu"], 4),
    **dict.fromkeys(["мае", "травні", "maju"], 5),
    **dict.fromkeys(["июне", "червні", "czerwcu"], 6),
    **dict.fromkeys(["июле", "липні", "lipcu"], 7),
    **dict.fromkeys(["августе", "серпні", "sierpniu"], 8),
    **dict.fromkeys(["сентябре", "вересні", "wrześniu"], 9),
    **dict.fromkeys(["октябре", "жовтні", "październiku"], 10),
    **dict.fromkeys(["ноябре", "листопаді", "listopadzie"], 11),
    **dict.fromkeys(["декабре", "грудні", "grudniu"], 12),
}
_NUMERIC = re.compile(
    r"(?<![\w.])(?:(?P<y1>(?:19|20)\d\d)-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})|"
    r"(?P<d2>\d{1,2})[./](?P<m2>\d{1,2})[./](?P<y2>(?:19|20)\d\d))(?![\w])"
)
_SINCE = re.compile(
    r"(?:since|from|с|со|з|із|від|seit|depuis|desde|od|dal|dall'|dallo|dalla|منذ)\s+"
    r"(?:(?:the|le|el|o|il|dem|den)\s+)?$",
    re.IGNORECASE,
)
_SINCE_AFTER = re.compile(r"^'?\w{0,4}\s+(?:beri|bu yana|itibaren)", re.IGNORECASE)


def is_start_of_period(text: str, mention: DateMention) -> bool:
    """Whether a date opens a period ("since February 2022"): a start, never the event's date."""
    return bool(
        _SINCE.search(text[max(0, mention.start - 16) : mention.start])
        or _SINCE_AFTER.match(text[mention.end : mention.end + 24])
        or _SINCE_THE_START.search(text[max(0, mention.start - 80) : mention.start])
    )


#: "since the start of the full-scale invasion in February 2022": the date of what began it.
_SINCE_THE_START = re.compile(
    r"(?:since the (?:start|beginning|outbreak) of|с начала|со времени начала|з початку|"
    r"seit (?:beginn|anfang)|depuis le début|desde (?:el|o) (?:inicio|início|comienzo|começo)|"
    r"dall'inizio|od początku|başından (?:beri|bu yana)|منذ بداية)[^.;:()]{0,60}$",
    re.IGNORECASE,
)


#: Portuguese weekdays are ordinals ("segunda" = Monday and "second"): before a noun, the
#: ordinal ("a segunda ronda", "a quinta etapa"), not "segunda passada" or "segunda (9)".
_ORDINAL_NOT_WEEKDAY = re.compile(
    r"(?:segunda|terça|terca|quarta|quinta|sexta)\s+"
    r"(?!(?:passad|próxim|proxim|retrasad|de manhã|à noite|à tarde|pela|feira)\w*)[^\W\d_]",
    re.IGNORECASE,
)


def find_dates(text: str) -> list[DateMention]:
    """Date expressions in ``text``, in order, without overlaps (longest first)."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, regex in _patterns():
        for match in regex.finditer(text):
            span = match.span()
            if any(span[0] < e and s < span[1] for s, e in taken):
                continue
            piece = match.group(0)
            if kind == "weekday" and _ORDINAL_NOT_WEEKDAY.match(text, span[0]):
                continue  # "la segunda ronda", "quinta etapa": second, fifth
            if regex is _DAYS_AGO and all(_days_back(piece, code) is None for code in LANGUAGES):
                continue  # "a few days ago", "vor einigen Tagen": no day is named
            taken.append(span)
            found.append(
                DateMention(
                    span[0],
                    span[1],
                    piece,
                    re.search(_YEAR, piece) is not None,
                    "absolute" if kind == "numeric" else kind,
                )
            )
    return sorted(found, key=lambda d: d.start)


_STANDALONE_YEAR = re.compile(r"(?<![\d.,/-])(19[5-9]\d|20\d\d)(?![\d.,/-]\d)")
_PERIOD_OPENER = re.compile(
    r"(?:since|from|until|before|after|с|со|до|після|від|seit|bis|vor|depuis|avant|desde|"
    r"hasta|antes de|dal|fino al|prima del|od|do|przed)\s+(?:(?:early|late|mid-?|the end of|"
    r"начала|конца|кінця|початку)\s+)?$",
    re.IGNORECASE,
)


def sentence_year(text: str) -> int | None:
    """The one year a sentence states for what it tells ("in 2025, on May 16 ..."), if any.

    Years that open or close a period ("since 2022", "until 2024") are not the year of the
    sentence's dates; two different years leave it unknown.
    """
    years = {
        int(m.group(1))
        for m in _STANDALONE_YEAR.finditer(text)
        if not _PERIOD_OPENER.search(text[max(0, m.start() - 30) : m.start()])
    }
    return years.pop() if len(years) == 1 else None


def month_day(text: str, language: str) -> str | None:
    """``MM-DD`` of a day-and-month date written without a year ("May 16"), else None."""
    if _STANDALONE_YEAR.search(text) or not re.search(r"\d", text):
        return None
    # Read against two different bases (in a leap year, for "February 29"): a day and month
    # that the words state read the same; "the 5th" or "Wednesday" take the base's month.
    one = _parse(text, language, datetime(2000, 12, 31))
    two = _parse(text, language, datetime(2000, 6, 30))
    if (
        one is None
        or two is None
        or one[1] != "day"
        or (one[0].month, one[0].day) != (two[0].month, two[0].day)
    ):
        return None
    return f"{one[0].month:02d}-{one[0].day:02d}"


def _as_datetime(published: EventDate) -> datetime | None:
    if published.precision != "day" or not published.value:
        return None
    return datetime.combine(date.fromisoformat(published.value), datetime.min.time())


@lru_cache(maxsize=2048)
def names_a_day(mention: DateMention, language: str) -> bool:
    """Whether a relative date names one day ("yesterday", "вчера", "wczoraj"), not a week."""
    if mention.kind != "relative":
        return mention.kind in ("absolute", "weekday")
    if _DAYS_AGO.fullmatch(mention.text):
        return _days_back(mention.text, language) is not None
    base = datetime(2025, 1, 15)
    parsed = _parse(mention.text, language, base)
    return parsed is not None and parsed[1] == "day" and (base.date() - parsed[0]).days < 7


def _parse(text: str, language: str, base: datetime | None) -> tuple[date, str] | None:
    from dateparser.date import DateDataParser

    languages = [language] if language in LANGUAGES else []
    languages += [code for code in LANGUAGES if code not in languages]
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    cleaned = re.sub(r"(?<=\d)(?:st|nd|rd|th|-?го|-?е)\b", "", text)
    try:
        data = DateDataParser(languages=languages, settings=settings).get_date_data(cleaned)
    except Exception:  # dateparser rejects some inputs with errors of its own
        return None
    if data is None or data.date_obj is None:
        return None
    return data.date_obj.date(), str(data.period or "day")


def _numeric(text: str) -> date | None:
    match = _NUMERIC.fullmatch(text.strip())
    if match is None:
        return None
    year = int(match.group("y1") or match.group("y2"))
    month = int(match.group("m1") or match.group("m2"))
    day = int(match.group("d1") or match.group("d2"))
    try:
        return date(year, month, day)  # day first: the order of every language here but en-US
    except ValueError:
        return None


def day_date(value: date) -> EventDate:
    """A date of day precision."""
    return EventDate(value=value.isoformat(), precision="day")


def resolve(mention: DateMention, language: str, published: EventDate) -> EventDate:
    """Resolve a date expression against the publication date; unknown when it cannot be.

    A weekday is the latest such day up to the publication day ("on Sunday" in Sunday's
    paper is that Sunday); "last week" is a month when the whole of last week lies in one;
    a day and month without a year take the publication year (the latest such day up to the
    publication date, so "December 30" in a January paper is the year before); with no
    publication date, only a date that writes its year is known.

    Args:
        mention: The expression.
        language: The article's language.
        published: The article's publication date.

    Returns:
        The date at the precision the words give, or unknown.

    """
    numeric = _numeric(mention.text)
    if numeric is not None:
        return day_date(numeric)
    base = _as_datetime(published)
    if mention.kind == "weekday":
        if base is None:
            return EventDate()
        number = weekday_index().get(mention.text.lower().rstrip(".").translate(_APOSTROPHES))
        if number is None:
            return EventDate()
        return day_date(base.date() - timedelta(days=(base.weekday() - number) % 7))
    if mention.kind == "relative":
        if base is None:
            return EventDate()
        if _DAYS_AGO.fullmatch(mention.text):
            back = _days_back(mention.text, language)
            return EventDate() if back is None else day_date(base.date() - timedelta(days=back))
        parsed = _parse(mention.text, language, base)
        if parsed is None:
            return EventDate()
        when, period = parsed
        if period == "week" or (base.date() - when).days >= 7:
            monday = base.date() - timedelta(days=base.weekday() + 7)
            sunday = monday + timedelta(days=6)
            if monday.month != sunday.month:
                return EventDate()
            return EventDate(value=f"{monday.year:04d}-{monday.month:02d}", precision="month")
        return day_date(when)
    if not mention.has_year and not published.value:
        return EventDate()
    month = _MONTHS_AFTER_IN.get(mention.text.split()[-1].casefold())
    if month is not None and published.value:
        # "в мае" in an August paper: May of that year; in a February paper, of the year before.
        year = int(published.value[:4])
        if published.precision in ("day", "month") and month > int(published.value[5:7]):
            year -= 1
        return EventDate(value=f"{year:04d}-{month:02d}", precision="month")
    if base is None and not mention.has_year and published.value:
        # A publication year (or month) but no day: the year is known, the day is not.
        base = datetime(int(published.value[:4]), 12, 31)
    parsed = _parse(mention.text, language, base)
    if parsed is None:
        return EventDate()
    when, period = parsed
    if period == "year":
        return EventDate(value=f"{when.year:04d}", precision="year")
    if period == "month":
        return EventDate(value=f"{when.year:04d}-{when.month:02d}", precision="month")
    return day_date(when)


def publication_date_in_text(text: str, language: str) -> EventDate:
    """The date line or dateline at the top of an article, if it gives a full date with a year.

    Looks at the first few lines: a short line that is mostly a date ("24.07.2025, 14:05",
    "Published 16 May 2025", "date 2025-07-24"), or a date with a year at the very start of the
    first paragraph (a dateline, "KYIV, May 24, 2025 —").

    Returns:
        The publication date, or unknown.

    """
    lines = [line for line in text.split("\n") if line.strip()][:DATE_LINE_LINES]
    for line in lines:
        for mention in find_dates(line):
            if not mention.has_year or mention.kind != "absolute":
                continue
            short_line = len(line.strip()) <= 100
            at_start = mention.start <= 60
            if not (short_line or at_start):
                continue
            numeric = _numeric(mention.text)
            if numeric is not None:
                return day_date(numeric)
            parsed = _parse(mention.text, language, None)
            if parsed is None:
                continue
            when, period = parsed
            if period == "day" and re.search(r"\d{1,2}\D+\d{1,2}\D+\d{4}|\d{4}\D\d{1,2}\D\d{1,2}|"
                                             r"\d{1,2}\D{2,}\d{4}|\D\d{1,2},?\s+\d{4}",
                                             mention.text):  # fmt: skip
                return EventDate(value=when.isoformat(), precision="day")
            if period == "month":
                return EventDate(value=f"{when.year:04d}-{when.month:02d}", precision="month")
    return EventDate()
