"""LLM faults against a scripted server on 127.0.0.1: retried where that helps, reported where not."""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path
from typing import Any

import pytest
from factories import label
from fake_llm_server import Reply, fake_llm_server
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.errors import (
    LLMError,
    LLMOutputInvalidError,
    LLMOutputTruncatedError,
    LLMUnavailableError,
)
from summarizer.extraction.answers import answer_model
from summarizer.extraction.llm import LLM, Endpoint

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ARTICLE = "Each side returned 270 servicemen and 120 civilians on the border."
SECRET = "sk-test-0123456789abcdefghijklmnop"


def answer(name: str = "exchange", received_by: str | None = "each_side") -> str:
    return label(name, received_by)


GOOD = Reply(content=answer())


def call(
    base_url: str,
    sleeps: list[float] | None = None,
    max_reasks: int = 1,
    timeout_s: float = 5.0,
    attempts: int = 4,
    deadline_s: float = 300.0,
) -> Any:
    llm = LLM(
        Endpoint(base_url=base_url, model="fake", api_key=SECRET, label=base_url),
        http_attempts=attempts,
        deadline_s=deadline_s,
        seed=7,
        sleep=(sleeps.append if sleeps is not None else (lambda s: None)),
    )
    try:
        return llm.extract(
            [{"role": "user", "content": f"Sentence: {ARTICLE}"}],
            response_model=answer_model(asks_recipient=True),
            context={},
            max_tokens=256,
            timeout_s=timeout_s,
            max_reasks=max_reasks,
        )
    finally:
        llm.close()


def test_success_sends_deterministic_parameters_and_counts_usage() -> None:
    with fake_llm_server([GOOD]) as server:
        result = call(server.base_url)
    sent = server.requests[0]
    assert (sent["temperature"], sent["seed"], sent["max_tokens"]) == (0, 7, 256)
    assert sent["response_format"]["type"] == "json_schema"
    assert first_label(result) == ("exchange", "each_side")
    assert (result.usage.calls, result.usage.prompt_tokens, result.usage.completion_tokens) == (
        1,
        100,
        20,
    )
    assert result.model_answered == "fake-model"
    assert server.headers[0]["authorization"] == f"Bearer {SECRET}"


def test_429_honours_retry_after() -> None:
    sleeps: list[float] = []
    with fake_llm_server([Reply(status=429, headers={"Retry-After": "3"}), GOOD]) as server:
        result = call(server.base_url, sleeps)
    assert len(server.requests) == 2
    assert sleeps == [3.0]
    assert result.usage.calls == 1


def test_5xx_backs_off_exponentially_with_jitter() -> None:
    sleeps: list[float] = []
    with fake_llm_server([Reply(status=503), Reply(status=502), GOOD]) as server:
        call(server.base_url, sleeps)
    assert len(server.requests) == 3
    assert 1.0 <= sleeps[0] <= 1.25 and 2.0 <= sleeps[1] <= 2.5


def test_persistent_5xx_is_reported_after_the_attempts() -> None:
    with (
        fake_llm_server([Reply(status=500)]) as server,
        pytest.raises(LLMUnavailableError, match=r"kept failing with HTTP 500 \(4 attempts in"),
    ):
        call(server.base_url)
    assert len(server.requests) == 4


def test_retry_after_beyond_the_limit_is_reported_not_slept() -> None:
    sleeps: list[float] = []
    with fake_llm_server([Reply(status=429, headers={"Retry-After": "600"})]) as server:
        with pytest.raises(LLMUnavailableError, match="asks to wait 600s"):
            call(server.base_url, sleeps)
    assert (len(server.requests), sleeps) == (1, [])


def test_client_errors_are_not_retried() -> None:
    with (
        fake_llm_server([Reply(status=401)]) as server,
        pytest.raises(LLMError, match="refused the credentials"),
    ):
        call(server.base_url)
    assert len(server.requests) == 1


def test_timeouts_are_retried_then_reported() -> None:
    with fake_llm_server([Reply(content=answer(), delay_s=1.0)]) as server:
        with pytest.raises(LLMUnavailableError, match="timed out"):
            call(server.base_url, timeout_s=0.2, attempts=2)
    assert len(server.requests) == 2


