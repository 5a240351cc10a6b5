"""Name recognition in one compiled Aho-Corasick pass: pyahocorasick against ahocorasick-rs.

    python benchmarks/bench_automaton.py [--mb 5] [--repeats 3] [--check 300000] [--dfa]

Issue 15 asks whether the recogniser (``geo.recognition.tokenize`` finds capitalised word runs
with a regex, ``recognise`` folds each run and looks it up in the gazetteer) could find names
in one pass of an automaton built from every gazetteer key, and which registry library to use
for it. This script measures what that decision rests on, on the project's own text:

* build: every distinct ``key`` of the gazetteer's ``names`` table (already folded by
  ``geo.names.normalize``) goes into an automaton of each library: pyahocorasick's
  ``Automaton`` (``STORE_LENGTH``), ahocorasick-rs's ``AhoCorasick`` (str) and
  ``BytesAhoCorasick`` (bytes), both ``MatchKind.LeftmostLongest``. Build time and the process's
  RSS growth (and peak growth) are measured in a forked child per automaton, so one library's
  freed memory cannot hide the next one's; tracemalloc would not see the Rust heap at all.
* text: the development sets' texts (``benchmarks/data/devset*.jsonl``) joined and repeated
  to ``--mb`` MB. The keys are folded, the text is not, so it gets a folded copy of the same
  length (offsets carry over): lower case, accented Latin letters to their ASCII base,
  whitespace and hyphens to spaces, other letters to ``X`` (a word character no key has),
  other symbols to ``#``. Folding is timed: a real recogniser would pay it on every document.
  Folding cannot drop what ``normalize`` drops (apostrophes, dots, Arabic articles inside a
  name, "Deir ez-Zor" to ``deir zor``) without moving offsets, so those names are missed.
* scans, per library, in MB/s of original text, median of ``--repeats``:
  ``substring``: leftmost-longest non-overlapping matches anywhere (what the libraries do);
  ``+ word check``: the same, keeping hits whose both ends fall on non-word characters
  (checked in Python, per hit); ``word starts``: keys added as ``" " + key`` and the text
  padded with punctuation spaced out, so every match starts at a word start and only the end
  is checked in Python (a substring match that swallows the start of a real name cannot
  happen here, unlike the substring scan); for pyahocorasick also ``overlapping``: every hit
  (``iter``), which is how many hits a recogniser would see if it must pick among them itself.
  Counts per scan: raw hits, whole-word hits, whole-word hits at a capital letter of the
  original text. Raw hits less whole-word hits are keys inside longer words, whole-word hits
  less capital ones are common words that are also some hamlet's name: each is a Python-level
  tuple a recogniser must make and reject, so these counts say how much work stays in Python.
* correctness: both libraries' leftmost-longest spans against a plain Python reference on the
  first ``--check`` characters (pyahocorasick's ``iter_long`` has open reports of wrong
  longest matches). ``--dfa`` adds ahocorasick-rs built as a full DFA (about 0.8 GB).
* the current recogniser on the same text, warm (its lookup cache filled): ``tokenize`` and
  ``recognise`` in MB/s, and how many candidates it yields; how many of its candidates end
  where a word-start hit ends (recall of the automaton pass against today's output).
* share of geoparsing: ``geo.geoparsing.geoparse`` on each development document, warm, against
  ``tokenize`` + ``recognise`` on the same documents and a sketch of an automaton recogniser
  (fold, word-start scan, end and capital checks, gazetteer cache look-up per hit; none of the
  recogniser's rules about articles, joiners and titles, so a lower bound on its cost).
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import re
import resource
import sqlite3
import statistics
import sys
import time
import unicodedata
from array import array
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import ahocorasick
import ahocorasick_rs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.gazetteer import Gazetteer, open_gazetteer
from geo.geoparsing import geoparse
from geo.model import Document
from geo.recognition import recognise, tokenize

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is optional
    psutil = None

HERE = Path(__file__).resolve().parent
DEV_SETS = (HERE / "data" / "devset.jsonl", HERE / "data" / "devset2.jsonl")
MB = 1_000_000

# --- folding that keeps offsets ---------------------------------------------------------------

#: Latin letters NFKD does not decompose, whose fold is still one letter (see geo.names).
_ONE_FOR_ONE = {"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ð": "d", "ħ": "h"}
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: ASCII whitespace and hyphen to a space (str.translate's ASCII fast path).
_ASCII_SPACES = str.maketrans("\t\n\r\x0b\x0c-", "      ")
#: For the word-start scan: every ASCII non-word character to a space as well.
_PUNCT_SPACES = str.maketrans({c: " " for c in map(chr, range(128)) if not re.match(r"\w", c)})
#: Characters of the folded text that are part of a word (``X`` stands for other scripts).
WORD = frozenset("0123456789abcdefghijklmnopqrstuvwxyz_X")


@cache
def _fold_char(c: str) -> str:
    """One character's one-character fold (``c`` is already lower-cased)."""
    if c.isspace() or c in _DASHES:
        return " "
    c = _ONE_FOR_ONE.get(c, c)
    base = "".join(ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch))
    if len(base) == 1 and base.isascii():
        return base.lower()
    return "X" if c.isalnum() else "#"


