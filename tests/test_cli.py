import json

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.samples import DEFAULT_SAMPLE


@pytest.fixture
def runner():
    return CliRunner()


def test_map_writes_a_standalone_html_file(runner, tmp_path):
    out = tmp_path / "map.html"
    result = runner.invoke(main, ["map", str(DEFAULT_SAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "al Tanf garrison" in html
    assert "leaflet" in html
    assert "Tension builds around the al Tanf garrison" in html


def test_map_never_overwrites_without_force(runner, tmp_path):
    out = tmp_path / "map.html"
    out.write_text("keep me")
    result = runner.invoke(main, ["map", str(DEFAULT_SAMPLE), "-o", str(out)])
    assert result.exit_code == 2
    assert "--force" in result.output
    assert out.read_text() == "keep me"
    assert (
        runner.invoke(main, ["map", str(DEFAULT_SAMPLE), "-o", str(out), "--force"]).exit_code == 0
    )


@pytest.mark.parametrize("fmt", ["json", "geojson", "csv"])
def test_geoparse_formats(runner, fmt):
    result = runner.invoke(main, ["geoparse", str(DEFAULT_SAMPLE), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "al Tanf garrison" in result.output
    if fmt == "json":
        mentions = json.loads(result.output)["mentions"]
        assert {
            "start",
            "end",
            "surface",
            "name",
            "lat",
            "lon",
            "kind",
            "country_code",
            "confidence",
        } <= set(mentions[0])


def test_geoparse_jsonl_offsets_index_the_text_as_given(runner):
    texts = [
        {"id": "a", "text": "ADVERTISEMENT\n\nStrikes hit near al-Tanf, not Raqqa."},
        {"id": 2, "text": "   "},
        {"id": "c", "text": "Nothing here."},
    ]
    stdin = "\n".join(json.dumps(t) for t in texts) + "\n"
    result = runner.invoke(main, ["geoparse", "--jsonl"], input=stdin)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["id"] for line in lines] == ["a", 2, "c"]
    for mention in lines[0]["mentions"]:
        assert texts[0]["text"][mention["start"] : mention["end"]] == mention["surface"]
    assert [m["name"] for m in lines[0]["mentions"]] == ["al Tanf garrison", "Ar Raqqah"]
    assert lines[1]["mentions"] == []
    assert lines[2]["mentions"] == []


def test_geoparse_jsonl_reports_bad_lines_and_keeps_the_good_ones(runner):
    stdin = '{"id": 1, "text": "Raqqa"}\n{broken\n{"id": 3, "text": "Sinjar"}\n'
    result = runner.invoke(main, ["geoparse", "--jsonl"], input=stdin)
    assert result.exit_code == 2
    assert "stdin:2" in result.output
    good = [json.loads(x) for x in result.output.splitlines() if x.startswith("{")]
    assert [g["id"] for g in good] == [1, 3]


def test_zones_report(runner):
    result = runner.invoke(main, ["zones", str(DEFAULT_SAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    zones = {z["id"]: z for z in report["zones"]}
    assert {"al-tanf-55km", "border:IQ-SY", "tripoint:IQ-JO-SY", "korean-dmz"} <= set(zones)
    assert zones["korean-dmz"]["members"] == []
    assert "al Tanf garrison" in zones["al-tanf-55km"]["members"]
    assert zones["border:IQ-SY"]["kind"] == "border"
    assert "Rukban camp" in zones["tripoint:IQ-JO-SY"]["members"]
    places = {p["name"]: p for p in report["places"]}
    assert places["al Tanf garrison"]["zones"] == ["al-tanf-55km", "tripoint:IQ-JO-SY"]
    assert places["al Tanf garrison"]["distances_km"]["al-tanf-55km"] == pytest.approx(-55.0)
    assert places["Ar Raqqah"]["zones"] == ["euphrates-line"]  # outside the 55 km zone
    assert places["Ar Raqqah"]["distances_km"]["al-tanf-55km"] == pytest.approx(218.8, abs=0.5)
    assert places["Sinjār"]["distances_km"]["al-tanf-55km"] == pytest.approx(376.5, abs=0.5)


def test_export_formats(runner, tmp_path):
    for fmt in ("geojson", "csv", "kml"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(
            main, ["export", str(DEFAULT_SAMPLE), "--format", fmt, "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert "al Tanf garrison" in out.read_text()


@pytest.mark.parametrize(
    ("args", "files", "message"),
    [
        (["map", "missing.txt", "-o", "m.html"], {}, "missing.txt: no such file"),
        (["map", "empty.txt", "-o", "m.html"], {"empty.txt": b"  \n"}, "no article text"),
        (["map", "bin.txt", "-o", "m.html"], {"bin.txt": b"\x00\x01\x02"}, "binary"),
        (["geoparse"], {}, "no input given"),
        (
            ["zones", "a.txt", "--zones", "z.geojson"],
            {"a.txt": b"Raqqa", "z.geojson": b"{"},
            "z.geojson: invalid JSON",
        ),
        (
            ["map", "a.txt", "-o", "afile/m.html"],
            {"a.txt": b"Raqqa", "afile": b""},
            "afile is a file, not a folder",
        ),
    ],
)
def test_errors_are_one_line_and_exit_2(runner, tmp_path, monkeypatch, args, files, message):
    monkeypatch.chdir(tmp_path)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith("flashpoints: error: ")
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "m.html").exists()


def test_theatre_flag_biases_resolution(runner, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Fighting near Tripoli.")
    plain = json.loads(runner.invoke(main, ["geoparse", str(article)]).output)["mentions"]
    biased = runner.invoke(main, ["geoparse", str(article), "--theatre", "LB"])
    assert biased.exit_code == 0, biased.output
    toponyms = [m for m in json.loads(biased.output)["mentions"] if m["kind"] != "relative"]
    assert [m["country_code"] for m in plain if m["kind"] != "relative"] == ["LY"]
    assert [m["country_code"] for m in toponyms] == ["LB"]
    bad = runner.invoke(main, ["geoparse", str(article), "--theatre", "Syria"])
    assert bad.exit_code == 2
    assert "--theatre takes ISO country codes" in bad.output


def test_stdin_dash_is_an_input(runner):
    result = runner.invoke(main, ["geoparse", "-", "--format", "csv"], input="Raqqa and Sinjar\n")
    assert result.exit_code == 0, result.output
    assert "Ar Raqqah" in result.output
    assert "Sinjār" in result.output


def test_theatre_box(runner, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Fighting near Tripoli.")
    result = runner.invoke(main, ["geoparse", str(article), "--theatre", "35,33,37,35"])
    assert result.exit_code == 0, result.output
    toponyms = [m for m in json.loads(result.output)["mentions"] if m["kind"] != "relative"]
    assert [m["country_code"] for m in toponyms] == ["LB"]
    bad = runner.invoke(main, ["geoparse", str(article), "--theatre", "37,33,35,35"])
    assert bad.exit_code == 2
    assert "west<east" in bad.output


def test_zones_check_lists_every_problem_with_its_feature(runner, tmp_path):
    good = {
        "type": "Feature",
        "properties": {"name": "A", "radius_km": 5, "source": "test", "colour": "red"},
        "geometry": {"type": "Point", "coordinates": [38.6, 33.5]},
    }
    bad_radius = {
        "type": "Feature",
        "properties": {"name": "B"},
        "geometry": {"type": "Point", "coordinates": [38.6, 33.5]},
    }
    swapped = {
        "type": "Feature",
        "properties": {"name": "C", "radius_km": 5},
        "geometry": {"type": "Point", "coordinates": [33.5, 138.6]},
    }
    path = tmp_path / "z.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [good, bad_radius, swapped]})
    )
    result = runner.invoke(main, ["zones", "--check", str(path)])
    assert result.exit_code == 2
    assert "feature 1: a Point zone needs 'radius_km'" in result.output
    assert "feature 2: coordinates out of range" in result.output
    assert "warning:" in result.output
    assert "feature 0: unknown properties colour" in result.output
    ok = runner.invoke(main, ["zones", "--check", "data/zones"])
    assert ok.exit_code == 0, ok.output
    assert "ok, 7 zone(s)" in ok.output


def test_zones_report_gives_each_place_its_border(runner):
    result = runner.invoke(main, ["zones", str(DEFAULT_SAMPLE)])
    places = {p["name"]: p for p in json.loads(result.output)["places"]}
    assert places["al Tanf garrison"]["border"]["country"] == "SY"
    assert places["al Tanf garrison"]["border"]["nearest_border_with"] == "JO"
    assert places["Rukban camp"]["border"]["side_uncertain"] is True
    assert places["Syria"]["border"] is None


def test_an_oversized_article_is_refused_in_one_line(tmp_path, monkeypatch):
    """A 50 MB "article" is a dump or a mistake: refused before any work, nothing written."""
    from geo.cli import main as cli_main

    big = tmp_path / "dump.txt"
    with big.open("w") as handle:
        chunk = "Shelling hit Mosul on Tuesday. " * 1000 + "\n"
        while handle.tell() < 50_000_000:
            handle.write(chunk)
    out = tmp_path / "map.html"
    result = CliRunner().invoke(cli_main, ["map", str(big), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "dump.txt: 50.0 MB is more than the 20 MB an article may be" in result.stderr
    assert not out.exists()
    monkeypatch.setenv("FLASHPOINTS_MAX_ARTICLE_MB", "lots")
    result = CliRunner().invoke(cli_main, ["map", str(big), "-o", str(out)])
    assert result.exit_code == 2
    assert "FLASHPOINTS_MAX_ARTICLE_MB must be a number" in result.stderr


def test_export_to_standard_output_writes_no_file(tmp_path, samples_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sample = str(samples_dir / "al-tanf-briefing.md")
    for fmt in ("geojson", "csv", "kml"):
        result = CliRunner().invoke(main, ["export", sample, "--format", fmt, "-o", "-"])
        assert result.exit_code == 0, result.output
        assert "Rukban camp" in result.stdout
        assert "wrote" not in result.stdout
    assert json.loads(
        CliRunner().invoke(main, ["export", sample, "--format", "geojson", "-o", "-"]).stdout
    )["features"]
    assert list(tmp_path.iterdir()) == []  # no file named "-", no manifest beside it
