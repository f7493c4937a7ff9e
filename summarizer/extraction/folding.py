"""One event, one record: an article's reports of the same event folded together (pure).

The model labels sentences one by one, so one swap told in four sentences is four reports.
Two grounded reports of one article are folded when they are of the same kind, nothing about
them differs (no two known dates that disagree, no two round numbers, no two different
figures for the same side and category), and something ties them: a shared sentence, the
next sentence (when at most one of them is dated), the same known date, a shared figure or
round, or one of them carrying nothing that could tell it apart (no date, figure or round:
"the exchange" mentioned again). Reports that differ stay apart, so a recap of three swaps
stays three swaps.
"""

from __future__ import annotations

import math
from dataclasses import replace

from summarizer.extraction.dates import month_day
from summarizer.extraction.grounding import Draft
from summarizer.extraction.lexicon import mentions
from summarizer.records import Count, EventDate, dates_agree

_PRECISION_RANK = {"day": 3, "month": 2, "year": 1, "unknown": 0}


#: How far "about X" reaches either side of X (as the merger reads it).
ABOUT_SPREAD = 0.15


def _figures(draft: Draft) -> dict[tuple[str, str], set[tuple[float, float]]]:
    """Each side and category's figures as ranges ("1,245 and 51 bodies" keeps both).

    "more than 1,200" reaches from 1,200 up, "about 250" 15% either way: a figure agrees
    with another whose range it meets. An each-side figure is also each side's own ("270
    servicemen each" is not the swap where Ukraine got 307 servicemen and Russia 307).
    """
    values: dict[tuple[str, str], set[tuple[float, float]]] = {}
    for c in draft.counts:
        if c.value is None:
            low, high = -1.0, -1.0
        elif c.qualifier == "about":
            low, high = c.value * (1 - ABOUT_SPREAD), c.value * (1 + ABOUT_SPREAD)
        elif c.qualifier in ("over", "at_least"):
            low, high = float(c.value), math.inf
        elif c.qualifier in ("under", "up_to"):
            low, high = 0.0, float(c.value)
        else:
            low = high = float(c.value)
        sides = (c.side, "ukraine", "russia") if c.side == "each_side" else (c.side,)
        for side in sides:
            values.setdefault((side, c.category), set()).add((low, high))
    return values


def _meet(one: set[tuple[float, float]], other: set[tuple[float, float]]) -> bool:
    return any(max(a[0], b[0]) <= min(a[1], b[1]) for a in one for b in other)


def _day_of_year(draft: Draft) -> str | None:
    """``MM-DD`` of a report's day, known or written without a year ("on June 2")."""
    if draft.date.precision == "day" and draft.date.value:
        return draft.date.value[5:]
    if draft.date_text and not draft.date.value:
        return month_day(draft.date_text, "en")  # every language is tried
    return None


def _differ(a: Draft, b: Draft) -> bool:
    if a.kind != b.kind:
        return True
    day_a, day_b = _day_of_year(a), _day_of_year(b)
    if day_a and day_b and day_a != day_b:
        return True
    earlier, later = (a, b) if a.first <= b.first else (b, a)
    if _told_as_previous(later) and not _told_as_previous(earlier):
        return True  # "... The previous exchange took place a month ago": another one
    if a.occasion is not None and b.occasion is not None and a.segments == b.segments:
        return True  # one sentence's list of occasions: "on Friday 390, on Saturday 307"
    if a.date.value and b.date.value and not dates_agree(a.date.value, b.date.value):
        return True
    if a.round_number and b.round_number and a.round_number != b.round_number:
        return True
    if _adds_to(earlier, later):
        return False  # "Separately, 31 more were freed": another figure of the same swap
    if _sum_told(earlier, later):
        return False  # "277 are coming home" after 246 and 31 more: the same swap, summed
    fa, fb = _figures(a), _figures(b)
    return any(not _meet(fa[key], fb[key]) for key in fa.keys() & fb.keys())


def _told_as_previous(draft: Draft) -> bool:
    """Every sentence of the report introduces it as an earlier one ("The previous swap")."""
    return all(mentions("previous", s.text) for s in draft.segments)


def _plain(draft: Draft) -> bool:
    """Carries nothing that could tell it apart from another report of its kind."""
    return (
        not draft.date.value
        and not _day_of_year(draft)
        and not draft.counts
        and not draft.round_number
    )


