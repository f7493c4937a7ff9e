"""Model answers for tests: one event dict with overridable fields, and the JSON answer."""

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
