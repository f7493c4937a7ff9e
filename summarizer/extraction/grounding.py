"""The model's label of a sentence, grounded in its text: what the words support is kept (pure).

The model only says which event a sentence reports (and, when the words do not say, who
received the people it counts); everything else is read from the sentence:

* evidence is the sentence's own text with its span (verbatim by construction); an event told
  only in a headline, a sub-heading or another non-prose line is dropped (after folding);
* the kind must be one the words can report (no bodies, no body repatriation);
* the figures are the numbers the sentence writes with a word saying what they count; their
  qualifier and category come from the words next to them, and "each side" or a
  nationality beside them decides the side before the model's answer does;
* the date is the sentence's own date words, resolved by code against the publication date
  (a year is never guessed; an event told as done is never dated after publication); a
  sentence listing several dated swaps is one event per date;
* place, mediators and round number are read from the text by gazetteer.

Every removal and every correction becomes a warning quoting at most :data:`QUOTE_CHARS`
characters of anything the model wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import get_args

from summarizer.extraction.dates import (
    DateMention,
    day_date,
    find_dates,
    is_start_of_period,
    names_a_day,
    resolve,
    sentence_year,
)
from summarizer.extraction.details import find_mediators, find_place, find_round
from summarizer.extraction.figures import Figure, prepared_text, read_figures
from summarizer.extraction.lexicon import mentions, pattern
from summarizer.extraction.segments import Segment
from summarizer.records import (
    Count,
    EventDate,
    EventKind,
    Label,
    SentenceAnswer,
    Side,
)

#: The most characters of model-written text quoted in a warning.
QUOTE_CHARS = 200
_SIDE_OF: dict[str, Side] = {
    "russia": "russia",
    "ukraine": "ukraine",
    "each_side": "each_side",
    "both_sides_total": "both_sides_total",
    "unknown": "unspecified",
}
_DATELINE_CHARS = 90


def short(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters (for warnings and re-asks)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class ArticleView:
    """What grounding needs to know of the article."""

    text: str
    language: str
    published: EventDate
    segments: tuple[Segment, ...]

    @property
    def dateline_end(self) -> int:
        """Offset where a dateline ("KYIV, May 24 (Agency) —") at the top of the text ends.

        The dateline's date is the day of the report, not of the event: never an event date.
        """
        for segment in self.segments:
            if not segment.is_prose:
                continue
            match = _DATELINE.match(segment.text)
            if match and find_dates(match.group(0)):
                return segment.start + match.end()
            return -1
        return -1


_DATELINE = re.compile(
    r"^\s*[^\W\d_][^\W\d_'’ .-]{1,30}(?:\s*/\s*[^\W\d_]+)?,\s[^\n]{3,50}?"
    r"(?:\s[—–-]{1,2}\s|\)\s*[—–-]*\s|/\s*[—–-]*\s|\.\s*[—–-]\s)"
)


@dataclass
class Draft:
    """An event read from the answer, grounded, before one article's reports are folded."""

    kind: EventKind
    segments: list[Segment]
    counts: list[Count]
    date: EventDate
    date_text: str | None
    location: str | None
    mediators: list[str]
    round_number: int | None
    claimed_by: str | None
    answer_index: int = 0
    notes: list[str] = field(default_factory=list)
    #: Set on the several events of one sentence that lists dated occasions.
    occasion: int | None = None
    #: Counts only a headline or sub-heading gave (folding drops one that prose contradicts).
    headline_counts: tuple[Count, ...] = ()

    @property
    def first(self) -> int:
        """Index of its first cited segment (article order)."""
        return min(s.index for s in self.segments)


def _checked_kind(
    kind: EventKind, text: str, figures: list[Figure], after_swap: bool = False
) -> EventKind | None:
    """The kind the words support: the model's, a corrected one, or ``None``.

    ``after_swap``: the sentence before tells a swap, so a sentence that only counts the
    people of a stage by its day or per side ("Am Samstag folgten je 307 Soldaten") tells
    one too ("Unter den Ukrainern befanden sich damals 33 Soldaten" does not).
    """
    bodies = mentions("bodies", text)
    counted = [f for f in figures if f.category is not None]
    living = [f for f in counted if f.category in _LIVING]
    stage = (
        after_swap
        and bool(living)
        and (
            any(f.each_side for f in living) or any(m.kind != "relative" for m in find_dates(text))
        )
    )
    if kind != "talks_round" and counted and all(f.studied for f in counted):
        return None  # "interviews with 512 freed defenders": a study's sample, no swap
    if kind == "body_repatriation" and not bodies:
        # living people, then, if the words tell a swap of them
        return _checked_kind("prisoner_exchange", text, figures, after_swap)
    if (
        kind in ("prisoner_exchange", "body_repatriation")
        and counted
        and all(f.running_total for f in counted)
    ):
        # "1,000 each in three stages", "5,857 since 2022"; not "1,200 testimonies of former
        # prisoners in all", "206 deaths in custody since 2022": none of them came back.
        return "cumulative_tally" if mentions("swapped", text) or bodies else None
    if kind == "prisoner_exchange":
        if counted and all(f.category == "bodies" for f in counted):
            return "body_repatriation"
        if not mentions("exchange", text) and not stage:
            return "body_repatriation" if bodies else None
        if not mentions("swapped", text) and not stage:
            # Prisoners named or counted ("interviewed 57 Russian POWs held by Ukraine"),
            # no swap or return told.
            return None
    if kind == "talks_round":
        if not mentions("talks", text):
            return "agreement" if mentions("agreement", text) else None
        if mentions("uncertain", text) and not mentions("completed", text):
            return None  # talks expected, planned or talked about, not held
    if kind == "agreement" and not mentions("agreement", text):
        return None
    if kind == "cumulative_tally":
        if not mentions("swapped", text) and not bodies:
            return None  # a count of the missing or the interviewed is no running total
        if not mentions("running_total", text) and not any(f.running_total for f in counted):
            return "prisoner_exchange" if mentions("exchange", text) and counted else None
    return kind