def _tied(a: Draft, b: Draft) -> bool:
    if {s.index for s in a.segments} & {s.index for s in b.segments}:
        return True
    # The next sentence goes on about it ("In return, Russia received 51"), when at most
    # one of the two is dated (two dates that agree tie them anyway, below).
    if _next_to(a, b) and not (a.date.value and b.date.value):
        return True
    if _follows_up(a, b) or _follows_up(b, a) or _restates(a, b) or _restates(b, a):
        return True
    if a.date.precision == "day" and a.date.value == b.date.value:
        return True
    if _day_of_year(a) and _day_of_year(a) == _day_of_year(b):
        return True  # "on June 2, 2025" and "The second round was held on June 2"
    if {c.value for c in a.counts} & {c.value for c in b.counts}:
        return True
    if _breakdown_of(a, b) or _breakdown_of(b, a):
        return True
    if a.round_number and a.round_number == b.round_number:
        return True
    return _plain(a) or _plain(b)


#: How many sentences after a report a follow-up with no date words may come.
FOLLOW_UP_SENTENCES = 3


def _follows_up(earlier: Draft, later: Draft) -> bool:
    """A report with no date words, a few sentences after one of its kind, goes on about it.

    "Помимо военных, на Украину вернулись восемь гражданских лиц", "Окремо, ... вдалося
    звільнити 31": other exact figures of the same swap, told without a day of their own
    ("over 1,000 have now been brought home" is a sum of several, not a detail of one).
    """
    return _undated_after(earlier, later) and all(c.qualifier == "exact" for c in later.counts)


def _undated_after(earlier: Draft, later: Draft) -> bool:
    """``later`` counts something, has no date words, and comes a few sentences after."""
    if later.date.value or later.date_text or not later.counts:
        return False
    return _within_follow_up(earlier, later)


def _restates(earlier: Draft, later: Draft) -> bool:
    """An undated follow-up whose every figure, however vague, meets the report's own.

    "Ukraine received the bodies of 1,245 ... [the headquarters] spoke only of 'more than
    1,200 bodies'": the same handover, told by another source.
    """
    if not _undated_after(earlier, later):
        return False
    told, restated = _figures(earlier), _figures(later)
    return all(key in told and _meet(told[key], found) for key, found in restated.items())


def _adds_to(earlier: Draft, later: Draft) -> bool:
    """A follow-up that says it adds to what was told: "Separately, ...", "Кроме того, ...".

    Its date, if any, is the swap's (an undated follow-up takes the day of the sentence
    before it).
    """
    same_day = bool(later.date.value) and later.date.value == earlier.date.value
    if not (_follows_up(earlier, later) or (same_day and _within_follow_up(earlier, later))):
        return False
    opening = min(later.segments, key=lambda s: s.index).text[:40]
    return mentions("additionally", opening)


def _sum_told(swap: Draft, later: Draft) -> bool:
    """A follow-up whose every figure is the sum of the swap's for that side.

    "246 ... were transferred to Ukraine. Additionally, 31 wounded ... Zelensky: 277 of our
    warriors are coming home": 277 is 246 + 31 (an each-side figure counts for both sides).
    """
    return _each_a_sum(swap, later, each_side_counts=True)


def _total_of(swap: Draft, tally: Draft) -> bool:
    """An undated running total right after a swap that is the sum of its figures.

    "246 returned ... Separately, 31 were freed ... In all, 277 are coming home": the swap's
    own total, not a running total of several.
    """
    if tally.kind != "cumulative_tally" or swap.kind not in ("prisoner_exchange",
                                                             "body_repatriation"):  # fmt: skip
        return False
    return _each_a_sum(swap, tally, each_side_counts=False)


def _each_a_sum(swap: Draft, later: Draft, each_side_counts: bool) -> bool:
    """Every figure of a follow-up with no date words is the sum of 2+ of the swap's.

    Summed are the swap's figures of the same side and category; with ``each_side_counts``
    an each-side figure counts for either side (and the follow-up's must name one).
    """
    if later.date_text or not later.counts or not _within_follow_up(swap, later):
        return False
    for total in later.counts:
        if each_side_counts and total.side not in ("ukraine", "russia"):
            return False
        sides = (total.side, "each_side") if each_side_counts else (total.side,)
        pieces = [
            c.value or 0 for c in swap.counts if c.category == total.category and c.side in sides
        ]
        if len(pieces) < 2 or sum(pieces) != total.value:
            return False
    return True


def _within_follow_up(earlier: Draft, later: Draft) -> bool:
    """``later`` begins 1 to :data:`FOLLOW_UP_SENTENCES` sentences after ``earlier`` ends."""
    gap = min(s.index for s in later.segments) - max(s.index for s in earlier.segments)
    return 1 <= gap <= FOLLOW_UP_SENTENCES


