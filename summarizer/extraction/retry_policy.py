"""Which HTTP faults are worth retrying and how long to wait: pure functions, tested by table."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

#: The longest Retry-After we wait out; a server asking for more is reported, not retried.
MAX_RETRY_AFTER_S = 60.0
#: A retry left less time than this (or than its own limit, if shorter) is not started: it
#: would most likely time out, and its timeout would hide the fault seen before it.
MIN_ATTEMPT_S = 1.0


def is_retryable_status(status: int) -> bool:
    """Whether a response status is transient.

    408 (request timeout), 429 (rate limited) and 5xx except 501 (not implemented) are retried;
    every other 4xx is the request's fault and would fail again.
    """
    if status in (408, 429):
        return True
    return 500 <= status <= 599 and status != 501


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Read a Retry-After header: delta-seconds or an HTTP date.

    Args:
        value: The header value, or ``None``.
        now: The current time (for HTTP dates); UTC now when omitted.

    Returns:
        Seconds to wait (never negative), or ``None`` when absent or unreadable.

    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(
    attempt: int, retry_after: float | None, base: float = 1.0, cap: float = 30.0
) -> float | None:
    """The wait before retry number ``attempt`` (1-based).

    A server's Retry-After wins; otherwise exponential backoff ``base * 2**(attempt-1)``
    capped at ``cap``.

    Returns:
        Seconds to wait, or ``None`` when the server asks for longer than
        :data:`MAX_RETRY_AFTER_S` and the fault should be reported instead.

    """
    if retry_after is not None:
        return retry_after if retry_after <= MAX_RETRY_AFTER_S else None
    return float(min(cap, base * 2 ** (attempt - 1)))


def next_attempt_seconds(limit_s: float | None, left_s: float) -> float | None:
    """How long a retry may take, or ``None`` when it should not start.

    The retry deadline counts the attempt about to start: it gets the time left before the
    deadline (after the wait), at most its own limit.

    Args:
        limit_s: The limit on one attempt, or ``None`` for none.
        left_s: Seconds from the retry's start to the deadline.

    Returns:
        Seconds the retry may take, or ``None`` when that is under :data:`MIN_ATTEMPT_S`
        (or under ``limit_s``, if shorter).

    """
    budget = left_s if limit_s is None else min(limit_s, left_s)
    floor = MIN_ATTEMPT_S if limit_s is None else min(MIN_ATTEMPT_S, limit_s)
    return budget if budget >= floor else None
