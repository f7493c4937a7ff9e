"""The extraction cache: diskcache storing JSON only, never pickle.

diskcache's default format is pickle, which would let anyone who can write the cache directory
run code in this process; ``JSONDisk`` stores plain JSON. Values are re-validated with pydantic
on read and anything unreadable is a miss, never a crash.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, TypeVar

import diskcache
from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)


def cache_key(**parts: Any) -> str:
    """Hash the parts that decide an extraction into one key.

    Args:
        **parts: Model id, request parameters, prompt hash, schema hash, article hash, ...

    Returns:
        A hex SHA-256 of their canonical JSON.

    """
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResultCache:
    """Pydantic values keyed by :func:`cache_key`, stored as JSON."""

    def __init__(self, directory: Path) -> None:
        """Open (or create) the cache in ``directory``."""
        self._cache = diskcache.Cache(str(directory), disk=diskcache.JSONDisk, size_limit=2**30)

    def get(self, key: str, model: type[T]) -> T | None:
        """The cached value as ``model``, or ``None`` when absent, unreadable or invalid."""
        try:
            raw = self._cache.get(key)
        except Exception as e:  # a corrupt row or file: treat as a miss
            log.warning("cache entry %s unreadable (%s); recomputing", key[:12], e)
            return None
        if raw is None:
            return None
        try:
            return model.model_validate(raw)
        except ValidationError:
            log.warning("cache entry %s does not match the current records; recomputing", key[:12])
            return None

    def put(self, key: str, value: BaseModel) -> None:
        """Store a value."""
        self._cache.set(key, value.model_dump(mode="json"))

    def close(self) -> None:
        """Release the database handle."""
        self._cache.close()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
