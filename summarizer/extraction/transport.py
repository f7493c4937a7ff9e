"""The HTTP transport under the openai SDK: tenacity retries transient faults here.

The SDK's own retries are off, so this is the one retry layer for HTTP faults (timeouts,
connection errors, 429 with Retry-After, 5xx).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

import httpx2
import tenacity

from summarizer.extraction.rate_gate import RateGate
from summarizer.extraction.retry_policy import (
    MAX_RETRY_AFTER_S,
    backoff_seconds,
    is_retryable_status,
    retry_after_seconds,
)

log = logging.getLogger(__name__)

#: How long a 429 without Retry-After pauses every client of the endpoint.
FIRST_BACKOFF_S = 1.0


def is_transient_error(exc: BaseException) -> bool:
    """Whether a transport exception is worth retrying (timeouts and network errors)."""
    return isinstance(
        exc, httpx2.TimeoutException | httpx2.NetworkError | httpx2.RemoteProtocolError
    )


class RetryingTransport(httpx2.BaseTransport):
    """An HTTP transport that retries transient faults with tenacity.

    Honours Retry-After (and reports a wait longer than the policy allows instead of
    sleeping through it), backs off exponentially with jitter otherwise so that concurrent
    clients do not retry in lockstep, and stops after ``attempts`` or ``deadline_s``. With a
    shared :class:`RateGate`, a 429 pauses every client of the endpoint, not just this one.
    """

    def __init__(
        self,
        inner: httpx2.BaseTransport | None = None,
        *,
        attempts: int = 4,
        deadline_s: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        gate: RateGate | None = None,
    ) -> None:
        """Wrap ``inner`` (a plain ``httpx2.HTTPTransport`` by default)."""
        self._inner = inner or httpx2.HTTPTransport()
        self._attempts = attempts
        self._deadline_s = deadline_s
        self._sleep = sleep
        self._gate = gate

    def _pause_everyone(self, response: httpx2.Response) -> None:
        """On a rate limit, close the shared gate for as long as the server asked."""
        if self._gate is None or response.status_code not in (429, 503):
            return
        retry_after = retry_after_seconds(response.headers.get("retry-after"))
        if response.status_code == 503 and retry_after is None:
            return  # an overloaded or failing server, not a rate limit: per-request backoff
        # Without Retry-After, hold everyone off for the first backoff step.
        self._gate.pause(retry_after if retry_after is not None else FIRST_BACKOFF_S)

    def _wait_for(self, state: tenacity.RetryCallState) -> float | None:
        outcome = state.outcome
        retry_after = None
        if outcome is not None and not outcome.failed:
            retry_after = retry_after_seconds(outcome.result().headers.get("retry-after"))
        wait = backoff_seconds(state.attempt_number, retry_after)
        if wait is not None and retry_after is None:
            wait *= 1 + 0.25 * random.random()  # jitter: only timing, never the output
        return wait

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= self._attempts:
            return True
        wait = self._wait_for(state)
        return wait is None or (state.seconds_since_start or 0.0) + wait > self._deadline_s

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        outcome = state.outcome
        assert outcome is not None
        if outcome.failed:
            reason = type(outcome.exception()).__name__
        else:
            response: httpx2.Response = outcome.result()
            reason = f"HTTP {response.status_code}"
            response.close()
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "LLM endpoint: %s; retry %d of %d in %.1fs",
            reason, state.attempt_number, self._attempts - 1, wait,
        )  # fmt: skip

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send ``request``, retrying transient faults."""
        request.read()  # buffer the body so that it can be sent again

        def send() -> httpx2.Response:
            probe = self._gate.enter(MAX_RETRY_AFTER_S) if self._gate is not None else False
            try:
                response = self._inner.handle_request(request)
                if is_retryable_status(response.status_code):
                    response.read()
                    self._pause_everyone(response)
                return response
            finally:
                if probe:
                    assert self._gate is not None
                    self._gate.leave()

        def give_up(state: tenacity.RetryCallState) -> httpx2.Response:
            outcome = state.outcome
            assert outcome is not None
            result: httpx2.Response = outcome.result()  # re-raises the last exception
            return result

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_transient_error)
            | tenacity.retry_if_result(lambda r: is_retryable_status(r.status_code)),
            stop=self._stop,
            wait=lambda state: self._wait_for(state) or 0.0,
            before_sleep=self._before_sleep,
            retry_error_callback=give_up,
            sleep=self._sleep,
        )
        return retrying(send)

    def close(self) -> None:
        """Close the wrapped transport."""
        self._inner.close()
