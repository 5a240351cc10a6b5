"""The ``flashpoints`` command: each subcommand calls the library and turns its errors into one
line on stderr with exit status 2. No logic lives here that a library user would miss.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

import click
from tqdm import tqdm

from .corrections import CorrectionStore
from .errors import FlashpointsError, InputError
from .events import merge_events
from .export import (
    dumps,
    events_acled_csv,
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
from .geoparsing import GeoparseOptions
from .ingest import ingest
from .mapoptions import CONTROLS, DEFAULT_BASEMAP, DEFAULT_CONTROLS
from .paths import setting
from .pgstore import redact
from .pipeline import (
    analyse,
    analyse_store,
    corpus_events,
    geoparse_documents,
    process_document,
    toponym_stream,
)
from .safe import check_output
from .store import Store, open_store
from .text import load_documents, parse_record, record_id, record_text
from .zonegen import ZoneOptions

if TYPE_CHECKING:
    from .geocode import GeocoderChain, OnlineSettings
    from .query import EventQuery

# Commands import what only they need (folium, shapely, geopy) when they run, so --help and
# geoparse start in a fraction of a second.

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


class _Skipped:
    """Collects the inputs skipped on the way (``file:line: why``): each is a warning on
    stderr as it happens (the first 20), and :meth:`finish` makes the exit status say so."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, problem: str) -> None:
        self.lines.append(problem)
        if len(self.lines) <= 20:
            click.echo(f"flashpoints: warning: skipped {problem}", err=True)

    def store(self, store: Store) -> None:
        """Rows a store could not read back, as warnings (they never stop the reading)."""
        for problem in store.problems:
            click.echo(f"flashpoints: warning: {problem}", err=True)

    def finish(self) -> None:
        if self.lines:
            _fail(f"{len(self.lines)} bad input(s) skipped, first {self.lines[0]}")


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
    unknown = [c for c in codes if open_gazetteer().country(c) is None]
    if unknown:
        raise InputError(
            f"--theatre: unknown country code(s) {', '.join(unknown)} (ISO 3166-1 alpha-2,"
            " like SY,IQ,JO)"
        )
    return GeoparseOptions(theatre=codes)


def _analysis(
    inputs: tuple[str, ...],
    zones: tuple[str, ...],
    theatre: str | None = None,
    generated: bool = True,
    strip_km: float = ZoneOptions.strip_km,
    geocoder: GeocoderChain | None = None,
    skipped: _Skipped | None = None,
):
    if not inputs:
        raise InputError("no input given (a file, a folder or - for stdin)")
    if not 0 < strip_km <= 200:
        raise InputError("--strip-km must be between 0 and 200")
    from .zones import load_zones

    options = _options(theatre)
    zone_list = load_zones(list(zones)) if zones else None
    docs = list(load_documents(inputs, on_error=skipped))
    if not docs:
        raise InputError("no readable article in the input(s)")
    return analyse(
        docs,
        zones=zone_list,
        options=options,
        generate=generated,
        zone_options=ZoneOptions(strip_km=strip_km),
        geocoder=geocoder,
        corrections=_corrections(),
        on_error=skipped,
    )


def _source_analysis(inputs, db, zones, theatre, generated, strip_km, online_args, skipped):
    """The analysis of a corpus store (``--db``: no geoparsing again) or of INPUT files."""
    from .zones import load_zones

    if db:
        with open_store(db) as store:
            analysis = analyse_store(
                store,
                load_zones(list(zones)) if zones else None,
                generate=generated,
                zone_options=ZoneOptions(strip_km=strip_km),
                corrections=_corrections(store),
            )
            skipped.store(store)
            return analysis
    geocoder = _chain(*online_args)
    return _analysis(inputs, zones, theatre, generated, strip_km, geocoder, skipped)


def _corrections(store: Store | None = None) -> CorrectionStore | None:
    """The analyst's saved corrections (made in the dashboard), if there are any: the team's,
    kept in the store, when ``store`` is a shared (PostGIS) one."""
    if store is not None and store.shared:
        return store.corrections()
    path = CorrectionStore.default_path()
    return CorrectionStore(path) if path.is_file() else None


class StoreTarget(click.ParamType):
    """``--db``: a SQLite store file (which must exist when only read) or a
    ``postgresql://user@host/dbname`` URL of a PostGIS store."""

    name = "FILE|URL"

    def __init__(self, *, must_exist: bool) -> None:
        self.must_exist = must_exist

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value)
        if text.lower().startswith(("postgresql://", "postgres://")):
            return text
        if self.must_exist and not Path(text).exists():
            self.fail(f"store {text!r} does not exist", param, ctx)
        return text


