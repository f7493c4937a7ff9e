"""The HTTP transport under the openai SDK: tenacity retries transient faults here.

The SDK's own retries are off, so this is the one retry layer for HTTP faults (timeouts,
connection errors, 429 with Retry-After, 5xx). Each attempt is bounded as a whole, body
included, and the retry deadline counts the attempt about to start.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx2
import tenacity

from summarizer.extraction.bounded_http import AttemptDeadline, BoundedHTTPTransport
from summarizer.extraction.rate_gate import RateGate
from summarizer.extraction.retry_policy import (
    MAX_RETRY_AFTER_S,
    backoff_seconds,
    is_retryable_status,
    next_attempt_seconds,
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


@dataclass(frozen=True)
class Attempts:
    """What sending one request took.

    Attributes:
        count: Attempts made.
        seconds: Wall time over all of them, waits included.
        limit_s: The limit on one attempt (the request's timeout), if any.
        deadline_s: The limit on all of them together.

    """

    count: int
    seconds: float
    limit_s: float | None
    deadline_s: float

    def __str__(self) -> str:
        """``1 attempt in 0.2s`` / ``3 attempts in 7.1s``."""
        return f"{self.count} attempt{'' if self.count == 1 else 's'} in {self.seconds:.1f}s"


def attempt_limit(request: httpx2.Request) -> float | None:
    """The request's timeout, which this transport applies to each attempt as a whole.

    httpx2 applies it to each socket operation (``read`` is the one an answer waits on);
    the SDK sets all four from its ``timeout=``.
    """
    timeouts = request.extensions.get("timeout") or {}
    read = timeouts.get("read")
    return float(read) if isinstance(read, int | float) else None


class RetryingTransport(httpx2.BaseTransport):
    """An HTTP transport that retries transient faults with tenacity.

    Honours Retry-After (and reports a wait longer than the policy allows instead of
    sleeping through it), backs off exponentially with jitter otherwise so that concurrent
    clients do not retry in lockstep, and stops after ``attempts`` or ``deadline_s``. With a
    shared :class:`RateGate`, a 429 pauses every client of the endpoint, not just this one.

    Each attempt, the reading of the body included, may take the request's timeout in all
    (:func:`attempt_limit`). ``deadline_s`` (from the first attempt's start) bounds the
    retries: a retry gets only the time left before it, and one that would get too little is
    not started. The first attempt always has its whole timeout, which the caller chose for
    this call (the embedded model's can be longer than the deadline). The bound is enforced
    by the default inner transport (:class:`BoundedHTTPTransport`); another inner transport
    gets no wall-clock bound.
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
        """Wrap ``inner`` (a :class:`BoundedHTTPTransport` by default)."""
        self._attempt_deadline = AttemptDeadline()
        self._inner = inner or BoundedHTTPTransport(self._attempt_deadline)
        self._attempts = attempts
        self._deadline_s = deadline_s
        self._sleep = sleep
        self._gate = gate
        self._last = threading.local()

    def last_attempts(self) -> Attempts | None:
        """What the last request sent from the calling thread took (``None``: none yet)."""
        last: Attempts | None = getattr(self._last, "attempts", None)
        return last

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

    def _stop(self, state: tenacity.RetryCallState, limit_s: float | None) -> bool:
        if state.attempt_number >= self._attempts:
            return True
        wait = self._wait_for(state)
        if wait is None:
            return True
        left = self._deadline_s - (state.seconds_since_start or 0.0) - wait
        return next_attempt_seconds(limit_s, left) is None

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
        """Send ``request`` and read its answer, retrying transient faults.

        The answer is read in full here (these calls are never streamed), so that a fault
        while reading it is retried like any other and counts against the attempt's time.
        """
        request.read()  # buffer the body so that it can be sent again
        started = time.monotonic()
        limit_s = attempt_limit(request)
        count = 0

        def send() -> httpx2.Response:
            nonlocal count
            count += 1
            probe = self._gate.enter(MAX_RETRY_AFTER_S) if self._gate is not None else False
            try:
                now = time.monotonic()
                budget = limit_s
                if count > 1:  # a retry: only the time left before the deadline
                    left = self._deadline_s - (now - started)
                    budget = left if limit_s is None else min(limit_s, left)
                self._attempt_deadline.at = None if budget is None else now + budget
                response = self._inner.handle_request(request)
                try:
                    response.read()
                except BaseException:
                    response.close()
                    raise
                if is_retryable_status(response.status_code):
                    self._pause_everyone(response)
                return response
            finally:
                self._attempt_deadline.at = None
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
            stop=lambda state: self._stop(state, limit_s),
            wait=lambda state: self._wait_for(state) or 0.0,
            before_sleep=self._before_sleep,
            retry_error_callback=give_up,
            sleep=self._sleep,
        )
        try:
            return retrying(send)
        finally:
            self._last.attempts = Attempts(
                count, time.monotonic() - started, limit_s, self._deadline_s
            )

    def close(self) -> None:
        """Close the wrapped transport."""
        self._inner.close()
