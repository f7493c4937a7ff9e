"""Model answers for tests: sentence labels as the model gives them, and the JSON answer."""

from __future__ import annotations

import json
from typing import Any


def count(side: str, category: str, value: int | None, qualifier: str = "exact") -> dict[str, Any]:
    return {"side": side, "category": category, "value": value, "qualifier": qualifier}


def event(**overrides: Any) -> dict[str, Any]:
    """An extracted event (all fields, as the schema requires) with ``overrides`` applied."""
    base: dict[str, Any] = {
        "kind": "prisoner_exchange",
        "date": "2025-05-23",
        "location": "Ukrainian-Belarusian border",
        "mediators": [],
        "parties": ["Russia", "Ukraine"],
        "counts": [count("each_side", "servicemen", 270)],
        "claimed_by": None,
        "round_number": None,
        "evidence": ["Each side returned 270 servicemen and 120 civilians"],
    }
    return base | overrides


def answer(*events: dict[str, Any]) -> str:
    """The JSON a model would answer with these events."""
    return json.dumps({"events": list(events)})


def label(
    n: int, *kinds: str | tuple[int, str], figures: list[tuple[int, str]] | None = None
) -> dict[str, Any]:
    """The model's label of sentence ``n``: kinds (default none) and ``(number, received_by)``.

    Figures may also be given among ``kinds`` as tuples: ``label(3, "prisoner_exchange",
    (95, "each_side"))``.
    """
    names = [k for k in kinds if isinstance(k, str)] or ["none"]
    pairs = [k for k in kinds if isinstance(k, tuple)] + list(figures or [])
    entry: dict[str, Any] = {"n": n, "kinds": names}
    if pairs:
        entry["figures"] = [{"number": v, "received_by": side} for v, side in pairs]
    return entry


def labels(*entries: dict[str, Any]) -> str:
    """The JSON answer labelling these sentences."""
    return json.dumps({"sentences": list(entries)})
