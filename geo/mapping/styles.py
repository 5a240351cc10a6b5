"""How the map looks: colours for place kinds and zone kinds, precision symbols, event icons
and the base maps. Kept apart from the layers so the legend, the dashboard's charts and the
map read one scheme."""

from __future__ import annotations

__all__ = [
    "BASEMAPS",
    "CLUSTER_OVER",
    "EVENT_ICONS",
    "KIND_COLOURS",
    "NO_ZONE_COLOUR",
    "PRECISION_RADIUS",
    "PRECISION_STYLE",
    "ZONE_STYLES",
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
