"""The shared rate gate: a pause holds every request, then one probe goes before the rest.

These tests drive the gate with a clock they control, so that what they check (nobody goes
during a pause, the probe goes first) does not depend on how fast a busy machine runs them:
they wait on threads and conditions with generous bounds, never on a guessed duration.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from summarizer.extraction.rate_gate import RateGate

#: A generous bound for things that take microseconds (a wedged gate fails, a slow one passes).
BOUND_S = 30.0


class FakeClock:
    """Monotonic seconds the test sets; remembers which thread read it at what time."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.reads: list[tuple[str, float]] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            self.reads.append((threading.current_thread().name, self.now))
            return self.now

    def readers_since(self, mark: int) -> set[str]:
        with self._lock:
            return {name for name, _ in self.reads[mark:]}

    def read_count(self) -> int:
        with self._lock:
            return len(self.reads)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BOUND_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.005)


def in_thread(fn: Callable[[], bool]) -> bool:
    """Run ``fn`` in a thread; its result (fails if it does not return within the bound)."""
    returned: list[bool] = []
    thread = threading.Thread(target=lambda: returned.append(fn()), daemon=True)
    thread.start()
    thread.join(BOUND_S)
    assert not thread.is_alive(), "the gate held a request it should have let through"
    return returned[0]


def test_an_open_gate_lets_requests_through_at_once() -> None:
    gate = RateGate(clock=FakeClock(100.0))  # time stands still: any wait would never end
    assert in_thread(lambda: gate.enter(max_wait_s=60)) is False
    assert gate.closed_for == 0


def test_a_pause_holds_everyone_then_one_probe_goes_first() -> None:
    clock = FakeClock(0.0)
    gate = RateGate(clock=clock)
    # Short in clock time, so that held workers look at the clock again every 50 ms.
    gate.pause(0.05)
    events: list[tuple[str, str, float]] = []  # (what, who, clock time), in order
    lock = threading.Lock()
    workers = [f"w{i}" for i in range(4)]

    def worker() -> None:
        me = threading.current_thread().name
        probe = gate.enter(max_wait_s=60)
        with lock:
            events.append(("probe" if probe else "entered", me, clock.now))
        if probe:
            # Answer only once every other worker has looked at the gate after this probe
            # went: they are provably held by it, not merely late.
            mark = clock.read_count()
            others = set(workers) - {me}
            wait_until(lambda: others <= clock.readers_since(mark), "the others are held")
            with lock:
                events.append(("probe answered", me, clock.now))
            gate.leave()

    threads = [threading.Thread(target=worker, name=name, daemon=True) for name in workers]
    for t in threads:
        t.start()
    # All four are in the gate while the pause lasts...
    wait_until(lambda: set(workers) <= clock.readers_since(0), "every worker is at the gate")
    clock.now = 1.0  # ...then the pause is over
    for t in threads:
        t.join(BOUND_S)
    assert not any(t.is_alive() for t in threads), events
    assert all(at >= 0.05 for _, _, at in events), events  # nobody went during the pause
    kinds = [what for what, _, _ in events]
    assert kinds.count("probe") == 1, events  # exactly one probe...
    assert kinds[:2] == ["probe", "probe answered"], events  # ...and the rest after its answer
    assert kinds[2:] == ["entered"] * 3, events


def test_a_pause_longer_than_we_would_wait_is_not_waited_out() -> None:
    gate = RateGate(clock=FakeClock(0.0))  # time stands still: waiting it out would hang
    gate.pause(3600)
    assert in_thread(lambda: gate.enter(max_wait_s=60)) is False
    assert gate.closed_for == 3600


def test_a_probe_that_is_refused_again_closes_the_gate_again() -> None:
    clock = FakeClock(0.0)
    gate = RateGate(clock=clock)
    gate.pause(0.05)
    clock.now = 1.0
    assert gate.enter(max_wait_s=60) is True  # the probe
    gate.pause(0.05)  # the probe got another 429
    gate.leave()
    second: list[tuple[bool, float]] = []
    thread = threading.Thread(
        target=lambda: second.append((gate.enter(max_wait_s=60), clock.now)), daemon=True
    )
    thread.start()
    mark = clock.read_count()
    # Held by the new pause: it keeps looking at the clock, and does not get through.
    wait_until(lambda: len(clock.reads) > mark + 2, "the request is held by the new pause")
    assert not second
    clock.now = 2.0
    thread.join(BOUND_S)
    assert second == [(True, 2.0)]  # a new probe, once the new pause is over
    assert gate.pauses == 2
