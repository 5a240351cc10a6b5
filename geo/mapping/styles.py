"""How the map looks: colours for place kinds and zone kinds, precision symbols, event icons
and the base maps. Kept apart from the layers so the legend, the dashboard's charts and the
map read one scheme."""

from __future__ import annotations

from typing import Any

__all__ = [
    "BASEMAPS",
    "CLUSTER_OVER",
    "CONTROLS",
    "DEFAULT_BASEMAP",
    "DEFAULT_CONTROLS",
    "EVENT_ICONS",
    "EVENT_STYLES",
    "KIND_COLOURS",
    "MARKER_HEX",
    "NO_ZONE_COLOUR",
    "PRECISION_RADIUS",
    "PRECISION_STYLE",
    "WIDE_RELATIVE_KM",
    "ZONE_STYLES",
    "event_style",
    "zone_style",
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


ZONE_STYLES: dict[str, dict[str, Any]] = {
    "deconfliction": {"color": "#d7301f", "fillColor": "#fc8d59", "dashArray": "6 4"},
    # Magenta, not grey: grey is what country outlines are drawn in.
    "border": {"color": "#c51b7d", "fillColor": "#f1b6da", "dashArray": ""},
    "tripoint": {"color": "#000000", "fillColor": "#969696", "dashArray": "2 4"},
    "corridor": {"color": "#2171b5", "fillColor": "#6baed6", "dashArray": ""},
    "cluster": {"color": "#238b45", "fillColor": "#74c476", "dashArray": "1 6"},
    "custom": {"color": "#6a51a3", "fillColor": "#9e9ac8", "dashArray": ""},
}


PRECISION_RADIUS = {"exact": 7, "near": 9, "region": 11, "country": 6}


#: How each precision looks, so uncertainty is visible at a glance: a solid dot for an exact
#: place, a dashed ring for "near", a hollow ring for a region, a faint dotted dot for a country.
PRECISION_STYLE: dict[str, dict[str, Any]] = {
    "exact": {"weight": 2, "dash_array": None, "fill_opacity": 0.85, "color": "#222222"},
    "near": {"weight": 2, "dash_array": "4 3", "fill_opacity": 0.35, "color": "#555555"},
    "region": {"weight": 3, "dash_array": None, "fill_opacity": 0.0, "color": None},
    "country": {"weight": 1, "dash_array": "1 3", "fill_opacity": 0.3, "color": "#555555"},
}


def zone_style(kind: str) -> dict[str, str]:
    """The outline colour, fill and dash of a zone kind (unknown kinds look like custom)."""
    return ZONE_STYLES.get(kind, ZONE_STYLES["custom"])


#: Relative areas with an uncertainty radius wider than this start hidden: a ±100 km circle
#: says little and hides the places inside it.
WIDE_RELATIVE_KM = 25.0


#: Fill of a place that lies in no zone.
NO_ZONE_COLOUR = "#f7f7f7"


#: Above this many places, markers are clustered so the map stays responsive.
CLUSTER_OVER = 300


_CARTO = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    ' &copy; <a href="https://carto.com/attributions">CARTO</a>'
)


#: Base maps an analyst can switch between; ``None`` (no tiles) still shows borders and zones.
#: The light, English-labelled Positron is the default: the story's colours read on it.
BASEMAPS: dict[str, dict[str, Any]] = {
    "CartoDB Positron": {
        "tiles": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        "attr": _CARTO,
    },
    "OpenStreetMap": {"tiles": "OpenStreetMap", "attr": None},
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


# The user-facing choices live in geo.mapoptions, which the CLI reads without folium.
from ..mapoptions import CONTROLS, DEFAULT_BASEMAP, DEFAULT_CONTROLS  # noqa: E402

#: The hex colour of each Leaflet.awesome-markers marker colour, so a chart bar, a legend
#: swatch and a marker on the map are the same colour.
MARKER_HEX = {
    "red": "#d63e2a",
    "darkred": "#a23336",
    "orange": "#f69730",
    "green": "#72b026",
    "darkgreen": "#728224",
    "blue": "#38aadd",
    "darkblue": "#0067a3",
    "purple": "#d252b9",
    "darkpurple": "#5b396b",
    "cadetblue": "#436978",
    "gray": "#575757",
    "lightgray": "#a3a3a3",
    "black": "#303030",
}


#: One scheme for event kinds, read by the map's markers, the legend, the dashboard's charts
#: and its event feed: kind -> {"icon": Font Awesome name, "marker": awesome-markers colour,
#: "colour": the same colour in hex}. Keyed by the project's event kind (``Event.kind``);
#: kinds missing here get ``event_style``'s neutral fallback.
EVENT_STYLES: dict[str, dict[str, str]] = {
    kind: {"icon": icon, "marker": marker, "colour": MARKER_HEX[marker]}
    for kind, icon, marker in (
        # Explosions/Remote violence: reds
        ("airstrike", "plane", "red"),
        ("shelling", "bomb", "darkred"),
        ("ied", "burst", "darkred"),
        ("suicide-bombing", "burst", "black"),
        ("grenade", "bomb", "red"),
        # Battles: orange and purple
        ("clash", "crosshairs", "orange"),
        ("capture", "flag", "purple"),
        ("recapture", "flag", "darkpurple"),
        # Violence against civilians
        ("attack", "burst", "orange"),
        ("abduction", "user-slash", "darkpurple"),
        # Protests and riots: blues
        ("protest", "bullhorn", "blue"),
        ("riot", "fire", "darkblue"),
        # Strategic developments: greens and greys
        ("arrest", "handcuffs", "cadetblue"),
        ("agreement", "handshake", "green"),
        ("base", "campground", "darkgreen"),
        ("looting", "fire", "gray"),
        ("withdrawal", "right-from-bracket", "green"),
        ("deployment", "truck", "cadetblue"),
        ("closure", "ban", "gray"),
        ("seizure", "gun", "gray"),
        ("displacement", "person-walking", "blue"),
    )
}

_OTHER_EVENT = {"icon": "circle-info", "marker": "lightgray", "colour": MARKER_HEX["lightgray"]}


def event_style(kind: str) -> dict[str, str]:
    """The icon, marker colour and hex colour of an event kind (grey for kinds not listed)."""
    return EVENT_STYLES.get(kind, _OTHER_EVENT)


#: Font Awesome icon and marker colour for each event kind (from ``EVENT_STYLES``).
EVENT_ICONS = {kind: (s["icon"], s["marker"]) for kind, s in EVENT_STYLES.items()}
