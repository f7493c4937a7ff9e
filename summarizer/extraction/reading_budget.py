"""When an article stops starting model calls: its model-time budgets, estimated and measured.

An article's candidate sentences are read one call each, the sentences with an event's
substance first. Two budgets bound that:

- the *generation* budget: no call is started that is expected to end past it;
- the *context* budget: past it, context sentences (talks mentioned without a count, date,
  round or deal; headlines) are no longer read.

What a call is expected to cost is counted two ways. The *estimate* (on the embedded model,
from each answer's sentence and tokens; on an endpoint, the time each answer took, a cached one
at the time it took then) does not depend on the machine, its load or the cache, so the same
article reads the same sentences on a re-run. The *measured* wall time of the calls answered
now catches what the estimate cannot: a machine slower or busier than the one the estimate was
fitted on. A call is not started when the calls' measured time plus the slowest of them would
pass the generation budget (starting the model, once, is not the article's time); cached
answers cost no time, so a re-run of a cut article reads on where the slow run stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReadingBudget:
    """An article's model-time account.

    Attributes:
        generation_s: Model time the article may take.
        context_s: Model time after which context sentences are no longer read.

    """

    generation_s: float
    context_s: float
    spent_s: float = field(init=False, default=0.0)
    calls: int = field(init=False, default=0)
    measured_s: float = field(init=False, default=0.0)
    slowest_fresh_s: float = field(init=False, default=0.0)

    @property
    def expected_s(self) -> float:
        """Estimated model time at the end of the next call (as long as the average so far)."""
        return self.spent_s + self.spent_s / self.calls if self.calls else 0.0

    def stop_reading(self) -> str | None:
        """Why no further call may start (for a warning), or None when one may."""
        if not self.calls:
            return None
        if self.expected_s > self.generation_s:
            return f"the article's {self.generation_s:.0f} s model budget was used up"
        if self.slowest_fresh_s and self.measured_s + self.slowest_fresh_s > self.generation_s:
            return (
                f"the article's {self.generation_s:.0f} s model budget would be passed: "
                f"{self.measured_s:.1f} s taken and calls take up to {self.slowest_fresh_s:.1f} s "
                "on this machine now"
            )
        return None

    def stop_context(self) -> bool:
        """True when context sentences are no longer read."""
        return bool(self.calls) and self.expected_s > self.context_s

    def add(self, cost_s: float, fresh_s: float | None) -> None:
        """Count one answered call.

        Args:
            cost_s: Its estimated (or recorded) cost.
            fresh_s: Its measured wall time when the model answered it now; None when the
                answer came from the cache.

        """
        self.spent_s += cost_s
        self.calls += 1
        if fresh_s is not None:
            self.measured_s += fresh_s
            self.slowest_fresh_s = max(self.slowest_fresh_s, fresh_s)
