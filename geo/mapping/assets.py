"""Which JavaScript and CSS files the map's plugins load: versioned files from npm packages
(jsDelivr), never GitHub branches or copies no registry publishes, so that
``flashpoints assets fetch`` can cache every one and ``map --inline-assets`` can inline them
for air-gapped use."""

from __future__ import annotations

from folium.plugins import (
    Fullscreen,
    HeatMap,
    MarkerCluster,
    MeasureControl,
    MiniMap,
    MousePosition,
    Timeline,
    TimelineSlider,
)

__all__ = ["PLUGIN_ASSETS", "UNUSED_CSS", "use_npm_assets"]


UNUSED_CSS = frozenset({"glyphicons_css", "awesome_rotate_css"})


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


def use_npm_assets(element) -> None:
    for cls, (js, css) in PLUGIN_ASSETS.items():
        if isinstance(element, cls):
            element.default_js = list(js)
            element.default_css = list(css)
