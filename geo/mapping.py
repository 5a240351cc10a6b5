"""The folium map: one function per layer, one builder that feeds both the HTML export and the
Streamlit dashboard (``st_folium``), so the two always show the same thing.

Coordinates enter folium as (lat, lon); GeoJSON layers stay (lon, lat). Every string from an
article or a zone file goes through :func:`geo.safe.html_text`, and zone GeoJSON is handed to
Leaflet stripped of its properties, so a hostile property never reaches a ``<script>`` block.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import timedelta

import folium
from branca.element import Element, MacroElement, Template
from folium.plugins import (
    Draw,
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

from .borders import load_borders
from .model import Analysis, Mention, Place
from .safe import html_text
from .zones import GEOD

__all__ = [
    "BASEMAPS",
    "KIND_COLOURS",
    "LAYERS",
    "add_basemaps",
    "add_borders_layer",
    "add_controls",
    "add_events_layer",
    "add_heat_layer",
    "add_legend",
    "add_places_layer",
    "add_relative_layer",
    "add_search",
    "add_sources_panel",
    "add_zones_layer",
    "build_map",
    "dms",
]

KIND_COLOURS = {
    "country": "#6a3d9a",
    "region": "#1f78b4",
    "admin1": "#1f78b4",
    "continent": "#1f78b4",
    "city": "#e31a1c",
    "town": "#fb9a99",
    "base": "#33a02c",
    "facility": "#a6d854",
    "crossing": "#ff7f00",
    "camp": "#b15928",
    "tripoint": "#000000",
    "disputed": "#cab2d6",
}
ZONE_STYLES = {
    "deconfliction": {"color": "#d7301f", "fillColor": "#fc8d59", "dashArray": "6 4"},
    "border": {"color": "#525252", "fillColor": "#bdbdbd", "dashArray": ""},
    "tripoint": {"color": "#000000", "fillColor": "#969696", "dashArray": "2 4"},
    "corridor": {"color": "#2171b5", "fillColor": "#6baed6", "dashArray": ""},
    "cluster": {"color": "#238b45", "fillColor": "#74c476", "dashArray": "1 6"},
    "custom": {"color": "#6a51a3", "fillColor": "#9e9ac8", "dashArray": ""},
}
UNUSED_CSS = frozenset({"glyphicons_css", "awesome_rotate_css"})
#: Places further than this from the median place are drawn but do not set the initial view.
FOCUS_M = 2_000_000
PRECISION_RADIUS = {"exact": 7, "near": 9, "region": 11, "country": 6}
#: How each precision looks, so uncertainty is visible at a glance: a solid dot for an exact
#: place, a dashed ring for "near", a hollow ring for a region, a faint dotted dot for a country.
PRECISION_STYLE = {
    "exact": {"weight": 2, "dash_array": None, "fill_opacity": 0.85, "color": "#222222"},
    "near": {"weight": 2, "dash_array": "4 3", "fill_opacity": 0.35, "color": "#555555"},
    "region": {"weight": 3, "dash_array": None, "fill_opacity": 0.0, "color": None},
    "country": {"weight": 1, "dash_array": "1 3", "fill_opacity": 0.3, "color": "#555555"},
}
#: Fill of a place that lies in no zone.
NO_ZONE_COLOUR = "#f7f7f7"
#: Above this many places, markers are clustered so the map stays responsive.
CLUSTER_OVER = 300

_NPM = "https://cdn.jsdelivr.net/npm/"
#: Plugin files from versioned npm packages (jsDelivr), not GitHub branches or cdnjs copies
#: no registry publishes: every file can then be fetched once and inlined for air-gapped use.
PLUGIN_ASSETS = {
    MarkerCluster: (
        [("markerclusterjs", _NPM + "leaflet.markercluster@1.1.0/dist/leaflet.markercluster.js")],
        [
            ("markerclustercss", _NPM + "leaflet.markercluster@1.1.0/dist/MarkerCluster.css"),
            (
                "markerclusterdefaultcss",
                _NPM + "leaflet.markercluster@1.1.0/dist/MarkerCluster.Default.css",
            ),
        ],
    ),
    # jsDelivr minifies on the fly; the package itself only has the plain file.
    Fullscreen: (
        [("Control.Fullscreen.js", _NPM + "leaflet.fullscreen@3.0.0/Control.FullScreen.js")],
        [("Control.FullScreen.css", _NPM + "leaflet.fullscreen@3.0.0/Control.FullScreen.css")],
    ),
    HeatMap: ([("leaflet-heat.js", _NPM + "leaflet.heat@0.2.0/dist/leaflet-heat.js")], []),
    MeasureControl: (
        [("leaflet_measure_js", _NPM + "leaflet-measure@2.1.7/dist/leaflet-measure.js")],
        [("leaflet_measure_css", _NPM + "leaflet-measure@2.1.7/dist/leaflet-measure.css")],
    ),
    Timeline: (
        [
            ("timeline", _NPM + "leaflet.timeline@1.6.0/dist/leaflet.timeline.js"),
            ("moment", _NPM + "moment@2.18.1/min/moment.min.js"),
        ],
        [],
    ),
    TimelineSlider: (
        [
            ("timeline", _NPM + "leaflet.timeline@1.6.0/dist/leaflet.timeline.js"),
            ("moment", _NPM + "moment@2.18.1/min/moment.min.js"),
        ],
        [],
    ),
    MiniMap: (
        [("Control_MiniMap_js", _NPM + "leaflet-minimap@3.6.1/dist/Control.MiniMap.min.js")],
        [("Control_MiniMap_css", _NPM + "leaflet-minimap@3.6.1/dist/Control.MiniMap.min.css")],
    ),
    MousePosition: (
        [
            (
                "Control_MousePosition_js",
                _NPM + "leaflet-mouse-position@1.2.0/src/L.Control.MousePosition.js",
            )
        ],
        [
            (
                "Control_MousePosition_css",
                _NPM + "leaflet-mouse-position@1.2.0/src/L.Control.MousePosition.css",
            )
        ],
    ),
}

_CARTO = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    ' &copy; <a href="https://carto.com/attributions">CARTO</a>'
)
#: Base maps an analyst can switch between; ``None`` (no tiles) still shows borders and zones.
BASEMAPS = {
    "OpenStreetMap": {"tiles": "OpenStreetMap", "attr": None},
    "CartoDB Positron": {
        "tiles": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        "attr": _CARTO,
    },
    "CartoDB Dark Matter": {
        "tiles": "https://{s}.basemaps.cartocdn.com/dark_all/{z}/{x}/{y}{r}.png",
        "attr": _CARTO,
    },
    "Esri World Imagery": {
        "tiles": "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer"
        "/tile/{z}/{y}/{x}",
        "attr": "Tiles &copy; Esri &mdash; Source: Esri, Maxar, Earthstar Geographics, and the"
        " GIS User Community",
    },
    "OpenTopoMap": {
        "tiles": "https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
        "attr": "Map data &copy; OpenStreetMap contributors, SRTM | Map style &copy; OpenTopoMap"
        " (CC-BY-SA)",
        "max_zoom": 17,
    },
}
#: Overlay layers ``build_map`` can draw; the dashboard's layer toggles pick from these.
LAYERS = ("borders", "zones", "places", "relative", "events", "heat")
#: Font Awesome icon and marker colour for each event kind.
EVENT_ICONS = {
    "airstrike": ("plane", "red"),
    "shelling": ("bomb", "darkred"),
    "attack": ("burst", "orange"),
    "clash": ("crosshairs", "orange"),
    "capture": ("flag", "purple"),
    "recapture": ("flag", "darkpurple"),
    "deployment": ("truck", "cadetblue"),
    "negotiation": ("handshake", "green"),
    "closure": ("ban", "gray"),
    "displacement": ("person-walking", "blue"),
}


def dms(value: float, positive: str, negative: str) -> str:
    """Degrees-minutes-seconds text, e.g. ``33°30'21"N``."""
    hemi = positive if value >= 0 else negative
    v = abs(value)
    deg = int(v)
    minutes = int((v - deg) * 60)
    seconds = round(((v - deg) * 60 - minutes) * 60)
    if seconds == 60:
        minutes, seconds = minutes + 1, 0
    if minutes == 60:
        deg, minutes = deg + 1, 0
    return f"{deg}°{minutes:02d}'{seconds:02d}\"{hemi}"


