"""The timeline one kind of event at a time, for stores that take new records as they come (pure).

The merger never puts records of two kinds into one event, and the order it clusters one
kind's records in does not depend on the other kinds' records. So merging each kind's records
on its own gives exactly the events of a merge of all records (ids, members, figures,
conflicts, explanations); only two things cross kinds:

* the links between an agreement and the round of talks it was reached at, which
  :func:`relink` recomputes from the events of those two kinds;
* the numbering of the sources (``S1``, ``S2``, ... over the whole timeline), which
  :func:`kind_events` replaces by a numbering local to each event, so that an event reads the
  same whatever else is in the timeline.

A store of merged events can then take new records by merging again only the kinds they are
of, and a read never merges anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from summarizer.records import EventKind
from summarizer.timeline.merge import (
    _KIND_ORDER,
    Link,
    MergedEvent,
    SourcedRecord,
    SourceRef,
    Timeline,
    _link,
    merge,
)


@dataclass(frozen=True)
class EventEntry:
    """One merged event with its own sources, numbered ``S1``.. within the event.

    Attributes:
        event: The event; every ``sources`` list in it names refs of ``sources``.
        sources: The records it was merged from, in the merger's order.
        order: Where the event comes in the timeline among the events of its date: sorting
            entries of all kinds by :attr:`sort_key` gives the order of a full merge.

    """

    event: MergedEvent
    sources: list[SourceRef]
    order: int

    @property
    def sort_key(self) -> str:
        """A text that sorts entries in timeline order (dated events first, by date)."""
        date = self.event.date.value
        # A space sorts before the digits and '-' of any date: '2025' comes before '2025-07'.
        return f"{0 if date else 1} {date or ''} {_KIND_ORDER[self.event.kind]} {self.order:09d}"


def _renumber(value: Any, refs: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            k: [refs[r] for r in v] if k == "sources" else _renumber(v, refs)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_renumber(v, refs) for v in value]
    return value


def local_entries(timeline: Timeline) -> list[EventEntry]:
    """The events of a merged timeline, each with its own sources numbered from ``S1``."""
    by_ref = {s.ref: s for s in timeline.sources}
    entries = []
    for position, event in enumerate(timeline.events):
        refs = {ref: f"S{i}" for i, ref in enumerate(event.sources, start=1)}
        data = _renumber(event.model_dump(), refs)
        entries.append(
            EventEntry(
                event=MergedEvent.model_validate(data),
                sources=[
                    SourceRef(ref=refs[ref], sourced=by_ref[ref].sourced) for ref in event.sources
                ],
                order=position,
            )
        )
    return entries


def kind_events(kind: EventKind, records: Iterable[SourcedRecord]) -> list[EventEntry]:
    """Merge the records of one kind (others are ignored): its events, without links.

    Args:
        kind: The kind of event.
        records: Records of any kinds; only those of ``kind`` are merged.

    Returns:
        The kind's events in timeline order, each with its sources numbered within it.

    """
    timeline = merge(r for r in records if r.record.kind == kind)
    return local_entries(timeline)


def relink(entries: Sequence[EventEntry]) -> dict[str, list[Link]]:
    """The links between agreements and rounds of talks, as a full merge makes them.

    Args:
        entries: Events of any kinds (only rounds of talks and agreements are looked at).

    Returns:
        Each linked event's id and its links, in the order a full merge lists them.

    """
    linkable = sorted(
        (e for e in entries if e.event.kind in ("talks_round", "agreement")),
        key=lambda e: e.sort_key,
    )
    events: list[dict[str, Any]] = [
        {
            "id": e.event.id,
            "kind": e.event.kind,
            "date": e.event.date,
            "location": {"chosen": e.event.location.chosen},
            "links": [],
        }
        for e in linkable
    ]
    _link(events)
    return {
        str(e["id"]): [Link.model_validate(link) for link in e["links"]]
        for e in events
        if e["links"]
    }
