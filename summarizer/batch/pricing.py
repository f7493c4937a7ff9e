"""Token prices per model, set by the user, and the cost of a run.

Prices change and differ between providers, so the tool ships none but the embedded model's
(zero: it runs on this machine). A price file (``--prices`` or ``SUMMARIZER_PRICES``) maps model
names to USD per million prompt and completion tokens, in YAML or JSON::

    gpt-4o-mini: {prompt: 0.15, completion: 0.60}

A model with no price gets no cost (reported as unknown), never a made-up zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.errors import ConfigError


class Price(BaseModel):
    """USD per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: float = Field(ge=0)
    completion: float = Field(ge=0)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """USD for these tokens."""
        return (prompt_tokens * self.prompt + completion_tokens * self.completion) / 1_000_000


FREE = Price(prompt=0.0, completion=0.0)


def load_prices(path: Path | None) -> dict[str, Price]:
    """Read a price file (model name -> price); no file means no prices.

    Raises:
        ConfigError: The file is missing, unreadable or not a price table.

    """
    if path is None:
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"price file {path}: cannot read: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"price file {path}: not YAML or JSON ({e})") from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"price file {path}: expected a mapping of model names to "
            "{prompt: USD per 1M tokens, completion: USD per 1M tokens}"
        )
    try:
        return {str(model): Price.model_validate(price) for model, price in raw.items()}
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"price file {path}: {where}: {first['msg']}") from None


def price_for(prices: Mapping[str, Price], model: str, *, embedded: bool) -> Price | None:
    """The price of ``model``: zero on the embedded model, else the table's entry, if any."""
    if embedded:
        return FREE
    return prices.get(model)
