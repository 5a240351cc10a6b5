"""The map's layers, one function each: borders, zones, places, relative areas, events, heat,
search, base maps and controls. Each adds one FeatureGroup (or control) to a folium map."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import folium
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
from ..model import Analysis
from ..safe import html_text
from .assets import use_npm_assets
from .popups import event_popup, place_popup
from .styles import (
    BASEMAPS,
    CLUSTER_OVER,
    EVENT_ICONS,
    KIND_COLOURS,
    NO_ZONE_COLOUR,
    PRECISION_RADIUS,
    PRECISION_STYLE,
    ZONE_STYLES,
)

__all__ = [
    "add_basemaps",
    "add_borders_layer",
    "add_controls",
    "add_events_layer",
    "add_heat_layer",
    "add_places_layer",
    "add_relative_layer",
    "add_search",
    "add_zones_layer",
    "zone_colours",
]


def add_borders_layer(fmap: folium.Map, analysis: Analysis, bounds) -> folium.FeatureGroup:
    """Country outlines around the analysis, countries named in the text highlighted."""
    borders = load_borders()
    (south, west), (north, east) = bounds
    pad = 8.0
    features = borders.in_bbox(west - pad, south - pad, east + pad, north + pad)
    named = set(analysis.countries)
    group = folium.FeatureGroup(name="Country borders", show=True)
    if features:
        collection = {"type": "FeatureCollection", "features": features}

        def style(feature):
            hit = feature["properties"]["iso_a2"] in named
            return {
                "color": "#4d4d4d",
                "weight": 1.2,
                "fillColor": "#fee391" if hit else "#ffffff",
                "fillOpacity": 0.35 if hit else 0.05,
            }

        folium.GeoJson(
            collection,
            name="Country borders",
            style_function=style,
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(group)
    group.add_to(fmap)
    return group


def add_zones_layer(fmap: folium.Map, analysis: Analysis) -> list[folium.FeatureGroup]:
    """One layer per zone kind (declared, border strips, tripoints, corridors, clusters,
    custom), each zone with its style and a popup listing its members."""
    groups: dict[str, folium.FeatureGroup] = {}
    for zone in analysis.zones:
        group = groups.get(zone.kind)
        if group is None:
            group = groups[zone.kind] = folium.FeatureGroup(name=f"Zones: {zone.kind}", show=True)
        style = ZONE_STYLES.get(zone.kind, ZONE_STYLES["custom"])
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
                "fillOpacity": 0.15,
            },
            tooltip=folium.Tooltip(html_text(zone.name)),
            popup=folium.Popup(popup, max_width=360),
        ).add_to(group)
    for group in groups.values():
        group.add_to(fmap)
    return list(groups.values())


def zone_colours(analysis: Analysis) -> dict[str, tuple[str, str]]:
    """Place id -> (colour, zone name) of the first zone it lies in, declared zones first
    (they are listed first), so a marker says at a glance which zone it falls in."""
    names = {
        z.id: (ZONE_STYLES.get(z.kind, ZONE_STYLES["custom"])["color"], z.name)
        for z in analysis.zones
    }
    out: dict[str, tuple[str, str]] = {}
    for ms in analysis.memberships:
        if ms.inside and ms.place_id not in out:
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
        folium.CircleMarker(
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
        ).add_to(target)
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
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Place names (search)",
        show=False,
        control=False,
        marker=folium.CircleMarker(radius=1, opacity=0, fill_opacity=0),
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


def add_events_layer(
    fmap: folium.Map, analysis: Analysis, *, timeline: bool = False
) -> folium.FeatureGroup:
    """Dated events with an icon per kind; with ``timeline``, also a layer a time slider
    plays through (exported HTML only: the time plugins do not run inside Streamlit)."""
    group = folium.FeatureGroup(name="Dated events", show=True)
    for event in analysis.events:
        icon, colour = EVENT_ICONS.get(event.kind, ("circle-info", "lightgray"))
        label = f"{event.kind}, {event.date.isoformat() if event.date else 'undated'}"
        folium.Marker(
            location=(event.place.lat, event.place.lon),
            icon=folium.Icon(icon=icon, prefix="fa", color=colour),
            tooltip=folium.Tooltip(html_text(label)),
            popup=folium.Popup(event_popup(event), max_width=420),
        ).add_to(group)
    group.add_to(fmap)
    dated = [e for e in analysis.events if e.date is not None]
    if timeline and dated:
        features = [
            {
                "type": "Feature",
                "properties": {
                    "start": e.date.isoformat(),
                    "end": (e.date + timedelta(days=max(1, e.uncertainty_days or 1))).isoformat(),
                    "popup": event_popup(e),
                },
                "geometry": {"type": "Point", "coordinates": [e.place.lon, e.place.lat]},
            }
            for e in dated
        ]
        layer = Timeline(
            {"type": "FeatureCollection", "features": features},
            pointToLayer=JsCode(
                "function(feature, latlng) { return L.circleMarker(latlng, {radius: 9,"
                " color: '#7f0000', fillColor: '#ef6548', fillOpacity: 0.9}); }"
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
    return group


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


def add_controls(fmap: folium.Map, *, minimap: bool = True) -> None:
    """Measure, fullscreen, minimap and the mouse position (the scale is the map's own).

    The minimap is a second tile map, so an air-gapped map goes without it.
    """
    measure = MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="miles",
        primary_area_unit="sqkilometers",
    )
    overview = MiniMap(toggle_display=True, position="bottomright", zoom_level_offset=-6)
    mouse = MousePosition(position="bottomright", separator=" , ", num_digits=4, prefix="")
    chosen = [measure, Fullscreen(position="topleft"), mouse] + ([overview] if minimap else [])
    for control in chosen:
        use_npm_assets(control)
        control.add_to(fmap)


def add_basemaps(fmap: folium.Map, default: str = "OpenStreetMap") -> None:
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


def add_relative_layer(fmap: folium.Map, analysis: Analysis) -> folium.FeatureGroup:
    """Relative locations: the derived point, its uncertainty circle, a line to the anchor."""
    group = folium.FeatureGroup(name="Relative locations", show=True)
    zone_names = {z.id: z.name for z in analysis.zones}
    seen: set[str] = set()
    for mention in analysis.mentions:
        rel = mention.relation
        if rel is None or mention.place.id in seen:
            continue
        seen.add(mention.place.id)
        place = mention.place
        popup = folium.Popup(place_popup(analysis, place, zone_names), max_width=420)
        tooltip = folium.Tooltip(html_text(place.name))
        folium.Circle(
            location=(place.lat, place.lon),
            radius=max(rel.uncertainty_km, 0.5) * 1000.0,
            color="#8c2d04",
            weight=1.5,
            dash_array="4 4",
            fill=True,
            fill_color="#fdae6b",
            fill_opacity=0.2,
            popup=popup,
            tooltip=tooltip,
        ).add_to(group)
        if rel.bearing_deg is not None:
            folium.PolyLine(
                [(rel.anchor.lat, rel.anchor.lon), (place.lat, place.lon)],
                color="#8c2d04",
                weight=1.5,
                dash_array="2 4",
            ).add_to(group)
            folium.CircleMarker(
                location=(place.lat, place.lon),
                radius=4,
                color="#8c2d04",
                fill=True,
                fill_opacity=1.0,
                tooltip=folium.Tooltip(html_text(place.name)),
            ).add_to(group)
    group.add_to(fmap)
    return group
