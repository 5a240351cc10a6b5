"""The map's user-facing choices (base map, controls), apart from the map code.

The CLI declares its options from these when it starts; keeping them out of
:mod:`geo.mapping` means ``flashpoints --help`` and ``geoparse`` never import folium.
"""

from __future__ import annotations

__all__ = ["CONTROLS", "DEFAULT_BASEMAP", "DEFAULT_CONTROLS"]

#: The base map shown first: light, with English labels, so places and zones stand out.
DEFAULT_BASEMAP = "CartoDB Positron"

#: The map controls ``build_map(controls=...)`` and ``map --controls`` choose from, and the
#: few shown by default (the minimap and mouse position cost room and say little).
CONTROLS = ("search", "measure", "fullscreen", "minimap", "mouse")
DEFAULT_CONTROLS = ("search", "measure", "fullscreen")
