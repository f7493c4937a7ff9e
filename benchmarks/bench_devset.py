"""Benchmark the extraction on the development set with the embedded model (not a test).

Runs every article of tests/devset/articles through the extractor (embedded model unless
SUMMARIZER_BASE_URL is set), scores the results against tests/gold/devset.gold.yaml and prints
what issue 9's bar is stated in: event P/R/F1 (all, per kind, per language), figure precision
and recall (value, and side+category+value), dates right on matched events, events on
distractors, duplicate records, B-cubed F1 of the merged clusters and how many multi-article
events were joined, and the seconds per article (median and max of the model calls' wall time)
and completion tokens.

The model's raw answers are cached in --cache (default: a directory of its own), so a second
run re-applies the post-processing at no model cost; pass --fresh to measure time on an empty
cache. Measure time on a quiet machine: other work on the two cores halves the model's speed.

Any other set of articles with gold in the same format is measured the same way with
--articles-dir DIR --gold FILE (a held-out set, say).

Usage: python benchmarks/bench_devset.py [--cache DIR] [--fresh] [--json OUT]
       [--articles-dir DIR --gold FILE] [ARTICLE ...]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from summarizer.config import Settings
from summarizer.evaluation.evaluate import evaluate, report_table
from summarizer.evaluation.gold import load_gold
from summarizer.extraction.pipeline import Extractor
from summarizer.ingest.articles import load_article

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "devset" / "articles"
GOLD = ROOT / "tests" / "gold" / "devset.gold.yaml"
logging.getLogger("instructor").setLevel(logging.CRITICAL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", nargs="*", help="article ids (file stems); default: all")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "devset-cache")
    parser.add_argument("--fresh", action="store_true", help="start from an empty cache")
    parser.add_argument("--json", type=Path, help="write the results and metrics here")
    parser.add_argument("--articles-dir", type=Path, default=ARTICLES, help="the articles")
    parser.add_argument("--gold", type=Path, default=GOLD, help="their gold annotations")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each article's records")
    args = parser.parse_args()
    if args.fresh:
        args.cache = Path(tempfile.mkdtemp(prefix="devset-cache-"))
    gold = load_gold(args.gold)
    paths = sorted(p for p in args.articles_dir.iterdir() if p.stem in gold.articles)
    if args.articles:
        paths = [p for p in paths if p.stem in set(args.articles)]
    settings = Settings.resolve(cache_dir=args.cache)
    results = []
    seconds: list[float] = []
    wall: list[float] = []  # whole article, reading and grounding included (fresh ones)
    started = time.perf_counter()
    with Extractor(settings) as extractor:
        for path in paths:
            began = time.perf_counter()
            article = load_article(str(path))
            result = extractor.summarise(article)
            took = time.perf_counter() - began
            results.append(result)
            if not result.usage.cached and result.usage.calls:
                seconds.append(result.usage.seconds)
                wall.append(took)
            print(
                f"{path.stem:<28} {len(result.records):>2} records  "
                f"{result.usage.seconds:6.1f}s  {result.usage.completion_tokens:>4} tokens"
                f"{'  (cached)' if result.usage.cached else ''}",
                file=sys.stderr,
            )
            if args.verbose:
                for record in result.records:
                    figures = ", ".join(
                        f"{c.side}/{c.category}/{c.qualifier}/{c.value}" for c in record.counts
                    )
                    print(
                        f"    {record.kind:<18} {record.event_date.value or '-':<10} "
                        f"{record.location or '-':<20} [{figures}] "
                        f"{[e.segment for e in record.evidence]}",
                        file=sys.stderr,
                    )
                for warning in result.warnings:
                    print(f"    ! {warning}", file=sys.stderr)
    scored = gold.model_copy(
        update={
            "articles": {k: v for k, v in gold.articles.items() if k in {p.stem for p in paths}}
        }
    )
    report = evaluate(results, scored)
    print(report_table(report))
    all_seconds = [r.usage.seconds for r in results if r.usage.calls]
    tokens = sum(r.usage.completion_tokens for r in results)
    print(
        f"articles: {len(results)}; model calls: {sum(r.usage.calls for r in results)}; "
        f"completion tokens: {tokens:,}; prompt tokens: "
        f"{sum(r.usage.prompt_tokens for r in results):,}"
    )
    if all_seconds:
        print(
            f"seconds per article (model calls' wall time, as recorded): median "
            f"{statistics.median(all_seconds):.1f}, max {max(all_seconds):.1f}, "
            f"over 30 s: {sum(s > 30 for s in all_seconds)}; this run: "
            f"{time.perf_counter() - started:.1f}s ({len(seconds)} answered now)"
        )
    if wall:
        print(
            f"wall seconds per article answered now (the first one includes starting the "
            f"model): median {statistics.median(wall):.1f}, max {max(wall):.1f}, "
            f"over 30 s: {sum(s > 30 for s in wall)}"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "metrics": report.metrics(),
                    "report": report.as_json(),
                    "seconds": all_seconds,
                    "results": [r.model_dump(mode="json") for r in results],
                },
                indent=1,
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
