"""Benchmark extraction of the seed articles on the embedded model (not a test).

Prints, per seed article: cold seconds (fresh server, nothing in its prompt cache), warm
seconds (server already holding the static prompt prefix), prompt and completion tokens, the
time spent outside LLM calls, and the time of a fully cached run.

Targets: warm <= 30 s per seed on 2 cores; outside LLM calls < 50 ms per article; a fully
cached article < 20 ms.

Usage: python benchmarks/bench_extract.py [--skip-cold] [SEED ...]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.extraction.llm import LLM, Endpoint
from summarizer.extraction.local_model import LocalServer
from summarizer.extraction.pipeline import Extractor
from summarizer.ingest.articles import article_from_bytes, load_article

ROOT = Path(__file__).resolve().parent.parent
# instructor logs each failed validation at ERROR; the benchmark reports its own numbers.
logging.getLogger("instructor").setLevel(logging.CRITICAL)
LLM_SECONDS: list[float] = []
_original_extract = LLM.extract


def _timed_extract(self: LLM, *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    try:
        return _original_extract(self, *args, **kwargs)
    finally:
        LLM_SECONDS.append(time.perf_counter() - started)


LLM.extract = _timed_extract  # type: ignore[method-assign]


@contextmanager
def served(settings: Settings) -> Iterator[tuple[Any, float]]:
    server = LocalServer(settings)
    started = time.perf_counter()
    base_url = server.start()
    start_s = time.perf_counter() - started

    @contextmanager
    def endpoint() -> Iterator[Endpoint]:
        yield Endpoint(base_url=base_url, model=settings.model_name)

    try:
        yield endpoint, start_s
    finally:
        server.stop()


def run_one(path: Path, settings: Settings, endpoint: Any) -> dict[str, float]:
    LLM_SECONDS.clear()
    started = time.perf_counter()
    article = load_article(str(path))
    with Extractor(settings, endpoint=endpoint) as extractor:
        result = extractor.summarise(article)
    total = time.perf_counter() - started
    llm = sum(LLM_SECONDS)
    return {
        "seconds": total,
        "outside_ms": (total - llm) * 1000,
        "prompt_tokens": result.usage.prompt_tokens,
        "completion_tokens": result.usage.completion_tokens,
        "calls": result.usage.calls,
        "records": len(result.records),
        "cached": result.usage.cached,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="*", type=Path)
    parser.add_argument("--skip-cold", action="store_true", help="Only warm and cached runs.")
    args = parser.parse_args()
    seeds = args.seeds or sorted((ROOT / "seeds").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        nocache = Settings.resolve(use_cache=False)
        cached = Settings.resolve(cache_dir=Path(tmp) / "cache")
        rows: dict[str, dict[str, Any]] = {p.stem: {} for p in seeds}
        if not args.skip_cold:
            for path in seeds:
                with served(nocache) as (endpoint, start_s):
                    rows[path.stem]["server_start_s"] = start_s
                    rows[path.stem]["cold"] = run_one(path, nocache, endpoint)
                print(
                    f"cold {path.stem}: {rows[path.stem]['cold']['seconds']:.1f}s", file=sys.stderr
                )
        with served(cached) as (endpoint, _):
            # Prime the server's prompt cache with an unrelated article: the static prefix
            # (instructions, example) is then cached, as in any run after the first article.
            primer = article_from_bytes(
                b"Officials met in Geneva on Monday to discuss trade.", "primer", "primer"
            )
            with Extractor(nocache, endpoint=endpoint) as extractor:
                extractor.summarise(primer)
            for path in seeds:
                rows[path.stem]["warm"] = run_one(path, cached, endpoint)
                print(
                    f"warm {path.stem}: {rows[path.stem]['warm']['seconds']:.1f}s", file=sys.stderr
                )
        for path in seeds:  # every article now in the cache: no server needed
            runs = [run_one(path, cached, None) for _ in range(5)]
            assert all(r["cached"] for r in runs)
            rows[path.stem]["cached_ms"] = min(r["seconds"] for r in runs) * 1000

    print(
        f"{'article':<22} {'cold s':>7} {'warm s':>7} {'prompt':>7} {'compl':>6} {'calls':>5} "
        f"{'recs':>4} {'outside ms':>10} {'cached ms':>9}"
    )
    for stem, row in rows.items():
        warm = row["warm"]
        cold = f"{row['cold']['seconds']:7.1f}" if "cold" in row else f"{'-':>7}"
        print(
            f"{stem:<22} {cold} {warm['seconds']:7.1f} {warm['prompt_tokens']:7d} "
            f"{warm['completion_tokens']:6d} {warm['calls']:5d} {warm['records']:4d} "
            f"{warm['outside_ms']:10.1f} {row['cached_ms']:9.2f}"
        )
    if any("server_start_s" in r for r in rows.values()):
        starts = [r["server_start_s"] for r in rows.values()]
        print(f"server start: {min(starts):.1f}-{max(starts):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