_LIVING = ("servicemen", "civilians", "people")


def _prose_before(segment: Segment, segments: Sequence[Segment]) -> Segment | None:
    """The segment right before ``segment`` when it is prose (segments are numbered from 1)."""
    before = segments[segment.index - 2] if segment.index >= 2 else None
    return before if before is not None and before.is_prose else None


def follows_a_swap(segment: Segment, segments: Sequence[Segment]) -> bool:
    """Whether the prose sentence right before ``segment`` in its paragraph tells a swap.

    "Damit sind ... tausend Menschen freigekommen. Am Freitag waren es je 390 Menschen": the
    second counts a stage of the swap the first tells.
    """
    before = _prose_before(segment, segments)
    return (
        before is not None
        and before.paragraph == segment.paragraph
        and mentions("exchange", before.text)
        and mentions("swapped", before.text)
    )


#: "... the first round, which took place on May 16": what took place is the round, so the
#: words tell no handover done ("Porozumienie w sprawie wymiany ... rundy, która odbyła się").
_HELD_CLAUSE = re.compile(
    r"(?<!\w)(?:which|that|która|który|które|который|которая|которые|що|яка|який|qui|que|che)"
    r"\s+(?:took place|was held|were held|odbyła się|odbył się|odbyły się|состоялся|состоялась|"
    r"состоялись|прошёл|прошел|прошла|відбувся|відбулася|відбулися|a eu lieu|ont eu lieu|"
    r"tuvo lugar|se celebró|ocorreu|se realizou|si è svolto|si è svolta)(?!\w)",
    re.IGNORECASE,
)


def _kinds_told(said: list[EventKind], text: str, figures: list[Figure]) -> list[EventKind]:
    """What the words make of the model's kinds: agreed or done, told in passing.

    "The sides agreed to swap 1,200 each": agreed, not done, so an agreement; with words of
    a swap done as well ("exchanged 84 each under the deal agreed in Istanbul") both, and so
    when the model said agreement of a sentence that tells a handover done. A running total
    told beside the figures of one swap is both. A round of talks named by its number ("on
    the day of the third round of talks") is one.
    """
    kinds = list(said)
    done = mentions("completed", _HELD_CLAUSE.sub(" ", text))
    counted = [f for f in figures if f.category is not None]
    for kind in ("prisoner_exchange", "body_repatriation"):
        if kind in kinds and mentions("agreement", text):
            if "agreement" not in kinds:
                kinds.append("agreement")
            if not done:
                kinds.remove(kind)
    if kinds == ["agreement"] and done and counted and mentions("swapped", text):
        kinds.append("body_repatriation" if mentions("bodies", text) else "prisoner_exchange")
    running = [f.running_total for f in counted]
    if "cumulative_tally" in kinds and len(kinds) == 1:
        if any(running) and not all(running):
            bodies = all(f.category == "bodies" for f in counted if not f.running_total)
            kinds.append("body_repatriation" if bodies else "prisoner_exchange")
    elif (
        any(k in _HANDOVERS for k in kinds)
        and "cumulative_tally" not in kinds
        and any(running)
        and not all(running)
    ):
        # "1,245 on June 16, when Russia said it had handed over 6,057 in total": both
        kinds.append("cumulative_tally")
    if kinds and "talks_round" not in kinds and mentions("talks", text) and find_round(text):
        kinds.append("talks_round")
    return kinds


_HANDOVERS = ("prisoner_exchange", "body_repatriation")
#: A German infinitive with "zu" ("zu übergeben", "auszutauschen") tells no handover done.
_ZU = re.compile(r"(?<!\w)(?:zu\s+\w+en|\w+zu\w+en)(?!\w)", re.IGNORECASE)


def _intended(kinds: list[EventKind], text: str, figures: list[Figure]) -> bool:
    """Whether a swap or handover the sentence counts was agreed or pledged, not done.

    "Both sides want to swap another 1,200 each", "Moscow pledged to return the bodies of
    6,000": no word of it done, and a word of a deal or of intent (checked after the kinds
    are, so a running total read as a swap is caught too).
    """
    if not any(k in _HANDOVERS for k in kinds) or mentions("completed", _ZU.sub("", text)):
        return False
    counts = any(f.category is not None for f in figures)
    return mentions("agreement", text) or (counts and mentions("intended", text))


#: "..., a day after the two sides freed 390 apiece": what follows is another day's event.
_ANOTHER_DAY = re.compile(
    r"(?<!\w)(?:(?:a|one|two|three|\d+)\s+(?:day|days|week|weeks)\s+(?:after|before|earlier)|"
    r"the day (?:after|before)|(?:днём|днем|за день|на следующий день|через день)\s+(?:после|до)|"
    r"накануне|(?:за день|наступного дня|через день)\s+(?:після|до)|напередодні|"
    r"(?:einen|einem) tag (?:nach|vor|nachdem|bevor)|am vortag|tags zuvor|la veille|"
    r"au lendemain|un jour (?:après|avant)|un día (?:después|antes)|la víspera|"
    r"um dia (?:depois|antes)|na véspera|(?:il|un) giorno (?:dopo|prima)|"
    r"dzień (?:po|przed|wcześniej)|bir gün (?:önce|sonra))(?!\w)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]«»\"“”]|\s[—–-]\s")


def _of_another_day(text: str, figure: Figure) -> bool:
    """Whether the clause a figure is in is introduced as another day's ("a day after ...")."""
    clause = _CLAUSE_BREAK.split(text[: figure.start])[-1]
    return _ANOTHER_DAY.search(clause) is not None


def needs_recipient(text: str, language: str) -> bool:
    """Whether a sentence counts people whose receiver its words do not say (ask the model).

    A figure's receiver is said by "each side", a nationality ("248 Russian servicemen") or
    the words around it ("Kyiv got back 1,212 bodies"): the model's answer would go unused.
    """
    prepared = prepared_text(text, language)  # the figures' positions are in it
    return any(
        f.category is not None
        and not f.each_side
        and not f.nationality
        and stated_receiver(prepared, f) is None
        for f in read_figures(text, language)
    )