def _highlighted(mention: Mention) -> str:
    """The mention's sentence, escaped, with the mention itself in <mark>."""
    sentence = mention.sentence
    i = sentence.find(" ".join(mention.surface.split()))
    if i < 0:
        return html_text(sentence)
    j = i + len(" ".join(mention.surface.split()))
    return (
        f"{html_text(sentence[:i])}<mark>{html_text(sentence[i:j])}</mark>{html_text(sentence[j:])}"
    )


def _standing_text(standing) -> str:
    """One line on where the place stands politically, with the outline's honesty."""
    if standing.status == "disputed":
        where = "In no country in this view (disputed or unclaimed)"
    elif standing.status == "sea":
        where = "At sea"
    else:
        where = f"In {html_text(standing.country)}"
    if standing.neighbour and standing.distance_km is not None:
        where += (
            f"; {standing.distance_km:.1f} km from the border with {html_text(standing.neighbour)}"
        )
    if standing.side_uncertain:
        where += " <b>(closer than the outlines are accurate: side uncertain)</b>"
    return where


def _place_popup(analysis: Analysis, place: Place, zone_names: dict[str, str]) -> str:
    mentions = analysis.mentions_of(place.id)
    rows = [
        f"<b>{html_text(place.name)}</b> <small>({html_text(place.kind)})</small>",
        f"{place.lat:.4f}, {place.lon:.4f} &middot; {dms(place.lat, 'N', 'S')} "
        f"{dms(place.lon, 'E', 'W')}",
    ]
    if place.country_code:
        rows.append(f"Country: {html_text(place.country_code)}")
    rel = next((m.relation for m in mentions if m.relation), None)
    if rel is not None:
        bearing = "any direction" if rel.bearing_deg is None else f"bearing {rel.bearing_deg:g}°"
        given = "as written" if rel.distance_given else "default, not in the text"
        rows.append(
            f"From {html_text(rel.anchor.name)}: {bearing}, {rel.distance_km:.1f} km ({given}),"
            f" ± {rel.uncertainty_km:.1f} km"
        )
    standing = analysis.standing_of(place.id)
    if standing is not None:
        rows.append(_standing_text(standing))
    for ms in analysis.memberships_of(place.id):
        where = "inside" if ms.inside else "outside"
        rows.append(
            f"{html_text(zone_names.get(ms.zone_id, ms.zone_id))}: {where}, "
            f"{abs(ms.distance_km):.1f} km from edge"
        )
    if mentions:
        rows.append(f"Confidence {mentions[0].confidence:.2f} &middot; {len(mentions)} mention(s)")
        # Every sentence that mentions it, each once; a long corpus scrolls inside the popup.
        quotes = []
        seen: set[str] = set()
        for m in mentions:
            if m.sentence not in seen:
                seen.add(m.sentence)
                quotes.append(f"<blockquote>{_highlighted(m)}</blockquote>")
        rows.append('<div class="fp-quotes">' + "".join(quotes) + "</div>")
    return "<br>".join(rows)


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