def _fold_match(m: re.Match[str]) -> str:
    return _fold_char(m.group())


def fold(text: str) -> str:
    """``text`` folded like the gazetteer keys as far as that keeps its length: pure ASCII,
    so character and byte offsets are the same and the bytes automaton can scan it too."""
    low = text.lower()
    if len(low) != len(text):  # "İ" lower-cases to two characters: keep such ones as they are
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return _NON_ASCII.sub(_fold_match, low).translate(_ASCII_SPACES)


# --- data -----------------------------------------------------------------------------------


def load_keys(gazetteer: Gazetteer) -> list[str]:
    """Every distinct folded name in the gazetteer (read-only connection of our own)."""
    con = sqlite3.connect(f"file:{gazetteer.path}?mode=ro&immutable=1", uri=True)
    try:
        return [k for (k,) in con.execute("SELECT DISTINCT key FROM names WHERE key != ''")]
    finally:
        con.close()


def load_texts() -> list[tuple[str, str]]:
    docs = []
    for path in DEV_SETS:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    docs.append((row.get("id", str(len(docs))), row["text"]))
    return docs


def corpus(docs: list[tuple[str, str]], size_mb: float) -> str:
    one = "\n\n".join(text for _, text in docs)
    repeats = max(1, round(size_mb * MB / len(one.encode("utf-8"))))
    return "\n\n".join([one] * repeats)