_RU = (
    r"(?:Russia|Moscow|(?:the )?Russian side|Россия|Москва|российская сторона|Росія|російська "
    r"сторона|Russland|Moskau|Russie|Moscou|Rusia|Moscú|Rússia|Mosca|Rosja|Moskwa|"
    r"Rusya|Moskova|روسيا|موسكو)"
)
_UA = (
    r"(?:Ukraine|Kyiv|Kiev|(?:the )?Ukrainian side|Украина|Киев|украинская сторона|Україна|Київ|"
    r"українська сторона|Kiew|Ucrania|Ucrânia|Ucraina|Ukraina|Kijów|Ukrayna|أوكرانيا|كييف)"
)
#: The parties in the dative: "России передали", "Україні повернули", "Киеву переданы".
_RU_TO = r"(?:России|Росії|Москве|Москві|российской стороне|Російській стороні)"
_UA_TO = r"(?:Украине|Україні|Киеву|Києву|украинской стороне|Українській стороні)"
_RECEIVE = (
    r"(?:has\s+|have\s+|had\s+)?(?:also\s+)?(?:recovered|received|got back|secured the return "
    r"of|brought (?:back|home)|получила|получил|вернула себе|отримала|повернула собі|"
    r"вернула из (?:\w+\s+)?плена|повернула з (?:\w+\s+)?полону|повернула додому|a reçu|"
    r"ont reçu|a récupéré|recibió|ha recibido|recuperó|recebeu|recuperou|ha ricevuto|"
    r"ha recuperato|otrzymała|odzyskała|erhielt|bekam|teslim aldı|تسلمت|استلمت)(?!\w)"
)
_TO = (
    r"(?:returned|handed over|transferred|repatriated|brought back|sent back|вернули|передали|"
    r"передано|повернули)"
)
_GIVEN = (
    r"(?:передали|передано|передана|переданы|передан|передала|передал|вернули|вернула|"
    r"возвращены|повернули|повернула|повернуто)"
)
_RECEIVER_BEFORE = {
    side: [
        # "Russia has recovered", "Російська сторона, своєю чергою, отримала"
        re.compile(
            rf"\b{party}(?:\s*,[^,.;:]{{1,40}},)?\s+{_RECEIVE}(?P<tail>[^.;:]*)$", re.IGNORECASE
        ),
        # "Російській стороні, як зазначили у штабі, передали тіла 19"
        re.compile(rf"\b{dative}[\s,]+(?:[^.;:]{{0,50}}?\s)?{_GIVEN}(?P<tail>[^.;:]*)$"),
        # "Россия передала Украине 1000 тел"
        re.compile(rf"{_GIVEN}\s+{dative}(?P<tail>[^.;:]*)$"),
    ]
    for side, party, dative in (("russia", _RU, _RU_TO), ("ukraine", _UA, _UA_TO))
}
#: "transferred to Ukrainian side the bodies of 1245", "to Ukraine were transferred 6057
#: bodies": the party the people went to, named before the figure.
_TO_BEFORE = {
    side: re.compile(
        rf"(?:{_TO}\s+(?:home\s+)?to\s+{party}|\bto\s+{party}\s+(?:(?:were|was|have been|has "
        rf"been|are|is)\s+)?{_TO})(?P<tail>[^.;:]*)$",
        re.IGNORECASE,
    )
    for side, party in (("russia", _RU), ("ukraine", _UA))
}
#: "From the Kiev side to us are returned the bodies of 51", "от украинской стороны
#: переданы тела": the party that gave them, named before a passive verb.
_FROM_SIDE = {
    side: re.compile(
        rf"(?:\bfrom\s+(?:the\s+)?{party}(?:\s+side)?(?!['’\w])[^.;:]{{0,30}}?\b(?:are|is|were|"
        rf"was|have been|has been)\s+{_TO}|\b(?:от|с|від|з боку)\s+{genitive}[^.;:]{{0,30}}?"
        rf"(?:возвращены|переданы|передано|повернуто|повернули|передали))"
        rf"(?P<tail>[^.;:]*)$",
        re.IGNORECASE,
    )
    for side, party, genitive in (
        ("ukraine", _RU, r"(?:российской стороны|России|Москвы|російської сторони|Росії)"),
        ("russia", _UA, r"(?:украинской стороны|Украины|Киева|української сторони|України)"),
    )
}
#: "Russia said it had handed over 6,057", "Россия передала 1000 тел": who gave them, so the
#: other side received them ("returned" is not among the verbs: "Ukraine returned 84 of its
#: soldiers home" is Ukraine's).
_GIVE = (
    r"(?:handed over|handed back|gave back|transferred|передала|передали|передал|передало|"
    r"übergab|übergaben|übergeben|a remis|ont remis|entregó|entregaron|entregou|entregaram|"
    r"ha consegnato|hanno consegnato|przekazała|przekazali|przekazało)"
)
#: Words that may stand between the giver and its verb: "Russia said it had handed over".
_SAID_IT = (
    r"(?:said|says|announced|reported|stated|confirmed|that|it|they|has|have|had|also|then|"
    r"again|already|thus|ainsi|a|ont|hat|haben|hatte|bereits|auch|также|уже|ещё|вновь|снова)"
)
_GIVER_BEFORE = {
    receiver: re.compile(
        rf"(?<!\bto )\b{party}(?:\s+{_SAID_IT}){{0,4}}\s+{_GIVE}(?!\w)(?P<tail>[^.;:]*)$",
        re.IGNORECASE,
    )
    for receiver, party in (("ukraine", _RU), ("russia", _UA))
}
#: "to Ukraine were transferred 6057 bodies, to Russia — 78 bodies": the verb left out.
_TO_ELLIPTIC = {
    side: re.compile(rf"{_TO}[^.;:]*\bto\s+{party}\s*(?:[—–-]\s*)?(?P<tail>)$", re.IGNORECASE)
    for side, party in (("russia", _RU), ("ukraine", _UA))
}
_ANY_PARTY = re.compile(rf"\b(?:{_RU}|{_UA}|{_RU_TO}|{_UA_TO})\b", re.IGNORECASE)
_RECEIVER_AFTER = {
    side: re.compile(rf"^[^.;:]{{0,60}}?\b{_TO}\s+(?:home\s+)?(?:to|в|на)\s+{party}", re.IGNORECASE)
    for side, party in (("russia", _RU), ("ukraine", _UA))
}


