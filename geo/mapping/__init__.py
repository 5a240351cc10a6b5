"""The folium map: one function per layer, one builder that feeds both the HTML export and the
Streamlit dashboard (``st_folium``), so the two always show the same thing.

Coordinates enter folium as (lat, lon); GeoJSON layers stay (lon, lat). Every string from an
article or a zone file goes through :func:`geo.safe.html_text`, and zone GeoJSON is handed to
Leaflet stripped of its properties, so a hostile property never reaches a ``<script>`` block.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import folium
from folium.plugins import Draw
from shapely.geometry import box

from ..geodesy import GEOD
from ..model import Analysis
from ..pipeline import analyse
from .assets import PLUGIN_ASSETS, UNUSED_CSS
from .labels import LABEL_CSS, Labels, label_items
from .layers import (
    HIDDEN_ZONE_KINDS,
    add_basemaps,
    add_borders_layer,
    add_controls,
    add_events_layer,
    add_heat_layer,
    add_panes,
    add_places_layer,
    add_relative_layer,
    add_search,
    add_zones_layer,
)
from .panels import PAGE_CSS, Verbatim, add_legend, add_sources_panel
from .popups import dms
from .styles import (
    BASEMAPS,
    CLUSTER_OVER,
    CONTROLS,
    DEFAULT_BASEMAP,
    DEFAULT_CONTROLS,
    EVENT_STYLES,
    KIND_COLOURS,
    event_style,
)

__all__ = [
    "BASEMAPS",
    "CONTROLS",
    "DEFAULT_BASEMAP",
    "DEFAULT_CONTROLS",
    "EVENT_STYLES",
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
    "event_style",
    "map_asset_urls",
]


#: The story's theatre: the places within this distance of the place with the most
#: mentions around it. Capitals commenting from afar ("officials in Washington and Tokyo")
#: stay on the map but do not set the initial view.
THEATRE_M = 600_000


#: Overlay layers ``build_map`` can draw; the dashboard's layer toggles pick from these.
LAYERS = ("borders", "zones", "places", "relative", "events", "heat")

#: Room the title box (top left) and the key panel (top right) take, in pixels, so the view
#: is fitted inside them.
_PAD_TOP_LEFT = (60, 70)
_PAD_BOTTOM_RIGHT = (270, 30)

#: Shown instead of a blank page when the map's JavaScript could not be loaded.
_OFFLINE = """<script>
window.addEventListener("load", function () {
  if (typeof L !== "undefined") { return; }
  var box = document.createElement("div");
  box.className = "fp-offline";
  box.textContent = "This map could not load its JavaScript (Leaflet): there is no network"
    + " here, or the CDN is blocked. Where there is a network, run 'flashpoints assets fetch'"
    + " once; maps written afterwards carry their files and open anywhere.";
  document.body.appendChild(box);
});
</script>"""


def _theatre(analysis: Analysis):
    """The places the story is about: finer than a country, around the place with the most
    mentions within ``THEATRE_M`` of it."""
    fine = {
        m.place.id
        for m in analysis.mentions
        if m.precision != "country" and m.place.kind not in ("country", "continent")
    }
    chosen = [p for p in analysis.places if p.id in fine] or list(analysis.places)
    if len(chosen) < 3:
        return chosen
    weight = Counter(m.place.id for m in analysis.mentions)

    def near(p, q) -> bool:
        return GEOD.inv(p.lon, p.lat, q.lon, q.lat)[2] <= THEATRE_M

    centre = max(
        chosen, key=lambda p: (sum(weight[q.id] for q in chosen if near(p, q)), weight[p.id])
    )
    return [p for p in chosen if near(centre, p)]


def _bounds(analysis: Analysis):
    """The area the story is about: the theatre's places and the zones they are in.

    Countries are left out unless nothing else was found: "the US" in a story about Syria
    should not zoom the map out to the whole world.
    """
    chosen = _theatre(analysis)
    ids = {p.id for p in chosen}
    points = [(p.lat, p.lon) for p in chosen]
    for zone in analysis.zones:
        # Only zones the theatre's places are in frame it: the Korean DMZ has no say over a
        # map of Syria, though it stays on the map.
        if zone.kind in HIDDEN_ZONE_KINDS or not ids & {p.id for p in analysis.members_of(zone.id)}:
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
    tiles: str | None = DEFAULT_BASEMAP,
    standalone: bool = True,
    draw: bool = False,
    layers: tuple[str, ...] = LAYERS,
    controls: bool | Sequence[str] = DEFAULT_CONTROLS,
    colour_by: str = "zone",
) -> folium.Map:
    """The layered map. ``tiles`` is the base map shown first (all of ``BASEMAPS`` can be
    switched to); ``None`` gives a map with no tile server at all (air-gapped use), and then
    country names are drawn by the map itself.

    ``standalone`` adds the title and sources panel, which the dashboard shows itself;
    ``draw`` adds drawing tools (polygon, rectangle, circle, line) for new zones; ``layers``
    picks the overlays (see ``LAYERS``); ``controls`` picks the tools from ``CONTROLS``
    (``True`` for ``DEFAULT_CONTROLS``, ``False`` for none).
    """
    if controls is True:
        controls = DEFAULT_CONTROLS
    elif controls is False:
        controls = ()
    controls = tuple(controls)
    bounds = _bounds(analysis)
    # SVG for a story's worth of places (each marker is a DOM node tests and users can
    # inspect); canvas for thousands, which SVG would make sluggish.
    many = len(analysis.places) > CLUSTER_OVER
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=many)
    fmap.get_root().header.add_child(Verbatim(PAGE_CSS))
    fmap.get_root().header.add_child(Verbatim(f"<style>{LABEL_CSS}</style>"))
    fmap.get_root().html.add_child(Verbatim(_OFFLINE))
    # Stylesheets no layer here uses and that exist on no package registry (so an air-gapped
    # copy could never be made): Bootstrap 3.0.0 glyphicons and folium's GitHub-hosted CSS.
    fmap.default_css = [(n, u) for n, u in fmap.default_css if n not in UNUSED_CSS]
    add_panes(fmap)
    if tiles:
        add_basemaps(fmap, tiles if tiles in BASEMAPS else DEFAULT_BASEMAP)
    groups: list[folium.map.Layer] = []
    borders = zone_groups = places = None
    if "borders" in layers:
        borders = add_borders_layer(fmap, analysis, bounds)
    if "zones" in layers:
        zone_groups = add_zones_layer(fmap, analysis)
    if "places" in layers:
        places = add_places_layer(fmap, analysis, colour_by=colour_by)
    if "relative" in layers:
        add_relative_layer(fmap, analysis)
    toggle = None
    if "events" in layers:
        _, toggle = add_events_layer(fmap, analysis, timeline=standalone)
    if "heat" in layers:
        add_heat_layer(fmap, analysis)
    zone_index: dict[str, int] = {}
    for zone_id, group in (zone_groups or {}).items():
        if group not in groups:
            groups.append(group)
        zone_index[zone_id] = groups.index(group)
    places_index = None
    if places is not None:
        groups.append(places)
        places_index = len(groups) - 1
    countries, countries_index = None, None
    if borders is not None and not tiles:
        # With no base map nothing else names the countries.
        groups.append(borders)
        countries, countries_index = borders.features, len(groups) - 1
    items, obstacles = label_items(
        analysis,
        zone_group=zone_index,
        places_group=places_index,
        countries=countries,
        countries_group=countries_index,
    )
    if items and many:
        items = items[:400]
    if standalone:
        add_sources_panel(fmap, analysis, title)
    if "search" in controls:
        add_search(fmap, analysis)
    add_controls(fmap, [c for c in controls if c != "search" and (tiles or c != "minimap")])
    if draw:
        Draw(
            export=False,
            draw_options={"marker": False, "circlemarker": False},
            edit_options={"edit": False},
        ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    (south, west), (north, east) = bounds
    view = box(west - 1, south - 1, east + 1, north + 1)
    away = {z.kind for z in analysis.zones} - {
        z.kind for z in analysis.zones if z.geometry.intersects(view)
    }
    add_legend(fmap, analysis, colour_by=colour_by, hidden_zone_kinds={*HIDDEN_ZONE_KINDS, *away})
    if toggle is not None:
        toggle.add_to(fmap)
    if items:
        Labels(items, obstacles, groups).add_to(fmap)
    fmap.fit_bounds(
        [list(bounds[0]), list(bounds[1])],
        padding_top_left=_PAD_TOP_LEFT if standalone else (20, 20),
        padding_bottom_right=_PAD_BOTTOM_RIGHT,
    )
    return fmap


def map_asset_urls() -> list[str]:
    """Every file any Flashpoints map may load: the bundled sample's map with every layer
    and control, plus the plugins only some maps use (clusters, the time slider)."""
    from ..assets import asset_urls
    from ..samples import list_samples
    from ..text import load_documents

    analysis = analyse(list(load_documents([list_samples()[0]])))
    urls = asset_urls(build_map(analysis).get_root().render())
    for js, css in PLUGIN_ASSETS.values():
        urls += [url for _, url in (*js, *css)]
    return list(dict.fromkeys(urls))
