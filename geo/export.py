"""Exports people use elsewhere: GeoJSON (RFC 7946), CSV, KML, and the standalone HTML map.

Writes are atomic (temporary file + rename), so an interrupted export never leaves half a file
where a good one was.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .coords import lonlat_of
from .model import Analysis, BorderStanding, Mention
from .safe import spreadsheet_cell, write_output, xml_text

__all__ = [
    "MENTION_FIELDS",
    "mention_record",
    "standing_record",
    "to_csv",
    "to_geojson",
    "to_kml",
    "write_atomic",
]

#: The fields of one mention in JSON and CSV output; the ``--jsonl`` contract relies on them.
MENTION_FIELDS = (
    "document_id",
    "start",
    "end",
    "surface",
    "name",
    "lat",
    "lon",
    "kind",
    "country_code",
    "confidence",
    "precision",
    "place_id",
    "sentence",
    "relation",
)


def mention_record(mention: Mention, *, offset_shift=None) -> dict:
    """A mention as a flat dict. ``offset_shift`` maps cleaned offsets to source offsets."""
    start, end = mention.start, mention.end
    if offset_shift is not None:
        start, end = offset_shift(start), offset_shift(end - 1) + 1
    p = mention.place
    record = {
        "document_id": mention.document_id,
        "start": start,
        "end": end,
        "surface": mention.surface,
        "name": p.name,
        "lat": p.lat,
        "lon": p.lon,
        "kind": p.kind,
        "country_code": p.country_code,
        "confidence": mention.confidence,
        "precision": mention.precision,
        "place_id": p.id,
        "sentence": mention.sentence,
        "relation": _relation_record(mention),
    }
    if mention.role:  # additive: records without a role keep their old shape
        record["role"] = mention.role
    return record


EVENT_FIELDS = (
    "date",
    "date_precision",
    "date_uncertainty_days",
    "time_precision",
    "date_text",
    "kind",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "fatalities",
    "place",
    "place_id",
    "lat",
    "lon",
    "geo_precision",
    "actors",
    "sentence",
    "trigger",
    "modality",
    "confidence",
    "sources",
    "id",
)


def records_csv(records: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> str:
    """Flat records as CSV in ``fields`` order: lists joined with "; ", numbers as written (a
    number is never a formula: "-32.9" stays a longitude), every other cell made safe for
    spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for rec in records:
        row: list[object] = []
        for key in fields:
            value = rec.get(key)
            if value is None:
                row.append("")
            elif isinstance(value, bool | int | float):
                row.append(str(value))
            elif isinstance(value, list):
                row.append(spreadsheet_cell("; ".join(str(v) for v in value)))
            else:
                row.append(spreadsheet_cell(str(value)))
        writer.writerow(row)
    return buffer.getvalue()


def events_csv(records: list[dict]) -> str:
    """Event records as CSV (see :func:`records_csv`)."""
    return records_csv(records, EVENT_FIELDS)


def events_acled_csv(events, country_name=None) -> str:
    """Events in ACLED's column names and codes (see :data:`geo.events.ACLED_COLUMNS`), so an
    analyst can append them to an ACLED download; ``country_name`` maps an ISO code to the
    name ACLED uses. Every cell is made safe for spreadsheets."""
    from .events import ACLED_COLUMNS, acled_record

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ACLED_COLUMNS)
    for event in events:
        code = event.place.country_code
        record = acled_record(event, country=(country_name(code) if country_name else "") or "")
        # Numbers go in as numbers (a spreadsheet never runs "-72.1" as a formula; "'-72.1"
        # would not merge with ACLED's own longitudes); only text is defused.
        writer.writerow(
            [
                spreadsheet_cell(v if isinstance(v, bool | int | float) else str(v))
                for v in (record[c] for c in ACLED_COLUMNS)
            ]
        )
    return buffer.getvalue()


def standing_record(standing: BorderStanding | None) -> dict | None:
    if standing is None:
        return None
    return {
        "country": standing.country,
        "status": standing.status,
        "nearest_border_with": standing.neighbour,
        "distance_km": standing.distance_km,
        "side_uncertain": standing.side_uncertain,
    }


def _relation_record(mention: Mention) -> dict | None:
    rel = mention.relation
    if rel is None:
        return None
    return {
        "anchor": rel.anchor.name,
        "anchor_id": rel.anchor.id,
        "anchor_lat": rel.anchor.lat,
        "anchor_lon": rel.anchor.lon,
        "bearing_deg": rel.bearing_deg,
        "distance_km": round(rel.distance_km, 3),
        "distance_given": rel.distance_given,
        "uncertainty_km": round(rel.uncertainty_km, 3),
    }


