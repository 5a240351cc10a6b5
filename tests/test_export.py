import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET

import pytest

from geo.errors import InputError
from geo.export import to_csv, to_geojson, to_kml, write_atomic
from geo.pipeline import analyse
from geo.text import document_from_text


def test_geojson_is_rfc7946_lon_lat(sample_analysis):
    data = json.loads(json.dumps(to_geojson(sample_analysis)))
    places = {
        f["properties"]["name"]: f
        for f in data["features"]
        if f["properties"]["feature"] == "place"
    }
    tanf = places["al Tanf garrison"]
    assert tanf["geometry"]["coordinates"] == [38.6178, 33.5058]
    assert "al-tanf-55km" in tanf["properties"]["zones"]
    assert tanf["properties"]["distances_km"]["al-tanf-55km"] == pytest.approx(-55.0)
    zone = next(f for f in data["features"] if f["properties"].get("id") == "al-tanf-55km")
    ring = zone["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    # RFC 7946: exterior rings counter-clockwise (positive shoelace area)
    area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))
    assert area > 0
    assert "al Tanf garrison" in zone["properties"]["members"]


def test_csv_rows_and_formula_defusing(gazetteer, sample_analysis):
    rows = list(csv.DictReader(io.StringIO(to_csv(sample_analysis))))
    assert len(rows) == len(sample_analysis.mentions)
    tanf = next(r for r in rows if r["name"] == "al Tanf garrison")
    assert tanf["zones"].split(";")[0] == "al-tanf-55km"
    hostile = document_from_text('=HYPERLINK("http://x") Raqqa')
    row = next(csv.DictReader(io.StringIO(to_csv(analyse([hostile], gazetteer=gazetteer)))))
    assert row["sentence"].startswith("'=")


def test_kml_is_well_formed_and_escaped(gazetteer):
    doc = document_from_text("<Placemark> & Raqqa </kml>")
    root = ET.fromstring(to_kml(analyse([doc], gazetteer=gazetteer)))
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    (mark,) = root.findall(".//k:Placemark", ns)
    assert mark.find("k:name", ns).text == "Ar Raqqah"
    assert "</kml>" in mark.find("k:description", ns).text


def test_write_atomic_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "out.txt"
    write_atomic(target, "one")
    with pytest.raises(InputError, match="--force"):
        write_atomic(target, "two", force=False)
    assert target.read_text() == "one"
    write_atomic(target, "two", force=True)
    assert target.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_zone_polygons_are_written_counter_clockwise_whatever_their_input(tmp_path):
    import json as _json

    from geo.zones import load_zones, zones_to_geojson

    clockwise = [[[38, 33], [38, 34], [39, 34], [39, 33], [38, 33]]]
    path = tmp_path / "cw.geojson"
    path.write_text(
        _json.dumps(
            {
                "type": "Feature",
                "properties": {"name": "cw"},
                "geometry": {"type": "Polygon", "coordinates": clockwise},
            }
        )
    )
    ring = zones_to_geojson(load_zones(path))["features"][0]["geometry"]["coordinates"][0]
    area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))
    assert area > 0


def test_exports_carry_a_manifest(tmp_path, samples_dir):
    from click.testing import CliRunner

    from geo.cli import main

    sample = str(samples_dir / "al-tanf-briefing.md")
    runner = CliRunner()
    out = tmp_path / "out.geojson"
    assert (
        runner.invoke(main, ["export", sample, "--format", "geojson", "-o", str(out)]).exit_code
        == 0
    )
    data = json.loads(out.read_text())
    run = data["manifest"]
    assert run["generator"].startswith("flashpoints")
    assert run["gazetteer"].startswith("gazetteer-")
    assert run["documents"][0]["published"] == "2017-06-08"
    assert {"al-tanf-55km", "border:IQ-SY"} <= {z["id"] for z in run["zones"]}
    assert run["settings"]["inputs"] == [sample]
    assert any(f["properties"]["feature"] == "event" for f in data["features"])
    kml = tmp_path / "out.kml"
    assert runner.invoke(main, ["export", sample, "--format", "kml", "-o", str(kml)]).exit_code == 0
    assert '<Data name="manifest">' in kml.read_text()
    csv_out = tmp_path / "out.csv"
    assert (
        runner.invoke(main, ["export", sample, "--format", "csv", "-o", str(csv_out)]).exit_code
        == 0
    )
    sidecar = json.loads((tmp_path / "out.csv.manifest.json").read_text())
    assert sidecar["settings"]["command"] == "export"


def test_event_csv_keeps_negative_coordinates_as_numbers(gazetteer):
    from geo.events import extract_events
    from geo.export import events_csv
    from geo.geoparsing import geoparse

    doc = document_from_text("Gunmen attacked a police station in Culiacan on 17 October 2019.")
    (event,) = extract_events(doc, geoparse(doc, gazetteer))
    out = events_csv([event.record()])
    assert f",{event.place.lon}," in out  # not "'-107.39": a number is never a formula
    assert event.place.lon < 0


def test_acled_csv_keeps_negative_coordinates_as_numbers(gazetteer):
    import csv
    import io

    from geo.events import extract_events
    from geo.export import events_acled_csv
    from geo.geoparsing import geoparse

    doc = document_from_text("Gunmen attacked a police station in Culiacan on 17 October 2019.")
    (event,) = extract_events(doc, geoparse(doc, gazetteer))
    (row,) = csv.DictReader(io.StringIO(events_acled_csv([event])))
    assert float(row["longitude"]) == event.place.lon < 0  # not "'-107.39"
