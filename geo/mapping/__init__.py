"""The folium map: one function per layer, one builder that feeds both the HTML export and the
Streamlit dashboard (``st_folium``), so the two always show the same thing.

Coordinates enter folium as (lat, lon); GeoJSON layers stay (lon, lat). Every string from an
article or a zone file goes through :func:`geo.safe.html_text`, and zone GeoJSON is handed to
Leaflet stripped of its properties, so a hostile property never reaches a ``<script>`` block.
"""

from __future__ import annotations

import statistics

import folium
from folium.plugins import Draw

from ..geodesy import GEOD
from ..model import Analysis
from ..pipeline import analyse
from .assets import PLUGIN_ASSETS, UNUSED_CSS
from .layers import (
    add_basemaps,
    add_borders_layer,
    add_controls,
    add_events_layer,
    add_heat_layer,
    add_places_layer,
    add_relative_layer,
    add_search,
    add_zones_layer,
)
from .panels import PAGE_CSS, Verbatim, add_legend, add_sources_panel
from .popups import dms
from .styles import BASEMAPS, CLUSTER_OVER, KIND_COLOURS

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
    "map_asset_urls",
]


#: Places further than this from the median place are drawn but do not set the initial view.
FOCUS_M = 2_000_000


#: Overlay layers ``build_map`` can draw; the dashboard's layer toggles pick from these.
LAYERS = ("borders", "zones", "places", "relative", "events", "heat")


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
    fmap.get_root().header.add_child(Verbatim(PAGE_CSS))
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
