"""summarizer: news articles in, typed source-grounded event records out.

The Python API (loaded on first use, so ``import summarizer`` stays light)::

    from summarizer import summarise, merge, Settings
    results = [summarise(path, published="2025-07-24") for path in ["a.txt", "b.txt"]]
    timeline = merge(results)
    for event in timeline.events:
        print(event.date.value, event.kind, [(c.side, c.value) for c in event.counts])
"""

from __future__ import annotations

from typing import TYPE_CHECKING as _TYPE_CHECKING

__version__ = "0.1.0"

__all__ = [
    "ArticleResult",
    "BatchReport",
    "EventRecord",
    "MergedEvent",
    "Settings",
    "Timeline",
    "__version__",
    "merge",
    "run_batch",
    "summarise",
]

#: Each public name and the module it comes from.
_EXPORTS = {
    "ArticleResult": "summarizer.records",
    "BatchReport": "summarizer.batch.runner",
    "EventRecord": "summarizer.records",
    "MergedEvent": "summarizer.timeline.merge",
    "Settings": "summarizer.config",
    "Timeline": "summarizer.timeline.merge",
    "merge": "summarizer.library",
    "run_batch": "summarizer.batch.runner",
    "summarise": "summarizer.library",
}

if _TYPE_CHECKING:
    from summarizer.batch.runner import BatchReport, run_batch
    from summarizer.config import Settings
    from summarizer.library import merge, summarise
    from summarizer.records import ArticleResult, EventRecord
    from summarizer.timeline.merge import MergedEvent, Timeline


def __getattr__(name: str) -> object:
    """Import a public name's module when the name is first used."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