#: "390 people, including 270 servicemen and 120 civilians": the parts are the whole's.
_INCLUDING = re.compile(
    r"(?:including|among them|among whom|of them|of whom|of which|darunter|davon|в том числе|"
    r"из них|среди них|у тому числі|з них|серед них|dont|parmi eux|incluidos|incluyendo|entre "
    r"ellos|de ellos|incluindo|entre eles|dos quais|tra cui|di cui|w tym|wśród nich|"
    r"aralarında|bunların|من بينهم|منهم)\b",
    re.IGNORECASE,
)


def _part_of(text: str, figure: Figure, earlier: list[Figure]) -> Figure | None:
    """The counted figure before ``figure`` whose breakdown it is ("including 270 ...")."""
    for whole in reversed(earlier):
        if whole.category is None or whole.end > figure.start:
            continue
        between = text[whole.end : figure.start]
        if len(between) <= 80 and _INCLUDING.search(between) and whole.value > figure.value:
            return whole
        return None
    return None


def stated_receiver(text: str, figure: Figure) -> Side | None:
    """Who received the people a figure counts, when the words say it.

    "Russia has recovered about 2,300", "120 civilians were handed over to Ukraine".
    """
    before, after = text[: figure.start], text[figure.end :]
    window = before[-160:]
    sides = set()
    for side, patterns in _RECEIVER_BEFORE.items():
        for found in patterns:
            match = found.search(window)
            # "Russia got back 84 soldiers and Ukraine 20 civilians": the nearest side named
            # before a figure is its receiver, not one named earlier.
            if match and not _ANY_PARTY.search(match.group("tail")):
                sides.add(side)
    for table in (_TO_BEFORE, _FROM_SIDE, _TO_ELLIPTIC, _GIVER_BEFORE):
        for side, found in table.items():
            match = found.search(window)
            # "transferred to Ukraine 1245 bodies, received back 51": the verb's object is
            # the first figure after it, not a later one.
            tail = match.group("tail") if match else ""
            if match and not _ANY_PARTY.search(tail) and not re.search(r"\d", tail):
                sides.add(side)
    sides |= {side for side, p in _RECEIVER_AFTER.items() if p.search(after)}
    return sides.pop() if len(sides) == 1 else None  # type: ignore[return-value]


def counted(
    figures: list[Figure], recipient: str | None, text: str = ""
) -> list[tuple[Count, Figure]]:
    """The counts a sentence states, and the figures they were read from.

    A figure is a count when a word next to it says what it counts (soldiers, civilians,
    bodies, people). Its side is the text's when the text says it ("each side", "248
    Russian servicemen"), else who the model says received them, else unspecified.
    """
    found: list[tuple[Count, Figure]] = []
    parts: list[Figure] = []
    for number, figure in enumerate(figures):
        if figure.category is None:
            continue
        side: Side
        whole = _part_of(text, figure, figures[:number]) if text else None
        sides_of_whole = [c.side for c, f in found if f is whole]
        if not sides_of_whole and found and parts and found[-1][1] is parts[-1]:
            # "including 270 servicemen and 120 civilians": the list goes on.
            gap = text[found[-1][1].end : figure.start]
            if len(gap) <= 40 and re.search(
                r"(?:,|\band\b|\bund\b|\bи\b|\bі\b|\bet\b|\by\b|\be\b|\bi\b|\bve\b|و)", gap
            ):
                sides_of_whole = [found[-1][0].side]
        if sides_of_whole and not figure.nationality:
            side = sides_of_whole[0]  # a breakdown goes to whoever received the whole
            parts.append(figure)
        elif figure.each_side:
            side = "each_side"
        elif figure.nationality in ("russia", "ukraine"):
            side = "russia" if figure.nationality == "russia" else "ukraine"
        elif text and (receiver := stated_receiver(text, figure)) is not None:
            side = receiver
        else:
            side = _SIDE_OF.get(recipient or "unknown", "unspecified")
        count = Count(
            side=side, category=figure.category, value=figure.value, qualifier=figure.qualifier
        )
        if not any(
            (c.side, c.category, c.value) == (count.side, count.category, count.value)
            for c, _ in found
        ):
            found.append((count, figure))
    return found


#: How many sentences before its first cited one an undated event's date may come from.
CONTEXT_SENTENCES = 1


def _context_before(cited: list[Segment], view: ArticleView) -> list[Segment]:
    """The sentences just before an event's first cited one, in the same paragraph."""
    first = cited[0]
    before = [
        s
        for s in view.segments
        if s.paragraph == first.paragraph and s.index < first.index and s.is_prose
    ]
    return before[-CONTEXT_SENTENCES:]


#: How close after a deal word a date is the deal's ("a deal struck in Istanbul on May 16").
_DEAL_DATE_CHARS = 32
#: What may stand between a date and the deal word after it ("the June 2's deal").
_POSSESSIVE = re.compile(r"(?:['’]s)?\s*")


def _of_a_deal(text: str, mention: DateMention) -> bool:
    """Whether a date is told as the day of a deal, not of what was done under it.

    "... freed 1,000 people under a deal struck in Istanbul on May 16": May 16 is the deal's;
    "the June 2 deal" too.
    """
    if mention.kind != "absolute":
        return False  # "the Istanbul agreements today has transferred": today's handover
    before = _CLAUSE_BREAK.split(text[: mention.start])[-1][-_DEAL_DATE_CHARS:]
    after = text[mention.end : mention.end + 24]
    deal_word_at = _POSSESSIVE.match(after).end()  # type: ignore[union-attr]
    return (
        mentions("agreement", before)
        or bool(pattern("agreement").match(after, deal_word_at))
        or _REACHED.match(before) is not None
    )


