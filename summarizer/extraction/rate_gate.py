"""One gate shared by every client of an endpoint, so that a 429 pauses them all.

Without it, N concurrent workers each discover a rate limit on their own, each wait out its
Retry-After and then all fire together (a stampede). With it, the first 429 closes the gate
for every worker until the time the server asked for; then exactly one request (a probe) goes
first, and only when it has been answered do the others follow.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateGate:
    """A thread-safe pause shared by concurrent requests to one endpoint."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Create an open gate; ``clock`` is monotonic seconds (tests may pass their own)."""
        self._clock = clock
        self._cond = threading.Condition()
        self._open_at = 0.0
        self._needs_probe = False
        self._probe_in_flight = False
        self.pauses = 0

    def pause(self, seconds: float) -> None:
        """Close the gate for ``seconds`` (a later reopening time wins)."""
        with self._cond:
            self._open_at = max(self._open_at, self._clock() + seconds)
            self._needs_probe = True
            self.pauses += 1
            self._cond.notify_all()

    @property
    def closed_for(self) -> float:
        """Seconds until the gate reopens (0 when open)."""
        with self._cond:
            return max(0.0, self._open_at - self._clock())

    def enter(self, max_wait_s: float) -> bool:
        """Wait until a request may be sent.

        Args:
            max_wait_s: A pause longer than this is not waited out: the request goes at once
                (the server will refuse it, and the caller reports that instead of hanging).

        Returns:
            True when this request is the probe after a pause: the caller must call
            :meth:`leave` once it has its answer.

        """
        with self._cond:
            if self._open_at - self._clock() > max_wait_s:
                return False
            while True:
                now = self._clock()
                if now < self._open_at:
                    wait = self._open_at - now
                elif self._probe_in_flight:
                    wait = 0.5  # woken by leave(); the timeout only guards a lost wakeup
                elif self._needs_probe:
                    self._needs_probe = False
                    self._probe_in_flight = True
                    return True
                else:
                    return False
                self._cond.wait(wait)

    def leave(self) -> None:
        """The probe has its answer: let the waiting requests go (or wait out a new pause)."""
        with self._cond:
            self._probe_in_flight = False
            self._cond.notify_all()