def _zone_colours(analysis: Analysis) -> dict[str, tuple[str, str]]:
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
    in_zone = _zone_colours(analysis) if colour_by == "zone" else {}
    points = [p for p in analysis.places if p.kind != "relative"]  # relative: own layer
    target: folium.map.Layer = group
    if len(points) > CLUSTER_OVER:
        cluster = MarkerCluster(name="Places (clustered)", options={"chunkedLoading": True})
        _use_npm_assets(cluster)
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
            popup=folium.Popup(_place_popup(analysis, place, zone_names), max_width=420),
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


def _event_popup(event) -> str:
    when = "undated"
    if event.date is not None:
        when = event.date.isoformat()
        if event.date_precision != "day":
            when += f" ({html_text(event.date_precision)}, ± {event.uncertainty_days} days)"
    rows = [
        f"<b>{html_text(event.kind)}</b> &middot; {when}",
        f"Where: {html_text(event.place.name)}",
    ]
    if event.date_text:
        rows.append(f"Date as written: “{html_text(event.date_text)}”")
    if event.actors:
        rows.append("Actors: " + ", ".join(html_text(a) for a in event.actors))
    rows.append(f"<blockquote>{html_text(event.sentence)}</blockquote>")
    rows.append(f"{len(event.sources)} source(s)")
    return "<br>".join(rows)


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
            popup=folium.Popup(_event_popup(event), max_width=420),
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
                    "popup": _event_popup(e),
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
        _use_npm_assets(layer)
        layer.layer_name = "Events over time (slider)"
        layer.add_to(fmap)
        slider = TimelineSlider(
            auto_play=False,
            date_options="YYYY-MM-DD",
            enable_keyboard_controls=True,
            playback_duration=8000,
        )
        _use_npm_assets(slider)
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
        _use_npm_assets(heat)
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
        _use_npm_assets(control)
        control.add_to(fmap)


def _use_npm_assets(element) -> None:
    for cls, (js, css) in PLUGIN_ASSETS.items():
        if isinstance(element, cls):
            element.default_js = list(js)
            element.default_css = list(css)


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
        popup = folium.Popup(_place_popup(analysis, place, zone_names), max_width=420)
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


