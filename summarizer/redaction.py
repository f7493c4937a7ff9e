"""Credentials out of text: URL passwords and query values, auth headers, api_key=, known keys.

Pure (standard library only). The CLI puts :class:`RedactingFilter` on its log handlers, so
that no log line, whatever library wrote it and at whatever verbosity, shows a credential.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "***"
#: A known secret shorter than this is not replaced wherever it occurs (it would mangle
#: ordinary words); the patterns below still hide it where it is used as a credential.
MIN_SECRET_CHARS = 8

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>`]+")
_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#]*@")
_QUERY_VALUE = re.compile(r"([?&;][^=&;#\s]*=)[^&;#\s]*")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_AUTHORIZATION = re.compile(r"(?i)\b((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)[^\"'\n,}]+")
_KEY_VALUE = re.compile(
    r"(?i)((?:api[_-]?key|access[_-]?token|password|secret)[\"']?\s*[:=]\s*[\"']?)"
    r"[^\s\"'&,;}\]]+"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every credential in it replaced by ``***``.

    Hides the user and password of URLs (``https://user:pw@host``) and the values of their
    query strings, ``Authorization`` values and ``Bearer`` tokens, ``api_key=...``-like pairs (also
    ``"api-key": "..."``, ``password=``, ``access_token=``) and each of ``secrets``.

    Args:
        text: Any text (a log message, an error, a quoted answer).
        secrets: Known credential values (the configured API key).

    Returns:
        The text, credentials masked.

    """
    for secret in secrets:
        if len(secret) >= MIN_SECRET_CHARS:
            text = text.replace(secret, MASK)
    text = _URL.sub(_redact_url, text)
    text = _AUTHORIZATION.sub(rf"\1{MASK}", text)
    text = _BEARER.sub(rf"\1{MASK}", text)
    return _KEY_VALUE.sub(rf"\1{MASK}", text)


def _redact_url(match: re.Match[str]) -> str:
    url = _USERINFO.sub(rf"\1{MASK}@", match.group(0))
    return _QUERY_VALUE.sub(rf"\1{MASK}", url)


class RedactingFilter(logging.Filter):
    """A handler filter that masks credentials in each record before it is formatted.

    The message is formatted with its args first (a URL is often an argument), then
    redacted; so are a traceback and a stack attached to the record.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        """Mask the patterns of :func:`redact` and each of ``secrets``."""
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; never drops it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed logging call: keep its parts, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True
