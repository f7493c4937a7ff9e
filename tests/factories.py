"""Model answers for tests, as the model gives them."""

from __future__ import annotations

import json


def label(name: str, received_by: str | None = None) -> str:
    """The model's JSON answer about one sentence: ``["exchange", "each_side"]``."""
    return json.dumps([name, received_by] if received_by else [name])
