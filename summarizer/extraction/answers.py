"""The model's answer about one sentence: the schema a request sends, and reading any answer.

A request asks about one candidate sentence. Its schema is a JSON array, ``["label"]`` or,
when the sentence counts people and its words do not say who received them,
``["label","received_by"]`` (a third of the tokens of an object, and a small local model
pays a forward pass for every token it generates), with the recipient in a one-word form
(``"each"`` for each_side). Endpoints whose structured output wants an object at the root
get the object form of the same answer. Whatever comes back (fresh, cached or cut off) is
read leniently: an answer that cannot be read is "none", said in a warning.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any, get_args

from pydantic import ValidationError

from summarizer.extraction.grounding import short
from summarizer.records import SPOKEN_RECIPIENTS, Label, SentenceAnswer

LABELS: tuple[str, ...] = get_args(Label)
#: The recipients as the model says them.
RECIPIENTS: tuple[str, ...] = tuple(SPOKEN_RECIPIENTS)
#: How an array answer ends: no label or recipient holds a quote or a bracket, so its first
#: '"]' is its end. Sent as a stop string, it spares the forward pass that would generate
#: the end-of-text token after it (a tenth of a second on two cores, a sixth of a short
#: answer's generation); the server leaves it out of the text and the adapter puts it back.
ARRAY_END = '"]'


def _schema(asks_recipient: bool, array: bool) -> dict[str, Any]:
    label = {"enum": list(LABELS), "type": "string"}
    recipient = {"enum": list(RECIPIENTS), "type": "string"}
    if array:
        items = [label, recipient] if asks_recipient else [label]
        return {
            "title": "SentenceAnswer",
            "type": "array",
            "prefixItems": items,
            "minItems": len(items),
            "maxItems": len(items),
        }
    properties = {"label": label, "received_by": recipient} if asks_recipient else {"label": label}
    return {
        "title": "SentenceAnswer",
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


@lru_cache(maxsize=4)
def answer_model(*, asks_recipient: bool, array: bool = True) -> type[SentenceAnswer]:
    """The response model of one sentence's request.

    Args:
        asks_recipient: Ask who received the people the sentence counts.
        array: Answer as a JSON array (llama.cpp) rather than an object (endpoints whose
            structured output needs an object at the root).

    """
    schema = _schema(asks_recipient, array)

    class Answer(SentenceAnswer):
        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            # instructor sends this schema as the request's response_format; a fresh copy,
            # since callers may change it.
            return copy.deepcopy(schema)

    Answer.__name__ = Answer.__qualname__ = "SentenceAnswer"
    return Answer


def parse_answer(raw: str) -> tuple[SentenceAnswer, list[str]]:
    """Read a raw answer; one that cannot be read is "none", with a warning.

    Returns:
        The answer and the warnings (at most one, quoting at most 200 characters).

    """
    try:
        return SentenceAnswer.model_validate_json(raw), []
    except ValidationError as e:
        try:
            json.loads(raw)
        except json.JSONDecodeError:
            reason = "not JSON"
        else:
            first = e.errors()[0]
            reason = f"{'.'.join(str(p) for p in first.get('loc', ())) or 'answer'}: " + short(
                str(first.get("msg", "")), 80
            )
        return SentenceAnswer(label="none"), [
            f"answer {short(raw, 120)!r} not read ({reason}); taken as none"
        ]
