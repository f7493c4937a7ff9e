"""Settings: one frozen object, resolved at call time (argument > environment > default)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import platformdirs

from summarizer.errors import ConfigError

APP_NAME = "summarizer"
EMBEDDED_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"


class FetchLinks(StrEnum):
    """When a batch reads the page a feed entry links to instead of the entry's own text."""

    auto = "auto"  # when the entry's own text is a teaser (sources.MIN_ENTRY_CHARS)
    always = "always"
    never = "never"


@dataclass(frozen=True)
class Settings:
    """Everything that changes what the tool does, in one immutable value.

    Attributes:
        base_url: An OpenAI-compatible endpoint; ``None`` means the embedded local model.
        model: Model name sent to the endpoint.
        api_key: Credential for the endpoint; never printed (excluded from ``repr``).
        model_path: A GGUF file to serve instead of the pinned embedded weights.
        data_dir: Where installed model weights live.
        cache_dir: Where the extraction cache lives.
        use_cache: Read and write the extraction cache.
        timeout_s: Wall-clock limit for one HTTP request to the endpoint.
        http_attempts: Attempts per request for retryable HTTP faults (429, 5xx, timeouts).
        max_reasks: How often a schema or grounding violation is sent back to the model.
        seed: Sampling seed sent with every request.
        context_tokens: Context window of the model; longer articles are split.
        max_output_tokens: Upper bound on generated tokens per call.
        generation_budget_s: Wall-clock budget for all generation on one article
            (the embedded model stops within it instead of looping).
        threads: CPU threads for the embedded model.
        concurrency: Articles a batch works on at once; ``None`` means 1 for the embedded
            model (it serves one request at a time) and 4 for an endpoint.
        fetch_timeout_s: Limit to connect to, and between chunks of, a feed or page download.
        prices: A YAML/JSON price table (USD per million tokens per model) for batch costs.

    """

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    model_path: Path | None = None
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)))
    cache_dir: Path = field(default_factory=lambda: Path(platformdirs.user_cache_dir(APP_NAME)))
    use_cache: bool = True
    timeout_s: float = 120.0
    http_attempts: int = 4
    max_reasks: int = 1
    seed: int = 1234
    context_tokens: int = 8192
    max_output_tokens: int = 1024
    generation_budget_s: float = 60.0
    threads: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    concurrency: int | None = None
    fetch_timeout_s: float = 20.0
    prices: Path | None = None

    @property
    def uses_embedded_model(self) -> bool:
        """True when no endpoint is configured and the local model must be served."""
        return self.base_url is None

    @property
    def model_name(self) -> str:
        """The model name sent in requests."""
        if self.model:
            return self.model
        if self.uses_embedded_model:
            return EMBEDDED_MODEL_NAME
        raise ConfigError("SUMMARIZER_BASE_URL is set but SUMMARIZER_MODEL is not: name the model")

    @property
    def batch_concurrency(self) -> int:
        """Articles a batch works on at once."""
        if self.concurrency is not None:
            return self.concurrency
        return 1 if self.uses_embedded_model else 4

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, then the environment, then explicit arguments.

        Args:
            env: The environment to read (``os.environ`` when omitted).
            **overrides: Explicit values; ``None`` means "not given" and is ignored.

        Returns:
            The resolved settings.

        Raises:
            ConfigError: An environment value cannot be parsed.

        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(_ENV_NAMES.get(f.name, f"SUMMARIZER_{f.name.upper()}"))
            if raw is None and f.name == "api_key":
                raw = env.get("SUMMARIZER_API_KEY")
            if raw is not None and raw != "":
                values[f.name] = _parse(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        settings = replace(cls(), **values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Reject values no run could succeed with.

        Raises:
            ConfigError: A value is out of range.

        """
        if self.timeout_s <= 0 or self.generation_budget_s <= 0 or self.fetch_timeout_s <= 0:
            raise ConfigError("timeouts must be positive")
        if self.http_attempts < 1:
            raise ConfigError("SUMMARIZER_HTTP_ATTEMPTS must be at least 1")
        if self.max_reasks < 0:
            raise ConfigError("SUMMARIZER_MAX_REASKS must not be negative")
        if self.concurrency is not None and not 1 <= self.concurrency <= 64:
            raise ConfigError("SUMMARIZER_CONCURRENCY must be between 1 and 64")
        if self.context_tokens < 2048:
            raise ConfigError("SUMMARIZER_CONTEXT_TOKENS must be at least 2048")
        if not 64 <= self.max_output_tokens < self.context_tokens:
            raise ConfigError("SUMMARIZER_MAX_OUTPUT_TOKENS must be >= 64 and below the context")


def redact_url(url: str) -> str:
    """A URL safe to print: user and password removed, query strings (keys) dropped."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def configured_secrets(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The credentials the environment configures, for masking wherever they might be shown.

    The API key (``OPENAI_API_KEY`` or ``SUMMARIZER_API_KEY``) and the password in
    ``SUMMARIZER_BASE_URL``, if any.
    """
    env = os.environ if env is None else env
    found = [env.get("OPENAI_API_KEY"), env.get("SUMMARIZER_API_KEY")]
    with suppress(ValueError):  # an unparseable URL is reported by Settings.validate
        found.append(urlsplit(env.get("SUMMARIZER_BASE_URL") or "").password)
    return tuple(secret for secret in found if secret)


_ENV_NAMES = {"api_key": "OPENAI_API_KEY"}
_PATHS = {"model_path", "data_dir", "cache_dir", "prices"}
_INTS = {
    "http_attempts",
    "max_reasks",
    "seed",
    "context_tokens",
    "max_output_tokens",
    "threads",
    "concurrency",
}
_FLOATS = {"timeout_s", "generation_budget_s", "fetch_timeout_s"}
_BOOLS = {"use_cache"}


def _parse(name: str, raw: str) -> Any:
    env_name = _ENV_NAMES.get(name, f"SUMMARIZER_{name.upper()}")
    try:
        if name in _PATHS:
            return Path(raw).expanduser()
        if name in _INTS:
            return int(raw)
        if name in _FLOATS:
            return float(raw)
        if name in _BOOLS:
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
    except ValueError:
        raise ConfigError(f"{env_name}={raw!r} is not a valid value") from None
    return raw
