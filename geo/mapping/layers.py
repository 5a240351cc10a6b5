"""The map's layers, one function each: borders, zones, places, relative areas, events, heat,
search, base maps and controls. Each adds one FeatureGroup (or control) to a folium map."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import folium
from branca.element import MacroElement, Template
from folium.plugins import (
    Fullscreen,
    HeatMap,
    MarkerCluster,
    MeasureControl,
    MiniMap,
    MousePosition,
    Search,
    Timeline,
    TimelineSlider,
)
from folium.utilities import JsCode
from shapely.geometry import mapping as shape_mapping

from ..borders import load_borders
from ..geodesy import geodesic_circle
from ..model import Analysis
from ..safe import html_text
from .assets import use_npm_assets
from .popups import event_popup, place_popup
from .styles import (
    BASEMAPS,
    CLUSTER_OVER,
    CONTROLS,
    DEFAULT_BASEMAP,
    KIND_COLOURS,
    NO_ZONE_COLOUR,
    PRECISION_RADIUS,
    PRECISION_STYLE,
    WIDE_RELATIVE_KM,
    event_style,
    zone_style,
)

#: Panes, bottom to top: relative areas under everything that can be clicked; place markers
#: over zones, relative areas and event pins, so the thing under the pointer at a place's
#: centre is that place (Leaflet's own panes: overlays 400, markers 600, tooltips 650).
PANES = {"fp-areas": 350, "fp-places": 620}

__all__ = [
    "PANES",
    "SliderToggle",
    "add_basemaps",
    "add_borders_layer",
    "add_controls",
    "add_events_layer",
    "add_heat_layer",
    "add_panes",
    "add_places_layer",
    "add_relative_layer",
    "add_search",
    "add_zones_layer",
    "zone_colours",
]


def add_panes(fmap: folium.Map) -> None:
    """The map's own panes (``PANES``); add them before any layer that uses them."""
    for name, z_index in PANES.items():
        folium.map.CustomPane(name, z_index=z_index, pointer_events=name != "fp-areas").add_to(fmap)


