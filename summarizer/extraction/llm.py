"""The LLM adapter: the only module that imports openai and instructor.

Two retry layers, each for one kind of fault:

* HTTP faults (timeouts, connection errors, 429 with Retry-After, 5xx) are retried by tenacity
  inside the HTTP transport (:mod:`summarizer.extraction.transport`), under the SDK, so the
  SDK's own retries are off.
* Invalid or ungrounded output is re-asked by instructor, which sends the validation errors
  back to the model.

SDK and instructor errors are translated into :mod:`summarizer.errors` here.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx2
import instructor
import openai
import tenacity
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.v2.core.errors import ResponseParsingError
from pydantic import ValidationError

from summarizer.errors import (
    LLMError,
    LLMOutputInvalidError,
    LLMOutputTruncatedError,
    LLMUnavailableError,
)
from summarizer.extraction.endpoint import Endpoint
from summarizer.extraction.rate_gate import RateGate
from summarizer.extraction.retry_policy import is_retryable_status
from summarizer.extraction.transport import Attempts, RetryingTransport
from summarizer.extraction.validation_context import VALIDATION_CONTEXT
from summarizer.records import SentenceAnswer, Usage
from summarizer.redaction import redact

log = logging.getLogger(__name__)

#: instructor mode: native ``response_format=json_schema``. OpenAI accepts it and llama.cpp's
#: server turns it into a decoding grammar; ``Mode.TOOLS`` fails on llama.cpp (it rejects an
#: object-form ``tool_choice``).
MODE = instructor.Mode.JSON_SCHEMA


@dataclass(frozen=True)
class Completion:
    """What one structured call produced.

    Attributes:
        raw: The text of the model's last answer: what the cache keeps, so that every later
            change to grounding and post-processing applies to it at no model cost.
        answer: The answer parsed and validated, or ``None`` when no attempt validated (the
            caller then reads what it can of ``raw``).
        usage: Tokens over every attempt, re-asks included, and the calls' wall time.
        model_answered: The model name the endpoint reported.
        validation_error: The last validation error when re-asking did not fix it.
        generation_s: Seconds spent generating, over all attempts.

    """

    raw: str
    answer: SentenceAnswer | None
    usage: Usage
    model_answered: str
    validation_error: str | None = None
    generation_s: float = 0.0


class LLM:
    """A structured-output client for one endpoint."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        http_attempts: int = 4,
        deadline_s: float = 300.0,
        seed: int = 0,
        headers: Mapping[str, str] | None = None,
        transport: httpx2.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        gate: RateGate | None = None,
    ) -> None:
        """Create the client.

        Args:
            endpoint: Where to send requests.
            http_attempts: Attempts per request for transient HTTP faults.
            deadline_s: Time from a request's first attempt after which none of its retries
                may run: a retry gets only the time left, and none starts without enough.
            seed: Sampling seed sent with every request.
            headers: Extra request headers (prompt and schema versions, for cassette matching).
            transport: The innermost HTTP transport (tests use a fake one).
            sleep: How to wait between HTTP retries (tests record the waits).
            gate: Shared with the other clients of this endpoint: a 429 pauses them all.

        """
        self.endpoint = endpoint
        self._seed = seed
        self._transport = RetryingTransport(
            transport, attempts=http_attempts, deadline_s=deadline_s, sleep=sleep, gate=gate
        )
        http_client = openai.DefaultHttpxClient(
            transport=self._transport, event_hooks={"response": [_require_chat_completion]}
        )
        self._openai = openai.OpenAI(
            base_url=endpoint.base_url,
            api_key=endpoint.api_key or "unused",
            max_retries=0,  # tenacity in the transport is the one retry layer
            http_client=http_client,
            default_headers=dict(headers or {}),
        )
        self._client = instructor.from_openai(self._openai, mode=MODE)
        self._responses: list[Any] = []
        self._generation_s: list[float] = []
        self._tokens: list[tuple[int, int]] = []
        self._sent_at = 0.0
        self._stop: str | None = None
        self._started = time.monotonic()
        self._client.on("completion:kwargs", self._on_request)
        self._client.on("completion:response", self._on_response)

    def _on_request(self, *args: Any, **kwargs: Any) -> None:
        self._sent_at = time.monotonic()

    def _on_response(self, response: Any) -> None:
        if self._stop is not None:
            _put_back_stop(response, self._stop)
        self._responses.append(response)
        # Copy the numbers now: instructor later rewrites the last response's usage to a total.
        usage = getattr(response, "usage", None)
        self._tokens.append(
            (getattr(usage, "prompt_tokens", 0) or 0, getattr(usage, "completion_tokens", 0) or 0)
        )
        # llama.cpp reports the time spent generating; elsewhere the wall time bounds it.
        timings = (getattr(response, "model_extra", None) or {}).get("timings") or {}
        predicted_ms = timings.get("predicted_ms") if isinstance(timings, dict) else None
        if isinstance(predicted_ms, int | float):
            self._generation_s.append(predicted_ms / 1000)
        else:
            self._generation_s.append(time.monotonic() - self._sent_at)

    def close(self) -> None:
        """Release the HTTP connections."""
        self._openai.close()

    def extract(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        response_model: type[SentenceAnswer],
        context: dict[str, Any],
        max_tokens: int,
        timeout_s: float,
        max_reasks: int,
        generation_budget_s: float | None = None,
        headers: Mapping[str, str] | None = None,
        stop: str | None = None,
    ) -> Completion:
        """Ask for a structured answer, re-asking on validation errors.

        Args:
            messages: The chat messages.
            response_model: The pydantic model; its validators may use ``context``.
            context: Validation context (the article, for grounding).
            max_tokens: Generation limit per call.
            timeout_s: Limit for one call, and for all re-asks together.
            max_reasks: How often validation errors are sent back.
            generation_budget_s: Time all attempts together may spend generating: a re-ask
                is only sent if another attempt as long as the last one still fits.
            headers: Headers for this call only (which prompt it renders).
            stop: The text every valid answer ends with, sent as a stop string: generation
                ends as soon as it is written (OpenAI-compatible servers leave it out of
                the text; it is put back before the answer is read).

        Returns:
            The parsed output with usage.

        Raises:
            LLMOutputTruncatedError: The answer hit ``max_tokens``.
            LLMOutputInvalidError: No attempt produced JSON matching the schema.
            LLMUnavailableError: The endpoint failed after the HTTP retries.
            LLMError: The endpoint refused the request (4xx).

        """
        self._responses.clear()
        self._generation_s.clear()
        self._tokens.clear()
        self._stop = stop
        self._started = time.monotonic()

        def enough(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number > max_reasks:
                return True
            if generation_budget_s is None or not self._generation_s:
                return False
            spent = sum(self._generation_s)
            if spent + self._generation_s[-1] > generation_budget_s:
                log.info(
                    "not re-asking: %.0fs of the %.0fs generation budget spent",
                    spent,
                    generation_budget_s,
                )
                return True
            return False

        reasks = tenacity.Retrying(
            stop=enough,
            retry=tenacity.retry_if_exception_type(
                (ValidationError, json.JSONDecodeError, ResponseParsingError)
            ),
            reraise=True,
        )
        stop_at: dict[str, Any] = {"stop": [stop]} if stop is not None else {}
        # Not instructor's `context=`: it would render every message as a Jinja template.
        context_token = VALIDATION_CONTEXT.set(context)
        try:
            parsed = self._client.chat.completions.create(
                model=self.endpoint.model,
                messages=list(messages),  # type: ignore[arg-type]
                response_model=response_model,
                max_retries=reasks,
                max_tokens=max_tokens,
                temperature=0,
                seed=self._seed,
                timeout=timeout_s,
                extra_headers=dict(headers or {}),
                **stop_at,
            )
        except IncompleteOutputException as e:
            raise LLMOutputTruncatedError(
                f"the model's answer was cut off at max_tokens={max_tokens} "
                f"({self._usage().completion_tokens} tokens generated)",
                usage=self._usage(),
                partial=_content(e.last_completion),
                generation_s=sum(self._generation_s),
            ) from e
        except InstructorRetryException as e:
            return self._after_failed_validation(e)
        finally:
            VALIDATION_CONTEXT.reset(context_token)
        return Completion(
            _content(self._responses[-1]) if self._responses else parsed.model_dump_json(),
            parsed,
            self._usage(),
            self._answered(),
            None,
            sum(self._generation_s),
        )

    def _usage(self) -> Usage:
        return Usage(
            calls=len(self._tokens),
            prompt_tokens=sum(p for p, _ in self._tokens),
            completion_tokens=sum(c for _, c in self._tokens),
            seconds=round(time.monotonic() - self._started, 3),
        )

    def _answered(self) -> str:
        for response in reversed(self._responses):
            if getattr(response, "model", None):
                return str(response.model)
        return self.endpoint.model

    def _after_failed_validation(self, e: InstructorRetryException) -> Completion:
        api_error = _find_cause(e, openai.APIError)
        if isinstance(api_error, openai.APIError):
            raise _translate_api_error(
                api_error, self.endpoint, self._transport.last_attempts()
            ) from api_error
        cause = _find_cause(e, ValidationError | json.JSONDecodeError | ResponseParsingError)
        if cause is None:
            raise LLMError(f"LLM call failed: {e}") from e
        last = e.last_completion
        text = _content(last)
        if not text.strip():
            raise LLMOutputInvalidError(
                f"the model's answer was empty after {len(self._responses)} attempt(s)"
            ) from e
        return Completion(
            text, None, self._usage(), self._answered(), str(cause), sum(self._generation_s)
        )


def _find_cause(e: BaseException, kind: Any) -> BaseException | None:
    """The first exception of ``kind`` in the ``__cause__`` chain of ``e`` (``e`` included)."""
    current: BaseException | None = e
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            found: BaseException = current
            return found
        seen.add(id(current))
        current = current.__cause__
    return None


def _put_back_stop(response: Any, stop: str) -> None:
    """Give an answer that ended on the stop string its end back (servers drop it)."""
    try:
        choice = response.choices[0]
        content = choice.message.content
    except (AttributeError, IndexError, TypeError):
        return
    ended = choice.finish_reason == "stop" and isinstance(content, str) and content.strip()
    if ended and not content.endswith(stop):
        choice.message.content = content + stop


def _content(completion: Any) -> str:
    try:
        return str(completion.choices[0].message.content or "")
    except (AttributeError, IndexError, TypeError):
        return ""


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "output"
    return f"{where}: {first.get('msg', 'invalid')}"


def _require_chat_completion(response: httpx2.Response) -> None:
    """Refuse a successful answer that is not a chat completion (an HTML page, say).

    Not retried: a 200 that is not a chat completion comes from a base URL that points at
    something other than the API (a web UI, a proxy's or portal's page), which another
    attempt would get again; not re-asked: the model never saw the request.

    Raises:
        openai.APIResponseValidationError: The body is not a JSON object with choices.

    """
    if not response.is_success or not response.request.url.path.endswith("/chat/completions"):
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("choices"), list) and body["choices"]:
        return
    raise openai.APIResponseValidationError(
        response, None, message="the answer is not a chat completion"
    )


