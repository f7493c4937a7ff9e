"""Credentials are masked in any text: URLs, auth headers, key=value pairs, known keys."""

from __future__ import annotations

import logging
import sys

import pytest

from summarizer.redaction import MASK, RedactingFilter, redact

KEY = "sk-test-0123456789abcdefghij"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "POST http://alice:hunter2@127.0.0.1:8080/v1/chat/completions 200",
            "POST http://***@127.0.0.1:8080/v1/chat/completions 200",
        ),
        (
            "GET https://feeds.example/rss?key=abc123&page=2",
            "GET https://feeds.example/rss?key=***&page=***",
        ),
        (
            "{'authorization': 'Bearer sk-live-xyz', 'accept': 'json'}",
            "{'authorization': '***', 'accept': 'json'}",
        ),
        ("Authorization: Basic YWxpY2U6aHVudGVy", "Authorization: ***"),
        ("sent bearer abc.def-ghi", "sent bearer ***"),
        ("api_key=sk-zzz failed", "api_key=*** failed"),
        ("OPENAI_API_KEY='sk-zzz'", "OPENAI_API_KEY='***'"),
        ('{"api-key": "abcd", "n": 1}', '{"api-key": "***", "n": 1}'),
        ("password: hunter2", "password: ***"),
        (f"Incorrect API key provided: {KEY}.", f"Incorrect API key provided: {MASK}."),
        # ordinary text is left alone
        ("the basic token budget was 60 s", "the basic token budget was 60 s"),
        (
            '"prompt_tokens": 100, "completion_tokens": 20',
            '"prompt_tokens": 100, "completion_tokens": 20',
        ),
        ("https://example.org/page", "https://example.org/page"),
    ],
)
def test_redact(text: str, shown: str) -> None:
    assert redact(text, [KEY]) == shown


def test_a_short_secret_is_not_replaced_everywhere() -> None:
    assert redact("a key of abc", ["abc"]) == "a key of abc"


def record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError(f"for url 'http://u:pw@h/v1' with {KEY}")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("x", logging.DEBUG, __file__, 1, msg, args or None, exc_info)


def test_the_filter_masks_the_formatted_message_and_the_traceback() -> None:
    rec = record("HTTP Request: %s %s", "POST", "http://alice:hunter2@h/v1?api_key=q1", exc=True)
    assert RedactingFilter([KEY]).filter(rec) is True
    text = logging.Formatter("%(message)s").format(rec)
    assert "HTTP Request: POST http://***@h/v1?api_key=***" in text
    assert "ValueError: for url 'http://***@h/v1' with ***" in text
    for secret in ("hunter2", "alice", "q1", "pw@", KEY):
        assert secret not in text


def test_the_filter_keeps_a_malformed_record_and_masks_it() -> None:
    rec = record("two %s %s", f"token={KEY}")  # one argument short
    assert RedactingFilter([KEY]).filter(rec) is True
    assert KEY not in logging.Formatter("%(message)s").format(rec)