class _Verbatim(Element):
    """Finished HTML put into the page as it is.

    branca's ``Element(html)`` compiles its argument as a Jinja template, so an article title
    such as ``{{ cycler.__init__.__globals__ }}`` would run as code while the map is built.
    Here the HTML is data, rendered by a fixed template and never parsed.
    """

    _template = Template("{{ this.markup }}")

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.markup = markup


_LEGEND = Template(
    """
{% macro html(this, kwargs) %}
<div class="fp-legend" style="position: fixed; top: 64px; left: 54px; z-index: 9999;
     background: rgba(255,255,255,0.92); padding: 8px 10px; border: 1px solid #999;
     border-radius: 4px; font: 12px/1.4 sans-serif; max-width: 230px; max-height: 40vh;
     overflow-y: auto;">
  <b>Legend</b><br>
  {{ this.rows }}
</div>
{% endmacro %}
"""
)


def add_legend(fmap: folium.Map, analysis: Analysis, *, colour_by: str = "zone") -> MacroElement:
    """A fixed legend: what marker colours mean, zone kinds, events, precision symbols."""
    dot = "display:inline-block;width:10px;height:10px;border-radius:5px;border:1px solid #222;"
    rows = []
    if colour_by == "zone":
        rows.append("<i>Places, by the zone they lie in:</i>")
        zone_kinds = sorted({z.kind for z in analysis.zones})
        for kind in zone_kinds:
            colour = ZONE_STYLES.get(kind, ZONE_STYLES["custom"])["color"]
            rows.append(
                f'<span style="{dot}background:{colour}"></span> in a {html_text(kind)} zone'
            )
        rows.append(f'<span style="{dot}background:{NO_ZONE_COLOUR}"></span> in no zone')
    else:
        kinds = sorted({p.kind for p in analysis.places if p.kind != "relative"})
        rows += [
            f'<span style="{dot}background:{KIND_COLOURS.get(k, "#666")}"></span> {html_text(k)}'
            for k in kinds
        ]
    for kind in sorted({z.kind for z in analysis.zones}):
        colour = ZONE_STYLES.get(kind, ZONE_STYLES["custom"])["color"]
        rows.append(
            f'<span style="display:inline-block;width:14px;height:0;border-top:2px dashed '
            f'{colour}"></span> {html_text(kind)} zone'
        )
    for kind in sorted({e.kind for e in analysis.events}):
        _, colour = EVENT_ICONS.get(kind, ("", "lightgray"))
        rows.append(
            f'<span style="display:inline-block;width:10px;height:14px;border-radius:5px 5px 5px'
            f' 0;background:{colour}"></span> {html_text(kind)} (event)'
        )
    if any(m.relation for m in analysis.mentions):
        rows.append(
            '<span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
            'background:#fdae6b;border:1px dashed #8c2d04"></span> relative location (area)'
        )
    ring = "display:inline-block;width:10px;height:10px;border-radius:6px;"
    rows += [
        f'<span style="{ring}background:#999;border:2px solid #222"></span> exact place',
        f'<span style="{ring}background:#ddd;border:2px dashed #555"></span> near a place',
        f'<span style="{ring}border:3px solid #1f78b4"></span> region only',
        f'<span style="{ring}background:#eee;border:1px dotted #555"></span> country only',
    ]
    legend = MacroElement()
    legend._template = _LEGEND
    legend.rows = "<br>".join(rows)
    legend.add_to(fmap)
    return legend


_CSS = """<style>
.leaflet-popup-content { font: 13px/1.45 sans-serif; }
.leaflet-popup-content blockquote {
  margin: 6px 0 0; padding-left: 8px; border-left: 3px solid #ccc;
}
.leaflet-popup-content mark { background: #ffe08a; padding: 0 2px; }
.leaflet-popup-content .fp-quotes { max-height: 220px; overflow-y: auto; }
</style>"""


def add_sources_panel(fmap: folium.Map, analysis: Analysis, title: str) -> None:
    """Title and the list of source documents, top left; the page <title> too."""
    docs = "".join(
        f"<li>{html_text(d.title or d.source)}"
        f"{' (' + d.published.isoformat() + ')' if d.published else ''}</li>"
        for d in analysis.documents
    )
    attribution = html_text(load_borders().attribution)
    missing = "".join(
        f"<li>{html_text(u.surface)}: {html_text(u.reason)}</li>" for u in analysis.unresolved
    )
    if missing:
        missing = f"<details><summary>Names not placed</summary><ul>{missing}</ul></details>"
    panel = (
        '<div class="fp-title" style="position: fixed; top: 10px; left: 54px; z-index: 9999;'
        " background: rgba(255,255,255,0.92); padding: 6px 10px; border: 1px solid #999;"
        ' border-radius: 4px; font: 13px/1.4 sans-serif; max-width: 420px;">'
        f"<b>{html_text(title)}</b><details><summary>Sources</summary><ul>{docs}</ul>"
        f"<small>Borders: {attribution}</small></details>{missing}</div>"
    )
    root = fmap.get_root()
    root.title = html_text(title)
    root.html.add_child(_Verbatim(panel))


