"""The on-disk cache of derived geometry: built once, read back the same, rebuilt when bad."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import shapely

from geo import borders as borders_module
from geo.diskcache import cache_key, cached, update_cached
from geo.paths import SAMPLES_DIR
from geo.zones import load_zones

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private, empty cache folder, and no borders already loaded in this process."""
    monkeypatch.setenv("FLASHPOINTS_CACHE", str(tmp_path))
    borders_module.load_borders.cache_clear()
    borders_module.load_borders_full.cache_clear()
    borders_module._shared_border.cache_clear()
    borders_module._neighbours.cache_clear()
    borders_module._MEMOS.clear()
    yield tmp_path / "derived"
    borders_module.load_borders.cache_clear()
    borders_module.load_borders_full.cache_clear()
    borders_module._shared_border.cache_clear()
    borders_module._neighbours.cache_clear()
    borders_module._MEMOS.clear()


def _counting(value):
    calls = []

    def build():
        calls.append(1)
        return value

    return build, calls


def test_a_value_is_built_once_then_read(cache):
    build, calls = _counting({"a": [1, 2]})
    assert cached("thing", "k1", build) == {"a": [1, 2]}
    assert cached("thing", "k1", build) == {"a": [1, 2]}
    assert len(calls) == 1
    # another key is another file
    cached("thing", "k2", build)
    assert len(calls) == 2


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a pickle", b"\x80\x05\x95garbage", None],
    ids=["empty", "text", "truncated", "other-key"],
)
def test_a_damaged_file_is_rebuilt_and_rewritten(cache, damage):
    build, calls = _counting([1, 2, 3])
    cached("thing", "k", build)
    (path,) = cache.glob("thing-k.pickle")
    if damage is None:  # a valid pickle written for another key
        other = cache / "thing-other.pickle"
        cached("thing", "other", lambda: [9])
        path.write_bytes(other.read_bytes())
    else:
        path.write_bytes(damage)
    assert cached("thing", "k", build) == [1, 2, 3]
    assert len(calls) == 2
    assert cached("thing", "k", build) == [1, 2, 3]
    assert len(calls) == 2  # the rebuilt file is read again


def test_a_value_refused_by_its_check_is_rebuilt(cache):
    cached("thing", "k", lambda: [1])
    assert cached("thing", "k", lambda: [2], valid=lambda v: v == [2]) == [2]
    assert cached("thing", "k", lambda: [3], valid=lambda v: v == [2]) == [2]


def test_an_unwritable_cache_folder_costs_only_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("FLASHPOINTS_CACHE", str(blocker))
    build, calls = _counting(5)
    assert cached("thing", "k", build) == 5
    assert cached("thing", "k", build) == 5
    assert len(calls) == 2


def test_memo_entries_merge(cache):
    update_cached("memo", "k", {("a", "b"): 1})
    update_cached("memo", "k", {("c", "d"): None})
    assert cached("memo", "k", dict) == {("a", "b"): 1, ("c", "d"): None}


def test_the_key_follows_inputs_code_and_versions():
    base = cache_key(b"x", modules=("zones.py",), dists=("shapely",))
    assert base == cache_key(b"x", modules=("zones.py",), dists=("shapely",))
    assert base != cache_key(b"y", modules=("zones.py",), dists=("shapely",))
    assert base != cache_key(b"x", modules=("borders.py",), dists=("shapely",))
    assert base != cache_key(b"x", modules=("zones.py",), dists=("pyproj",))
    assert cache_key(b"ab", b"c") != cache_key(b"a", b"bc")


def _borders_answers():
    display = borders_module.load_borders()
    full = borders_module.load_borders_full()
    return {
        "display": [shapely.to_wkb(g) for g in display.geometries],
        "features": [display.features[i] for i in (0, 100, len(display.features) - 1)],
        "full": [shapely.to_wkb(g) for g in full.geometries],
        "props": [f["properties"] for f in full.features],
        "disputed": sorted(shapely.to_wkb(h) for h in display.disputed_areas),
        "neighbours": full.neighbours("SY"),
        "shared": shapely.to_wkb(full.shared_border("IQ", "SY")),
        "standing": full.standing(34.4205, 40.9866),
        "attribution": full.attribution,
    }


def _clear_memory():
    borders_module.load_borders.cache_clear()
    borders_module.load_borders_full.cache_clear()
    borders_module._shared_border.cache_clear()
    borders_module._neighbours.cache_clear()
    borders_module._MEMOS.clear()


def test_cached_borders_answer_as_built_ones_and_survive_damage(cache):
    built = _borders_answers()  # an empty cache: everything is built
    names = sorted(p.name.split("-")[0] for p in cache.iterdir())
    assert {"borders", "disputed", "neighbours", "shared"} <= set(names)
    _clear_memory()
    assert _borders_answers() == built  # read back from the files
    for path in cache.iterdir():
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    _clear_memory()
    assert _borders_answers() == built  # every file damaged: rebuilt
    assert len(built["disputed"]) >= 1


def test_cached_zones_answer_as_built_ones(cache):
    first = load_zones()
    (path,) = cache.glob("zones-*.pickle")
    again = load_zones()
    assert [(z.id, z.kind, z.properties) for z in again] == [
        (z.id, z.kind, z.properties) for z in first
    ]
    assert [z.geometry.wkb for z in again] == [z.geometry.wkb for z in first]
    path.write_bytes(b"\x80\x05junk")
    assert [z.geometry.wkb for z in load_zones()] == [z.geometry.wkb for z in first]


def test_a_changed_zone_file_is_not_read_from_the_cache(cache, tmp_path):
    zone_file = tmp_path / "z.geojson"
    feature = (
        '{"type": "Feature", "properties": {"name": "Z", "radius_km": %s},'
        ' "geometry": {"type": "Point", "coordinates": [38.6, 33.5]}}'
    )
    zone_file.write_text(feature % 10)
    small = load_zones(zone_file)[0]
    zone_file.write_text(feature % 20)
    large = load_zones(zone_file)[0]
    assert large.geometry.area > 3 * small.geometry.area


def test_geoparse_and_help_import_no_map_or_geometry_packages():
    """`flashpoints geoparse` on text naming no border loads none of folium, streamlit,
    shapely or pandas; `--help` loads no analysis code beyond the CLI's own."""
    heavy = ("folium", "streamlit", "shapely", "pandas", "pyproj")
    probe = (
        "import sys\n"
        "from geo.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"loaded = sorted(m for m in {heavy!r} if m in sys.modules)\n"
        "sys.stderr.write('LOADED=' + ','.join(loaded))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (
        ["geoparse", str(SAMPLES_DIR / "korean-dmz-briefing.txt")],
        ["--help"],
        ["geoparse", "--help"],
    ):
        run = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env
        )
        assert "LOADED=" in run.stderr, run.stderr
        assert run.stderr.rsplit("LOADED=", 1)[1] == "", (args, run.stderr)
