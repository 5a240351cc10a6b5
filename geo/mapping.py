"""The folium map: one function per layer, one builder that feeds both the HTML export and the
Streamlit dashboard (``st_folium``), so the two always show the same thing.

Coordinates enter folium as (lat, lon); GeoJSON layers stay (lon, lat). Every string from an
article or a zone file goes through :func:`geo.safe.html_text`, and zone GeoJSON is handed to
Leaflet stripped of its properties, so a hostile property never reaches a ``<script>`` block.
"""

from __future__ import annotations

import statistics
from collections import Counter

import folium
from branca.element import Element, MacroElement, Template
from folium.plugins import Draw
from shapely.geometry import mapping as shape_mapping

from .borders import load_borders
from .model import Analysis, Mention, Place
from .safe import html_text
from .zones import GEOD

__all__ = [
    "KIND_COLOURS",
    "add_borders_layer",
    "add_legend",
    "add_places_layer",
    "add_relative_layer",
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
        seen = []
        for m in mentions:
            if m.sentence not in seen:
                seen.append(m.sentence)
                rows.append(f"<blockquote>{_highlighted(m)}</blockquote>")
            if len(seen) == 3:
                break
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


def add_zones_layer(fmap: folium.Map, analysis: Analysis) -> folium.FeatureGroup:
    """Each zone with its own style and a popup listing its members."""
    group = folium.FeatureGroup(name="Zones", show=True)
    for zone in analysis.zones:
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
    group.add_to(fmap)
    return group


def add_places_layer(fmap: folium.Map, analysis: Analysis) -> folium.FeatureGroup:
    """A marker per place; size grows with mentions, colour by kind, outline by precision."""
    group = folium.FeatureGroup(name="Places", show=True)
    counts = Counter(m.place.id for m in analysis.mentions)
    zone_names = {z.id: z.name for z in analysis.zones}
    precision = {m.place.id: m.precision for m in analysis.mentions}
    for place in analysis.places:
        if place.kind == "relative":
            continue  # drawn with its area by add_relative_layer
        prec = precision.get(place.id, "exact")
        radius = PRECISION_RADIUS.get(prec, 7) + min(counts[place.id], 10) * 0.5
        folium.CircleMarker(
            location=(place.lat, place.lon),
            radius=radius,
            color="#222222" if prec == "exact" else "#555555",
            weight=2 if prec == "exact" else 1,
            dash_array=None if prec == "exact" else "3 3",
            fill=True,
            fill_color=KIND_COLOURS.get(place.kind, "#666666"),
            fill_opacity=0.85 if prec == "exact" else 0.45,
            tooltip=folium.Tooltip(html_text(place.name)),
            popup=folium.Popup(_place_popup(analysis, place, zone_names), max_width=420),
        ).add_to(group)
    group.add_to(fmap)
    return group


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


_LEGEND = Template(
    """
{% macro html(this, kwargs) %}
<div class="fp-legend" style="position: fixed; bottom: 28px; right: 12px; z-index: 9999;
     background: rgba(255,255,255,0.92); padding: 8px 10px; border: 1px solid #999;
     border-radius: 4px; font: 12px/1.4 sans-serif; max-width: 230px;">
  <b>Legend</b><br>
  {{ this.rows }}
</div>
{% endmacro %}
"""
)


def add_legend(fmap: folium.Map, analysis: Analysis) -> MacroElement:
    """A fixed legend: kinds present, zone kinds present, precision outline."""
    kinds = sorted({p.kind for p in analysis.places if p.kind != "relative"})
    rows = [
        f'<span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
        f'background:{KIND_COLOURS.get(k, "#666")};border:1px solid #222"></span> {html_text(k)}'
        for k in kinds
    ]
    for kind in sorted({z.kind for z in analysis.zones}):
        colour = ZONE_STYLES.get(kind, ZONE_STYLES["custom"])["color"]
        rows.append(
            f'<span style="display:inline-block;width:14px;height:0;border-top:2px dashed '
            f'{colour}"></span> {html_text(kind)} zone'
        )
    if any(m.relation for m in analysis.mentions):
        rows.append(
            '<span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
            'background:#fdae6b;border:1px dashed #8c2d04"></span> relative location (area)'
        )
    rows.append("solid outline: exact place; dashed: region or country only")
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
    root.html.add_child(Element(panel))


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
) -> folium.Map:
    """The layered map. ``tiles=None`` gives a map with no tile server (air-gapped use).

    ``standalone`` adds the title and sources panel, which the dashboard shows itself;
    ``draw`` adds drawing tools (polygon, rectangle, circle, line) for new zones.
    """
    bounds = _bounds(analysis)
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    fmap.get_root().header.add_child(Element(_CSS))
    # Stylesheets no layer here uses and that exist on no package registry (so an air-gapped
    # copy could never be made): Bootstrap 3.0.0 glyphicons and folium's GitHub-hosted CSS.
    fmap.default_css = [(n, u) for n, u in fmap.default_css if n not in UNUSED_CSS]
    if tiles:
        folium.TileLayer(tiles, name=tiles).add_to(fmap)
    add_borders_layer(fmap, analysis, bounds)
    add_zones_layer(fmap, analysis)
    add_places_layer(fmap, analysis)
    add_relative_layer(fmap, analysis)
    add_legend(fmap, analysis)
    if standalone:
        add_sources_panel(fmap, analysis, title)
    if draw:
        Draw(
            export=False,
            draw_options={"marker": False, "circlemarker": False},
            edit_options={"edit": False},
        ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([list(bounds[0]), list(bounds[1])], padding=(20, 20))
    return fmap
