"""The extraction cache: diskcache storing JSON only, never pickle.

diskcache's default format is pickle, which would let anyone who can write the cache directory
run code in this process; ``JSONDisk`` stores plain JSON. Values are re-validated with pydantic
on read and anything unreadable is a miss, never a crash.

The cache only saves money, so it never costs an answer: a damaged database file (garbage, cut
short, a page overwritten) is moved aside with one warning and a fresh cache takes its place,
whether the damage shows when the cache is opened or only when a page is read or written; a
write that fails for any other reason (disk full, locked too long) is a warning and the answer
is still returned by the caller.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path
from typing import Any, TypeVar

import diskcache
from pydantic import BaseModel, ValidationError

from summarizer.errors import ConfigError
from summarizer.sqlite_damage import is_damaged_database, move_aside

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
        """Open (or create) the cache in ``directory``; a damaged one is replaced.

        Raises:
            ConfigError: The directory cannot hold a cache (not a directory, no permission),
                or a damaged cache file in it cannot be moved aside.

        """
        self._directory = directory
        self._file = directory / diskcache.core.DBNAME
        self._lock = threading.Lock()  # one thread replaces a damaged cache, once
        self._inode: int | None = None
        self._write_failures = 0
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise self._unusable(e) from None
        try:
            self._cache: diskcache.Cache | None = self._connect()
        except Exception as e:
            if not is_damaged_database(e):
                raise self._unusable(e) from None
            self._cache = self._replace(e)

    def _connect(self) -> diskcache.Cache:
        # Remember the file we open, so that we never move aside a fresh one that another
        # process put in place of the damaged one meanwhile.
        try:
            self._inode = self._file.stat().st_ino
        except FileNotFoundError:
            self._inode = None
        cache = diskcache.Cache(str(self._directory), disk=diskcache.JSONDisk, size_limit=2**30)
        if self._inode is None:
            self._inode = self._file.stat().st_ino
        return cache

    def _unusable(self, error: BaseException) -> ConfigError:
        # mkdir says "File exists" when the path is a file; say what is wrong with it.
        reason = (
            "not a directory"
            if isinstance(error, FileExistsError)
            else getattr(error, "strerror", None) or error
        )
        return ConfigError(
            f"cannot use the cache in {self._directory} ({reason}): set SUMMARIZER_CACHE_DIR "
            "to a writable directory, or run with --no-cache"
        )

    def _replace(self, error: BaseException) -> diskcache.Cache:
        """Move the damaged file aside (unless another process already did) and start afresh."""
        try:
            same = self._inode is None or self._file.stat().st_ino == self._inode
            aside = move_aside(self._file) if same else None
        except FileNotFoundError:
            aside = None  # another process moved it first
        except OSError as e:
            raise ConfigError(
                f"the cache {self._file} is damaged ({error}) and cannot be moved aside "
                f"({e.strerror or e}): delete it, or run with --no-cache"
            ) from None
        if aside is not None:
            log.warning(
                "the cache %s is damaged (%s); moved it to %s and started a fresh one",
                self._file,
                error,
                aside,
            )
        try:
            return self._connect()
        except Exception as e:
            raise self._unusable(e) from None

    def _recover(self, broken: diskcache.Cache, error: BaseException) -> bool:
        """Replace ``broken`` after it reported damage; False when no cache can be used now."""
        with self._lock:
            if self._cache is not broken:  # another thread has replaced it already
                return self._cache is not None
            _close_quietly(broken)
            fresh: diskcache.Cache | None
            try:
                fresh = self._replace(error)
            except ConfigError as e:
                log.warning("%s; going on without a cache", e)
                fresh = None
            self._cache = fresh
            return fresh is not None

    def get(self, key: str, model: type[T]) -> T | None:
        """The cached value as ``model``, or ``None`` when absent, unreadable or invalid."""
        cache = self._cache
        if cache is None:
            return None
        try:
            raw = cache.get(key)
        except Exception as e:  # a corrupt row or file: treat as a miss
            if self._replaced(cache):
                return None  # it failed because another thread was replacing the file
            if is_damaged_database(e):
                self._recover(cache, e)
            else:
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
        """Store a value; a failure is logged, never raised (the caller keeps its value)."""
        document = value.model_dump(mode="json")
        for attempt in (1, 2, 3):
            cache = self._cache
            if cache is None:
                return
            try:
                cache.set(key, document)
                return
            except Exception as e:
                last = attempt == 3
                if not last and self._replaced(cache):
                    continue  # another thread replaced a damaged file meanwhile: write there
                if not last and is_damaged_database(e) and self._recover(cache, e):
                    continue
                self._write_failed(key, e)
                return

    def _replaced(self, cache: diskcache.Cache) -> bool:
        """Whether ``cache`` is no longer the one in use (waits for a replacement under way).

        While one thread replaces a damaged file, another thread's first use of the old cache
        opens the path anew and finds a file with no tables yet: that error is not news.
        """
        with self._lock:
            return cache is not self._cache

    def _write_failed(self, key: str, error: BaseException) -> None:
        # A full disk fails every write: say it once, not once per article.
        self._write_failures += 1
        if self._write_failures == 1:
            log.warning(
                "could not write to the cache %s (%s); results are kept but not cached "
                "(further failed writes are logged at debug level)",
                self._file,
                error,
            )
        else:
            log.debug("cache write %s failed: %s", key[:12], error)

    def close(self) -> None:
        """Release the database handle; later gets miss and later puts store nothing.

        A request still in flight when its run was stopped may be answered after this: that
        answer belongs to no run, and is not stored.
        """
        with self._lock:
            cache, self._cache = self._cache, None
        if cache is not None:
            cache.close()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _close_quietly(cache: diskcache.Cache) -> None:
    try:
        cache.close()
    except Exception:  # closing a damaged database must not hide the damage being handled
        log.debug("closing the damaged cache failed", exc_info=True)