def _breakdown_of(whole: Draft, parts: Draft) -> bool:
    """One report's total is the sum of the other's figures for the same side.

    "390 people" and "270 servicemen and 120 civilians".
    """
    for total in whole.counts:
        if total.category != "people" or total.value is None:
            continue
        pieces = [
            c.value
            for c in parts.counts
            if c.side == total.side and c.category != "people" and c.value is not None
        ]
        if len(pieces) >= 2 and sum(pieces) == total.value:
            return True
    return False


def _next_to(a: Draft, b: Draft) -> bool:
    """One's sentences follow the other's directly (prose, in reading order)."""
    last_a, first_b = max(s.index for s in a.segments), min(s.index for s in b.segments)
    last_b, first_a = max(s.index for s in b.segments), min(s.index for s in a.segments)
    return first_b - last_a == 1 or first_a - last_b == 1


def _same_paragraph(a: Draft, b: Draft) -> bool:
    return bool({s.paragraph for s in a.segments} & {s.paragraph for s in b.segments})


def _best_date(a: Draft, b: Draft) -> tuple[EventDate, str | None]:
    if _PRECISION_RANK[b.date.precision] > _PRECISION_RANK[a.date.precision]:
        return b.date, b.date_text
    return a.date, a.date_text


def _prose(draft: Draft) -> bool:
    return any(s.is_prose for s in draft.segments)


def _headline_counts(draft: Draft) -> tuple[Count, ...]:
    """The counts of a draft that only its headlines or sub-headings give."""
    return draft.headline_counts if _prose(draft) else tuple(draft.counts)


def _contradicts(a: Count, b: Count) -> bool:
    """Two counts of one side and kind of people with different values."""
    return (
        a.side == b.side
        and (a.category == b.category or "people" in (a.category, b.category))
        and a.value != b.value
    )


def _join(a: Draft, b: Draft) -> Draft:
    # One figure told twice with two sides (a headline's and a sentence's reading) is one
    # count: the reading of prose wins, then the earlier one.
    prose_a = [c for c in a.counts if c not in _headline_counts(a)]
    prose_b = [c for c in b.counts if c not in _headline_counts(b)]
    base, rest = (prose_b, prose_a) if prose_b and not prose_a else (prose_a, prose_b)
    counts: list[Count] = list(base)
    for count in [*rest, *_headline_counts(a), *_headline_counts(b)]:
        # 103 returned to Russia and 103 handed to Ukraine are two counts; "84" read as each
        # side's in a headline and as Ukraine's below is one.
        same = [
            c
            for c in counts
            if c.value == count.value
            and not ({c.side, count.side} <= {"russia", "ukraine"} and c.side != count.side)
        ]
        if any(c.category == count.category or "people" in (c.category, count.category)
               for c in same):  # fmt: skip
            # "84 prisoners" in the headline and "84 prisoners of war" below: the more
            # specific category of the two is kept.
            if count.category != "people":
                counts = [count if c in same and c.category == "people" else c for c in counts]
            continue
        counts.append(count)
    told_by_headline = {*_headline_counts(a), *_headline_counts(b)} - {*prose_a, *prose_b}
    # "Koniec wymiany „tysiąc za tysiąc”" over a last stage of 303 each: a figure only a
    # headline gives, for a slot the prose gives otherwise, is the whole swap's, not this one's.
    counts = [
        c
        for c in counts
        if c not in told_by_headline
        or not any(_contradicts(other, c) for other in counts if other not in told_by_headline)
    ]
    segments = sorted({s.index: s for s in [*a.segments, *b.segments]}.values(),
                      key=lambda s: s.index)  # fmt: skip
    event_date, date_text = _best_date(a, b)
    return Draft(
        kind=a.kind,
        headline_counts=tuple(c for c in counts if c in told_by_headline),
        segments=segments,
        counts=counts,
        date=event_date,
        date_text=date_text,
        location=a.location or b.location,
        mediators=sorted({*a.mediators, *b.mediators}),
        round_number=a.round_number or b.round_number,
        claimed_by=a.claimed_by or b.claimed_by,
        answer_index=min(a.answer_index, b.answer_index),
    )


