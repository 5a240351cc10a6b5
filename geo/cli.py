"""The ``flashpoints`` command: each subcommand calls the library and turns its errors into one
line on stderr with exit status 2. No logic lives here that a library user would miss.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from .analysis import analyse, toponym_records
from .assets import AssetCache, all_cached, cache_status, fetch_assets, npm_registry
from .assets import inline_assets as inline
from .corrections import CorrectionStore
from .errors import FlashpointsError, InputError
from .events import merge_events
from .export import (
    dumps,
    events_csv,
    manifest,
    mention_record,
    standing_record,
    to_csv,
    to_geojson,
    to_kml,
    write_atomic,
)
from .gazetteer import open_gazetteer
from .geocode import GeocoderChain, OnlineSettings, load_online_settings
from .geoparse import GeoparseOptions
from .ingest import ingest, process_document
from .mapping import (
    BASEMAPS,
    CONTROLS,
    DEFAULT_BASEMAP,
    DEFAULT_CONTROLS,
    build_map,
    map_asset_urls,
)
from .paths import setting
from .store import Store
from .text import load_documents
from .zonegen import ZoneOptions
from .zones import check_zone_file, load_zones

__all__ = ["main"]

EXIT_ERROR = 2


def _fail(message: str) -> None:
    click.echo(f"flashpoints: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one clean line instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FlashpointsError as err:
            _fail(str(err))
        except OSError as err:
            _fail(f"{getattr(err, 'filename', None) or 'I/O'}: {err.strerror or err}")

    return wrapper


def _options(theatre: str | None) -> GeoparseOptions:
    """``--theatre SY,IQ,JO`` (countries) or ``--theatre 35,29,45,38`` (west,south,east,north)."""
    parts = [c.strip() for c in (theatre or "").split(",") if c.strip()]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if parts and len(numbers) == len(parts):
        if len(numbers) != 4:
            raise InputError("--theatre as a box takes west,south,east,north in degrees")
        west, south, east, north = numbers
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise InputError(
                "--theatre box must be west,south,east,north with west<east, south<north"
            )
        return GeoparseOptions(theatre_bbox=(west, south, east, north))
    codes = tuple(p.upper() for p in parts)
    bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
    if bad:
        raise InputError(f"--theatre takes ISO country codes like SY,IQ,JO (not {bad[0]!r})")
    return GeoparseOptions(theatre=codes)


def _analysis(
    inputs: tuple[str, ...],
    zones: tuple[str, ...],
    theatre: str | None = None,
    generated: bool = True,
    strip_km: float = ZoneOptions.strip_km,
    geocoder: GeocoderChain | None = None,
):
    if not inputs:
        raise InputError("no input given (a file, a folder or - for stdin)")
    if not 0 < strip_km <= 200:
        raise InputError("--strip-km must be between 0 and 200")
    docs = list(load_documents(inputs))
    zone_list = load_zones(list(zones)) if zones else None
    return analyse(
        docs,
        zones=zone_list,
        options=_options(theatre),
        generate=generated,
        zone_options=ZoneOptions(strip_km=strip_km),
        geocoder=geocoder,
        corrections=_corrections(),
    )


def _source_analysis(inputs, db, zones, theatre, generated, strip_km, online_args):
    """The analysis of a corpus store (``--db``: no geoparsing again) or of INPUT files."""
    if db:
        with Store(db) as store:
            return store.analysis(load_zones(list(zones)) if zones else None, generate=generated)
    geocoder = _chain(*online_args)
    return _analysis(inputs, zones, theatre, generated, strip_km, geocoder)


def _corrections() -> CorrectionStore | None:
    """The analyst's saved corrections (made in the dashboard), if there are any."""
    path = CorrectionStore.default_path()
    return CorrectionStore(path) if path.is_file() else None


