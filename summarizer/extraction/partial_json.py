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


def cut_item(text: str, key: str = "events") -> dict[str, Any] | None:
    """The last item of the array ``key`` as far as it was written before ``text`` was cut.

    Read with jiter's partial mode: complete keys and values are kept, a cut string is left
    out, and the cut item is returned as far as it goes (``None`` when the array ended before
    the cut, or the last item is no object). Callers decide which missing fields they can do
    without; nothing is filled in here.
    """
    import jiter  # pydantic's JSON parser, already a dependency of the openai SDK

    complete = complete_items(text, key)
    try:
        parsed = jiter.from_json(text.encode("utf-8"), partial_mode="on")
    except ValueError:
        return None
    items = parsed.get(key) if isinstance(parsed, dict) else None
    if not isinstance(items, list) or len(items) <= len(complete):
        return None
    last = items[len(complete)]
    return last if isinstance(last, dict) else None