def test_an_answer_trickled_byte_by_byte_is_cut_at_the_attempts_limit() -> None:
    # One byte every 0.2 s never trips a 1 s read timeout: the body (~600 bytes) would take
    # two minutes. The attempt as a whole is limited to the request's timeout.
    with fake_llm_server([Reply(content=answer(), trickle_s=0.2)]) as server:
        started = time.monotonic()
        with pytest.raises(LLMUnavailableError, match=r"timed out \(1 attempt in"):
            call(server.base_url, timeout_s=1.0, attempts=1)
        elapsed = time.monotonic() - started
    assert elapsed < 4.0  # the 1 s limit plus generous slack; unbounded it is 30 s or more


def test_the_retry_deadline_counts_the_attempt_about_to_start() -> None:
    # A quick 503, then a server that never answers: the retry gets what is left of the 2 s
    # deadline, not its own 5 s timeout on top.
    replies = [Reply(status=503, headers={"Retry-After": "0"}), Reply(hang=True)]
    with fake_llm_server(replies) as server:
        started = time.monotonic()
        with pytest.raises(
            LLMUnavailableError,
            match=r"timed out \(2 attempts in .*; at most 5s per attempt, 2s in all\)",
        ):
            call(server.base_url, timeout_s=5.0, deadline_s=2.0)
        elapsed = time.monotonic() - started
    assert len(server.requests) == 2
    assert elapsed < 4.0  # the 2 s deadline plus generous slack; the 5 s timeout would be 5+


def test_the_first_attempt_has_its_whole_timeout_even_past_the_deadline() -> None:
    # The embedded model's call timeout can exceed the retry deadline; the deadline bounds
    # retries, not the call the caller sized.
    with fake_llm_server([Reply(content=answer(), delay_s=1.5)]) as server:
        result = call(server.base_url, timeout_s=4.0, deadline_s=0.5)
    assert len(server.requests) == 1
    assert first_label(result) == ("exchange", "each_side")


def test_a_reset_in_the_middle_of_the_body_is_retried() -> None:
    sleeps: list[float] = []
    with fake_llm_server([Reply(content=answer(), reset_after=40), GOOD]) as server:
        result = call(server.base_url, sleeps)
    assert len(server.requests) == 2
    assert len(sleeps) == 1
    assert first_label(result) == ("exchange", "each_side")


def test_a_connection_that_keeps_breaking_is_reported_with_the_attempts_made() -> None:
    with fake_llm_server([Reply(content=answer(), reset_after=40)]) as server:
        with pytest.raises(LLMUnavailableError) as caught:
            call(server.base_url, attempts=3)
    assert len(server.requests) == 3
    message = str(caught.value)
    assert re.search(r"the connection to .* failed \(3 attempts in [0-9.]+s\): ReadError", message)
    assert "after retries" not in message


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><head><title>Sign in</title></head><body>" + b"Welcome! " * 60, "text/html"),
        (b'{"detail": "Not Found"}', "application/json"),
        (b"", "application/json"),
    ],
    ids=["html-page", "json-without-choices", "empty"],
)
def test_a_200_that_is_not_a_chat_completion_is_an_endpoint_fault(
    body: bytes, content_type: str
) -> None:
    with fake_llm_server([Reply(raw=body, content_type=content_type), GOOD]) as server:
        with pytest.raises(LLMError) as caught:
            call(server.base_url)
    assert len(server.requests) == 1  # neither re-asked nor retried
    error = caught.value
    assert not isinstance(error, LLMOutputInvalidError | LLMUnavailableError)
    message = str(error)
    assert f"answered HTTP 200 ({content_type}) with something that is not a chat completion: " in (
        message
    )
    quoted = message.split("not a chat completion: ", 1)[1]
    assert len(quoted) <= 200
    assert quoted.startswith(body[:20].decode() or "(empty)")


def test_connection_refused_is_reported() -> None:
    with fake_llm_server([GOOD]) as server:
        base_url = server.base_url
    with pytest.raises(LLMUnavailableError, match="cannot connect"):
        call(base_url, attempts=2)