def _online_settings(
    online: str | None, domain: str | None, scheme: str | None, config: str | None
) -> OnlineSettings | None:
    """The online geocoder the user asked for, by flag or config file; None means offline.

    Never on by default: only ``--online NAME`` or an ``[online]`` table in the file given by
    ``--config`` (or ``$FLASHPOINTS_CONFIG``) turns it on, and the CLI says so on stderr.
    ``--online none`` forces offline whatever the config says.
    """
    config = config or setting("CONFIG")
    if not config and online is None and not domain and not scheme:
        return None  # offline, the default: geopy is not even imported
    from .geocode import OnlineSettings, load_online_settings

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
    if settings is None and not always:
        return None
    from .geocode import GeocoderChain

    if settings is None:
        return GeocoderChain()
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
    click.option(
        "--scheme",
        type=click.Choice(["http", "https"]),
        default=None,
        help="Protocol for --domain (default: the geocoder's own, https for public services).",
    ),
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


def _mapping():
    """``geo.mapping``, imported without pandas when nothing has imported it yet.

    folium imports pandas only to accept DataFrames, which the map never passes, and pandas
    (with pyarrow) is a third of a map's start-up. It is kept out while folium loads, then
    allowed again, so later code may still import it.
    """
    if "pandas" in sys.modules or "geo.mapping" in sys.modules:
        from . import mapping

        return mapping
    sys.modules["pandas"] = None  # "import pandas" now fails
    try:
        from . import mapping
    finally:
        if sys.modules.get("pandas", 0) is None:
            del sys.modules["pandas"]
    return mapping


class _BasemapChoice(click.Choice):
    """``--basemap``: the base map names, read from the map package (and so folium) only
    when the map command runs, not when any command starts."""

    def __init__(self) -> None:
        self.case_sensitive = True

    @property
    def choices(self) -> Sequence[str]:  # type: ignore[override]
        return tuple(_mapping().BASEMAPS)


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
    type=_BasemapChoice(),
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
@click.option(
    "--db",
    default=None,
    type=StoreTarget(must_exist=True),
    help="Map a corpus store (file or URL).",
)
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
    check_output(output, force=force)
    skipped = _Skipped()
    chosen = tuple(c.strip() for c in controls.split(",") if c.strip() and c.strip() != "none")
    unknown = [c for c in chosen if c not in CONTROLS]
    if unknown:
        raise InputError(f"unknown map control {unknown[0]!r}; choose from {', '.join(CONTROLS)}")
    analysis = _source_analysis(
        inputs, db, zones, theatre, generated, strip_km, (online, domain, scheme, config), skipped
    )
    from .assets import all_cached
    from .assets import inline_assets as inline

    build_map = _mapping().build_map
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
    skipped.finish()


def _geoparse_jsonl(with_relative: bool, options: GeoparseOptions, workers: int = 0) -> None:
    """Read ``{"id", "text"}`` lines on stdin; write ``{"id", "mentions"}`` lines, in order.

    This form is how the geoparser is measured, so by default it lists toponyms only; derived
    relative mentions ("northeast of al Tanf", kind ``relative``) come with ``--with-relative``.
    ``workers`` spreads the lines over processes (0: every core for large inputs); the output
    keeps the input order.
    """
    bad = 0
    ids: list = []

    def texts():
        nonlocal bad
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                record = parse_record(line)
                text, doc_id = record_text(record), record_id(record)
            except InputError as err:
                click.echo(f"flashpoints: error: stdin:{number}: {err}", err=True)
                bad += 1
                continue
            ids.append(doc_id)
            yield text

    stream = toponym_stream(texts(), options, with_relative=with_relative, workers=workers)
    for number, mentions in enumerate(stream):
        out = {"id": ids[number], "mentions": mentions}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    if bad:
        sys.exit(EXIT_ERROR)