def _translate_api_error(
    e: openai.APIError, endpoint: Endpoint, attempts: Attempts | None = None
) -> LLMError:
    where = "the embedded model" if endpoint.label == "embedded" else endpoint.label
    tried = _tried(attempts)
    # What the server or the network said may echo a credential (a rejected key, a URL).
    secrets = (endpoint.api_key,) if endpoint.api_key else ()
    if isinstance(e, openai.APIResponseValidationError):
        response = e.response
        kind = response.headers.get("content-type") or "no content type"
        return LLMError(
            f"{where} answered HTTP {response.status_code} ({kind}) with something that is "
            f"not a chat completion: {_short(response.text, secrets=secrets) or '(empty)'}"
        )
    if isinstance(e, openai.APITimeoutError):
        return LLMUnavailableError(f"{where} timed out{_tried(attempts, limits=True)}")
    if isinstance(e, openai.APIConnectionError):
        cause = e.__cause__
        detail = f": {_short(str(cause), 2000, secrets)}" if cause is not None else ""
        if cause is None or isinstance(cause, httpx2.ConnectError):
            return LLMUnavailableError(f"cannot connect to {where}{tried}{detail}")
        return LLMUnavailableError(
            f"the connection to {where} failed{tried}: {type(cause).__name__}{detail}"
        )
    if isinstance(e, openai.APIStatusError):
        status = e.status_code
        if status == 401 or status == 403:
            return LLMError(
                f"{where} refused the credentials (HTTP {status}): check OPENAI_API_KEY"
            )
        if status == 404:
            return LLMError(
                f"{where} has no model {endpoint.model!r} or no chat endpoint (HTTP 404)"
            )
        if is_retryable_status(status):
            retry_after = e.response.headers.get("retry-after")
            hint = f"; it asks to wait {retry_after}s" if retry_after else ""
            return LLMUnavailableError(f"{where} kept failing with HTTP {status}{tried}{hint}")
        return LLMError(
            f"{where} rejected the request (HTTP {status}): {_short(e.message, secrets=secrets)}"
        )
    return LLMError(f"{where}: {_short(str(e), secrets=secrets)}")


def _tried(attempts: Attempts | None, *, limits: bool = False) -> str:
    """`` (3 attempts in 7.1s)``, with the time limits if asked; empty when unknown."""
    if attempts is None:
        return ""
    text = str(attempts)
    if limits and attempts.limit_s is not None:
        text += f"; at most {attempts.limit_s:g}s per attempt, {attempts.deadline_s:g}s in all"
    return f" ({text})"


def _short(text: str, limit: int = 200, secrets: Sequence[str] = ()) -> str:
    text = " ".join(redact(text, secrets).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