def fold(drafts: list[Draft]) -> tuple[list[Draft], list[str]]:
    """Fold an article's reports of the same event into one, in article order.

    A report joins the nearest earlier-folded event it is tied to and does not differ from.

    Returns:
        The folded events and a note per fold.

    """
    folded: list[Draft] = []
    notes: list[str] = []
    for draft in sorted(drafts, key=lambda d: (d.first, d.answer_index)):
        totalled = [i for i, kept in enumerate(folded) if _total_of(kept, draft)]
        if totalled:
            target = totalled[-1]
            notes.append(
                f"cumulative_tally citing sentence(s) {[s.index for s in draft.segments]}: the "
                f"sum of the figures of the report citing "
                f"{[s.index for s in folded[target].segments]}, folded into it (its total)"
            )
            folded[target] = _join(folded[target], replace(draft, kind=folded[target].kind))
            continue
        partners = [
            i for i, kept in enumerate(folded) if not _differ(kept, draft) and _tied(kept, draft)
        ]
        if not partners:
            folded.append(draft)
            continue
        target = min(partners, key=lambda i: abs(folded[i].first - draft.first))
        folded[target] = _join(folded[target], draft)
        notes.append(
            f"{draft.kind} citing sentence(s) {[s.index for s in draft.segments]}: folded into "
            f"the report citing {[s.index for s in folded[target].segments]} (the same event)"
        )
    return folded, notes


def _near(a: Draft, b: Draft) -> bool:
    """Cite a common sentence, or neighbouring sentences of one paragraph."""
    for s in a.segments:
        for t in b.segments:
            if s.index == t.index or (s.paragraph == t.paragraph and abs(s.index - t.index) <= 1):
                return True
    return False


#: How many sentences before an undated agreement the round it was reached at may be told.
AGREEMENT_AFTER_ROUND = 2


def _just_before(agreement: Draft, talks: list[Draft]) -> Draft | None:
    """The dated round told closest before an undated agreement, a sentence or two earlier.

    "The second round was held yesterday in Istanbul. ... «We agreed on a large exchange»":
    the deal is that round's even when a paragraph break stands between them.
    """
    start = agreement.first
    earlier = [
        t
        for t in talks
        if t.date.value and 0 < start - max(s.index for s in t.segments) <= AGREEMENT_AFTER_ROUND
    ]
    return max(earlier, key=lambda t: max(s.index for s in t.segments), default=None)


def link_agreements(drafts: list[Draft]) -> list[Draft]:
    """An agreement reached at a round of talks shares that round's place, mediators and date.

    The round is the one of the same article with the same known date, or else the one told
    in the same or the neighbouring sentence ("The first round took place on May 16 at the
    Dolmabahçe Palace. During the meeting, the delegations agreed on ..."), or else, for an
    undated agreement, the dated round told a sentence or two before it. Only what the
    agreement's own sentences leave unknown is filled in.
    """
    talks = [d for d in drafts if d.kind == "talks_round"]
    linked = []
    for draft in drafts:
        if draft.kind != "agreement" or not talks:
            linked.append(draft)
            continue
        same_day = [
            t
            for t in talks
            if draft.date.value and t.date.value and t.date.value == draft.date.value
        ]
        round_ = same_day[0] if same_day else next((t for t in talks if _near(t, draft)), None)
        if round_ is None and not draft.date.value:
            round_ = _just_before(draft, talks)
        if round_ is None or (
            draft.date.value
            and round_.date.value
            and not dates_agree(draft.date.value, round_.date.value)
        ):
            linked.append(draft)
            continue
        date_value, date_text = (
            (draft.date, draft.date_text) if draft.date.value else (round_.date, round_.date_text)
        )
        linked.append(
            Draft(
                kind=draft.kind,
                segments=draft.segments,
                counts=draft.counts,
                date=date_value,
                date_text=date_text,
                location=draft.location or round_.location,
                mediators=draft.mediators or round_.mediators,
                round_number=None,
                claimed_by=draft.claimed_by,
                answer_index=draft.answer_index,
            )
        )
    return linked


def as_each_side(counts: list[Count]) -> list[Count]:
    """The same number to Russia and to Ukraine (of one category) is each side's count."""
    merged: list[Count] = []
    for count in counts:
        if count.side in ("russia", "ukraine"):
            other = "ukraine" if count.side == "russia" else "russia"
            twin = next(
                (c for c in counts if (c.side, c.category, c.value, c.qualifier)
                 == (other, count.category, count.value, count.qualifier)),
                None,
            )  # fmt: skip
            if twin is not None:
                each = count.model_copy(update={"side": "each_side"})
                if each not in merged:
                    merged.append(each)
                continue
        merged.append(count)
    return merged