def manifest(analysis: Analysis, **settings: object) -> dict:
    """What an export was made from, so it can be reproduced or questioned later: the
    inputs, the gazetteer build, the zone files and the settings."""
    from importlib.metadata import PackageNotFoundError, version

    from .gazetteer import open_gazetteer

    try:
        generator = f"flashpoints {version('flashpoints')}"
    except PackageNotFoundError:  # pragma: no cover - source tree without metadata
        generator = "flashpoints"
    return {
        "generator": generator,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "gazetteer": open_gazetteer().path.name,
        "documents": [
            {
                "id": d.id,
                "source": d.source,
                "title": d.title,
                "published": d.published.isoformat() if d.published else None,
            }
            for d in analysis.documents
        ],
        "zones": [
            {"id": z.id, "kind": z.kind, "source": str(z.properties.get("source", ""))}
            for z in analysis.zones
        ],
        "settings": settings,
    }


def to_geojson(
    analysis: Analysis,
    *,
    include_zones: bool = True,
    include_events: bool = True,
    run: dict | None = None,
) -> dict:
    """Places as Point features (lon, lat) with zones and distances; zones as polygons;
    events as Point features with ``"feature": "event"``. ``run`` (a :func:`manifest`) goes
    in a top-level ``manifest`` member."""
    features = []
    for summary in analysis.summaries():
        place = summary.place
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(lonlat_of(place.lat, place.lon))},
                "properties": {
                    "feature": "place",
                    "id": place.id,
                    "name": place.name,
                    "kind": place.kind,
                    "country_code": place.country_code,
                    "precision": summary.precision,
                    "confidence": summary.confidence,
                    "mentions": len(summary.mentions),
                    "surfaces": summary.surfaces,
                    "zones": list(summary.zones),
                    "distances_km": summary.distances_km,
                    "sentences": summary.sentences,
                    "border": standing_record(summary.standing),
                    "source": place.source,
                },
            }
        )
    if include_zones:
        from .zones import zones_to_geojson  # shapely only for zone output

        for feature in zones_to_geojson(analysis.zones)["features"]:
            props = feature["properties"]
            props["feature"] = "zone"
            props["members"] = [p.name for p in analysis.members_of(props["id"])]
            features.append(feature)
    for event in analysis.events if include_events else ():
        record = event.record()
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": list(lonlat_of(event.place.lat, event.place.lon)),
                },
                "properties": {"feature": "event"}
                | {k: v for k, v in record.items() if k not in ("lat", "lon")},
            }
        )
    collection: dict = {"type": "FeatureCollection", "features": features}
    if run is not None:
        collection["manifest"] = run
    return collection


def to_csv(analysis: Analysis) -> str:
    """One row per mention, with the zones its place lies in; formula-like cells defused."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*MENTION_FIELDS, "zones"], lineterminator="\n")
    writer.writeheader()
    for mention in analysis.mentions:
        row = mention_record(mention)
        rel = row.pop("relation")
        row["relation"] = (
            f"{rel['anchor']}; bearing {rel['bearing_deg']}; {rel['distance_km']} km"
            f" ± {rel['uncertainty_km']} km"
            if rel
            else ""
        )
        row["zones"] = ";".join(analysis.zones_of(mention.place.id))
        writer.writerow({k: spreadsheet_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def to_kml(analysis: Analysis, *, run: dict | None = None) -> str:
    """Places as KML placemarks (Google Earth); text escaped for XML."""
    marks = []
    for summary in analysis.summaries():
        place = summary.place
        zones = ", ".join(summary.zones) or "none"
        sentences = " | ".join(summary.sentences)
        marks.append(
            "<Placemark>"
            f"<name>{xml_text(place.name)}</name>"
            f"<description>{xml_text(f'{place.kind}; zones: {zones}; {sentences}')}</description>"
            f"<Point><coordinates>{place.lon},{place.lat}</coordinates></Point>"
            "</Placemark>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Flashpoints</name>'
        + (
            '<ExtendedData><Data name="manifest"><value>'
            + xml_text(json.dumps(run, ensure_ascii=False))
            + "</value></Data></ExtendedData>"
            if run is not None
            else ""
        )
        + "".join(marks)
        + "</Document></kml>\n"
    )


def write_atomic(path: str | Path, content: str, *, force: bool = True) -> Path:
    """Write ``content`` to ``path`` whole or not at all (see :func:`geo.safe.write_output`:
    regular files only, the umask honoured, an overwritten file's mode and links kept)."""
    return write_output(path, content, force=force)


def dumps(data: object) -> str:
    """JSON as the CLI prints it: UTF-8, not ASCII-escaped."""
    return json.dumps(data, ensure_ascii=False, indent=2)
