"""Canonical names for parties, places and mediators (pure).

Articles and models name the same thing many ways ("Kyiv", "Kiev regime", "the Ukrainian
side"; "Türkiye", "Turkey"; "Стамбул", "Istanbul"). Merging compares canonical names, and a
small gazetteer says which places lie inside which, so that "Çırağan Palace" and "Istanbul" do
not contradict each other. Unknown names are kept, trimmed and compared case-insensitively.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

_PARTIES = {
    "Russia": [
        "russia", "russian federation", "moscow", "kremlin", "russian side", "the russian side",
        "russian", "russians", "россия", "росія", "российская федерация", "москва",
    ],
    "Ukraine": [
        "ukraine", "kyiv", "kiev", "kiev regime", "kyiv regime", "ukrainian side",
        "the ukrainian side", "ukrainian", "ukrainians", "украина", "україна", "киев", "київ",
    ],
    "Belarus": ["belarus", "беларусь", "белоруссия", "білорусь"],
    "United States": ["united states", "us", "u.s.", "usa", "u.s.a.", "america", "сша"],
}  # fmt: skip

_MEDIATORS = {
    # The host city stands for the host state when a model names it as the mediator.
    "Türkiye": ["türkiye", "turkiye", "turkey", "türkei", "турция", "туреччина"],
    "United Arab Emirates": [
        "united arab emirates", "uae", "u.a.e.", "emirates", "оаэ", "оае",
        "объединённые арабские эмираты", "объединенные арабские эмираты",
        "об'єднані арабські емірати",
    ],
    "Qatar": ["qatar", "катар"],
    "Saudi Arabia": ["saudi arabia", "саудовская аравия", "саудівська аравія"],
    "Vatican": ["vatican", "holy see", "ватикан"],
    "International Committee of the Red Cross": [
        "international committee of the red cross", "icrc", "red cross",
        "международный комитет красного креста", "міжнародний комітет червоного хреста",
        "міжнародного комітету червоного хреста",
    ],
    "United States": ["united states", "us", "u.s.", "usa"],
}  # fmt: skip

#: place -> the place that contains it.
_PLACE_PARENT = {
    "Dolmabahçe Palace": "Istanbul",
    "Çırağan Palace": "Istanbul",
    "Istanbul": "Türkiye",
    "Ankara": "Türkiye",
    "Antalya": "Türkiye",
    "Doha": "Qatar",
    "Abu Dhabi": "United Arab Emirates",
    "Riyadh": "Saudi Arabia",
    "Jeddah": "Saudi Arabia",
    "Geneva": "Switzerland",
    "Ukrainian-Belarusian border": "Belarus",
}
_PLACES = {
    "Dolmabahçe Palace": ["dolmabahçe palace", "dolmabahce palace", "dolmabahçe", "dolmabahce",
                          "долмабахче"],
    "Çırağan Palace": ["çırağan palace", "ciragan palace", "çırağan", "ciragan", "чыраган"],
    "Istanbul": ["istanbul", "İstanbul", "стамбул", "istanbul, turkey", "istanbul, türkiye"],
    "Türkiye": ["türkiye", "turkiye", "turkey", "турция", "туреччина"],
    "Ukrainian-Belarusian border": [
        "ukrainian-belarusian border", "ukraine-belarus border", "belarusian-ukrainian border",
        "ukraine-belarusian border", "border with belarus", "belarus-ukraine border",
        "украинско-белорусская граница", "українсько-білоруський кордон",
    ],
    "Belarus": ["belarus", "беларусь", "белоруссия", "білорусь", "belarusian territory"],
    "Qatar": ["qatar", "катар"],
    "Doha": ["doha", "доха"],
    "United Arab Emirates": ["united arab emirates", "uae", "оаэ"],
    "Abu Dhabi": ["abu dhabi", "абу-даби"],
    "Russia": ["russia", "россия", "росія"],
    "Ukraine": ["ukraine", "украина", "україна"],
    "Kyiv": ["kyiv", "kiev", "киев", "київ"],
    "Moscow": ["moscow", "москва"],
}  # fmt: skip


def _fold(name: str) -> str:
    name = unicodedata.normalize("NFKC", name).replace("\u2019", "'").strip().strip(".,;:")
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    return name.casefold()


@cache
def _index(table_name: str) -> dict[str, str]:
    table = {"parties": _PARTIES, "mediators": _MEDIATORS, "places": _PLACES}[table_name]
    return {
        _fold(alias): canonical
        for canonical, aliases in table.items()
        for alias in [canonical, *aliases]
    }


@lru_cache(maxsize=8192)
def _canonical(name: str, table: str) -> str:
    return _index(table).get(_fold(name), " ".join(name.split()))


def canonical_party(name: str) -> str:
    """The canonical name of a party ("Kiev regime" -> "Ukraine")."""
    return _canonical(name, "parties")


def canonical_mediator(name: str) -> str:
    """The canonical name of a mediator ("Turkey" -> "Türkiye")."""
    return _canonical(name, "mediators")


def canonical_place(name: str) -> str:
    """The canonical name of a place ("Стамбул" -> "Istanbul")."""
    return _canonical(name, "places")


@lru_cache(maxsize=4096)
def place_ancestors(place: str) -> tuple[str, ...]:
    """The canonical place followed by the places containing it, innermost first."""
    chain = [place]
    while chain[-1] in _PLACE_PARENT and len(chain) < 10:
        chain.append(_PLACE_PARENT[chain[-1]])
    return tuple(chain)


@lru_cache(maxsize=4096)
def places_compatible(a: str, b: str) -> bool:
    """Whether two places can be one event's place: equal, or one inside the other."""
    if _fold(a) == _fold(b):
        return True
    return b in place_ancestors(a) or a in place_ancestors(b)


def place_depth(place: str) -> int:
    """How deep a place is in the gazetteer (a palace is deeper than its city)."""
    return len(place_ancestors(place))


#: The two sides of the war: never a mediator.
PARTIES = frozenset({"Russia", "Ukraine"})
#: Places that stand for a side (its capital or its country), not where an event took place.
_PARTY_PLACES = frozenset({"Russia", "Ukraine", "Kyiv", "Moscow"})


def is_known_mediator(name: str) -> bool:
    """Whether a canonical name is one of the mediators the gazetteer knows."""
    return name in _MEDIATORS


def is_known_place(name: str) -> bool:
    """Whether a canonical name is one of the places the gazetteer knows."""
    return name in _PLACES or name in _PLACE_PARENT


def is_party_place(name: str) -> bool:
    """Whether a canonical place stands for a side of the war (its capital or country)."""
    return name in _PARTY_PLACES
