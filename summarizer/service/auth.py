"""API keys: bearer auth for the API, a login form and a session cookie for the pages.

Keys come from ``SUMMARIZER_API_KEYS``. Every comparison is constant-time
(:func:`hmac.compare_digest`) and looks at every key. The cookie holds no key: it is an HMAC
of a fixed label under the key, so a key taken out of the settings ends its sessions, and the
cookie is HttpOnly and SameSite=Strict (no script reads it, no other site sends it).
"""

from __future__ import annotations

import hashlib
import hmac

COOKIE_NAME = "summarizer_session"
_LABEL = b"summarizer-session-v1"


def _session_token(key: str) -> str:
    return hmac.new(key.encode("utf-8"), _LABEL, hashlib.sha256).hexdigest()


def key_matches(given: str | None, keys: tuple[str, ...]) -> bool:
    """Whether ``given`` is one of the keys (constant-time, whichever it is)."""
    if given is None:
        return False
    found = False
    for key in keys:
        found |= hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8"))
    return found


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header, if that is what it is."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def session_for(given: str, keys: tuple[str, ...]) -> str | None:
    """The cookie value of a session opened with key ``given``, or ``None`` if it is no key."""
    for key in keys:
        if hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8")):
            return _session_token(key)
    return None


def session_valid(cookie: str | None, keys: tuple[str, ...]) -> bool:
    """Whether a session cookie was made with one of the keys."""
    if not cookie:
        return False
    found = False
    for key in keys:
        found |= hmac.compare_digest(cookie.encode("utf-8"), _session_token(key).encode("utf-8"))
    return found