#: A clause that opens with "reached" after a deal word: "домовленостей, досягнутих у
#: Стамбулі 2 червня", "the agreements, reached in Istanbul on June 2".
_REACHED = re.compile(
    r"\s*(?:reached|struck|concluded|досягнут\w*|достигнут\w*|erzielt\w*|conclu\w*|"
    r"alcanzad\w*|alcançad\w*|raggiunt\w*|osiągnięt\w*|varılan|التي تم التوصل)(?!\w)",
    re.IGNORECASE,
)


def _published_for(segment: Segment, view: ArticleView) -> EventDate:
    """The date a sentence's dates are read against.

    The publication date or, when the article has none, the one year the sentence itself
    states ("in 2025, on May 16").
    """
    if view.published.value:
        return view.published
    year = sentence_year(segment.text)
    return EventDate(value=f"{year:04d}", precision="year") if year else view.published


#: "last week" and "last year" in a sentence: its weekdays are last week's, its days and
#: months without a year last year's ("lundi ..., mardi ..., samedi" told "la semaine
#: dernière"; "el 3 de enero del año pasado").
_LAST_WEEK = re.compile(
    r"(?<!\w)(?:last week|the previous week|на прошлой неделе|на минулому тижні|минулого "
    r"тижня|letzte woche|vergangene woche|in der vergangenen woche|la semaine dernière|la "
    r"semaine passée|la semana pasada|a semana passada|na semana passada|la settimana scorsa|"
    r"la scorsa settimana|w zeszłym tygodniu|w ubiegłym tygodniu|w poprzednim tygodniu|"
    r"geçen hafta|الأسبوع الماضي)(?!\w)",
    re.IGNORECASE,
)
_LAST_YEAR = re.compile(
    r"(?<!\w)(?:last year|в прошлом году|прошлого года|минулого року|торік|letzten jahres|"
    r"vergangenen jahres|im vergangenen jahr|letztes jahr|l'année dernière|l'an dernier|"
    r"l'année précédente|del año pasado|el año pasado|do ano passado|no ano passado|"
    r"dell'anno scorso|l'anno scorso|w zeszłym roku|w ubiegłym roku|zeszłego roku|"
    r"ubiegłego roku|geçen yıl|العام الماضي)(?!\w)",
    re.IGNORECASE,
)


def _reading_base(
    segment: Segment, view: ArticleView, mention: DateMention, text: str | None = None
) -> EventDate:
    """The date one of a sentence's dates is read against (see ``_published_for``).

    A weekday told after "last week" in its sentence is read against the Sunday that ended it; a
    day and month without a year in one told "last year", against that year. ``text`` is the
    sentence's text the mention was found in (as is, or prepared), by default as is.
    """
    published = _published_for(segment, view)
    found_in = segment.text if text is None else text
    # "la semaine dernière ...: lundi, ..." (not "neste domingo ..., acordada na semana passada")
    last_week = _LAST_WEEK.search(found_in[: mention.start]) is not None
    if mention.kind == "weekday" and published.precision == "day" and published.value and last_week:
        day = date.fromisoformat(published.value)
        sunday = day - timedelta(days=day.weekday() + 1)
        return EventDate(value=sunday.isoformat(), precision="day")
    last_year = _LAST_YEAR.search(segment.text) is not None
    if mention.kind == "absolute" and not mention.has_year and published.value and last_year:
        return EventDate(value=f"{int(published.value[:4]) - 1:04d}", precision="year")
    return published


def date_of(
    kind: str,
    when: str | None,
    cited: list[Segment],
    view: ArticleView,
    beside_handover: bool = False,
) -> tuple[EventDate, str | None, str | None]:
    """An event's date from its cited sentences' date words, resolved by code.

    The words the model named (``when``) pick among several; else the first full date. A
    date that opens a period ("since February 2022") and the dateline's date are never an
    event's. A running total with no date of its own is as of the publication day. A date
    after the publication of an article that reports the event as done is refused. An
    agreement told beside a handover done (``beside_handover``) takes only a date told as
    the deal's: the sentence's other dates are the handover's.

    Returns:
        The date, the words it was read from, and a warning when a date was refused.

    """
    dateline_end = view.dateline_end
    found: list[tuple[Segment, DateMention]] = [
        (segment, mention)
        for segment in cited
        for mention in find_dates(segment.text)
        if segment.start + mention.start >= dateline_end
        and not is_start_of_period(segment.text, mention)
    ]
    deals = [f for f in found if _of_a_deal(f[0].text, f[1])]
    if kind == "agreement" and deals:
        found = deals  # "... in May under a deal struck on May 16": the deal's day
    elif kind == "agreement" and beside_handover:
        found = []  # "exchanged 303 each on Sunday under the deal agreed in Istanbul"
    elif kind in _HANDOVERS:
        found = [f for f in found if f not in deals]
    if not found and kind in _HANDOVERS:
        context = _context_before(cited, view)
        found = [
            (segment, mention)
            for segment in context
            for mention in find_dates(segment.text)
            if segment.start + mention.start >= dateline_end
            and not is_start_of_period(segment.text, mention)
        ][-1:]
    if not found:
        if kind == "cumulative_tally" and view.published.precision == "day":
            return view.published, None, None
        return EventDate(), None, None
    found = _finest(found, view)
    absolute = [f for f in found if f[1].kind == "absolute"]
    if kind == "cumulative_tally" and len(absolute) > 1:
        # "1,000 each between May 23 and May 25": a running total is as of its latest day.
        absolute = sorted(
            absolute, key=lambda f: _resolved(f[0], f[1], view).value or "", reverse=True
        )
    # "Geçen hafta perşembe günü": the weekday of last week, not the week
    weekdays = [
        f for f in found if f[1].kind == "weekday" and _LAST_WEEK.search(f[0].text[: f[1].start])
    ]
    chosen = absolute[0] if absolute else weekdays[0] if weekdays else found[0]
    if when:
        said = " ".join(when.casefold().split())
        matching = [
            f for f in found if f[1].text.casefold() in said or said in f[1].text.casefold()
        ]
        if matching:
            chosen = matching[0]
    mention = chosen[1]
    resolved = resolve(mention, view.language, _reading_base(chosen[0], view, mention))
    if _after_publication(resolved, view):
        warning = (
            f"date {mention.text!r} resolves to {resolved.value}, after the article's "
            f"publication ({view.published.value}): left unknown"
        )
        return EventDate(), mention.text, warning
    return resolved, mention.text, None


