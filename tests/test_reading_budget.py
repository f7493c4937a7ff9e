"""An article's reading budget: estimated cost, measured wall time, context sentences."""

from __future__ import annotations

from summarizer.extraction.reading_budget import ReadingBudget


def test_the_first_call_always_starts() -> None:
    budget = ReadingBudget(generation_s=0.001, context_s=0.001)
    assert budget.stop_reading() is None
    assert not budget.stop_context()


def test_no_call_starts_that_the_estimate_expects_to_end_past_the_budget() -> None:
    budget = ReadingBudget(generation_s=30.0, context_s=8.0)
    budget.add(10.0, fresh_s=None)
    budget.add(10.0, fresh_s=None)  # 20 s spent, the next expected to end at 30: allowed
    assert budget.stop_reading() is None
    assert budget.stop_context()  # past the context budget
    budget.add(1.0, fresh_s=None)  # 21 s over 3 calls: the next is expected at 28
    assert budget.stop_reading() is None
    budget.add(9.0, fresh_s=None)  # 30 s over 4 calls: 37.5 expected
    assert budget.stop_reading() == "the article's 30 s model budget was used up"


def test_a_machine_slower_than_the_estimate_stops_on_the_measured_time() -> None:
    budget = ReadingBudget(generation_s=30.0, context_s=8.0)
    for _ in range(3):
        budget.add(2.0, fresh_s=9.0)  # each call took 9 s, its estimate says 2 s
    # 27 s taken and the slowest call took 9: the next would end near 36.
    assert budget.expected_s < 30.0
    reason = budget.stop_reading()
    assert reason is not None and "27.0 s taken" in reason and "up to 9.0 s" in reason


def test_cached_answers_cost_no_measured_time_and_never_stop_on_it() -> None:
    budget = ReadingBudget(generation_s=30.0, context_s=8.0)
    for _ in range(3):
        budget.add(2.0, fresh_s=None)
    budget.add(2.0, fresh_s=9.0)  # one fresh call of 9 s: 9 + 9 is within 30
    assert budget.stop_reading() is None


def test_only_the_next_call_that_would_pass_the_budget_is_held_back() -> None:
    budget = ReadingBudget(generation_s=30.0, context_s=8.0)
    budget.add(0.1, fresh_s=4.0)
    budget.add(0.1, fresh_s=20.0)  # one slow call (a busy moment, say)
    assert budget.stop_reading() is not None  # 24 + 20
    budget = ReadingBudget(generation_s=30.0, context_s=8.0)
    for _ in range(6):
        budget.add(0.1, fresh_s=4.0)
    assert budget.stop_reading() is None  # 24 + 4 = 28
    budget.add(0.1, fresh_s=2.5)
    assert budget.stop_reading() is not None  # 26.5 + 4 = 30.5
