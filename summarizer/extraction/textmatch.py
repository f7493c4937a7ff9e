"""Pure text matching for grounding: normalised quote search and the numbers a text states."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUOTES = str.maketrans(
    {
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u2039": "'", "\u203a": "'", "`": "'", "\u00b4": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\u2026": "...",
    }
)  # fmt: skip
_SPACE_RE = re.compile(r"\s+")
_EDGE_CHARS = " \"'.,;:"

#: Shorter quotes prove nothing: almost any article contains them.
MIN_QUOTE_CHARS = 8


def normalise(text: str) -> str:
    """Fold the differences a faithful quote may still have.

    Unicode form, quote marks, dashes and whitespace are made uniform.

    Args:
        text: Any text.

    Returns:
        The text in NFKC form with typographic quotes and dashes made plain and runs of
        whitespace made one space.

    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE_RE.sub(" ", text).strip()


def _match_form(ch: str) -> str:
    """One character as matching sees it: NFKC, plain quotes and dashes, case folded.

    Double and single quote marks are one class: a model quoting “memorandum” as
    'memorandum' still quotes the article's words.
    """
    folded = unicodedata.normalize("NFKC", ch).translate(_QUOTES).casefold()
    return folded.replace('"', "'")


def _folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """The match form of ``text`` and, per output character, its index in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    previous_space = True
    for i, ch in enumerate(text):
        if ch.isspace():
            # One space per run, and none beside a dash: "a—b" and "a - b" match.
            if not previous_space and not (out and out[-1] == "-"):
                out.append(" ")
                offsets.append(i)
            previous_space = True
            continue
        previous_space = False
        for piece in _match_form(ch):
            if piece == "-" and out and out[-1] == " ":
                out.pop()
                offsets.pop()
            out.append(piece)
            offsets.append(i)
    return "".join(out), offsets


@lru_cache(maxsize=64)
def _folded_article(article: str) -> tuple[str, tuple[int, ...]]:
    folded, offsets = _folded_with_offsets(article)
    return folded, tuple(offsets)


def locate_quote(quote: str, article: str) -> str | None:
    """Find a quote in the article and return the article's own text of it.

    Matching ignores case, Unicode form, the kind of quote marks and dashes, whitespace runs
    and spaces beside dashes, and trims punctuation at the quote's edges; what it returns is
    the exact span of the article, so the evidence kept is verbatim.

    Args:
        quote: A quote the model gave.
        article: The article text.

    Returns:
        The article's span, or ``None`` when the quote is not in the article or is too short.

    """
    needle, _ = _folded_with_offsets(quote.strip())
    needle = needle.strip(_EDGE_CHARS)
    if len(needle) < MIN_QUOTE_CHARS:
        return None
    haystack, offsets = _folded_article(article)
    at = haystack.find(needle)
    if at < 0:
        return None
    return article[offsets[at] : offsets[at + len(needle) - 1] + 1]


def quote_problem(quote: str, article: str) -> str | None:
    """Say why ``quote`` is not verbatim evidence from the article, or ``None`` if it is.

    Args:
        quote: A quote the model gave.
        article: The article text.

    Returns:
        A short reason, or ``None`` when the quote occurs in the article.

    """
    if len(normalise(quote).strip(_EDGE_CHARS)) < MIN_QUOTE_CHARS:
        return "too short to be evidence"
    if locate_quote(quote, article) is None:
        return "not found verbatim in the article"
    return None


_DIGITS_RE = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:(?:,|\.|\u00a0|\u202f|\u2009| |')\d{3})+|\d+)(?!\d)"
)
_SCALED_RE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(thousand|tausend|mil|mille|тыс\w*|тис\w*|hundred|сотни|сотні)",
    re.IGNORECASE,
)
_SCALES = {"hundred": 100, "сотни": 100, "сотні": 100}

# Spelled-out numbers: English in full (compound forms), other common languages up to twelve.
_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "dozen": 12,
}  # fmt: skip
_EN_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_EN_MULT = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_OTHER_WORDS = {
    # Russian / Ukrainian
    "один": 1, "одна": 1, "два": 2, "две": 2, "дві": 2, "три": 3, "четыре": 4, "чотири": 4,
    "пять": 5, "п'ять": 5, "шесть": 6, "шість": 6, "семь": 7, "сім": 7, "восемь": 8,
    "вісім": 8, "девять": 9, "дев'ять": 9, "десять": 10, "двенадцать": 12, "дванадцять": 12,
    # German
    "eins": 1, "ein": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
    "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
    # Spanish / French
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "doce": 12, "un": 1, "une": 1, "deux": 2, "trois": 3,
    "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "douze": 12,
}  # fmt: skip
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def non_latin_words(text: str) -> list[str]:
    """Words of ``text`` written in a script other than Latin (Cyrillic, Arabic, ...).

    Used to check that fields meant to be English are: "Türkiye" and "Çırağan" pass,
    "Стамбул" does not.
    """
    words = []
    for word in _WORD_RE.findall(text):
        if any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in word):
            words.append(word)
    return words


def _parse_digits(token: str) -> int:
    return int(re.sub(r"\D", "", token))


def _english_runs(words: list[str]) -> set[int]:
    """Values of runs of English number words: 'two hundred and fifty' -> 250."""
    found: set[int] = set()
    total = current = 0
    in_run = False
    for word in [*words, ""]:
        if word in _EN_UNITS or word in _EN_TENS:
            current += _EN_UNITS.get(word, 0) + _EN_TENS.get(word, 0)
            in_run = True
            found.add(_EN_UNITS.get(word, 0) + _EN_TENS.get(word, 0))
        elif word in _EN_MULT and in_run:
            current = max(current, 1) * _EN_MULT[word]
            if _EN_MULT[word] >= 1000:
                total, current = total + current, 0
        elif word == "and" and in_run:
            continue
        else:
            if in_run:
                found.add(total + current)
            total = current = 0
            in_run = False
    return found


@lru_cache(maxsize=256)
def stated_numbers(text: str) -> frozenset[int]:
    """Every whole number the text states, in digits or in words.

    Digits may carry thousands separators ("1,000", "1 000", "1.000"); "2.3 thousand" counts
    as 2300; English number words are read in full ("two hundred and fifty"), and the numbers
    one to twelve in Russian, Ukrainian, German, Spanish and French.

    Args:
        text: An article.

    Returns:
        The set of numbers stated.

    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    found: set[int] = set()
    for match in _DIGITS_RE.finditer(text):
        found.add(_parse_digits(match.group(1)))
    for match in _SCALED_RE.finditer(text):
        number = float(match.group(1).replace(",", "."))
        scale = _SCALES.get(match.group(2).lower(), 1000)
        if (number * scale).is_integer():
            found.add(int(number * scale))
    words = [w.lower() for w in _WORD_RE.findall(text.replace("-", " "))]
    found |= _english_runs(words)
    found.update(_OTHER_WORDS[w] for w in words if w in _OTHER_WORDS)
    return frozenset(found)