def add_borders_layer(fmap: folium.Map, analysis: Analysis, bounds) -> folium.FeatureGroup:
    """Country outlines around the analysis, countries named in the text highlighted."""
    borders = load_borders()
    (south, west), (north, east) = bounds
    pad = 8.0
    features = borders.in_bbox(west - pad, south - pad, east + pad, north + pad)
    named = set(analysis.countries)
    group = folium.FeatureGroup(name="Country borders", show=True)
    group.features = features  # the country labels read them
    if features:
        collection = {"type": "FeatureCollection", "features": features}

        def style(feature):
            hit = feature["properties"]["iso_a2"] in named
            return {
                "color": "#7a7a7a",
                "weight": 1.2,
                "fillColor": "#fee391" if hit else "#ffffff",
                "fillOpacity": 0.2 if hit else 0.05,
            }

        folium.GeoJson(
            collection,
            name="Country borders",
            style_function=style,
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(group)
    group.add_to(fmap)
    return group


#: Zone kinds drawn in a layer of their own that starts hidden: a cluster is only "places
#: near each other", which the places already show.
HIDDEN_ZONE_KINDS = ("cluster",)


def add_zones_layer(fmap: folium.Map, analysis: Analysis) -> dict[str, folium.FeatureGroup]:
    """Zones in one layer (clusters in their own, hidden), each with its style and a popup
    listing its members. Returns zone id -> the layer it is in (its label follows it)."""
    main = folium.FeatureGroup(name="Zones", show=True)
    extra = folium.FeatureGroup(name="Place clusters", show=False)
    placed: dict[str, folium.FeatureGroup] = {}
    for zone in analysis.zones:
        group = extra if zone.kind in HIDDEN_ZONE_KINDS else main
        placed[zone.id] = group
        style = zone_style(zone.kind)
        members = analysis.members_of(zone.id)
        listed = "".join(f"<li>{html_text(p.name)}</li>" for p in members) or "<li>none</li>"
        popup = (
            f"<b>{html_text(zone.name)}</b><br><small>{html_text(zone.kind)}</small>"
            f"<br>Source: {html_text(zone.properties.get('source', 'unknown'))}"
            f"<br>Members:<ul>{listed}</ul>"
        )
        # Properties stay out of the GeoJSON handed to Leaflet: they could carry "</script>".
        geometry = {"type": "Feature", "properties": {}, "geometry": shape_mapping(zone.geometry)}
        folium.GeoJson(
            geometry,
            style_function=lambda _f, s=style: {
                "color": s["color"],
                "fillColor": s["fillColor"],
                "dashArray": s["dashArray"],
                "weight": 2,
                "fillOpacity": 0.12,
            },
            tooltip=folium.Tooltip(html_text(zone.name)),
            popup=folium.Popup(popup, max_width=360),
        ).add_to(group)
    main.add_to(fmap)
    if any(z.kind in HIDDEN_ZONE_KINDS for z in analysis.zones):
        extra.add_to(fmap)
    return placed


def zone_colours(analysis: Analysis) -> dict[str, tuple[str, str]]:
    """Place id -> (colour, zone name) of the first zone it lies in, declared zones first
    (they are listed first), so a marker says at a glance which zone it falls in."""
    names = {
        z.id: (zone_style(z.kind)["color"], z.name)
        for z in analysis.zones
        if z.kind not in HIDDEN_ZONE_KINDS
    }
    out: dict[str, tuple[str, str]] = {}
    for ms in analysis.memberships:
        if ms.inside and ms.place_id not in out and ms.zone_id in names:
            out[ms.place_id] = names[ms.zone_id]
    return out


def add_places_layer(
    fmap: folium.Map, analysis: Analysis, *, colour_by: str = "zone"
) -> folium.FeatureGroup:
    """A marker per place: colour by the zone it lies in (or by kind), size by mentions,
    outline by precision. Many places are clustered (``CLUSTER_OVER``)."""
    group = folium.FeatureGroup(name="Places", show=True)
    counts = Counter(m.place.id for m in analysis.mentions)
    zone_names = {z.id: z.name for z in analysis.zones}
    precision = {m.place.id: m.precision for m in analysis.mentions}
    in_zone = zone_colours(analysis) if colour_by == "zone" else {}
    points = [p for p in analysis.places if p.kind != "relative"]  # relative: own layer
    target: folium.map.Layer = group
    if len(points) > CLUSTER_OVER:
        cluster = MarkerCluster(name="Places (clustered)", options={"chunkedLoading": True})
        use_npm_assets(cluster)
        cluster.add_to(group)
        target = cluster
    for place in points:
        prec = precision.get(place.id, "exact")
        style = PRECISION_STYLE.get(prec, PRECISION_STYLE["exact"])
        if colour_by == "zone":
            colour = in_zone.get(place.id, (NO_ZONE_COLOUR, ""))[0]
        else:
            colour = KIND_COLOURS.get(place.kind, "#666666")
        radius = PRECISION_RADIUS.get(prec, 7) + min(counts[place.id], 10) * 0.5
        marker = folium.CircleMarker(
            location=(place.lat, place.lon),
            radius=radius,
            color=style["color"] or colour,
            weight=style["weight"],
            dash_array=style["dash_array"],
            fill=style["fill_opacity"] > 0,
            fill_color=colour,
            fill_opacity=style["fill_opacity"],
            tooltip=folium.Tooltip(html_text(place.name)),
            popup=folium.Popup(place_popup(analysis, place, zone_names), max_width=420),
        )
        if len(points) <= CLUSTER_OVER:
            marker.options["pane"] = "fp-places"  # above zones, areas and event pins
        marker.add_to(target)
    group.add_to(fmap)
    return group


def add_search(fmap: folium.Map, analysis: Analysis) -> Search | None:
    """A search box over place names (a hidden GeoJSON layer of names and points).

    Names go through ``html_text`` before they enter the JSON embedded in the page, so no
    name can close the ``<script>`` element it sits in.
    """
    features = [
        {
            "type": "Feature",
            "properties": {"name": html_text(p.name)},
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
        }
        for p in analysis.places
        if p.kind != "relative"
    ]
    if not features:
        return None
    # The search plugin puts this layer on the map; its invisible markers must not take the
    # clicks meant for the places under them.
    ghost = folium.CircleMarker(radius=1, opacity=0, fill_opacity=0)
    ghost.options["interactive"] = False
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Place names (search)",
        show=False,
        control=False,
        marker=ghost,
    )
    layer.add_to(fmap)
    search = Search(
        layer=layer,
        search_label="name",
        placeholder="Find a place",
        collapsed=True,
        search_zoom=9,
        position="topleft",
    )
    search.add_to(fmap)
    return search


