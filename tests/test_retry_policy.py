from __future__ import annotations

from datetime import UTC, datetime

import pytest

from summarizer.extraction.retry_policy import (
    MAX_RETRY_AFTER_S,
    MIN_ATTEMPT_S,
    backoff_seconds,
    is_retryable_status,
    next_attempt_seconds,
    retry_after_seconds,
)


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (200, False),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (408, True),
        (422, False),
        (429, True),
        (500, True),
        (501, False),
        (502, True),
        (503, True),
        (504, True),
        (529, True),
    ],
)
def test_retryable_statuses(status: int, retry: bool) -> None:
    assert is_retryable_status(status) is retry


NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("7", 7.0),
        (" 1.5 ", 1.5),
        ("-3", 0.0),
        ("soon", None),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 11:59:00 GMT", 0.0),
    ],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, now=NOW) == seconds


@pytest.mark.parametrize(
    ("attempt", "retry_after", "wait"),
    [
        (1, None, 1.0),
        (2, None, 2.0),
        (3, None, 4.0),
        (10, None, 30.0),
        (1, 12.0, 12.0),
        (4, 0.0, 0.0),
        (1, MAX_RETRY_AFTER_S + 1, None),
    ],
)
def test_backoff(attempt: int, retry_after: float | None, wait: float | None) -> None:
    assert backoff_seconds(attempt, retry_after) == wait


@pytest.mark.parametrize(
    ("limit_s", "left_s", "budget"),
    [
        (120.0, 300.0, 120.0),  # plenty left: the attempt's own limit
        (120.0, 57.0, 57.0),  # the deadline counts the attempt: only what is left
        (None, 57.0, 57.0),
        (120.0, MIN_ATTEMPT_S, MIN_ATTEMPT_S),
        (120.0, MIN_ATTEMPT_S - 0.01, None),  # too little to be worth starting
        (120.0, -3.0, None),  # the wait alone passes the deadline
        (0.2, 0.5, 0.2),  # a short limit: the floor is the limit
        (0.2, 0.19, None),
    ],
)
def test_next_attempt_budget(limit_s: float | None, left_s: float, budget: float | None) -> None:
    assert next_attempt_seconds(limit_s, left_s) == budget
