"""The service's own settings: keys, limits, queue, CORS (env ``SUMMARIZER_*``, like the rest).

Resolved at call time (argument > environment > default), like :class:`~summarizer.config.
Settings`; a value no server could run with is one :class:`~summarizer.errors.ConfigError`
naming the variable.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from summarizer.config import Settings
from summarizer.errors import ConfigError

#: Request bodies larger than this are refused with 413 (10 MB).
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ServiceSettings:
    """How the HTTP service guards itself.

    Attributes:
        api_keys: Bearer keys; when any is set, the API and the pages need one. Never shown
            (excluded from ``repr``).
        max_body_bytes: Largest request body; larger ones get 413.
        max_in_flight: Summaries the service works on at once (``None``: as many as a batch
            would: 1 on the embedded model, which answers one request at a time, else 4).
        queue_size: Summaries that may wait for a free slot; more get 503 with Retry-After.
        rate_limit: Requests per minute per client (its key, else its address); more get 429
            with Retry-After; 0 turns the limit off.
        article_timeout_s: How long ``POST /v1/articles`` waits for its summary, waiting in the
            queue included; then 504 (the summary still finishes and is kept in the store).
        cors_origins: Origins allowed to call the API from a browser; none: CORS is off.

    """

    api_keys: tuple[str, ...] = field(default=(), repr=False)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_in_flight: int | None = None
    queue_size: int = 16
    rate_limit: int = 120
    article_timeout_s: float = 600.0
    cors_origins: tuple[str, ...] = ()

    def in_flight(self, settings: Settings) -> int:
        """Summaries at once, for these model settings."""
        return self.max_in_flight or settings.batch_concurrency

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> ServiceSettings:
        """Build settings from defaults, then the environment, then explicit arguments.

        Raises:
            ConfigError: A value cannot be parsed or is out of range (naming the variable).

        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = _env_name(f.name)
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                continue
            values[f.name] = _parse(f.name, name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = replace(cls(), **values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Reject values no server could run with.

        Raises:
            ConfigError: Naming the variable and what is wrong.

        """
        if self.max_body_bytes < 1024:
            raise ConfigError(_bad("max_body_bytes", self.max_body_bytes, "must be at least 1024"))
        if self.max_in_flight is not None and not 1 <= self.max_in_flight <= 64:
            raise ConfigError(_bad("max_in_flight", self.max_in_flight, "must be from 1 to 64"))
        if self.queue_size < 0:
            raise ConfigError(_bad("queue_size", self.queue_size, "must be 0 or more"))
        if self.rate_limit < 0:
            raise ConfigError(_bad("rate_limit", self.rate_limit, "must be 0 (off) or more"))
        if not (math.isfinite(self.article_timeout_s) and self.article_timeout_s > 0):
            raise ConfigError(
                _bad("article_timeout_s", self.article_timeout_s, "must be a positive number")
            )
        if any(not key for key in self.api_keys):
            raise ConfigError("SUMMARIZER_API_KEYS: an empty key (two commas in a row?)")


def is_loopback(host: str) -> bool:
    """Whether a listening address only accepts connections from this machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listen(host: str, service: ServiceSettings) -> None:
    """Refuse to listen beyond this machine without keys.

    Raises:
        ConfigError: ``host`` is not a loopback address and ``SUMMARIZER_API_KEYS`` is unset.

    """
    if not is_loopback(host) and not service.api_keys:
        raise ConfigError(
            f"refusing to listen on {host} without API keys: set SUMMARIZER_API_KEYS "
            "(comma-separated) or listen on 127.0.0.1"
        )


_INTS = {"max_body_bytes", "max_in_flight", "queue_size", "rate_limit"}
_FLOATS = {"article_timeout_s"}
_LISTS = {"api_keys", "cors_origins"}


def _env_name(name: str) -> str:
    return f"SUMMARIZER_{name.upper()}"


def _bad(name: str, value: object, why: str) -> str:
    return f"{_env_name(name)}={value!r}: {why}"


def _parse(name: str, env_name: str, raw: str) -> Any:
    if name in _LISTS:
        return tuple(part.strip() for part in raw.split(",")) if raw.strip() else ()
    try:
        if name in _INTS:
            return int(raw)
        if name in _FLOATS:
            return float(raw)
    except ValueError:
        shown = "***" if name == "api_keys" else repr(raw)
        raise ConfigError(f"{env_name}={shown} is not a valid value") from None
    return raw.strip()