class SliderToggle(MacroElement):
    """Shows the time slider only while its layer is on (add after the layer control, which
    takes hidden layers off the map)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var layer = {{ this.layer.get_name() }};
  var slider = {{ this.slider.get_name() }};
  function sync() {
    if (map.hasLayer(layer)) {
      if (!slider._map) { slider.addTo(map); }
    } else if (slider._map) {
      slider.remove();
    }
  }
  map.removeLayer(layer);  // the plugin adds its layer itself; it starts hidden
  map.on("overlayadd overlayremove", sync);
  sync();
})();
{% endmacro %}
"""
    )

    def __init__(self, layer, slider) -> None:
        super().__init__()
        self._name = "SliderToggle"
        self.layer = layer
        self.slider = slider


def add_events_layer(
    fmap: folium.Map, analysis: Analysis, *, timeline: bool = False
) -> tuple[folium.FeatureGroup, SliderToggle | None]:
    """Dated events with an icon per kind (``EVENT_STYLES``); with ``timeline`` and events on
    two dates or more, also a layer, off at first, that a time slider plays through (the
    slider shows only while that layer is on; exported HTML only: the time plugins do not
    run inside Streamlit). Returns the layer and the slider's toggle, to add after the layer
    control."""
    group = folium.FeatureGroup(name="Dated events", show=True)
    for event in analysis.events:
        style = event_style(event.kind)
        label = f"{event.kind}, {event.date.isoformat() if event.date else 'undated'}"
        folium.Marker(
            location=(event.place.lat, event.place.lon),
            icon=folium.Icon(icon=style["icon"], prefix="fa", color=style["marker"]),
            tooltip=folium.Tooltip(html_text(label)),
            popup=folium.Popup(event_popup(event), max_width=420),
        ).add_to(group)
    group.add_to(fmap)
    dated = [e for e in analysis.events if e.date is not None]
    if not timeline or len({e.date for e in dated}) < 2:
        return group, None
    features = [
        {
            "type": "Feature",
            "properties": {
                "start": e.date.isoformat(),
                "end": (e.date + timedelta(days=max(1, e.uncertainty_days or 1))).isoformat(),
                "popup": event_popup(e),
                "colour": event_style(e.kind)["colour"],
            },
            "geometry": {"type": "Point", "coordinates": [e.place.lon, e.place.lat]},
        }
        for e in dated
    ]
    layer = Timeline(
        {"type": "FeatureCollection", "features": features},
        pointToLayer=JsCode(
            "function(feature, latlng) { return L.circleMarker(latlng, {radius: 9,"
            " color: '#222', weight: 1.5, fillColor: feature.properties.colour,"
            " fillOpacity: 0.9}); }"
        ),
        onEachFeature=JsCode(
            "function(feature, layer) { layer.bindPopup(feature.properties.popup); }"
        ),
    )
    use_npm_assets(layer)
    layer.layer_name = "Events over time (slider)"
    layer.add_to(fmap)
    slider = TimelineSlider(
        auto_play=False,
        date_options="YYYY-MM-DD",
        enable_keyboard_controls=True,
        playback_duration=8000,
    )
    use_npm_assets(slider)
    slider.add_timelines(layer)
    slider.add_to(fmap)
    return group, SliderToggle(layer, slider)


def add_heat_layer(fmap: folium.Map, analysis: Analysis) -> folium.FeatureGroup:
    """Where the text dwells: one heat point per mention (countries left out, they would
    paint a country's centre red for every "Syrian" in the story)."""
    group = folium.FeatureGroup(name="Mention heat map", show=False)
    points = [
        [m.place.lat, m.place.lon]
        for m in analysis.mentions
        if m.precision != "country" and m.place.kind != "continent"
    ]
    if points:
        heat = HeatMap(points, radius=22, blur=18, min_opacity=0.3)
        use_npm_assets(heat)
        heat.add_to(group)
    group.add_to(fmap)
    return group


def add_controls(fmap: folium.Map, controls=("measure", "fullscreen")) -> None:
    """The chosen tools among measure, fullscreen, minimap and mouse position (``CONTROLS``;
    the scale is the map's own, the search is ``add_search``).

    The minimap is a second tile map, so a map without tiles goes without it.
    """
    unknown = set(controls) - set(CONTROLS)
    if unknown:
        raise ValueError(
            f"unknown map control {sorted(unknown)[0]!r}; choose from {', '.join(CONTROLS)}"
        )
    chosen = []
    if "measure" in controls:
        chosen.append(
            MeasureControl(
                position="topleft",
                primary_length_unit="kilometers",
                secondary_length_unit="miles",
                primary_area_unit="sqkilometers",
            )
        )
    if "fullscreen" in controls:
        chosen.append(Fullscreen(position="topleft"))
    if "mouse" in controls:
        chosen.append(
            MousePosition(position="bottomright", separator=" , ", num_digits=4, prefix="")
        )
    if "minimap" in controls:
        chosen.append(MiniMap(toggle_display=True, position="bottomright", zoom_level_offset=-6))
    for control in chosen:
        use_npm_assets(control)
        control.add_to(fmap)


