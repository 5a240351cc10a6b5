"""The corpus store: idempotent, transactional ingest that survives being killed."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.errors import InputError
from geo.ingest import ingest
from geo.pipeline import analyse_store
from geo.store import SCHEMA_VERSION, Store
from geo.text import document_from_text, load_documents

PLACES = ["al Tanf", "Rukban", "Raqqa", "Sinjar", "Deir ez-Zor", "Abu Kamal", "Palmyra", "Mosul"]


def corpus(path: Path, n: int, seed: int = 1) -> Path:
    """N distinct short dispatches as a JSON-lines file."""
    rnd = random.Random(seed)
    with path.open("w") as handle:
        for i in range(n):
            a, b = rnd.sample(PLACES, 2)
            text = (
                f"Dispatch {i}: coalition jets struck militias near {a} on May {1 + i % 28}. "
                f"Residents fled toward {b}, officials in Washington said."
            )
            handle.write(json.dumps({"id": f"d{i}", "text": text, "published": "2017-06-08"}))
            handle.write("\n")
    return path


def test_ingest_twice_stores_once_and_rebuilds_the_analysis(tmp_path, gazetteer):
    docs = list(load_documents([corpus(tmp_path / "c.jsonl", 20)]))
    with Store(tmp_path / "s.db") as store:
        first = ingest(docs, store)
        again = ingest(docs, store)
        assert (first["added"], first["duplicates"]) == (20, 0)
        assert (again["added"], again["duplicates"]) == (0, 20)
        counts = store.counts()
        assert counts["documents"] == 20
        # one place per gazetteer id, however many articles name it
        assert counts["places"] <= len(PLACES) * 3 + 6
        analysis = analyse_store(store)
        assert len(analysis.documents) == 20
        assert any(p.name == "Rukban camp" for p in analysis.places)
        assert analysis.events
        runs = store.runs()
        assert len(runs) == 2
        assert runs[0]["manifest"]["counts"]["added"] == 20
        assert runs[0]["manifest"]["gazetteer"].startswith("gazetteer-")
        assert store.integrity_ok()


def test_the_same_event_from_two_articles_is_one_event_with_two_sources(tmp_path, gazetteer):
    texts = [
        "Coalition jets struck a convoy near al Tanf on May 18.",
        "A convoy was struck by coalition aircraft at al Tanf on Thursday.",
    ]
    published = ["2017-06-08", "2017-05-19"]
    docs = [document_from_text(t, published=p) for t, p in zip(texts, published, strict=True)]
    with Store(tmp_path / "s.db") as store:
        ingest(docs, store)
        (event,) = [e for e in store.events() if e.kind == "airstrike"]
        assert set(event.sources) == {d.id for d in docs}
        assert event.date.isoformat() == "2017-05-18"


def test_multiprocessing_gives_the_same_store(tmp_path, gazetteer, monkeypatch):
    import geo.ingest

    docs = list(load_documents([corpus(tmp_path / "c.jsonl", 100)]))
    started = []
    real_pool = geo.ingest.get_context

    def spy(method):
        started.append(method)
        return real_pool(method)

    monkeypatch.setattr(geo.ingest, "get_context", spy)
    with Store(tmp_path / "one.db") as one, Store(tmp_path / "two.db") as two:
        ingest(docs, one)
        assert started == []
        ingest(docs, two, workers=2)
        assert started == ["spawn"]  # the pool really ran
        assert one.counts() == two.counts()


def test_dask_local_cluster_on_loopback(tmp_path, gazetteer):
    distributed = pytest.importorskip("distributed")
    docs = list(load_documents([corpus(tmp_path / "c.jsonl", 12)]))
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Store(tmp_path / "s.db") as store,
    ):
        result = ingest(docs, store, dask=cluster.scheduler_address)
        assert result["added"] == 12
        assert store.counts()["documents"] == 12


def test_a_newer_schema_is_refused_and_garbage_is_not_a_store(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(InputError, match="newer Flashpoints"):
        Store(path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError, match="not a Flashpoints store"):
        Store(junk)


def _ingest_process(db: Path, source: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "geo", "ingest", str(source), "--db", str(db), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_at_random_points_leaves_a_consistent_store(tmp_path, gazetteer):
    source = corpus(tmp_path / "c.jsonl", 400)
    db = tmp_path / "s.db"
    rnd = random.Random(7)
    for _ in range(4):
        proc = _ingest_process(db, source)
        time.sleep(rnd.uniform(1.5, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with Store(db) as store:
            assert store.integrity_ok()
            con = store._con
            # every committed article is whole: its mention count matches what it stored
            broken = con.execute(
                "SELECT COUNT(*) FROM documents d WHERE d.mention_count !="
                " (SELECT COUNT(*) FROM mentions m WHERE m.document_id = d.id)"
            ).fetchone()[0]
            assert broken == 0
            orphans = con.execute(
                "SELECT COUNT(*) FROM event_sources s LEFT JOIN events e ON e.id = s.event_id"
                " WHERE e.id IS NULL"
            ).fetchone()[0]
            assert orphans == 0
    # finishing the job afterwards stores each article exactly once
    done = subprocess.run(
        [sys.executable, "-m", "geo", "ingest", str(source), "--db", str(db), "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "already stored" in done.stdout
    with Store(db) as store:
        assert store.counts()["documents"] == 400


def test_two_ingests_at_once_lose_nothing(tmp_path, gazetteer):
    a = corpus(tmp_path / "a.jsonl", 60, seed=1)
    b = corpus(tmp_path / "b.jsonl", 60, seed=2)  # the same texts: ids and text overlap
    c = tmp_path / "c.jsonl"
    c.write_text(
        "".join(
            json.dumps({"id": f"c{i}", "text": f"Other report {i}: shelling hit Mosul."}) + "\n"
            for i in range(60)
        )
    )
    db = tmp_path / "s.db"
    procs = [_ingest_process(db, a), _ingest_process(db, c)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    with Store(db) as store:
        texts = {d.text for d in store.documents()}
        assert store.integrity_ok()
    expected = {d.text for d in load_documents([a, c])} | {d.text for d in load_documents([b])}
    assert len(texts) == 120
    assert texts <= expected


def test_cli_ingest_events_export_and_map_from_the_store(tmp_path, samples_dir):
    runner = CliRunner()
    db = str(tmp_path / "s.db")
    result = runner.invoke(main, ["ingest", str(samples_dir), "--db", db, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "3 added" in result.stdout
    again = runner.invoke(main, ["ingest", str(samples_dir), "--db", db, "--quiet"])
    assert "0 added, 3 already stored" in again.stdout
    events = runner.invoke(main, ["events", "--db", db, "--format", "json"])
    records = json.loads(events.stdout)["events"]
    assert {"date", "date_precision", "kind", "place", "lat", "lon", "actors", "sentence"} <= set(
        records[0]
    )
    csv_out = runner.invoke(main, ["events", "--db", db, "--format", "csv"])
    assert csv_out.stdout.startswith("date,date_precision")
    out = tmp_path / "corpus.geojson"
    exported = runner.invoke(main, ["export", "--db", db, "--format", "geojson", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text())["features"]
    html = tmp_path / "corpus.html"
    mapped = runner.invoke(main, ["map", "--db", db, "-o", str(html), "--no-tiles"])
    assert mapped.exit_code == 0, mapped.output
    assert "Dated events" in html.read_text()


def test_cli_events_from_files_with_published(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Coalition jets struck militias near Rukban on Tuesday.\n")
    result = CliRunner().invoke(
        main, ["events", str(article), "--published", "2017-06-08", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (event,) = json.loads(result.stdout)["events"]
    assert (event["date"], event["date_precision"], event["kind"]) == (
        "2017-06-06",
        "day",
        "airstrike",
    )


def test_cli_store_errors_are_one_line(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 500)
    article = tmp_path / "a.txt"
    article.write_text("Shelling hit Mosul.\n")
    result = CliRunner().invoke(main, ["ingest", str(article), "--db", str(junk), "--quiet"])
    assert result.exit_code == 2
    assert result.stderr.startswith("flashpoints: error: ")
    assert result.stderr.count("\n") == 1
    assert os.path.getsize(junk) == len(b"\x00garbage" * 500)  # nothing written over it


def test_ingest_skips_broken_lines_names_them_and_exits_non_zero(tmp_path):
    corpus_file = tmp_path / "big.jsonl"
    lines = [json.dumps({"id": i, "text": f"Item {i}: shelling near Mosul."}) for i in range(300)]
    lines[17] = '{"id": 17, "text": "unterminated'
    lines[150] = "[1, 2, 3]"
    lines[299] = '{"id": 299}'
    corpus_file.write_text("\n".join(lines) + "\n")
    db = tmp_path / "s.db"
    result = CliRunner().invoke(main, ["ingest", str(corpus_file), "--db", str(db), "--quiet"])
    assert result.exit_code == 2
    assert f"{corpus_file}:18:" in result.stderr
    assert f"{corpus_file}:151:" in result.stderr
    assert f"{corpus_file}:300:" in result.stderr
    assert "3 bad input(s) skipped" in result.stderr
    with Store(db) as store:
        assert store.counts()["documents"] == 297  # every good line is stored


def test_a_100000_line_corpus_with_broken_lines_loads_the_rest(tmp_path):
    corpus_file = tmp_path / "huge.jsonl"
    with corpus_file.open("w") as handle:
        for i in range(100_000):
            if i in (10, 50_000, 99_999):
                handle.write('{"text": \n')
            else:
                handle.write(json.dumps({"id": i, "text": f"Line {i} from the wires."}) + "\n")
    problems: list[str] = []
    docs = list(load_documents([corpus_file], on_error=problems.append))
    assert len(docs) == 99_997
    assert [p.split(":")[1] for p in problems] == ["11", "50001", "100000"]
    with pytest.raises(InputError, match=r"huge\.jsonl:11: not valid JSON"):
        list(load_documents([corpus_file]))


def test_corpus_ids_that_collide_across_corpora_lose_no_article(tmp_path, gazetteer):
    first = [document_from_text("Shelling hit Mosul.", doc_id="1")]
    second = [
        document_from_text("Jets struck near Rukban.", doc_id="1"),
        document_from_text("Fighting near Sinjar.", doc_id="1"),
    ]
    with Store(tmp_path / "s.db") as store:
        ingest(first, store)
        result = ingest(second, store)
        assert (result["added"], result["duplicates"]) == (2, 0)
        docs = {d.text: d.id for d in store.documents()}
        assert len(docs) == 3
        assert docs["Shelling hit Mosul."] == "1"
        assert len(set(docs.values())) == 3
        mentions = store.mentions()
        assert {m.surface for m in mentions[docs["Fighting near Sinjar."]]} == {
            "Sinjar",
            "near Sinjar",
        }