def _resolved(
    segment: Segment, mention: DateMention, view: ArticleView, text: str | None = None
) -> EventDate:
    """A date of a sentence resolved against its reading base (see ``_reading_base``)."""
    return resolve(mention, view.language, _reading_base(segment, view, mention, text))


def _allot(
    kinds: list[EventKind], counts: list[tuple[Count, Figure]]
) -> dict[EventKind, list[Count]]:
    """A sentence's counts, per kind of event it reports.

    Talks take none. Beside a swap, a running total takes the figures written with a
    running-total word, and a handover of bodies the counts of bodies.
    """
    allotted: dict[EventKind, list[Count]] = {k: [] for k in kinds}
    takers = [k for k in kinds if k != "talks_round"]
    if takers == ["cumulative_tally"] and any(f.running_total for _, f in counts):
        # "1,212 on June 11 and another 1,245 on June 16, 6,057 in total": the total's.
        counts = [(c, f) for c, f in counts if f.running_total]
    for count, figure in counts:
        if not takers:
            break
        other: EventKind
        if "cumulative_tally" in takers and len(takers) > 1:
            other = next(k for k in takers if k != "cumulative_tally")
            allotted["cumulative_tally" if figure.running_total else other].append(count)
        elif "body_repatriation" in takers and len(takers) > 1:
            other = next(k for k in takers if k != "body_repatriation")
            allotted["body_repatriation" if count.category == "bodies" else other].append(count)
        elif "prisoner_exchange" in takers:
            if not figure.running_total:  # a total is no figure of one swap
                allotted["prisoner_exchange"].append(count)
        elif takers[0] == "body_repatriation" and figure.running_total:
            continue
        else:
            allotted[takers[0]].append(count)
    return allotted


def _figures_of_its_day(text: str, language: str) -> tuple[list[Figure], list[Figure]]:
    """A sentence's figures, and apart those told as another day's ("a day after ...")."""
    figures = read_figures(text, language)
    prepared = prepared_text(text, language)
    other = [f for f in figures if _of_another_day(prepared, f)]
    return [f for f in figures if f not in other], other


def could_report(text: str, language: str, after_swap: bool = False) -> bool:
    """Whether any answer of the model could make an event of this sentence.

    Every label is tried against the words (the same checks ``read_sentence`` applies): a
    sentence no label survives for ("No date for a fourth round was set", "Thousands are
    believed to remain in captivity") is not worth a model call; its answer would be dropped.
    """
    figures, _ = _figures_of_its_day(text, language)
    for label in get_args(Label):
        said = SentenceAnswer(label=label).kinds
        told = _kinds_told(said, text, figures)
        if any(_checked_kind(k, text, figures, after_swap) for k in told):
            return True
    return False


def read_sentence(
    answer: SentenceAnswer, segment: Segment, view: ArticleView
) -> tuple[list[Draft], list[str]]:
    """Ground what the model said of one sentence: one draft per event it reports.

    Args:
        answer: The model's label of the sentence.
        segment: The sentence.
        view: The article.

    Returns:
        The drafts (a headline's too: folding decides whether a sentence joins it) and
        warnings for what the text did not support.

    """
    label = f"sentence {segment.index}"
    warnings: list[str] = []
    figures, other = _figures_of_its_day(segment.text, view.language)
    prepared = prepared_text(segment.text, view.language)  # the figures' positions are in it
    if other:
        warnings.append(
            f"{label}: {', '.join(str(f.value) for f in other)} counted on another day "
            '("a day after ..."): not this event\'s'
        )
    kinds: list[EventKind] = []
    after_swap = follows_a_swap(segment, view.segments)
    for said in _kinds_told(answer.kinds, segment.text, figures):
        kind = _checked_kind(said, segment.text, figures, after_swap)
        if kind is None:
            warnings.append(
                f"{label}: not a {said}, as its words say: {short(segment.text, 120)!r}"
            )
        elif kind not in kinds:
            if kind != said:
                warnings.append(f"{label}: read as {kind}, not {said}, as its words say")
            kinds.append(kind)
    if _intended(kinds, segment.text, figures):
        warnings.append(f"{label}: read as agreement: its words tell a handover agreed, not done")
        kinds = [k for k in kinds if k not in _HANDOVERS]
        kinds += [] if "agreement" in kinds else ["agreement"]
    counts = counted(figures, answer.received_by, prepared)
    drafts = []
    taken: list[Count] = []
    taken_days = False
    for kind in [k for k in kinds if k in _TOLD_BY_DATE]:
        occasions = _occasions(segment, counts, view) or _respectively(segment, counts, view)
        if occasions is not None and kind == "talks_round" and taken_days:
            # "swapped prisoners three times since the Istanbul meeting: on June 9, ...": the
            # days are the swaps'; the talks are told in passing, undated.
            kinds.remove(kind)
            drafts.append(_draft(kind, segment, [], EventDate(), None, view))
            continue
        days = _ordinal_days(prepared, counts) if kind in _HANDOVERS else None
        if occasions is None and days is not None:
            # "В первый день ... 390 на 390; во второй — по 307, в третий — ещё по 303":
            # one swap a day, each with its counts (the days' dates are not told here).
            kinds.remove(kind)
            stage_dates = _stage_dates(segment, view, len(days))
            for number, day_counts in enumerate(days):
                draft = _draft(kind, segment, day_counts, stage_dates[number], None, view)
                drafts.append(replace(draft, occasion=number))
                taken += day_counts
            continue
        if occasions is not None:
            taken_days = kind in _HANDOVERS
            kinds.remove(kind)
            for mention, occasion_counts in occasions:
                published = _reading_base(segment, view, mention, prepared)
                resolved = _refused_if_later(resolve(mention, view.language, published), view)
                if kind == "talks_round":
                    # A round counts no one: "at the first round on May 16 a 1,000-for-1,000
                    # swap was agreed" counts the deal's.
                    drafts.append(_draft(kind, segment, [], resolved, mention.text, view))
                    continue
                drafts.append(_draft(kind, segment, occasion_counts, resolved, mention.text, view))
                taken += occasion_counts
    # What the dated occasions counted is theirs, not the deal's told beside them.
    allotted = _allot(kinds, [(c, f) for c, f in counts if c not in taken])
    handover = bool(taken) or any(k in _HANDOVERS for k in kinds)
    for kind in kinds:
        event_date, date_text, date_warning = date_of(
            kind, None, [segment], view, beside_handover=handover
        )
        if date_warning:
            warnings.append(f"{label}: {date_warning}")
        drafts.append(_draft(kind, segment, allotted[kind], event_date, date_text, view))
    return drafts, warnings