# --- measurement helpers --------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median seconds of ``repeats`` calls, and the last call's result. The garbage collector
    is off while timing, as in ``timeit``: hundreds of thousands of hit tuples would otherwise
    set off full collections whose cost depends on whatever else the process holds."""
    times = []
    result = None
    for _ in range(repeats):
        result = None
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return statistics.median(times), result


def rss() -> int:
    if psutil is not None:
        return psutil.Process().memory_info().rss
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def in_child(fn: Callable[..., dict], *args: Any) -> dict:
    """Run ``fn`` in a forked child (it sees this process's data without copying) and return
    its result: each automaton is built in a fresh address space and freed with it."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def target() -> None:
        try:
            send.send(fn(*args))
        except BaseException as err:  # report, do not hang the parent
            send.send({"error": repr(err)})

    proc = ctx.Process(target=target)
    proc.start()
    result = recv.recv()
    proc.join()
    if "error" in result:
        raise RuntimeError(f"{fn.__name__}{args}: {result['error']}")
    return result


# Set by main() before any child is forked: children read them without pickling.
TEXT = ""
FOLDED = ""
KEYS: list[str] = []


def word_hits(folded: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Hits whose both ends are on a non-word character (the Python work per hit)."""
    n = len(folded)
    word = WORD
    return [
        (s, e)
        for s, e in spans
        if (s == 0 or folded[s - 1] not in word) and (e == n or folded[e] not in word)
    ]


def end_hits(folded: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Word-start hits whose end is on a non-word character."""
    n = len(folded)
    word = WORD
    return [(s, e) for s, e in spans if e == n or folded[e] not in word]


def capital(text: str, spans: list[tuple[int, int]]) -> int:
    return sum(1 for s, _ in spans if text[s].isupper())


def _pack(spans: list[tuple[int, int]]) -> bytes:
    return array("q", [x for span in spans for x in span]).tobytes()


def _unpack(data: bytes) -> set[tuple[int, int]]:
    flat = array("q")
    flat.frombytes(data)
    return set(zip(flat[::2], flat[1::2], strict=True))


# --- one automaton per child ----------------------------------------------------------------


def _build(library: str, anchored: bool) -> tuple[Any, Callable[[str], list], Callable]:
    """Build one automaton; return it, its native scan (what the library hands back: a list
    of (end, length) or (key index, start, end)) and a scan giving (start, end) spans."""
    keys = [" " + k for k in KEYS] if anchored else KEYS
    longest = ahocorasick_rs.MatchKind.LeftmostLongest
    if library == "pyahocorasick":
        auto = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
        add = auto.add_word
        for key in keys:
            add(key)
        auto.make_automaton()

        def native(hay: str) -> list:
            return list(auto.iter_long(hay))

        def scan(hay: str) -> list[tuple[int, int]]:
            return [(e + 1 - n, e + 1) for e, n in auto.iter_long(hay)]

        return auto, native, scan
    if library == "ahocorasick-rs bytes":  # the folded text is ASCII: byte offsets = str offsets
        auto = ahocorasick_rs.BytesAhoCorasick([k.encode() for k in keys], matchkind=longest)

        def native(hay: str) -> list:
            return auto.find_matches_as_indexes(hay.encode("ascii"))

    else:
        implementation = ahocorasick_rs.Implementation.DFA if library.endswith("DFA") else None
        auto = ahocorasick_rs.AhoCorasick(
            keys, matchkind=longest, store_patterns=False, implementation=implementation
        )

        def native(hay: str) -> list:
            return auto.find_matches_as_indexes(hay)

    def scan(hay: str) -> list[tuple[int, int]]:
        return [(s, e) for _, s, e in native(hay)]

    return auto, native, scan


def run_library(library: str, anchored: bool, repeats: int) -> dict:
    """Build time and memory of one automaton, then its scans of the folded text."""
    gc.collect()
    before, start = rss(), time.perf_counter()
    auto, native, scan = _build(library, anchored)
    build_s = time.perf_counter() - start
    gc.collect()
    out: dict[str, Any] = {
        "build_s": build_s,
        "rss_mb": (rss() - before) / MB,
        "peak_mb": (peak_rss() - before) / MB,
    }
    text, folded = TEXT, FOLDED
    if not anchored:
        secs, hits = timed(lambda: native(folded), repeats)
        out["substring"] = (secs, len(hits))
        raw = scan(folded)
        secs, whole = timed(lambda: word_hits(folded, scan(folded)), repeats)
        out["word_check"] = (secs, len(raw), len(whole), capital(text, whole))
        out["spans"] = _pack(raw)
        if library == "pyahocorasick":

            def overlapping() -> list[tuple[int, int]]:
                spans = [(e + 1 - n, e + 1) for e, n in auto.iter(folded)]
                return word_hits(folded, spans)

            secs, whole = timed(overlapping, repeats)
            n_raw = sum(1 for _ in auto.iter(folded))
            out["overlapping"] = (secs, n_raw, len(whole), capital(text, whole))
    else:

        def word_starts() -> list[tuple[int, int]]:
            padded = " " + folded.translate(_PUNCT_SPACES)
            # " key" at [s, e) of the padded text is "key" at [s, e - 1) of the text
            return [(s, e - 1) for s, e in scan(padded)]

        secs, raw = timed(word_starts, repeats)
        secs_checked, whole = timed(lambda: end_hits(folded, word_starts()), repeats)
        out["word_starts"] = (secs, secs_checked, len(raw), len(whole), capital(text, whole))
        out["spans"] = _pack(whole)
    return out


def reference_check(sample_chars: int) -> dict:
    """Leftmost-longest spans of both libraries against a plain Python reference (a walk over
    the set of key prefixes) on the start of the folded text: pyahocorasick's ``iter_long``
    has open reports of missed and wrong longest matches (its issues 133, 185, 189)."""
    keys = set(KEYS)
    prefixes = {k[:i] for k in KEYS for i in range(1, len(k) + 1)}
    hay = FOLDED[:sample_chars]
    expected = set()
    i, n = 0, len(hay)
    while i < n:
        best, j = 0, i + 1
        while j <= n and hay[i:j] in prefixes:
            if hay[i:j] in keys:
                best = j
            j += 1
        if best:
            expected.add((i, best))
            i = best
        else:
            i += 1
    del prefixes
    out = {"expected": len(expected)}
    for library in ("pyahocorasick", "ahocorasick-rs"):
        _, _, scan = _build(library, anchored=False)
        got = set(scan(hay))
        out[library] = (len(got - expected), len(expected - got))
    return out


# --- the current recogniser and geoparse ----------------------------------------------------


def sketch_recogniser(auto: Any, gazetteer: Gazetteer) -> Callable[[str], list]:
    """An automaton recogniser reduced to its per-hit work: fold, word-start scan, end and
    capital checks, cached look-up. No article, joiner or title rules (a lower bound)."""
    cached, lookup = gazetteer.cached, gazetteer.lookup_key
    word = WORD

    def run(text: str) -> list:
        folded = fold(text)
        n = len(folded)
        found = []
        for _, s, e in auto.find_matches_as_indexes(" " + folded.translate(_PUNCT_SPACES)):
            e -= 1
            if (e == n or folded[e] not in word) and text[s].isupper():
                key = folded[s:e]
                places = cached(key)
                if places is None:
                    places = lookup(key)
                if places:
                    found.append((s, e, key, places))
        return found

    return run


def share_of_geoparse(
    docs: list[tuple[str, str]], gazetteer: Gazetteer, repeats: int
) -> dict[str, float]:
    documents = [Document(id=i, title="", text=t, source="") for i, t in docs]
    auto = ahocorasick_rs.AhoCorasick(
        [" " + k for k in KEYS],
        matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
        store_patterns=False,
    )
    sketch = sketch_recogniser(auto, gazetteer)

    def parse_all() -> None:
        for d in documents:
            geoparse(d, gazetteer)

    def tokens_all() -> None:
        for _, t in docs:
            tokenize(t)

    pairs = [(t, tokenize(t)) for _, t in docs]

    def recognise_all() -> None:
        for t, toks in pairs:
            recognise(t, toks, gazetteer)

    def fold_all() -> None:
        for _, t in docs:
            fold(t)

    def sketch_all() -> None:
        for _, t in docs:
            sketch(t)

    for warm in (parse_all, recognise_all, sketch_all):
        warm()
    return {
        "geoparse": timed(parse_all, repeats)[0],
        "tokenize": timed(tokens_all, repeats)[0],
        "recognise": timed(recognise_all, repeats)[0],
        "fold": timed(fold_all, repeats)[0],
        "sketch": timed(sketch_all, repeats)[0],
    }


# --- report ---------------------------------------------------------------------------------


def _rate(seconds: float, size: int) -> str:
    return f"{size / MB / seconds:8.1f}" if seconds else "       -"


def main() -> None:
    global TEXT, FOLDED, KEYS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="text size to scan (MB)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (median)")
    parser.add_argument(
        "--check", type=int, default=300_000, help="characters checked against a reference"
    )
    parser.add_argument(
        "--dfa", action="store_true", help="also ahocorasick-rs as a full DFA (about 0.8 GB)"
    )
    args = parser.parse_args()

    gazetteer = open_gazetteer()
    start = time.perf_counter()
    KEYS = load_keys(gazetteer)
    load_s = time.perf_counter() - start
    docs = load_texts()
    TEXT = corpus(docs, args.mb)
    size = len(TEXT.encode("utf-8"))
    fold_s, FOLDED = timed(lambda: fold(TEXT), args.repeats)
    if len(FOLDED) != len(TEXT) or not FOLDED.isascii():
        raise SystemExit("fold changed the text's length or left non-ASCII characters")
    print(
        f"gazetteer {gazetteer.path.name}: {len(KEYS):,} distinct keys,"
        f" {sum(map(len, KEYS)) / MB:.1f} M characters (read in {load_s:.2f} s)"
    )
    print(
        f"text: {len(docs)} development documents repeated to {size / MB:.1f} MB"
        f" ({len(TEXT):,} characters); fold {fold_s * 1000:.0f} ms ({_rate(fold_s, size).strip()}"
        f" MB/s); median of {args.repeats}; psutil {'yes' if psutil else 'no (statm)'}"
    )
    print(
        f"pyahocorasick {metadata.version('pyahocorasick')} (unicode build:"
        f" {bool(ahocorasick.unicode)}), ahocorasick-rs {metadata.version('ahocorasick-rs')}"
    )

    libraries: tuple[str, ...] = ("pyahocorasick", "ahocorasick-rs", "ahocorasick-rs bytes")
    if args.dfa:
        libraries += ("ahocorasick-rs DFA",)
    results = {}
    for library in libraries:
        for anchored in (False, True):
            results[library, anchored] = in_child(run_library, library, anchored, args.repeats)

    print()
    print(f"{'automaton':<22}{'keys':<12}{'build s':>8}{'RSS MB':>8}{'peak MB':>9}")
    for library in libraries:
        for anchored in (False, True):
            r = results[library, anchored]
            label = '" "+key' if anchored else "key"
            print(
                f"{library:<22}{label:<12}{r['build_s']:8.2f}{r['rss_mb']:8.0f}{r['peak_mb']:9.0f}"
            )

    print()
    head = f"{'scan':<44}{'MB/s':>8}{'ms':>8}{'hits':>11}{'whole-word':>12}{'capital':>9}"
    print(head)
    print("-" * len(head))

    def row(label: str, seconds: float, hits: Any = "", whole: Any = "", cap: Any = "") -> None:
        cells = [f"{x:,}" if isinstance(x, int) else x for x in (hits, whole, cap)]
        print(
            f"{label:<44}{_rate(seconds, size)}{seconds * 1000:8.0f}"
            f"{cells[0]:>11}{cells[1]:>12}{cells[2]:>9}"
        )

    row("fold (lower, accents, spaces; same length)", fold_s)
    for library in libraries:
        plain, anch = results[library, False], results[library, True]
        row(f"{library}: substring", plain["substring"][0], plain["substring"][1])
        row(f"{library}: substring + word check", *plain["word_check"])
        if "overlapping" in plain:
            row(f"{library}: overlapping iter + word check", *plain["overlapping"])
        secs, secs_checked, n_raw, n_whole, n_cap = anch["word_starts"]
        row(f"{library}: word starts", secs, n_raw)
        row(f"{library}: word starts + end check", secs_checked, n_raw, n_whole, n_cap)

    # The current recogniser on the same text, warm.
    tokenize(TEXT[:100_000])
    tok_s, tokens = timed(lambda: tokenize(TEXT), args.repeats)
    recognise(TEXT, tokens, gazetteer)  # fills the gazetteer's lookup cache
    rec_s, cands = timed(lambda: recognise(TEXT, tokens, gazetteer), args.repeats)
    n_cap_tokens = sum(1 for t in tokens if t.capitalised)
    row(f"current: tokenize ({len(tokens):,} tokens)", tok_s, "", "", n_cap_tokens)
    row("current: recognise (candidates)", rec_s, len(cands), len(cands))
    row("current: tokenize + recognise", tok_s + rec_s, len(cands), len(cands))

    print()
    py_ll = _unpack(results["pyahocorasick", False]["spans"])
    rs_ll = _unpack(results["ahocorasick-rs", False]["spans"])
    rb_ll = _unpack(results["ahocorasick-rs bytes", False]["spans"])
    print(
        f"leftmost-longest agreement: pyahocorasick iter_long vs ahocorasick-rs:"
        f" {len(py_ll - rs_ll):,} spans only in pyahocorasick, {len(rs_ll - py_ll):,} only in"
        f" ahocorasick-rs; str vs bytes automaton differ on {len(rs_ll ^ rb_ll):,}"
    )
    starts = _unpack(results["ahocorasick-rs", True]["spans"])
    py_starts = _unpack(results["pyahocorasick", True]["spans"])
    ends = {e for _, e in starts}
    same_span = sum(1 for c in cands if (c.start, c.end) in starts)
    same_end = sum(1 for c in cands if c.end in ends)
    print(
        f"word-start hits (whole-word): pyahocorasick and ahocorasick-rs differ on"
        f" {len(py_starts ^ starts):,};"
        f" of the current recogniser's {len(cands):,} candidates, {same_span:,} have a hit with"
        f" the same span and {same_end:,} one with the same end (the rest are names folding"
        " drops characters from: articles, apostrophes, dots)"
    )

    check = in_child(reference_check, args.check)
    print(
        f"against a Python leftmost-longest reference on the first {args.check:,} characters"
        f" ({check['expected']:,} spans): "
        + "; ".join(
            f"{lib} {check[lib][0]:,} wrong, {check[lib][1]:,} missed"
            for lib in ("pyahocorasick", "ahocorasick-rs")
        )
    )

    # Documents take milliseconds each: three times the passes for a steadier median.
    shares = share_of_geoparse(docs, gazetteer, 3 * args.repeats)
    total = shares["geoparse"]
    doc_bytes = sum(len(t.encode("utf-8")) for _, t in docs)
    print()
    print(
        f"per document ({len(docs)} documents, {doc_bytes / 1000:.0f} kB, warm):"
        f" geoparse {total * 1000:.1f} ms ({_rate(total, doc_bytes).strip()} MB/s)"
    )
    for name in ("tokenize", "recognise", "fold", "sketch"):
        label = {"sketch": "automaton sketch (fold + scan + checks + lookup)"}.get(name, name)
        secs = shares[name]
        print(f"  {label:<50}{secs * 1000:8.1f} ms {100 * secs / total:5.1f}% of geoparse")
    # The rest of geoparse reads the tokens (persons, kinds, unknown names), so an automaton
    # replaces recognise only, unless those rules are rewritten on its hits too.
    saved = shares["recognise"] - shares["sketch"]
    saved_all = shares["tokenize"] + shares["recognise"] - shares["sketch"]
    print(
        f"  saving if the sketch replaced recognise: {100 * saved / total:+.1f}% of geoparse;"
        f" if it replaced tokenize and recognise: {100 * saved_all / total:+.1f}%"
    )


if __name__ == "__main__":
    main()
