"""Where LLM requests go: a plain value, importable without the LLM SDKs (pure).

A fully cached run never needs openai or instructor (1.4 s of a 3.6 s run for 1,000 cached
articles was spent importing them), so the extractor imports the adapter only on its first
cache miss and everything else names endpoints through this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: instructor's mode, by name (part of every cache key): native ``response_format``
#: json_schema, which llama.cpp's server turns into a decoding grammar.
MODE_NAME = "json_schema_mode"


@dataclass(frozen=True)
class Endpoint:
    """Where requests go.

    Attributes:
        base_url: OpenAI-compatible base URL (ending in ``/v1``).
        model: Model name sent with each request.
        api_key: Credential; never logged (excluded from ``repr``).
        label: ``embedded`` for the local model, else the base URL (for provenance).

    """

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    label: str = "embedded"
