"""Flashpoints: news text in, a layered map of border flashpoints out, offline by default.

The pipeline is a set of module-level functions over frozen records (``geo.model``):
``geo.text`` reads and cleans articles, ``geo.geoparse`` finds and resolves place names against
the offline ``geo.gazetteer``, ``geo.zones`` measures places against zones, ``geo.mapping``
draws the folium map and ``geo.export`` writes GeoJSON, CSV and KML. ``geo.analysis.analyse``
runs them all.
"""

__version__ = "0.1.0"
