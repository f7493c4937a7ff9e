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


def label(n: int, *kinds: str | tuple[int, str]) -> list[Any]:
    """The model's ``[n, label, figures]`` entry for sentence ``n``.

    ``kinds`` are event kinds (none when empty; two are joined with "+") and figures as
    ``(number, received_by)``: ``label(3, "prisoner_exchange", (95, "each_side"))``.
    """
    names = [k for k in kinds if isinstance(k, str)] or ["none"]
    pairs = [[k[0], k[1]] for k in kinds if isinstance(k, tuple)]
    return [n, "+".join(names), pairs]


def labels(*entries: list[Any]) -> str:
    """The JSON answer labelling these sentences."""
    return json.dumps({"sentences": list(entries)})