@main.command("geoparse")
@click.argument("inputs", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "geojson", "csv"]),
    default="json",
    show_default=True,
    help="json: mentions and unresolved names; geojson: places as points; csv: one row a mention.",
)
@click.option("--jsonl", is_flag=True, help='JSON lines {"id", "text"} on stdin, one out each.')
@click.option("--with-relative", is_flag=True, help="--jsonl: include relative mentions too.")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="--jsonl: processes to use (0: every core for inputs of 2 MB or more, else one).",
)
@_theatre_option
@_online_option
@_friendly
def geoparse_command(
    inputs, fmt, jsonl, with_relative, workers, theatre, online, domain, scheme, config
) -> None:
    """Print the place mentions found in INPUT files, folders, http(s) URLs or - (stdin)."""
    geocoder = _chain(online, domain, scheme, config)
    if jsonl:
        if geocoder is not None:
            raise InputError("--jsonl measures the offline geoparser; drop --online")
        _geoparse_jsonl(with_relative, _options(theatre), workers)
        return
    skipped = _Skipped()
    if fmt == "json":
        # Mentions only: no zones, borders or map, so none of their geometry is loaded.
        if not inputs:
            raise InputError("no input given (a file, a folder or - for stdin)")
        docs = list(load_documents(inputs, on_error=skipped))
        if not docs:
            raise InputError("no readable article in the input(s)")
        per_doc, unresolved = geoparse_documents(
            docs,
            options=_options(theatre),
            geocoder=geocoder,
            corrections=_corrections(),
            on_error=skipped,
        )
        mentions = [mention_record(m) for _, found in per_doc for m in found]
        click.echo(dumps({"mentions": mentions, "unresolved": [asdict(u) for u in unresolved]}))
        skipped.finish()
        return
    analysis = _analysis(inputs, (), theatre, geocoder=geocoder, skipped=skipped)
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
    skipped.finish()


@main.command("zones")
@click.argument("inputs", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json"]),
    default="json",
    show_default=True,
    help="The report's format (JSON only, for now; 'export' writes GeoJSON, CSV and KML).",
)
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
    from .zones import check_zone_file

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
    skipped = _Skipped()
    analysis = _analysis(inputs, zones, theatre, generated, strip_km, skipped=skipped)
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
                "name": s.place.name,
                "lat": s.place.lat,
                "lon": s.place.lon,
                "zones": list(s.zones),
                "distances_km": s.distances_km,
                "border": standing_record(s.standing),
            }
            for s in analysis.summaries()
        ],
    }
    click.echo(dumps(report))
    skipped.finish()


