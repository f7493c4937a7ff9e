"""Settings: one frozen object, resolved at call time (argument > environment > default)."""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import platformdirs

from summarizer.errors import ConfigError
from summarizer.redaction import redact

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
        generation_budget_s: Model time one article may take: no call is started that
            would be expected to end past it (the sentences left are named in a warning),
            by the estimate below or, on a machine slower than it, by the wall time taken.
        context_budget_s: Model time an article may take before its context sentences
            (talks mentioned without a count, date, round or deal; headlines) are no longer
            read; the sentences with an event's substance are read first. On the embedded
            model both budgets count the time each answer costs on two cores as estimated
            from its sentence and tokens, so what is read does not depend on the machine,
            its load or the cache; on an endpoint, the time each answer took (then).
        threads: CPU threads for the embedded model.
        concurrency: Articles a batch works on at once; ``None`` means 1 for the embedded
            model (it serves one request at a time) and 4 for an endpoint.
        fetch_timeout_s: Limit to connect to, and between chunks of, a feed or page download.
        allow_private_links: Follow links found inside feeds (and their redirects) to
            loopback, private, link-local, multicast or reserved addresses too.
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
    generation_budget_s: float = 30.0
    context_budget_s: float = 8.0
    threads: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    concurrency: int | None = None
    fetch_timeout_s: float = 20.0
    allow_private_links: bool = False
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
        if self.base_url is not None:
            _check_base_url(self.base_url)
        for name in _FLOATS:
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(f"{_bad(name, value)}: must be a positive number of seconds")
        for name, least in _INT_MINIMA.items():
            if getattr(self, name) < least:
                raise ConfigError(f"{_bad(name, getattr(self, name))}: must be at least {least}")
        if self.concurrency is not None and not 1 <= self.concurrency <= 64:
            raise ConfigError(f"{_bad('concurrency', self.concurrency)}: must be from 1 to 64")
        if not 64 <= self.max_output_tokens < self.context_tokens:
            raise ConfigError(
                f"{_bad('max_output_tokens', self.max_output_tokens)}: must be at least 64 "
                f"and below SUMMARIZER_CONTEXT_TOKENS ({self.context_tokens})"
            )
        self._check_paths()

    def _check_paths(self) -> None:
        """A file where a directory belongs, or the other way round, is a setting error."""
        if self.model_path is not None and self.model_path.is_dir():
            raise ConfigError(
                f"{_bad('model_path', self.model_path)}: is a directory; name the .gguf file"
            )
        if self.prices is not None and self.prices.is_dir():
            raise ConfigError(f"{_bad('prices', self.prices)}: is a directory, not a price file")
        for name in ("cache_dir", "data_dir"):
            path: Path = getattr(self, name)
            if path.exists() and not path.is_dir():
                raise ConfigError(f"{_bad(name, path)}: is a file, not a directory")


def redact_url(url: str) -> str:
    """A URL safe to print: user and password removed, query strings (keys) dropped."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # not a URL urllib can take apart: mask what looks like a credential
        return redact(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address keeps its brackets
    if port is not None:
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


#: A host name: labels of letters (any script), digits, '-' and '_', dot-separated.
_HOST_NAME = re.compile(r"^[\w-]+(\.[\w-]+)*\.?$")


def _check_base_url(url: str) -> None:
    """Reject an endpoint URL that no request could be sent to.

    Raises:
        ConfigError: Naming ``SUMMARIZER_BASE_URL`` and what is wrong with it.

    """

    def bad(why: str) -> ConfigError:
        return ConfigError(f"SUMMARIZER_BASE_URL={redact(url)!r}: {why}")

    if any(c.isspace() for c in url):
        raise bad("contains a space or other whitespace")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
        raise bad(f"not a valid URL ({e})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise bad("must start with http:// or https://")
    host = parts.hostname
    if not host:
        raise bad("has no host")
    if not _is_ip_address(host) and not _HOST_NAME.match(host):
        raise bad(f"{host!r} is not a valid host name")
    if port == 0:
        raise bad("port must be from 1 to 65535")
    if parts.query or parts.fragment:
        raise bad("must not have a query string or fragment (the API path is appended to it)")


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _bad(name: str, value: object) -> str:
    """``SUMMARIZER_NAME=value``, how a setting is named in an error."""
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{_ENV_NAMES.get(name, f'SUMMARIZER_{name.upper()}')}={shown!r}"


def configured_secrets(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The credentials the environment configures, for masking wherever they might be shown.

    The API key (``OPENAI_API_KEY`` or ``SUMMARIZER_API_KEY``), the password in
    ``SUMMARIZER_BASE_URL``, and the service's own keys (``SUMMARIZER_API_KEYS``), if any.
    """
    env = os.environ if env is None else env
    found = [env.get("OPENAI_API_KEY"), env.get("SUMMARIZER_API_KEY")]
    found += [k.strip() for k in (env.get("SUMMARIZER_API_KEYS") or "").split(",")]
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
_FLOATS = ("timeout_s", "generation_budget_s", "context_budget_s", "fetch_timeout_s")
#: The least value of each integer setting that a run can work with.
_INT_MINIMA = {
    "http_attempts": 1,
    "max_reasks": 0,
    # llama.cpp takes a negative seed as "random", and requests must be deterministic.
    "seed": 0,
    "context_tokens": 2048,
    "threads": 1,
}
_BOOLS = {"use_cache", "allow_private_links"}


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
    # A value read from a file with $(cat ...) keeps its newline; no URL, model or key has one.
    return raw.strip()
