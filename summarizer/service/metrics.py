"""Prometheus metrics of one service instance (its own registry, so tests may run several)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

#: Latency buckets in seconds: from a cached answer (milliseconds) to a model's (minutes).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


class _JobsByState(Collector):
    def __init__(self, states: Callable[[], dict[str, int]]) -> None:
        self._states = states

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "summarizer_jobs", "Batch jobs in the store, by state.", labels=["state"]
        )
        for state, count in self._states().items():
            family.add_metric([state], count)
        yield family


class Metrics:
    """The counters, histograms and gauges the service exports at ``/metrics``."""

    def __init__(self) -> None:
        """Create the metrics in a fresh registry."""
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "summarizer_http_requests",
            "HTTP requests, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "summarizer_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method.",
            ["route", "method"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.tokens = Counter(
            "summarizer_tokens",
            "Model tokens spent on summaries made by the service's API, by kind.",
            ["kind"],
            registry=self.registry,
        )
        self.cache_hits = Counter(
            "summarizer_cache_hits",
            "Summaries answered without the model: from the store or the extraction cache.",
            ["layer"],
            registry=self.registry,
        )
        self.summaries = Counter(
            "summarizer_summaries",
            "Summaries asked of the API, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "summarizer_queue_depth",
            "Summaries waiting for a free slot.",
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "summarizer_in_flight", "Summaries being made now.", registry=self.registry
        )

    def watch(
        self,
        *,
        queue_depth: Callable[[], float],
        in_flight: Callable[[], float],
        jobs: Callable[[], dict[str, int]],
    ) -> None:
        """Read the gauges from the live objects at every scrape."""
        self.queue_depth.set_function(queue_depth)
        self.in_flight.set_function(in_flight)
        self.registry.register(_JobsByState(jobs))

    def render(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)
