"""Flashpoints: news text in, a layered map of border flashpoints out, offline by default.

The pipeline is a set of module-level functions over frozen records (:mod:`geo.model`):
:mod:`geo.text` reads and cleans articles, :mod:`geo.geoparsing` finds and resolves place names
against the offline :mod:`geo.gazetteer`, :mod:`geo.zones` measures places against zones,
:mod:`geo.events` codes what happened, :mod:`geo.mapping` draws the folium map and
:mod:`geo.export` writes GeoJSON, CSV and KML. :func:`geo.pipeline.analyse` runs them all; the
CLI, the dashboard and the corpus store go through it too.

The small public API is re-exported here and imported on first use, so ``import geo`` stays
quick and geoparsing alone never loads folium or Streamlit:

>>> import geo
>>> analysis = geo.analyse_text("Coalition jets struck a convoy near al-Tanf on May 18.")
>>> [(p.name, p.country_code) for p in analysis.places]
[('near al Tanf garrison', 'SY'), ('al Tanf garrison', 'SY')]
>>> garrison = analysis.place_summary(analysis.places[1])
>>> garrison.zones, garrison.distances_km["al-tanf-55km"]
(('al-tanf-55km',), -55.0)
>>> geo.to_geojson(analysis)["type"]
'FeatureCollection'
>>> [m.surface for m in geo.geoparse(geo.document_from_text("Shelling hit Kharkiv."))]
['Kharkiv']
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> module that defines it.
_EXPORTS = {
    "Analysis": "geo.model",
    "Document": "geo.model",
    "FlashpointsError": "geo.errors",
    "Mention": "geo.model",
    "OfflineGeocoder": "geo.geocode",
    "Place": "geo.model",
    "PlaceSummary": "geo.model",
    "Store": "geo.store",
    "Zone": "geo.model",
    "analyse": "geo.pipeline",
    "analyse_store": "geo.pipeline",
    "analyse_text": "geo.pipeline",
    "build_map": "geo.mapping",
    "document_from_text": "geo.text",
    "geoparse": "geo.geoparsing",
    "load_documents": "geo.text",
    "load_zones": "geo.zones",
    "open_gazetteer": "geo.gazetteer",
    "to_csv": "geo.export",
    "to_geojson": "geo.export",
    "to_kml": "geo.export",
}

__all__ = [
    "Analysis",
    "Document",
    "FlashpointsError",
    "Mention",
    "OfflineGeocoder",
    "Place",
    "PlaceSummary",
    "Store",
    "Zone",
    "__version__",
    "analyse",
    "analyse_store",
    "analyse_text",
    "build_map",
    "document_from_text",
    "geoparse",
    "load_documents",
    "load_zones",
    "open_gazetteer",
    "to_csv",
    "to_geojson",
    "to_kml",
]

if TYPE_CHECKING:
    from geo.errors import FlashpointsError
    from geo.export import to_csv, to_geojson, to_kml
    from geo.gazetteer import open_gazetteer
    from geo.geocode import OfflineGeocoder
    from geo.geoparsing import geoparse
    from geo.mapping import build_map
    from geo.model import Analysis, Document, Mention, Place, PlaceSummary, Zone
    from geo.pipeline import analyse, analyse_store, analyse_text
    from geo.store import Store
    from geo.text import document_from_text, load_documents
    from geo.zones import load_zones


def __getattr__(name: str) -> Any:
    # PEP 562: the public names load their module on first use (folium only for build_map).
    # The submodule geo.geoparsing shadows the function above once imported, so it is served
    # here too, by name, from this module's own definition.
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'geo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