def _online_settings(
    online: str | None, domain: str | None, scheme: str | None, config: str | None
) -> OnlineSettings | None:
    """The online geocoder the user asked for, by flag or config file; None means offline.

    Never on by default: only ``--online NAME`` or an ``[online]`` table in the file given by
    ``--config`` (or ``$FLASHPOINTS_CONFIG``) turns it on, and the CLI says so on stderr.
    ``--online none`` forces offline whatever the config says.
    """
    config = config or setting("CONFIG")
    settings = load_online_settings(config) if config else None
    if online is not None:
        if online.lower() in ("none", "off", "offline"):
            return None
        settings = replace(settings, service=online) if settings else OnlineSettings(online)
    if settings is None:
        if domain or scheme:
            raise InputError("--domain and --scheme need an online geocoder (--online NAME)")
        return None
    if domain:
        settings = replace(settings, domain=domain)
    if scheme:
        settings = replace(settings, scheme=scheme)
    return settings


def _chain(online, domain, scheme, config, *, always: bool = False) -> GeocoderChain | None:
    """The geocoder chain, announced on stderr once it is valid when it will go online."""
    settings = _online_settings(online, domain, scheme, config)
    if settings is None:
        return GeocoderChain() if always else None
    chain = GeocoderChain(online=settings)
    where = f" at {settings.domain}" if settings.domain else ""
    click.echo(f"flashpoints: online geocoding with {settings.service}{where}", err=True)
    return chain


_online_options = [
    click.option(
        "--online",
        default=None,
        metavar="GEOCODER",
        help="Also ask this geopy geocoder (nominatim, photon, arcgis...) about names the "
        "offline gazetteer lacks; 'none' forces offline.",
    ),
    click.option("--domain", default=None, metavar="HOST:PORT", help="Geocoder server."),
    click.option("--scheme", type=click.Choice(["http", "https"]), default=None),
    click.option(
        "--config",
        default=None,
        type=click.Path(),
        help="TOML file with an [online] table (default: $FLASHPOINTS_CONFIG).",
    ),
]


def _online_option(func):
    for option in reversed(_online_options):
        func = option(func)
    return func


_theatre_option = click.option(
    "--theatre",
    default=None,
    metavar="CODES",
    help="What the corpus is about: ISO codes (SY,IQ,JO) or a box west,south,east,north.",
)
_zone_options = [
    click.option(
        "--zones",
        "zones",
        multiple=True,
        type=click.Path(),
        help="Zone file or folder (GeoJSON); default: the bundled data/zones/.",
    ),
    click.option(
        "--generated/--no-generated",
        default=True,
        help="Add the border strips, tripoint areas, corridors and clusters the text implies.",
    ),
    click.option(
        "--strip-km",
        type=float,
        default=ZoneOptions.strip_km,
        show_default=True,
        help="Width of a generated border strip on each side.",
    ),
]


def _zones_option(func):
    for option in reversed(_zone_options):
        func = option(func)
    return func


@click.group()
@click.version_option(package_name="flashpoints")
def main() -> None:
    """Turn news text into a layered map of border flashpoints (offline)."""


@main.command("map")
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", type=click.Path(), default="map.html", show_default=True)
@click.option("--title", default=None, help="Map title; default: the first document's title.")
@click.option("--no-tiles", is_flag=True, help="No tile server: borders and zones only.")
@click.option(
    "--basemap",
    type=click.Choice(list(BASEMAPS)),
    default=DEFAULT_BASEMAP,
    show_default=True,
    help="Base map shown first (the others stay one click away).",
)
@click.option(
    "--inline-assets/--cdn-assets",
    default=None,
    help="Write the map's JavaScript and CSS into the file (see 'assets fetch'), or load them"
    " from CDNs. Default: inline when the cache has every file, so the map opens offline.",
)
@click.option(
    "--controls",
    default=",".join(DEFAULT_CONTROLS),
    show_default=True,
    help=f"Map tools, comma-separated, from: {', '.join(CONTROLS)} ('none' for none).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--db", default=None, type=click.Path(exists=True), help="Map a corpus store.")