#: "On the first day ..., on the second ..., on the third ...": a stage's day by its ordinal.
_FIRST_DAY = re.compile(
    r"(?<!\w)(?:on the first day|в первый день|у перший день|першого дня|am ersten tag|"
    r"le premier jour|el primer día|no primeiro dia|il primo giorno|pierwszego dnia|"
    r"w pierwszym dniu|ilk gün\w*|في اليوم الأول)(?!\w)",
    re.IGNORECASE,
)
_LATER_DAY = re.compile(
    r"(?<!\w)(?:second|third|второй|второго|третий|третьего|другий|другого|третій|"
    r"третього|zweiten|dritten|deuxième|troisième|segundo|tercer|tercero|terceiro|secondo|"
    r"terzo|drugiego|drugim|trzeciego|trzecim|ikinci|üçüncü|الثاني|الثالث)(?!\w)",
    re.IGNORECASE,
)


def _ordinal_days(text: str, counts: list[tuple[Count, Figure]]) -> list[list[Count]] | None:
    """A sentence's counts by the stage days it names in order, when each day has some."""
    first = _FIRST_DAY.search(text)
    if first is None:
        return None
    starts = [first.start()] + [m.start() for m in _LATER_DAY.finditer(text, first.end())]
    events = [(c, f) for c, f in counts if not f.running_total]
    if len(starts) < 2 or not events or min(f.start for _, f in events) < starts[0]:
        return None
    days: list[list[Count]] = [[] for _ in starts]
    for count, figure in events:
        days[max(i for i, start in enumerate(starts) if start < figure.start)].append(count)
    return days if all(days) else None


#: The first day of a range told before its last day's date: "с 23 по 25 мая", "from 23 to 25
#: May", "vom 23. bis 25. Mai", "du 23 au 25 mai", "del 23 al 25 de mayo", "od 23 do 25 maja".
_RANGE_TO = r"(?:-|–|по|до|to|and|until|till|bis|zum|au|al|a|ao|y|e|do|и|і)"
_RANGE_FROM = re.compile(
    r"(?<!\w)(?:с|со|з|від|from|between|vom|du|del|de|dal|od|entre el|entre)\s+(\d{1,2})\.?\s*"
    rf"{_RANGE_TO}\s*$",
    re.IGNORECASE,
)
#: What joins two dates into a range: "between May 23 and May 25", "from May 23 to May 25".
_RANGE_JOIN = re.compile(rf"^\s*{_RANGE_TO}\s*$", re.IGNORECASE)


def _day_range(segment: Segment, view: ArticleView) -> tuple[date, date] | None:
    """The first and last day of a range of days a sentence tells ("с 23 по 25 мая")."""
    text = segment.text
    mentions_found = [m for m in find_dates(text) if m.kind == "absolute"]
    for number, mention in enumerate(mentions_found):
        last = _resolved(segment, mention, view)
        if last.precision != "day" or last.value is None:
            continue
        end = date.fromisoformat(last.value)
        head = _RANGE_FROM.search(text[max(0, mention.start - 40) : mention.start])
        if head and 0 < int(head.group(1)) < end.day:
            return end.replace(day=int(head.group(1))), end
        if number and _RANGE_JOIN.match(text[mentions_found[number - 1].end : mention.start]):
            earlier = mentions_found[number - 1]
            first = _resolved(segment, earlier, view)
            if first.precision == "day" and first.value and first.value < last.value:
                return date.fromisoformat(first.value), end
    return None


def _stage_dates(segment: Segment, view: ArticleView, stages: int) -> list[EventDate]:
    """The days of a swap's stages told by ordinal ("on the first day ..., the second ...").

    Dated by a range of as many days told in the sentence or the one before it ("over three
    days, from 23 to 25 May. On the first day ..."); else unknown.
    """
    before = _prose_before(segment, view.segments)
    for told in [segment] if before is None else [segment, before]:
        found = _day_range(told, view)
        if found is not None and (found[1] - found[0]).days + 1 == stages:
            return [day_date(found[0] + timedelta(days=n)) for n in range(stages)]
    return [EventDate() for _ in range(stages)]


#: Kinds a recap tells as a list of occasions: "on 5 February 150 each, on 19 March 175".
_TOLD_BY_DATE = ("prisoner_exchange", "body_repatriation", "talks_round")


