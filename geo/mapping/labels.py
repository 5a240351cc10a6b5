"""Names on the map: zones, places and (with no tiles) countries, placed without overlaps.

Leaflet draws no text of its own, and tooltips that are always open pile up on each other.
:class:`Labels` is one small element: the labels, most important first, with the candidate
points each may sit at; a few lines of JavaScript put each label at the first candidate where
it overlaps no label already placed and no place marker, and hide it when there is none. It
runs again after every zoom, pan and layer switch, so labels appear by importance as room
allows: at a wide view only the zones and the most-mentioned places are named.

Names reach the page through :func:`geo.safe.html_text` (they come from articles and zone
files) inside JSON, and are rendered by a fixed template, never compiled by branca.
"""

from __future__ import annotations

import json
from collections import Counter

import folium
from branca.element import MacroElement, Template
from shapely.geometry import LineString

from ..borders import load_borders
from ..model import Analysis, Zone
from ..safe import html_text
from .styles import PRECISION_RADIUS, zone_style

__all__ = ["LABEL_CSS", "Labels", "label_items"]

#: Place kinds that get no point label: countries are named by the country labels (or the
#: base map), relative locations by the place they are relative to.
_UNLABELLED = frozenset({"country", "continent", "relative"})


def _zone_points(zone: Zone) -> list[tuple[float, float]]:
    """Candidate (lat, lon) points for a zone's name: just inside its top edge (clear of
    the place usually at its centre), then a point surely inside it, then near its bottom."""
    geom = zone.geometry
    west, south, east, north = geom.bounds
    inside = geom.representative_point()
    points = []
    mid = (west + east) / 2
    cut = geom.intersection(LineString([(mid, south - 1), (mid, north + 1)]))
    if not cut.is_empty:
        top, bottom = cut.bounds[3], cut.bounds[1]
        inset = (top - bottom) * 0.1
        points.append((top - inset, mid))
        points.append((inside.y, inside.x))
        points.append((bottom + inset, mid))
    else:
        points.append((inside.y, inside.x))
    return [(round(lat, 5), round(lon, 5)) for lat, lon in points]


def label_items(
    analysis: Analysis,
    *,
    zone_group: dict[str, int] | None = None,
    places_group: int | None = None,
    countries: list[dict] | None = None,
    countries_group: int | None = None,
) -> tuple[list[dict], list[list]]:
    """The labels in the order they are placed, and the place markers they must avoid.

    Zones come first (declared before generated), then places, most-mentioned and most
    confident first, then country names. Each label is ``{"t": text, "k": kind, "p":
    [[lat, lon], ...] candidates, "r": marker radius, "g": layer index or None, "c": colour}``.
    """
    zone_group = zone_group or {}
    items: list[dict] = []
    for zone in analysis.zones:
        if zone.id not in zone_group:
            continue
        items.append(
            {
                "t": html_text(zone.name),
                "k": "zone",
                "p": [list(p) for p in _zone_points(zone)],
                "r": 0,
                "g": zone_group[zone.id],
                "c": zone_style(zone.kind)["color"],
            }
        )
    counts = Counter(m.place.id for m in analysis.mentions)
    best: dict[str, float] = {}
    precision: dict[str, str] = {}
    for m in analysis.mentions:
        best[m.place.id] = max(best.get(m.place.id, 0.0), m.confidence)
        precision.setdefault(m.place.id, m.precision)
    # A place that is also a zone ("Korean Demilitarized Zone") is named once, by the zone.
    zone_names = {z.name for z in analysis.zones if z.id in zone_group}
    points = [p for p in analysis.places if p.kind not in _UNLABELLED]
    points.sort(key=lambda p: (-best.get(p.id, 0.0), -counts[p.id], -p.population, p.name))
    points.sort(key=lambda p: -counts[p.id])  # stable: most mentioned, then most confident
    obstacles: list[list] = []
    for place in points:
        radius = (
            PRECISION_RADIUS.get(precision.get(place.id, "exact"), 7)
            + min(counts[place.id], 10) * 0.5
        )
        where = [round(place.lat, 5), round(place.lon, 5)]
        obstacles.append([*where, radius, places_group])
        if places_group is None or place.name in zone_names:
            continue
        items.append(
            {"t": html_text(place.name), "k": "place", "p": [where], "r": radius, "g": places_group}
        )
    for feature in countries or []:
        props = feature["properties"]
        if props.get("label_lat") is None or not props.get("name"):
            continue
        items.append(
            {
                "t": html_text(props["name"]),
                "k": "country",
                "p": [[props["label_lat"], props["label_lon"]]],
                "r": 0,
                "g": countries_group,
            }
        )
    return items, obstacles


