"""Batch throughput: a fully cached batch, and concurrency against a slow fake endpoint.

    python benchmarks/bench_batch.py [--articles 1000] [--slow-articles 200] [--delay 0.5]

(a) N articles, every one already in the extraction cache, end to end through the CLI
    (interpreter start, listing, reading, cache reads, store writes, merge, output files).
    Target: 1,000 articles < 10 s.
(b) M articles against a local fake OpenAI-compatible endpoint that answers valid records after
    a delay, at concurrency 1, 4 and 16 (no cache). Target: 16 at least 10x faster than 1.
    Printed: the whole process, and the batch itself (its report's elapsed time: from listing
    the inputs to the last store write, without interpreter start and imports).

Each run is a separate process; its peak memory (max RSS) is printed with its time. The fake
endpoint listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_llm_server import extraction_reply, fake_llm_server


def write_articles(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"a{i:05d}.txt").write_text(
            f"Russia and Ukraine exchanged {i % 900 + 10} prisoners of war, officials said "
            f"on day {i}.\n\nSwap number {i} followed weeks of talks in Istanbul, and both "
            "sides said more exchanges would follow.",
            encoding="utf-8",
        )


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run `summarizer batch ...` in a child; return seconds, its peak RSS in MB, stdout."""
    command = [sys.executable, "-c", _CHILD, *args]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"batch failed ({done.returncode}): {done.stderr[-2000:]}")
    report, peak_kb = done.stdout.rsplit("\n__peak_kb__ ", 1)
    return seconds, int(peak_kb) / 1024, report


# The child runs the CLI and then prints its own peak RSS (RUSAGE_SELF covers only itself).
_CHILD = """
import resource, sys
from summarizer.cli import app
code = 0
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit as e:
    code = e.code or 0
sys.stdout.flush()
print("\\n__peak_kb__", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code if isinstance(code, int) else 1)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--slow-articles", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base_env = {
            **os.environ,
            "SUMMARIZER_MODEL": "fake-model",
            "SUMMARIZER_CACHE_DIR": str(root / "cache"),
            "SUMMARIZER_DATA_DIR": str(root / "data"),
        }
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")

        # (a) everything cached
        folder = root / "cached"
        write_articles(folder, options.articles)
        with fake_llm_server([], respond=extraction_reply) as server:
            env = {**base_env, "SUMMARIZER_BASE_URL": server.base_url}
            fill_s, fill_mb, _ = run_cli(
                ["batch", str(folder), "--store", str(root / "fill.sqlite"), "-q"], env
            )
            requests_after_fill = len(server.requests)
            out = root / "out"
            seconds, peak_mb, _ = run_cli(["batch", str(folder), "--out", str(out), "-q"], env)
            assert len(server.requests) == requests_after_fill, "the cached run called the LLM"
            counts = json.loads((out / "report.json").read_text())["counts"]
            assert counts["cached"] == options.articles, counts
            resume_s, resume_mb, _ = run_cli(["batch", str(folder), "--out", str(out), "-q"], env)
        print(f"\n(a) {options.articles} articles")
        print(f"  first run, fake endpoint, no delay: {fill_s:6.2f} s  peak {fill_mb:5.0f} MB")
        print(
            f"  all from the cache, end to end:     {seconds:6.2f} s  peak {peak_mb:5.0f} MB"
            f"  ({seconds / options.articles * 1000:.1f} ms per article; target < 10 s)"
        )
        print(f"  re-run, all resumed from the store: {resume_s:6.2f} s  peak {resume_mb:5.0f} MB")

        # (b) concurrency against a slow endpoint
        folder = root / "slow"
        write_articles(folder, options.slow_articles)
        print(f"\n(b) {options.slow_articles} articles, endpoint answers after {options.delay} s")
        times: dict[int, float] = {}
        with fake_llm_server(
            [], respond=lambda r: extraction_reply(r, delay_s=options.delay)
        ) as server:
            env = {**base_env, "SUMMARIZER_BASE_URL": server.base_url, "SUMMARIZER_USE_CACHE": "0"}
            for c in options.concurrency:
                out = root / f"slow-{c}"
                seconds, peak_mb, _ = run_cli(
                    ["batch", str(folder), "--out", str(out), "--concurrency", str(c), "-q"], env
                )
                batch_s = json.loads((out / "report.json").read_text())["elapsed_s"]
                times[c] = batch_s
                ideal = options.slow_articles * options.delay / c
                print(
                    f"  concurrency {c:2d}: process {seconds:7.2f} s, batch {batch_s:7.2f} s "
                    f"(ideal {ideal:5.1f} s)  peak {peak_mb:4.0f} MB  "
                    f"speed-up {times[options.concurrency[0]] / batch_s:5.2f}x"
                )
        if 1 in times and 16 in times:
            ratio = times[1] / times[16]
            print(f"  16 vs 1 (batch time): {ratio:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