def add_basemaps(fmap: folium.Map, default: str = DEFAULT_BASEMAP) -> None:
    """Every base map, ``default`` shown first; the layer control switches between them."""
    if default not in BASEMAPS:
        raise ValueError(f"unknown base map {default!r}; choose from {', '.join(BASEMAPS)}")
    for name in sorted(BASEMAPS, key=lambda n: n != default):
        spec = BASEMAPS[name]
        folium.TileLayer(
            spec["tiles"],
            name=name,
            attr=spec["attr"],
            max_zoom=spec.get("max_zoom", 18),
            show=name == default,
            overlay=False,
        ).add_to(fmap)


def _border_stretch(place, rel):
    """The stretch of the shared border a border phrase ("the Syria-Iraq border") points
    at: the border line within the phrase's uncertainty of the derived point."""
    a, b = rel.anchor.id.removeprefix("border:").split("-")
    line = load_borders().shared_border(a, b)
    if line is None:
        return None
    near = line.intersection(geodesic_circle(place.lat, place.lon, rel.uncertainty_km))
    return None if near.is_empty else near


def add_relative_layer(
    fmap: folium.Map, analysis: Analysis
) -> tuple[folium.FeatureGroup, folium.FeatureGroup | None]:
    """Relative locations, drawn under the places and never in their way.

    "55 km northeast of al Tanf" is a small marker at the derived point (it carries the
    popup) with its uncertainty circle, unfilled and not clickable, and a line to the
    anchor; circles wider than ``WIDE_RELATIVE_KM`` go in a second layer that starts hidden.
    A border phrase is the stretch of border it names, a line, not a point or a circle.
    """
    group = folium.FeatureGroup(name="Relative locations", show=True)
    wide = folium.FeatureGroup(name=f"Relative areas over {WIDE_RELATIVE_KM:g} km", show=False)
    zone_names = {z.id: z.name for z in analysis.zones}
    seen: set[str] = set()
    colour = "#8c2d04"
    for mention in analysis.mentions:
        rel = mention.relation
        if rel is None or mention.place.id in seen:
            continue
        seen.add(mention.place.id)
        place = mention.place

        def popup(place=place):
            return folium.Popup(place_popup(analysis, place, zone_names), max_width=420)

        if rel.anchor.id.startswith("border:"):
            stretch = _border_stretch(place, rel)
            if stretch is not None:
                folium.GeoJson(
                    {"type": "Feature", "properties": {}, "geometry": shape_mapping(stretch)},
                    style_function=lambda _f: {
                        "color": colour,
                        "weight": 4,
                        "opacity": 0.8,
                        "dashArray": "8 5",
                    },
                    tooltip=folium.Tooltip(html_text(place.name)),
                    popup=popup(),
                ).add_to(group)
                continue
        circle = folium.Circle(
            location=(place.lat, place.lon),
            radius=max(rel.uncertainty_km, 0.5) * 1000.0,
            color=colour,
            weight=1.5,
            dash_array="4 4",
            fill=False,
            opacity=0.7,
        )
        circle.options.update({"interactive": False, "pane": "fp-areas"})
        circle.add_to(wide if rel.uncertainty_km > WIDE_RELATIVE_KM else group)
        if rel.bearing_deg is not None:
            line = folium.PolyLine(
                [(rel.anchor.lat, rel.anchor.lon), (place.lat, place.lon)],
                color=colour,
                weight=1.5,
                dash_array="2 4",
            )
            line.options.update({"interactive": False, "pane": "fp-areas"})
            line.add_to(group)
        if place.lat == rel.anchor.lat and place.lon == rel.anchor.lon:
            continue  # "near Ruwaished": the anchor's own marker is the place to click
        centre = folium.CircleMarker(
            location=(place.lat, place.lon),
            radius=4,
            color=colour,
            fill=True,
            fill_color=colour,
            fill_opacity=1.0,
            tooltip=folium.Tooltip(html_text(place.name)),
            popup=popup(),
        )
        centre.options["pane"] = "fp-places"
        centre.add_to(group)
    group.add_to(fmap)
    if wide._children:
        wide.add_to(fmap)
        return group, wide
    return group, None