def _occasion_dates(
    text: str, segment: Segment, view: ArticleView, relative: bool = False
) -> list[DateMention]:
    """The days a sentence (``text``: its text, as is or prepared) tells events on.

    Days and weekdays (and, with ``relative``, "yesterday" and the like), not the
    dateline's, not one opening a period ("since June 11") and not a deal's ("the June 2
    deal", "a deal struck on May 16").
    """
    offset = view.dateline_end - segment.start
    found = [
        m
        for m in find_dates(text)
        if (
            m.kind in ("absolute", "weekday")
            or (relative and m.kind == "relative" and names_a_day(m, view.language))
        )
        and m.start >= offset
        and not is_start_of_period(text, m)
        and not _of_a_deal(text, m)
    ]
    return [m for _, m in _finest([(segment, m) for m in found], view, text)]


def _finest(
    found: list[tuple[Segment, DateMention]], view: ArticleView, text: str | None = None
) -> list[tuple[Segment, DateMention]]:
    """Dates without one that a more precise date of the same sentences lies in.

    "In June, Kyiv received 1,212 bodies on June 11 and another 1,245 on June 16": the days,
    not the month they are in. ``text``: the sentence text the mentions were found in.
    """
    values = [_resolved(s, m, view, text).value or "" for s, m in found]
    return [
        f
        for f, value in zip(found, values, strict=True)
        if not value or not any(v != value and v.startswith(value + "-") for v in values)
    ]


def _occasions(
    segment: Segment, counts: list[tuple[Count, Figure]], view: ArticleView
) -> list[tuple[DateMention, list[Count]]] | None:
    """The occasions of a sentence that lists several dated swaps, each with its counts.

    A list is told date first ("5 февраля ... по 150, 19 марта — по 175") or count first
    ("1,212 bodies on June 11 and another 1,245 on June 16"): each count goes with the date
    before it, or after it, as the list begins. Dates no count goes with are occasions of
    their own only when no date has a count (a plain list: "on June 9, 14 and 26").

    Returns:
        ``None`` when the sentence tells one occasion (fewer than two dates of events).

    """
    text = prepared_text(segment.text, view.language)
    # "W piątek ... po 390 ..., a wczoraj ... 307 za 307": a day named relatively is an
    # occasion when each day named has counts of its own (not "Yesterday Kyiv said 307 were
    # freed on Saturday", which tells one).
    with_relative = _occasions_of(text, counts, _occasion_dates(text, segment, view, True))
    if with_relative is not None and all(found for _, found in with_relative):
        return with_relative
    return _occasions_of(text, counts, _occasion_dates(text, segment, view))


def _occasions_of(
    text: str, counts: list[tuple[Count, Figure]], dated: list[DateMention]
) -> list[tuple[DateMention, list[Count]]] | None:
    if len({m.text.casefold() for m in dated}) < 2:
        return None
    grouped: dict[int, list[Count]] = {i: [] for i in range(len(dated))}
    events = [(c, f) for c, f in counts if not f.running_total]
    if events:
        date_first = dated[0].start < min(f.start for _, f in events)
        for count, figure in events:
            if date_first:
                before = [i for i, m in enumerate(dated) if m.start < figure.start]
                chosen = before[-1] if before else 0
            else:
                after = [i for i, m in enumerate(dated) if m.start > figure.end]
                chosen = after[0] if after else len(dated) - 1
            grouped[chosen].append(count)
    with_counts = [i for i, found in grouped.items() if found]
    if not with_counts and _UNTIL.search(text[dated[0].end : dated[1].start]):
        return None  # "desde las 18:00 del sábado hasta la medianoche del domingo": a period
    return [(dated[i], grouped[i]) for i in (with_counts or list(grouped))]


#: Words that close a period between two dates ("from Saturday until Sunday").
_UNTIL = re.compile(
    r"(?<!\w)(?:until|till|through|to|hasta|até|jusqu|bis|до|по|fino a|fino al|do|kadar|"
    r"حتى)(?!\w)",
    re.IGNORECASE,
)


_RESPECTIVELY = re.compile(
    r"(?<!\w)(?:respectively|соответственно|відповідно|respectivement|respectivamente|"
    r"rispettivamente|odpowiednio|sırasıyla|على التوالي)(?!\w)",
    re.IGNORECASE,
)


def _respectively(
    segment: Segment, counts: list[tuple[Count, Figure]], view: ArticleView
) -> list[tuple[DateMention, list[Count]]] | None:
    """A sentence's figures paired in order with the occasions the one before it lists.

    "On June 11 Ukraine received 1,212 bodies and on June 16 another 1,245. Russia got 27
    and 51 respectively": 27 on June 11, 51 on June 16.
    """
    if not _RESPECTIVELY.search(segment.text) or find_dates(segment.text):
        return None
    events = [c for c, f in counts if not f.running_total]
    before = [s for s in view.segments if s.is_prose and s.index < segment.index]
    if len(events) < 2 or not before or before[-1].paragraph != segment.paragraph:
        return None
    dated = _occasion_dates(before[-1].text, before[-1], view)
    if len({m.text.casefold() for m in dated}) != len(dated) or len(dated) != len(events):
        return None
    return [(mention, [count]) for mention, count in zip(dated, events, strict=True)]


def _after_publication(resolved: EventDate, view: ArticleView) -> bool:
    """Whether a day lies after the article's publication day (both known to the day)."""
    return bool(
        resolved.precision == "day"
        and resolved.value
        and view.published.precision == "day"
        and view.published.value
        and date.fromisoformat(resolved.value) > date.fromisoformat(view.published.value)
    )


def _refused_if_later(resolved: EventDate, view: ArticleView) -> EventDate:
    if _after_publication(resolved, view):
        return EventDate()
    return resolved


def _draft(
    kind: EventKind,
    segment: Segment,
    counts: list[Count],
    event_date: EventDate,
    date_text: str | None,
    view: ArticleView,
) -> Draft:
    return Draft(
        kind=kind,
        segments=[segment],
        counts=counts,
        date=event_date,
        date_text=date_text,
        location=find_place(segment.text, kind),
        mediators=find_mediators([segment.text], pattern("mediation")) if segment.is_prose else [],
        round_number=find_round(segment.text) if kind == "talks_round" else None,
        claimed_by=None,
        answer_index=segment.index,
    )
