"""Guards in front of the model: body size, a bounded queue of summaries, a rate per client.

* :class:`BodyLimit` refuses a body over the limit with 413, by its declared length or, for a
  body sent without one, as soon as more than the limit has arrived.
* :class:`AdmissionGate` lets at most N summaries run at once (the embedded model answers one
  request at a time) and at most Q wait; the next one gets 503 with a Retry-After estimated
  from how long summaries take.
* :class:`RateLimiter` is a token bucket per client: 429 with the seconds until the next
  request would be allowed.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLargeError(HTTPException):
    """The request body is over the limit (an HTTP 413, so FastAPI passes it on as is)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body too large: the limit is {limit:,} bytes")


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets 413 and is not read further."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        """Wrap ``app``."""
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count what arrives."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLargeError(self.limit)
            return message

        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, sending)
        except BodyTooLargeError:
            if not started:
                await _too_large(send, self.limit)


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"detail":"request body too large: the limit is {limit:,} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class QueueFullError(Exception):
    """Every slot is busy and the queue is full."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"the summary queue is full; retry in {retry_after_s}s")
        self.retry_after_s = retry_after_s


class AdmissionGate:
    """At most ``slots`` summaries at once and ``queue_size`` waiting (one event loop's)."""

    def __init__(self, slots: int, queue_size: int) -> None:
        """Prepare the gate."""
        self.slots = slots
        self.queue_size = queue_size
        self.in_flight = 0
        self.waiting = 0
        self._free = asyncio.Semaphore(slots)
        #: A running estimate of the seconds one summary takes (for Retry-After).
        self.seconds_per_summary = 30.0
        #: Notified whenever a summary starts waiting, starts or ends (tests wait on it).
        self.changed = threading.Condition()

    def _notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    async def acquire(self) -> None:
        """Take a slot, waiting in the queue if need be.

        Raises:
            QueueFullError: No slot is free and the queue is full.

        """
        if self._free.locked() and self.waiting >= self.queue_size:
            raise QueueFullError(self.retry_after_s())
        self.waiting += 1
        self._notify()
        try:
            await self._free.acquire()
        finally:
            self.waiting -= 1
        self.in_flight += 1
        self._notify()

    def release(self, seconds: float | None = None) -> None:
        """Give a slot back; ``seconds`` the summary took, for the estimate."""
        self.in_flight -= 1
        self._free.release()
        if seconds is not None:
            self.seconds_per_summary = 0.8 * self.seconds_per_summary + 0.2 * seconds
        self._notify()

    def retry_after_s(self) -> int:
        """Seconds until a place in the queue is likely free."""
        return max(1, math.ceil(self.seconds_per_summary * (self.waiting + 1) / self.slots))


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests a minute, as a burst too."""

    #: Clients remembered at most (the least recently seen are forgotten first).
    MAX_CLIENTS = 10_000

    def __init__(self, per_minute: int) -> None:
        """A limiter; ``per_minute`` 0 lets everything through."""
        self.per_minute = per_minute
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str, now: float | None = None) -> int | None:
        """Take one request from the client's bucket.

        Returns:
            ``None`` if allowed, else the whole seconds to wait (Retry-After).

        """
        if self.per_minute <= 0:
            return None
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self._lock:
            bucket = self._buckets.pop(client, None) or _Bucket(float(self.per_minute), now)
            bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            self._buckets[client] = bucket
            while len(self._buckets) > self.MAX_CLIENTS:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - bucket.tokens) / rate))