def _json(value) -> str:
    """JSON for a <script> block: no "</" can end it, no brace pair can look like Jinja."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("{{", "{ {").replace("}}", "} }")


class Labels(MacroElement):
    """The labels layer (see the module docstring); ``groups`` are the layers whose
    visibility each label follows, by index."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var items = {{ this.items_json }};
  var obstacles = {{ this.obstacles_json }};
  var groups = [{{ this.group_names }}];
  var pane = map.getPane("fp-labels") || map.createPane("fp-labels");
  pane.style.zIndex = 645;
  pane.style.pointerEvents = "none";
  var nodes = items.map(function (it) {
    var el = L.DomUtil.create("div", "fp-label fp-label-" + it.k, pane);
    el.innerHTML = it.t;
    if (it.c) { el.style.color = it.c; }
    el.style.display = "none";
    return el;
  });
  function shown(g) { return g === null || map.hasLayer(groups[g]); }
  function hits(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }
  function place() {
    var size = map.getSize();
    var taken = [];
    obstacles.forEach(function (o) {
      if (!shown(o[3])) { return; }
      var pt = map.latLngToContainerPoint([o[0], o[1]]);
      taken.push({x: pt.x - o[2], y: pt.y - o[2], w: 2 * o[2], h: 2 * o[2], dot: true});
    });
    items.forEach(function (it, i) {
      var el = nodes[i];
      el.style.display = "none";
      el.removeAttribute("data-placed");
      if (!shown(it.g)) { return; }
      el.style.display = "block";
      var w = el.offsetWidth, h = el.offsetHeight, r = it.r;
      for (var j = 0; j < it.p.length; j++) {
        var pt = map.latLngToContainerPoint(it.p[j]);
        // a place beside its marker; a zone on its point, or beside it when that is taken
        var offsets = it.k === "place"
          ? [[r + 3, -h / 2], [-w - r - 3, -h / 2], [-w / 2, -h - r - 1], [-w / 2, r + 1]]
          : it.k === "zone"
            ? [[-w / 2, -h / 2], [-w / 2, -h - 12], [-w / 2, 12], [14, -h / 2], [-w - 14, -h / 2]]
            : [[-w / 2, -h / 2]];
        for (var o = 0; o < offsets.length; o++) {
          var box = {x: pt.x + offsets[o][0], y: pt.y + offsets[o][1], w: w, h: h};
          if (box.x < 0 || box.y < 0 || box.x + w > size.x || box.y + h > size.y) { continue; }
          if (taken.some(function (b) { return hits(box, b); })) { continue; }
          taken.push(box);
          L.DomUtil.setPosition(el, map.containerPointToLayerPoint([box.x, box.y]));
          el.setAttribute("data-placed", "1");
          return;
        }
      }
      el.style.display = "none";
    });
  }
  map.on("zoomend moveend overlayadd overlayremove resize", place);
  map.whenReady(function () { setTimeout(place, 0); });
})();
{% endmacro %}
"""
    )

    def __init__(
        self, items: list[dict], obstacles: list[list], groups: list[folium.map.Layer]
    ) -> None:
        super().__init__()
        self._name = "Labels"
        self.items_json = _json(items)
        self.obstacles_json = _json(obstacles)
        self._groups = groups

    @property
    def group_names(self) -> str:
        return ", ".join(g.get_name() for g in self._groups)


#: How labels look: dark text with a white halo, zones in their own colour and italic,
#: countries in spaced grey capitals.
LABEL_CSS = """
.fp-label { position: absolute; white-space: nowrap; pointer-events: none;
  font: 600 12px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1a1a1a; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.fp-label-zone { font-style: italic; font-size: 12px; }
.fp-label-country { font-size: 13px; font-weight: 500; letter-spacing: 0.12em;
  text-transform: uppercase; color: #6b6b6b; }
"""


def country_features(bounds, pad: float = 8.0) -> list[dict]:
    """Country outlines around ``bounds`` ((south, west), (north, east)), as the borders
    layer draws them."""
    (south, west), (north, east) = bounds
    return load_borders().in_bbox(west - pad, south - pad, east + pad, north + pad)