@main.command("export")
@click.argument("inputs", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "csv", "kml"]),
    required=True,
    help="geojson: places, zones and events (RFC 7946); csv: one row a mention, with a"
    " .manifest.json beside it; kml: placemarks for Google Earth.",
)
@click.option(
    "-o", "--output", type=click.Path(), required=True, help="Output file; - for standard output."
)
@click.option(
    "--db",
    default=None,
    type=StoreTarget(must_exist=True),
    help="Export a corpus store (file or URL).",
)
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
    # CSV has nowhere to put the manifest: it goes beside the file. Both are checked before
    # any work, so a refused export writes neither.
    to_stdout = output == "-"  # "-o -": standard output, for pipes (CSV without its manifest)
    sidecar = Path(f"{output}.manifest.json") if fmt == "csv" and not to_stdout else None
    if not to_stdout:
        check_output(output, force=force)
    if sidecar is not None:
        check_output(sidecar, force=force)
    skipped = _Skipped()
    analysis = _source_analysis(
        inputs, db, zones, theatre, generated, strip_km, (online, domain, scheme, config), skipped
    )
    run = manifest(
        analysis,
        command="export",
        inputs=list(inputs),
        db=redact(db) if db else None,
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
    if to_stdout:
        click.echo(content, nl=False)
        skipped.finish()
        return
    write_atomic(Path(output), content, force=force)
    if sidecar is not None:
        write_atomic(sidecar, dumps(run) + "\n", force=force)
    click.echo(f"wrote {output}")
    skipped.finish()


@main.command("ingest")
@click.argument("inputs", nargs=-1)
@click.option(
    "--db",
    required=True,
    envvar="FLASHPOINTS_DB",
    type=StoreTarget(must_exist=False),
    help="Store: a file (created if new) or postgresql://user@host/dbname [env FLASHPOINTS_DB].",
)
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
@_online_option
@_friendly
def ingest_command(
    inputs, db, published, workers, dask, quiet, theatre, online, domain, scheme, config
) -> None:
    """Add articles (files, folders, JSON-lines corpora) to a corpus store, once each."""
    if not inputs:
        raise InputError("no input given (a file, a folder or - for stdin)")
    if workers < 1:
        raise InputError("--workers must be at least 1")
    options = _options(theatre)
    skipped = _Skipped()
    docs = load_documents(inputs, published=published, on_error=skipped)
    with (
        open_store(db) as store,
        tqdm(unit=" articles", disable=quiet, file=sys.stderr, desc="ingest") as bar,
    ):
        result = ingest(
            docs,
            store,
            workers=workers,
            dask=dask,
            options=options,
            progress=bar.update,
            inputs=inputs,
            geocoder=_chain(online, domain, scheme, config),
            on_error=skipped,
        )
        counts = store.counts()
    click.echo(
        f"{db}: {result['added']} added, {result['duplicates']} already stored,"
        f" {len(skipped.lines)} skipped;"
        f" {result['mentions']} mentions, {result['events']} events."
        f" Store: {counts['documents']} articles, {counts['places']} places,"
        f" {counts['events']} events."
    )
    skipped.finish()


@main.command("events")
@click.argument("inputs", nargs=-1)
@click.option(
    "--db",
    default=None,
    type=StoreTarget(must_exist=True),
    help="Read a corpus store (file or URL).",
)
@click.option("--published", default=None, help="Article date YYYY-MM-DD when inputs lack one.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "acled-csv"]),
    default="json",
    show_default=True,
    help="json: {events: [...]}; csv: one row an event; acled-csv: ACLED's columns and codes.",
)
@click.option(
    "--include-unreal",
    is_flag=True,
    help="Also list what did not happen (planned, threatened, denied...), with its modality"
    " (INPUT files only: a store keeps what happened).",
)
@click.option(
    "--zone",
    "zone_name",
    default=None,
    metavar="ID|NAME",
    help="Only events in this zone (from --zones or the bundled zones), or within --within-km"
    " of its edge.",
)
@click.option(
    "--zones",
    "zone_files",
    multiple=True,
    type=click.Path(exists=True),
    help="Zone file or folder (GeoJSON) to find --zone in; default: the bundled zones.",
)
@click.option(
    "--near", default=None, metavar="LAT,LON", help="Only events within --within-km of a point."
)
@click.option("--within-km", default=0.0, type=float, help="Distance for --zone and --near.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Only events on or after.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Only events on or before.")
@click.option("--kind", "kinds", multiple=True, help="Only events of this kind (repeatable).")
@_theatre_option
@_friendly
def events_command(
    inputs,
    db,
    published,
    fmt,
    include_unreal,
    zone_name,
    zone_files,
    near,
    within_km,
    since,
    until,
    kinds,
    theatre,
) -> None:
    """Dated events (what happened, where, when, by whom) in INPUT files or a store.

    The filters (--zone, --near, --since...) are answered by the database when the store is
    PostGIS, and in memory otherwise, with the same result.
    """
    skipped = _Skipped()
    query = _event_query(zone_name, zone_files, near, within_km, since, until, kinds)
    if db:
        with open_store(db) as store:
            events = corpus_events(store, _corrections(store), query=query)
            skipped.store(store)
    else:
        if not inputs:
            raise InputError("no input given (a file, a folder, - for stdin, or --db)")
        options = _options(theatre)
        found = []
        for doc in load_documents(inputs, published=published, on_error=skipped):
            # Events need the mentions only: no zones, borders or memberships to compute.
            try:
                found += process_document(doc, options, include_unreal=include_unreal)[2]
            except Exception as err:  # one article's failure is its own
                skipped(f"{doc.source}: {type(err).__name__}: {err}"[:300])
        events = query.apply(merge_events(found))
    if fmt == "acled-csv":
        gazetteer = open_gazetteer()

        def country_name(code: str) -> str:
            country = gazetteer.country(code) if code else None
            return country.name if country else code

        click.echo(events_acled_csv(events, country_name), nl=False)
        skipped.finish()
        return
    records = [e.record() for e in events]
    if fmt == "csv":
        click.echo(events_csv(records), nl=False)
    else:
        click.echo(dumps({"events": records}))
    skipped.finish()


def _event_query(zone_name, zone_files, near, within_km, since, until, kinds) -> EventQuery:
    """The ``events`` filters as one query; a bad value is a one-line error."""
    from .query import EventQuery
    from .text import parse_date

    zone = None
    if zone_name:
        from .zones import load_zones

        zones = load_zones(list(zone_files)) if zone_files else load_zones()
        wanted = zone_name.casefold()
        found = [z for z in zones if wanted in (z.id.casefold(), z.name.casefold())]
        if not found:
            known = ", ".join(sorted(z.id for z in zones)[:12])
            raise InputError(f"--zone {zone_name!r}: no such zone (known: {known}...)")
        zone = found[0]
    point = None
    if near:
        try:
            lat, lon = (float(v) for v in near.split(","))
        except ValueError:
            raise InputError(f"--near {near!r}: write LAT,LON, e.g. 33.5,38.6") from None
        point = (lat, lon)
    dates = []
    for flag, value in (("--since", since), ("--until", until)):
        try:
            dates.append(parse_date(value) if value else None)
        except InputError as err:
            raise InputError(f"{flag}: {err}") from None
    return EventQuery(
        zone=zone,
        within_km=within_km,
        near=point,
        since=dates[0],
        until=dates[1],
        kinds=tuple(kinds),
    )


@main.command("watch")
@click.argument("sources", nargs=-1)
@click.option(
    "--db",
    default=None,
    type=StoreTarget(must_exist=False),
    help="Store: a file (created if new) or postgresql://user@host/dbname; else the config"
    " file's [watch] db, else $FLASHPOINTS_DB.",
)
@click.option("--every", default=None, help="Time between polls: 10m, 30s, 1h (default 10m).")
@click.option("--once", is_flag=True, help="Poll once and exit.")
@click.option(
    "--config",
    default=None,
    type=click.Path(),
    help="TOML file with [watch] feeds and [[alert]] rules (default: $FLASHPOINTS_CONFIG).",
)
@click.option(
    "--alerts-out",
    default=None,
    metavar="FILE",
    help="Append alerts as JSON lines to FILE; '-' (default) is standard output.",
)
@click.option("--delay", default=None, help="Least time between two requests to one host (2s).")
@_theatre_option
@_friendly
def watch_command(sources, db, every, once, config, alerts_out, delay, theatre) -> None:
    """Poll RSS/Atom feeds (or pages) into a store, and raise alerts, until stopped."""
    from .watch import Watcher, load_watch_config, parse_duration

    settings = load_watch_config(config or setting("CONFIG"))
    every_s = parse_duration(every, "--every") if every else settings.every_s
    fetch = settings.fetch
    if delay is not None:
        fetch = replace(fetch, host_delay_s=parse_duration(delay, "--delay"))
    target = alerts_out or settings.alerts_out or "-"
    db = db or settings.db or setting("DB")
    if not db:
        raise InputError(
            "no store given: --db FILE|URL, [watch] db in the config file, or $FLASHPOINTS_DB"
        )
    with (
        open_store(db) as store,
        click.open_file(target, "a", encoding="utf-8", lazy=False) as out,
    ):
        watcher = Watcher(
            store,
            [*sources, *settings.feeds],
            rules=settings.rules,
            fetch=fetch,
            options=_options(theatre),
            out=cast(TextIO, out),
            log=lambda line: click.echo(f"flashpoints: {line}", err=True),
        )
        watcher.run(every_s, once=once)


@main.command("alerts")
@click.option(
    "--db",
    required=True,
    envvar="FLASHPOINTS_DB",
    type=StoreTarget(must_exist=True),
    help="Read a corpus store (file or URL) [env FLASHPOINTS_DB].",
)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@_friendly
def alerts_command(db, fmt) -> None:
    """Alerts the watch raised, newest first: rule, event, place, date, sentence, delivery."""
    from .alerts import alerts_csv

    with open_store(db) as store:
        records = store.alerts()
    if fmt == "csv":
        click.echo(alerts_csv(records), nl=False)
    else:
        click.echo(dumps({"alerts": records}))


@main.group("assets")
def assets_group() -> None:
    """The map's JavaScript and CSS, cached for air-gapped maps (--inline-assets)."""


@assets_group.command("fetch")
@_friendly
def assets_fetch_command() -> None:
    """Download every file a map may load into the local cache (needs a network, once)."""
    from .assets import AssetCache, fetch_assets, npm_registry
    from .mapping import map_asset_urls

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
    from .assets import cache_status
    from .mapping import map_asset_urls

    for url, cached in cache_status(map_asset_urls()).items():
        click.echo(f"{'cached ' if cached else 'MISSING'}  {url}")


@main.command("geocode")
@click.argument("names", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one tab-separated line a name; json: {results: [...]}.",
)
@click.option("--reverse", is_flag=True, help="NAMES are 'lat,lon' points: what is there.")
@_online_option
@_friendly
def geocode_command(names, fmt, reverse, online, domain, scheme, config) -> None:
    """Place each NAME: offline gazetteer first, then --online GEOCODER if given (cached)."""
    if not names:
        raise InputError("no name given")
    chain = _chain(online, domain, scheme, config, always=True)
    assert chain is not None  # always=True: the offline chain at least
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