def _bounds(analysis: Analysis):
    """The area the story is about: places finer than a country, and the zones they are in.

    Countries are left out unless nothing else was found: "the US" in a story about Syria
    should not zoom the map out to the whole world.
    """
    fine = {m.place.id for m in analysis.mentions if m.precision != "country"}
    chosen = [p for p in analysis.places if p.id in fine] or list(analysis.places)
    if len(chosen) > 2:
        # Frame the theatre, not the capitals commenting on it ("officials in Washington").
        mid_lat = statistics.median(p.lat for p in chosen)
        mid_lon = statistics.median(p.lon for p in chosen)
        near = [p for p in chosen if GEOD.inv(mid_lon, mid_lat, p.lon, p.lat)[2] < FOCUS_M]
        chosen = near or chosen
    points = [(p.lat, p.lon) for p in chosen]
    for zone in analysis.zones:
        # Only zones the story's places are in frame it: the Korean DMZ has no say over a
        # map of Syria, though it stays on the map.
        if not analysis.members_of(zone.id):
            continue
        west, south, east, north = zone.geometry.bounds
        points += [(south, west), (north, east)]
    if not points:
        return (20.0, 0.0), (50.0, 60.0)
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return (min(lats), min(lons)), (max(lats), max(lons))


def build_map(
    analysis: Analysis,
    *,
    title: str = "Flashpoints",
    tiles: str | None = "OpenStreetMap",
    standalone: bool = True,
    draw: bool = False,
    layers: tuple[str, ...] = LAYERS,
    controls: bool = True,
    colour_by: str = "zone",
) -> folium.Map:
    """The layered map. ``tiles`` is the base map shown first (all of ``BASEMAPS`` can be
    switched to); ``None`` gives a map with no tile server at all (air-gapped use).

    ``standalone`` adds the title and sources panel, which the dashboard shows itself;
    ``draw`` adds drawing tools (polygon, rectangle, circle, line) for new zones; ``layers``
    picks the overlays (see ``LAYERS``); ``controls`` adds measure, fullscreen, minimap, mouse
    position and place search.
    """
    bounds = _bounds(analysis)
    # SVG for a story's worth of places (each marker is a DOM node tests and users can
    # inspect); canvas for thousands, which SVG would make sluggish.
    many = len(analysis.places) > CLUSTER_OVER
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=many)
    fmap.get_root().header.add_child(_Verbatim(_CSS))
    # Stylesheets no layer here uses and that exist on no package registry (so an air-gapped
    # copy could never be made): Bootstrap 3.0.0 glyphicons and folium's GitHub-hosted CSS.
    fmap.default_css = [(n, u) for n, u in fmap.default_css if n not in UNUSED_CSS]
    if tiles:
        add_basemaps(fmap, tiles if tiles in BASEMAPS else "OpenStreetMap")
    if "borders" in layers:
        add_borders_layer(fmap, analysis, bounds)
    if "zones" in layers:
        add_zones_layer(fmap, analysis)
    if "places" in layers:
        add_places_layer(fmap, analysis, colour_by=colour_by)
    if "relative" in layers:
        add_relative_layer(fmap, analysis)
    if "events" in layers:
        add_events_layer(fmap, analysis, timeline=standalone)
    if "heat" in layers:
        add_heat_layer(fmap, analysis)
    add_legend(fmap, analysis, colour_by=colour_by)
    if standalone:
        add_sources_panel(fmap, analysis, title)
    if controls:
        add_controls(fmap, minimap=bool(tiles))
        add_search(fmap, analysis)
    if draw:
        Draw(
            export=False,
            draw_options={"marker": False, "circlemarker": False},
            edit_options={"edit": False},
        ).add_to(fmap)
    # The dashboard has its own layer toggles; there the control folds away.
    folium.LayerControl(collapsed=not standalone).add_to(fmap)
    fmap.fit_bounds([list(bounds[0]), list(bounds[1])], padding=(20, 20))
    return fmap
