"""Reading what is complete in a JSON answer that was cut off (pure)."""

from __future__ import annotations

import json
from typing import Any

_DECODER = json.JSONDecoder()


def complete_items(text: str, key: str = "events") -> list[Any]:
    """The items of the array ``key`` that were written out in full before ``text`` was cut.

    ``{"events": [{...}, {...}, {"evidence": ["cut`` gives the first two objects. Nothing is
    guessed: an item counts only if it parses as JSON on its own.

    Args:
        text: The beginning of a JSON object.
        key: The array whose items to read.

    Returns:
        The complete items, in order; empty when none is complete.

    """
    head = f'"{key}"'
    at = text.find(head)
    if at < 0:
        return []
    at = text.find("[", at + len(head))
    if at < 0:
        return []
    items: list[Any] = []
    position = at + 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return items
        try:
            item, position = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError:
            return items
        items.append(item)
