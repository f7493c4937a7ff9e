"""The validation context of a structured call, passed beside instructor rather than through it.

instructor hands its ``context=`` argument to the validators, but it also renders every chat
message as a Jinja2 template with it: an article containing ``{{``, ``{%`` or ``{#`` would be
rewritten or make the call fail. So the LLM adapter sets this context variable around a call
instead (each thread, and each asyncio task, sees its own), and validators read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from pydantic import ValidationInfo

VALIDATION_CONTEXT: ContextVar[Mapping[str, Any] | None] = ContextVar(
    "summarizer_validation_context", default=None
)


def validation_context(info: ValidationInfo) -> Mapping[str, Any]:
    """The context of the validation under way: pydantic's own, else the call's."""
    return info.context or VALIDATION_CONTEXT.get() or {}
