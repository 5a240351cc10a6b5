"""One bad record never costs the others: JSON-lines corpora, processing, the store."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

import geo.ingest
from geo.cli import main
from geo.errors import InputError, StoreError
from geo.ingest import ingest
from geo.store import Store
from geo.text import document_from_text, load_documents, parse_date

BAD_LINES = [
    ('{"id": "s", "text": "Strike near Raqqa \\ud800 today."}', "'text' holds a lone surrogate"),
    (json.dumps({"id": "t", "title": [1], "text": "Strike near Raqqa."}), "'title' must be a"),
    (json.dumps({"id": "n", "body": "Strike near Raqqa."}), "no 'text' field"),
    (json.dumps({"id": "z", "text": None}), "'text' must be a string, not null"),
    ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
    ('"just a string"', "a JSON object is needed, not a string"),
    (json.dumps({"id": [2], "text": "Strike near Raqqa."}), "'id' must be a string or an"),
    (json.dumps({"text": "Strike near Raqqa.", "published": "0001-01-02"}), "out of range"),
    (json.dumps({"text": "Strike near Raqqa.", "published": "9999-12-31"}), "out of range"),
    (json.dumps({"text": "Strike near Raqqa.", "published": 20170608}), "'published' must"),
]


def corpus(path, bad_line, n=200, at=101):
    lines = [
        json.dumps({"id": i, "text": f"Dispatch {i}: shelling hit Mosul and Raqqa on day {i}."})
        for i in range(1, n + 1)
    ]
    lines[at - 1] = bad_line
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(("line", "why"), BAD_LINES)
def test_each_bad_record_is_named_and_skipped_and_the_rest_load(tmp_path, line, why):
    path = corpus(tmp_path / "c.jsonl", line, n=5, at=3)
    problems = []
    docs = list(load_documents([path], on_error=problems.append))
    assert len(docs) == 4
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:3: ")
    assert why in problems[0]
    with pytest.raises(InputError, match=f"{path.name}:3: "):
        list(load_documents([path]))


@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_with_a_bad_line_in_the_middle_stores_every_other_line(tmp_path, workers):
    path = corpus(tmp_path / "c.jsonl", BAD_LINES[1][0])
    db = tmp_path / "s.db"
    args = ["ingest", str(path), "--db", str(db), "--quiet", "--workers", str(workers)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert f"{path}:101: 'title' must be a string, not a list" in result.stderr
    assert "Traceback" not in result.output
    with Store(db) as store:
        assert store.counts()["documents"] == 199


def test_a_processing_failure_costs_only_its_own_article(tmp_path, monkeypatch):
    real = geo.ingest.process_document

    def flaky(doc, options=None):
        if "day 7." in doc.text:
            raise OverflowError("date value out of range")
        return real(doc, options)

    monkeypatch.setattr(geo.ingest, "process_document", flaky)
    docs = [
        document_from_text(f"Shelling hit Mosul on day {i}.", source=f"w:{i}") for i in range(10)
    ]
    problems = []
    with Store(tmp_path / "s.db") as store:
        result = ingest(docs, store, on_error=problems.append)
        assert (result["added"], result["skipped"]) == (9, 1)
        assert problems == ["w:7: OverflowError: date value out of range"]
        with pytest.raises(InputError, match="w:7: OverflowError"):
            ingest([*docs[7:8]], store)


def test_an_article_the_store_refuses_is_skipped_not_the_run(tmp_path, monkeypatch):
    real = Store.add

    def picky(self, doc, mentions, events=None):
        if "day 3." in doc.text:
            raise sqlite3.InterfaceError("Error binding parameter 3")
        return real(self, doc, mentions, events)

    monkeypatch.setattr(Store, "add", picky)
    docs = [
        document_from_text(f"Shelling hit Mosul on day {i}.", source=f"w:{i}") for i in range(6)
    ]
    problems = []
    with Store(tmp_path / "s.db") as store:
        result = ingest(docs, store, on_error=problems.append)
        assert (result["added"], result["skipped"]) == (5, 1)
        assert problems[0].startswith("w:3: not stored (InterfaceError")


def test_geoparse_jsonl_reports_bad_lines_and_goes_on(tmp_path):
    bad = [BAD_LINES[i] for i in (0, 2, 3, 4, 5, 6)]  # --jsonl reads only id and text
    stdin = "\n".join(
        [json.dumps({"id": 1, "text": "Shelling hit Mosul."})]
        + [line for line, _ in bad]
        + [json.dumps({"id": 9, "text": "Jets struck Raqqa."})]
    )
    result = CliRunner().invoke(main, ["geoparse", "--jsonl"], input=stdin + "\n")
    assert result.exit_code == 2
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, 9]
    for number, (_, why) in enumerate(bad, start=2):
        assert f"stdin:{number}: " in result.stderr
        assert why in result.stderr
    assert "bad JSON line ('text')" not in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["map", "export", "events", "geoparse"])
def test_other_commands_skip_a_bad_line_name_it_and_exit_2(tmp_path, command):
    path = corpus(tmp_path / "c.jsonl", BAD_LINES[0][0], n=4, at=2)
    out = tmp_path / "out.file"
    args = {
        "map": ["map", str(path), "-o", str(out), "--no-tiles"],
        "export": ["export", str(path), "--format", "geojson", "-o", str(out)],
        "events": ["events", str(path)],
        "geoparse": ["geoparse", str(path)],
    }[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert f"{path}:2: 'text' holds a lone surrogate" in result.stderr
    assert "Traceback" not in result.output
    if command in ("map", "export"):
        assert "Mosul" in out.read_text()
    if command == "geoparse":
        assert "Mosul" in result.stdout


def test_text_null_is_an_error_not_an_article_reading_none(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"text": None}) + "\n" + json.dumps({"text": "Mosul."}) + "\n")
    problems = []
    docs = list(load_documents([path], on_error=problems.append))
    assert [d.text for d in docs] == ["Mosul."]
    assert problems == [f"{path}:1: 'text' must be a string, not null"]


def test_dates_out_of_range_are_refused_at_the_door():
    with pytest.raises(InputError, match="out of range"):
        parse_date("9999-12-31")
    with pytest.raises(InputError, match=r"a\.md: date 0001-01-02 is out of range"):
        document_from_text("Mosul.", source="a.md", published="0001-01-02")
    assert parse_date("2017-06-08").year == 2017


def test_one_unreadable_row_never_breaks_reading_the_store(tmp_path):
    db = tmp_path / "s.db"
    article = tmp_path / "a.txt"
    article.write_text("Shelling hit Mosul on May 18.\n")
    other = tmp_path / "b.txt"
    other.write_text("Jets struck near Raqqa.\n")
    assert (
        CliRunner()
        .invoke(main, ["ingest", str(article), str(other), "--db", str(db), "--quiet"])
        .exit_code
        == 0
    )
    con = sqlite3.connect(db)
    with con:  # what an older version (or a hand edit) may have left behind
        con.execute("UPDATE documents SET published = '9999-12-31' WHERE source LIKE '%a.txt'")
        con.execute("UPDATE documents SET segments = 'not json' WHERE source LIKE '%b.txt'")
    con.close()
    result = CliRunner().invoke(main, ["map", "--db", str(db), "-o", str(tmp_path / "m.html")])
    assert result.exit_code == 0, result.output
    assert "9999-12-31 is out of range" in result.stderr
    assert "b.txt" in result.stderr or "skipped (JSONDecodeError" in result.stderr
    assert "Mosul" in (tmp_path / "m.html").read_text()


def test_a_locked_store_is_one_line_and_loses_nothing(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as store:
        ingest([document_from_text("Shelling hit Mosul.")], store)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with Store(db, timeout_s=0.2) as store:
            with pytest.raises(StoreError, match="locked by another program") as caught:
                ingest([document_from_text("Jets struck near Raqqa.")], store)
            assert "\n" not in str(caught.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with Store(db) as store:
        assert store.counts()["documents"] == 1
        assert store.integrity_ok()


def test_a_full_disk_stops_the_ingest_in_one_line_and_keeps_what_was_stored(tmp_path):
    db = tmp_path / "s.db"
    docs = [
        document_from_text(f"Report {i}: shelling hit Mosul. " + "Words " * 4000) for i in range(40)
    ]
    with Store(db) as store:
        pages = store._con.execute("PRAGMA page_count").fetchone()[0]
        store._con.execute(f"PRAGMA max_page_count = {pages + 60}")  # a disk with 240 kB free
        with pytest.raises(StoreError, match="the disk is full"):
            ingest(docs, store)
    with Store(db) as store:
        stored = store.counts()["documents"]
        assert 0 < stored < 40
        assert store.integrity_ok()
        assert all(d.text.startswith("Report") for d in store.documents())


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, "the folder holds no files"),
        ({"a.pdf": b"%PDF-1.4", "b.docx": b"PK"}, "no readable articles (2 file(s) skipped: a.pdf"),
        ({"a.txt": b"   \n", "b.docx": b"PK"}, "b.docx (not"),
    ],
)
def test_a_folder_without_articles_is_an_error_saying_what_was_skipped(tmp_path, files, expected):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    out = tmp_path / "m.html"
    result = CliRunner().invoke(main, ["map", str(folder), "-o", str(out)])
    assert result.exit_code == 2
    assert expected in result.output
    assert not out.exists()
