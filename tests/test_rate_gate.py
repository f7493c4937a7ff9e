"""The shared rate gate: a pause holds every request, then one probe goes before the rest."""

from __future__ import annotations

import threading
import time

from summarizer.extraction.rate_gate import RateGate


def test_an_open_gate_lets_requests_through_at_once() -> None:
    gate = RateGate()
    started = time.monotonic()
    assert gate.enter(max_wait_s=60) is False
    assert time.monotonic() - started < 0.05
    assert gate.closed_for == 0


def test_a_pause_holds_everyone_then_one_probe_goes_first() -> None:
    gate = RateGate()
    gate.pause(0.3)
    events: list[tuple[str, float, bool]] = []
    lock = threading.Lock()
    started = time.monotonic()

    def worker(name: str) -> None:
        probe = gate.enter(max_wait_s=60)
        with lock:
            events.append((name, time.monotonic() - started, probe))
        if probe:
            time.sleep(0.2)  # the probe's request takes a while to be answered
            with lock:
                events.append(("probe answered", time.monotonic() - started, True))
            gate.leave()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    entered = [e for e in events if e[0] != "probe answered"]
    assert len(entered) == 4
    assert all(at >= 0.29 for _, at, _ in entered), entered  # nobody went during the pause
    probes = [e for e in entered if e[2]]
    assert len(probes) == 1, events
    answered_at = next(at for name, at, _ in events if name == "probe answered")
    others = [at for _, at, probe in entered if not probe]
    assert all(at >= answered_at for at in others), events  # the rest waited for the probe


def test_a_pause_longer_than_we_would_wait_is_not_waited_out() -> None:
    gate = RateGate()
    gate.pause(3600)
    started = time.monotonic()
    assert gate.enter(max_wait_s=60) is False
    assert time.monotonic() - started < 0.05
    assert gate.closed_for > 3500


def test_a_probe_that_is_refused_again_closes_the_gate_again() -> None:
    gate = RateGate()
    gate.pause(0.1)
    assert gate.enter(max_wait_s=60) is True
    gate.pause(0.2)  # the probe got another 429
    gate.leave()
    started = time.monotonic()
    assert gate.enter(max_wait_s=60) is True  # a new probe, after the new pause
    assert time.monotonic() - started >= 0.15
    assert gate.pauses == 2
