"""Start-up times of the command line, as a user meets them (warm cache).

    python benchmarks/bench_startup.py [--runs 5] [--big-mb 20] [--no-big]

Each command runs as its own process, like hyperfine: one warm-up run (which fills the on-disk
cache if it is empty), then the median and spread of ``--runs`` runs. Targets: ``--help``
under 0.3 s, ``geoparse`` on a sample under 0.5 s, ``map`` on a sample under 1.5 s. Then a
generated article of ``--big-mb`` MB (sample briefings repeated) goes through ``map`` once,
with its time and peak memory (``getrusage`` of the child).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "geo" / "data" / "samples"
SAMPLE = SAMPLES / "al-tanf-briefing.md"


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "geo", *args]


def _run(args: list[str], timeout: float | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one child process; raises if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, env=_ENV, cwd=ROOT, timeout=timeout)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.decode()[-500:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: report it only when it grew.
    return elapsed, max(peak, before) / 1024


_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def timed(label: str, args: list[str], runs: int, target: float | None) -> float:
    _run(args)  # warm-up: fills the cache, loads the files into the page cache
    times = sorted(_run(args)[0] for _ in range(runs))
    median = statistics.median(times)
    goal = f" (target < {target:g} s)" if target else ""
    print(
        f"{label:<28} median {median:.3f} s  min {times[0]:.3f}  max {times[-1]:.3f}"
        f"  [{runs} runs]{goal}"
    )
    return median


def big_article(mb: float, folder: Path) -> Path:
    """Sample briefings repeated to ``mb`` MB, numbered so no paragraph is a duplicate."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.iterdir()) if p.is_file()]
    target = int(mb * 1_000_000)
    parts: list[str] = []
    size = 0
    n = 0
    while True:
        text = f"Report {n}.\n\n{texts[n % len(texts)]}\n\n"
        if size + len(text.encode("utf-8")) > target:  # stay within the article limit
            break
        parts.append(text)
        size += len(text.encode("utf-8"))
        n += 1
    path = folder / f"big-{mb:g}mb.txt"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-mb", type=float, default=20.0)
    parser.add_argument("--no-big", action="store_true", help="skip the large article")
    parser.add_argument("--big-timeout", type=float, default=900.0, help="seconds (default 900)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "map.html"
        timed("python -c pass", [sys.executable, "-c", "pass"], args.runs, None)
        timed("flashpoints --help", _command("--help"), args.runs, 0.3)
        timed("flashpoints geoparse SAMPLE", _command("geoparse", str(SAMPLE)), args.runs, 0.5)
        timed(
            "flashpoints map SAMPLE",
            _command("map", str(SAMPLE), "-o", str(out), "--force"),
            args.runs,
            1.5,
        )
        if args.no_big:
            return
        article = big_article(args.big_mb, Path(tmp))
        size = article.stat().st_size / 1e6
        try:
            seconds, peak = _run(
                _command("map", str(article), "-o", str(out), "--force"), args.big_timeout
            )
        except subprocess.TimeoutExpired:
            print(f"flashpoints map {size:.1f} MB article: not done in {args.big_timeout:g} s")
            return
        print(
            f"flashpoints map {size:.1f} MB article: {seconds:.1f} s, peak RSS {peak:.0f} MB "
            f"(one run)"
        )


if __name__ == "__main__":
    main()
