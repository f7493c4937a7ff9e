"""Benchmark the merger on synthetic records (not a test).

Merges 1k, 10k and 100k synthetic records, each size in a fresh process, and prints seconds,
peak memory (max RSS of the process) and the growth ratio of time against n log n.

Targets: 100k records < 10 s and < 1 GB on 2 cores; growth no worse than n log n.

The records are noisy reports of synthetic real-world events: about three reports per event,
spread over three years, 85 % dated to the day, 10 % to the month, 2 % to the year and 3 %
undated (placed by their publication day), with figures, places and claimants varying between
reports the way the seed articles do.

Usage: python benchmarks/bench_merge.py [N ...]
"""

from __future__ import annotations

import json
import math
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta

from summarizer.records import Count, EventDate, EventRecord
from summarizer.timeline.merge import SourcedRecord, merge

KINDS = ["prisoner_exchange", "body_repatriation", "talks_round", "agreement", "cumulative_tally"]
PLACES = [None, "Istanbul", "Çırağan Palace", "Dolmabahçe Palace", "Doha", "Abu Dhabi",
          "Ukrainian-Belarusian border", "Geneva", "Riyadh"]  # fmt: skip
CLAIMS = [None, "Russian Defense Ministry", "Volodymyr Zelensky", "Coordination Headquarters"]


def synthetic(n: int, seed: int = 7) -> list[SourcedRecord]:
    rnd = random.Random(seed)
    start = date(2023, 1, 1)
    records: list[SourcedRecord] = []
    event = 0
    while len(records) < n:
        event += 1
        kind = rnd.choice(KINDS)
        day = start + timedelta(days=rnd.randrange(3 * 365))
        place = rnd.choice(PLACES)
        value = rnd.randrange(20, 1200)
        for _ in range(rnd.choice([1, 2, 3, 3, 4, 5])):
            roll = rnd.random()
            if roll < 0.85:
                when = day.isoformat()
            elif roll < 0.95:
                when = day.isoformat()[:7]
            elif roll < 0.97:
                when = day.isoformat()[:4]
            else:
                when = None
            published = day + timedelta(days=rnd.randrange(0, 4))
            article = f"a{len(records)}"
            reported = value if rnd.random() < 0.7 else int(value * rnd.uniform(0.9, 1.1))
            qualifier = "about" if rnd.random() < 0.3 else "exact"
            count = Count(
                side="each_side", category="servicemen", value=reported, qualifier=qualifier
            )
            records.append(
                SourcedRecord(
                    record=EventRecord(
                        id=f"{article}#0",
                        article_id=article,
                        kind=kind,  # type: ignore[arg-type]
                        event_date=EventDate.parse(when),
                        publication_date=EventDate.parse(published.isoformat()),
                        location=place if rnd.random() < 0.8 else None,
                        mediators=["Türkiye"] if place in ("Istanbul", "Çırağan Palace") else [],
                        parties=["Russia", "Ukraine"],
                        counts=[] if kind == "talks_round" else [count],
                        claimed_by=rnd.choice(CLAIMS),
                        round_number=None,
                        evidence=[f"synthetic report {len(records)} of event {event}"],
                    ),
                    article_sha256=f"sha-{article}",
                    source=f"{article}.txt",
                    published=EventDate.parse(published.isoformat()),
                )
            )
    return records[:n]


def one(n: int) -> None:
    records = synthetic(n)
    started = time.perf_counter()
    timeline = merge(records)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps({"n": n, "seconds": seconds, "peak_mb": peak_mb, "events": len(timeline.events)})
    )


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        one(int(sys.argv[2]))
        return 0
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]
    rows = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n)], check=True, capture_output=True, text=True
        ).stdout
        rows.append(json.loads(out.splitlines()[-1]))
    print(
        f"{'records':>8} {'events':>7} {'seconds':>8} {'peak MB':>8} {'growth':>7} {'n log n':>8}"
    )
    for prev, row in zip([None, *rows], rows, strict=False):
        growth = nlogn = "-"
        if prev is not None:
            growth = f"{row['seconds'] / prev['seconds']:.1f}x"
            ratio = (row["n"] * math.log(row["n"])) / (prev["n"] * math.log(prev["n"]))
            nlogn = f"{ratio:.1f}x"
        print(f"{row['n']:>8} {row['events']:>7} {row['seconds']:>8.2f} {row['peak_mb']:>8.0f} "
              f"{growth:>7} {nlogn:>8}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