@_zones_option
@_theatre_option
@_online_option
@_friendly
def map_command(
    inputs,
    output,
    title,
    no_tiles,
    basemap,
    inline_assets,
    controls,
    force,
    db,
    zones,
    generated,
    strip_km,
    theatre,
    online,
    domain,
    scheme,
    config,
) -> None:
    """Write a standalone HTML map of the places in INPUT files (or a corpus store)."""
    chosen = tuple(c.strip() for c in controls.split(",") if c.strip() and c.strip() != "none")
    unknown = [c for c in chosen if c not in CONTROLS]
    if unknown:
        raise InputError(f"unknown map control {unknown[0]!r}; choose from {', '.join(CONTROLS)}")
    analysis = _source_analysis(
        inputs, db, zones, theatre, generated, strip_km, (online, domain, scheme, config)
    )
    heading = title or next((d.title for d in analysis.documents if d.title), "Flashpoints")
    fmap = build_map(analysis, title=heading, tiles=None if no_tiles else basemap, controls=chosen)
    page = fmap.get_root().render()
    if inline_assets is None:
        # A map that opens without a network whenever it can: inline if all is cached.
        inline_assets = all_cached(page)
        note = not inline_assets
    else:
        note = False
    if inline_assets:
        page = inline(page)
    write_atomic(output, page, force=force)
    if note:
        click.echo(
            "flashpoints: note: the map loads its JavaScript from CDNs; run 'flashpoints"
            " assets fetch' once so maps carry it and open offline",
            err=True,
        )
    click.echo(f"wrote {output}: {len(analysis.places)} places, {len(analysis.zones)} zones")


def _geoparse_jsonl(with_relative: bool, options: GeoparseOptions) -> None:
    """Read ``{"id", "text"}`` lines on stdin; write ``{"id", "mentions"}`` lines, in order.

    This form is how the geoparser is measured, so by default it lists toponyms only; derived
    relative mentions ("northeast of al Tanf", kind ``relative``) come with ``--with-relative``.
    """
    gazetteer = open_gazetteer()
    bad = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            click.echo(f"flashpoints: error: stdin:{number}: bad JSON line ({err})", err=True)
            bad += 1
            continue
        mentions = toponym_records(text, gazetteer, options, with_relative=with_relative)
        out = {"id": record.get("id"), "mentions": mentions}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    if bad:
        sys.exit(EXIT_ERROR)


@main.command("geoparse")
@click.argument("inputs", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["json", "geojson", "csv"]), default="json")
@click.option("--jsonl", is_flag=True, help='JSON lines {"id", "text"} on stdin, one out each.')
@click.option("--with-relative", is_flag=True, help="--jsonl: include relative mentions too.")
@_theatre_option
@_online_option
@_friendly
def geoparse_command(
    inputs, fmt, jsonl, with_relative, theatre, online, domain, scheme, config
) -> None:
    """Print the place mentions found in INPUT files."""
    geocoder = _chain(online, domain, scheme, config)
    if jsonl:
        if geocoder is not None:
            raise InputError("--jsonl measures the offline geoparser; drop --online")
        _geoparse_jsonl(with_relative, _options(theatre))
        return
    analysis = _analysis(inputs, (), theatre, geocoder=geocoder)
    if fmt == "csv":
        click.echo(to_csv(analysis), nl=False)
    elif fmt == "geojson":
        click.echo(dumps(to_geojson(analysis, include_zones=False, include_events=False)))
    else:
        click.echo(
            dumps(
                {
                    "mentions": [mention_record(m) for m in analysis.mentions],
                    "unresolved": [asdict(u) for u in analysis.unresolved],
                }
            )
        )