def test_truncated_output_is_reported_not_parsed() -> None:
    with (
        fake_llm_server([Reply(content='["exch', finish_reason="length")]) as server,
        pytest.raises(LLMOutputTruncatedError, match="cut off at max_tokens=256"),
    ):
        call(server.base_url)
    assert len(server.requests) == 1


def test_invalid_json_is_re_asked_with_the_error() -> None:
    with fake_llm_server([Reply(content="{not json"), GOOD]) as server:
        result = call(server.base_url)
    assert len(server.requests) == 2
    assert result.validation_error is None
    assert result.usage.calls == 2 and result.usage.prompt_tokens == 200
    reask = json.dumps(server.requests[1]["messages"])
    assert "{not json" in reask  # the model sees its own answer and the error


def test_an_answer_that_breaks_the_schema_is_re_asked_then_handed_back_raw() -> None:
    bad = Reply(content=answer("battle"))
    with fake_llm_server([bad]) as server:
        result = call(server.base_url, max_reasks=1)
    assert len(server.requests) == 2
    assert "battle" in json.dumps(server.requests[1]["messages"][-2:])  # fed back
    assert result.validation_error is not None
    assert result.answer is None
    assert json.loads(result.raw) == ["battle", "each_side"]  # read leniently downstream


def test_an_empty_answer_after_reasks_is_reported() -> None:
    with fake_llm_server([Reply(content="")]) as server:
        with pytest.raises(LLMOutputInvalidError, match="empty after 2 attempt"):
            call(server.base_url, max_reasks=1)


def test_no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with fake_llm_server([Reply(status=503), GOOD]) as server:
        call(server.base_url)
    assert SECRET not in caplog.text


@pytest.mark.parametrize("verbosity", ["-v", "-vv"])
def test_no_credential_reaches_the_cli_output_at_any_verbosity(
    verbosity: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a fresh process, the CLI's handler is the root logger's only one (pytest's own are
    # set aside for the test), so that whatever is logged reaches the runner's stderr.
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    level = root.level
    password = "hunter2-pw-7f3a"
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(ARTICLE, encoding="utf-8")
    second.write_text("Talks resumed in Istanbul on 2 June.", encoding="utf-8")
    echoed = json.dumps({"error": {"message": f"Incorrect API key provided: {SECRET}"}})
    replies = [GOOD, Reply(status=400, raw=echoed.encode())]
    try:
        with fake_llm_server(replies) as server:
            base_url = server.base_url.replace("http://", f"http://alice:{password}@")
            result = CliRunner().invoke(
                app,
                [verbosity, "summarise", str(first), str(second)],
                env={
                    "OPENAI_API_KEY": SECRET,
                    "SUMMARIZER_BASE_URL": base_url,
                    "SUMMARIZER_MODEL": "fake-model",
                },
            )
    finally:
        root.setLevel(level)
    output = result.stdout + result.stderr
    assert result.exit_code == 4
    assert len(server.requests) == 2
    for secret in (SECRET, password, "alice"):
        assert secret not in output
    # The lines that used to carry the credentials are there, masked.
    assert "HTTP Request: POST http://***@127.0.0.1:" in output
    assert "rejected the request (HTTP 400)" in output
    assert "Incorrect API key provided: ***" in output


def test_article_text_that_looks_like_a_template_is_sent_verbatim() -> None:
    # instructor renders messages as Jinja templates when given a validation context; the
    # adapter passes the context beside it, so braces in an article stay what they are.
    content = 'Sentence: A post read "{{ article }} {% if x %}{# note #}". 270 freed.'
    with fake_llm_server([GOOD]) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model="fake"), seed=7)
        try:
            result = llm.extract(
                [{"role": "user", "content": content}],
                response_model=answer_model(asks_recipient=True),
                context={"article": content},
                max_tokens=256,
                timeout_s=5.0,
                max_reasks=0,
            )
        finally:
            llm.close()
    assert server.requests[0]["messages"][0]["content"] == content
    assert result.validation_error is None
    assert first_label(result) == ("exchange", "each_side")


def first_label(result: Any) -> tuple[str, str | None]:
    return result.answer.label, result.answer.received_by
