"""Formats benchmark: rendering and reading one playlist's files, against the stdlib's JSON.

The seed playlist (50 tracks, tests/data) is rendered and read in every format. The
baseline, measured in the same run, is ``json.loads`` + ``json.dumps`` of the same JSON
snapshot: what any format must at least cost. Prints per-call medians and the ratio to
the baseline. The pretty reader is measured cold (inline cache cleared before each
read) and warm (the same page again, as in a walk over versions that share rows).

    python -m bench.formats            # 5 runs
    python -m bench.formats --runs 9
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from gitarchive import formats  # noqa: E402
from gitarchive.formats import markdown  # noqa: E402

SEED_ID = "37i9dQZF1DX5LEXW9eXA0n"
DATA = ROOT / "tests" / "data"


def per_call(function: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - start) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--number", type=int, default=100, help="calls per run")
    args = parser.parse_args()

    snapshot = (DATA / f"pretty-{SEED_ID}.json").read_text(encoding="utf-8")
    playlist = formats.read_json(snapshot, SEED_ID)
    page = formats.render_pretty(playlist, github="owner/repo")
    plain = formats.render_plain(playlist)

    def read_pretty_cold() -> object:
        markdown._INLINE_CACHE.clear()
        return formats.read_pretty(page, SEED_ID)

    cases: dict[str, Callable[[], object]] = {
        "baseline json.loads+dumps": lambda: json.dumps(json.loads(snapshot), indent=2),
        "read_json": lambda: formats.read_json(snapshot, SEED_ID),
        "read_pretty (cold)": read_pretty_cold,
        "read_pretty (warm)": lambda: formats.read_pretty(page, SEED_ID),
        "read_plain": lambda: formats.read_plain(plain, SEED_ID),
        "render_json": lambda: formats.render_json(playlist),
        "render_pretty": lambda: formats.render_pretty(playlist, github="owner/repo"),
        "render_plain": lambda: formats.render_plain(playlist),
    }
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, function in cases.items():
            timings[name].append(per_call(function, args.number))
    baseline = statistics.median(timings["baseline json.loads+dumps"])
    print(f"50-track playlist, median of {args.runs} runs x {args.number} calls")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"  {name:28} {median * 1000:8.3f} ms   {median / baseline:6.2f}x baseline")


if __name__ == "__main__":
    main()