@main.command("zones")
@click.argument("inputs", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
@click.option(
    "--check",
    "check",
    type=click.Path(),
    default=None,
    help="Validate a zone file (or folder) and list every problem; no INPUT needed.",
)
@_zones_option
@_theatre_option
@_friendly
def zones_command(inputs, fmt, check, zones, generated, strip_km, theatre) -> None:
    """Report zones with their member places, and each place's distances to zone edges."""
    if check:
        found, problems, warnings = check_zone_file(check)
        for line in warnings:
            click.echo(f"warning: {line}", err=True)
        for line in problems:
            click.echo(f"flashpoints: error: {line}", err=True)
        if problems:
            sys.exit(EXIT_ERROR)
        click.echo(f"{check}: ok, {len(found)} zone(s)")
        return
    analysis = _analysis(inputs, zones, theatre, generated, strip_km)
    report = {
        "zones": [
            {
                "id": z.id,
                "name": z.name,
                "kind": z.kind,
                "members": [p.name for p in analysis.members_of(z.id)],
            }
            for z in analysis.zones
        ],
        "places": [
            {
                "name": p.name,
                "lat": p.lat,
                "lon": p.lon,
                "zones": list(analysis.zones_of(p.id)),
                "distances_km": {m.zone_id: m.distance_km for m in analysis.memberships_of(p.id)},
                "border": standing_record(analysis.standing_of(p.id)),
            }
            for p in analysis.places
        ],
    }
    click.echo(dumps(report))


@main.command("export")
@click.argument("inputs", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["geojson", "csv", "kml"]), required=True)
@click.option("-o", "--output", type=click.Path(), required=True)
@click.option("--db", default=None, type=click.Path(exists=True), help="Export a corpus store.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@_zones_option
@_theatre_option
@_online_option
@_friendly
def export_command(
    inputs,
    fmt,
    output,
    db,
    force,
    zones,
    generated,
    strip_km,
    theatre,
    online,
    domain,
    scheme,
    config,
) -> None:
    """Export places (and zones) as GeoJSON, CSV or KML, from INPUT files or a store."""
    analysis = _source_analysis(
        inputs, db, zones, theatre, generated, strip_km, (online, domain, scheme, config)
    )
    run = manifest(
        analysis,
        command="export",
        inputs=list(inputs),
        db=db,
        zone_files=list(zones),
        generated=generated,
        strip_km=strip_km,
        theatre=theatre,
        online=online,
    )
    content = {
        "geojson": lambda: dumps(to_geojson(analysis, run=run)) + "\n",
        "csv": lambda: to_csv(analysis),
        "kml": lambda: to_kml(analysis, run=run),
    }[fmt]()
    if fmt == "csv":
        # CSV has nowhere to put it: the manifest goes beside the file.
        sidecar = Path(f"{output}.manifest.json")
        write_atomic(sidecar, dumps(run) + "\n", force=force)
    write_atomic(Path(output), content, force=force)
    click.echo(f"wrote {output}")


@main.command("ingest")
@click.argument("inputs", nargs=-1)
@click.option("--db", required=True, type=click.Path(), help="Store file (created if new).")
@click.option("--published", default=None, help="Article date YYYY-MM-DD when inputs lack one.")
@click.option(
    "--workers",
    type=int,
    default=os.cpu_count() or 1,
    show_default="all cores",
    help="Processes to geoparse with (small jobs run in one).",
)
@click.option("--dask", default=None, metavar="tcp://HOST:PORT", help="Use a Dask cluster.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_theatre_option
@_friendly
def ingest_command(inputs, db, published, workers, dask, quiet, theatre) -> None:
    """Add articles (files, folders, JSON-lines corpora) to a corpus store, once each."""
    if not inputs:
        raise InputError("no input given (a file, a folder or - for stdin)")
    if workers < 1:
        raise InputError("--workers must be at least 1")
    bad: list[str] = []

    def skipped(problem: str) -> None:
        bad.append(problem)
        if len(bad) <= 20:
            click.echo(f"flashpoints: warning: skipped {problem}", err=True)

    docs = load_documents(inputs, published=published, on_error=skipped)
    with (
        Store(db) as store,
        tqdm(unit=" articles", disable=quiet, file=sys.stderr, desc="ingest") as bar,
    ):
        result = ingest(
            docs,
            store,
            workers=workers,
            dask=dask,
            options=_options(theatre),
            progress=bar.update,
            inputs=inputs,
        )
        counts = store.counts()
    click.echo(
        f"{db}: {result['added']} added, {result['duplicates']} already stored;"
        f" {result['mentions']} mentions, {result['events']} events."
        f" Store: {counts['documents']} articles, {counts['places']} places,"
        f" {counts['events']} events."
    )
    if bad:
        _fail(f"{len(bad)} bad line(s) skipped, first {bad[0]}")


@main.command("events")
@click.argument("inputs", nargs=-1)
@click.option("--db", default=None, type=click.Path(exists=True), help="Read a corpus store.")
@click.option("--published", default=None, help="Article date YYYY-MM-DD when inputs lack one.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@_theatre_option
@_friendly
def events_command(inputs, db, published, fmt, theatre) -> None:
    """Dated events (what happened, where, when, by whom) in INPUT files or a store."""
    if db:
        with Store(db) as store:
            events = store.events()
    else:
        if not inputs:
            raise InputError("no input given (a file, a folder, - for stdin, or --db)")
        options = _options(theatre)
        docs = load_documents(inputs, published=published)
        # Events need the mentions only: no zones, borders or memberships to compute.
        events = merge_events(e for d in docs for e in process_document(d, options)[2])
    records = [e.record() for e in events]
    if fmt == "csv":
        click.echo(events_csv(records), nl=False)
    else:
        click.echo(dumps({"events": records}))


@main.group("assets")
def assets_group() -> None:
    """The map's JavaScript and CSS, cached for air-gapped maps (--inline-assets)."""


@assets_group.command("fetch")
@_friendly
def assets_fetch_command() -> None:
    """Download every file a map may load into the local cache (needs a network, once)."""
    cache = AssetCache()
    fetched, failed = fetch_assets(map_asset_urls(), cache, registry=npm_registry())
    for line in failed:
        click.echo(f"flashpoints: warning: could not fetch {line}", err=True)
    click.echo(f"{cache.root}: {len(fetched)} file(s) fetched, {len(failed)} failed")
    if failed:
        sys.exit(EXIT_ERROR)


@assets_group.command("list")
@_friendly
def assets_list_command() -> None:
    """Show which of the map's files are cached."""
    for url, cached in cache_status(map_asset_urls()).items():
        click.echo(f"{'cached ' if cached else 'MISSING'}  {url}")


@main.command("geocode")
@click.argument("names", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--reverse", is_flag=True, help="NAMES are 'lat,lon' points: what is there.")
@_online_option
@_friendly
def geocode_command(names, fmt, reverse, online, domain, scheme, config) -> None:
    """Place each NAME: offline gazetteer first, then --online GEOCODER if given (cached)."""
    if not names:
        raise InputError("no name given")
    chain = _chain(online, domain, scheme, config, always=True)
    results = []
    for name in names:
        if reverse:
            try:
                lat, lon = (float(v) for v in name.split(","))
            except ValueError as err:
                raise InputError(f"--reverse takes lat,lon points (not {name!r})") from err
            results.append(chain.reverse(lat, lon))
        else:
            results.append(chain.geocode(name))
    if fmt == "json":
        click.echo(dumps({"results": [r.record() for r in results]}))
    else:
        for r in results:
            if r.found:
                where = f"{r.lat:.5f}, {r.lon:.5f}"
                extra = f" ({r.distance_km} km away)" if r.distance_km is not None else ""
                source = f"{r.geocoder}{', cached' if r.cached else ''}"
                click.echo(
                    f"{r.query}\t{r.name}\t{where}\t{r.kind}\t{r.country_code or ''}"
                    f"\t{source}{extra}"
                )
            else:
                click.echo(f"{r.query}\tnot found\t{r.reason}")
    if not any(r.found for r in results):
        sys.exit(1)


@main.command("dashboard", context_settings={"ignore_unknown_options": True})
@click.option(
    "--port", type=int, default=None, help="Port to serve on (default: Streamlit's 8501)."
)
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
def dashboard_command(port: int | None, streamlit_args: tuple[str, ...]) -> None:
    """Open the dashboard in the browser (Streamlit serving the installed package's page).

    Extra arguments go to ``streamlit run`` (e.g. ``--server.headless true``)."""
    import subprocess
    from importlib import resources

    page = str(resources.files("geo") / "dashboard.py")
    command = [sys.executable, "-m", "streamlit", "run", page]
    if port is not None:
        command += ["--server.port", str(port)]
    command += list(streamlit_args)
    try:
        sys.exit(subprocess.call(command))
    except KeyboardInterrupt:  # Ctrl-C stops Streamlit; nothing to report
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
