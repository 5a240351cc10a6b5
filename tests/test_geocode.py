"""The geocoder chain against a local Nominatim stand-in: real geopy classes, no internet."""

import itertools
import json
import time

import pytest
from click.testing import CliRunner
from geopy.extra.rate_limiter import RateLimiter
from geopy.location import Location

from geo.cli import main
from geo.errors import InputError
from geo.geocode import (
    GeocodeCache,
    GeocoderChain,
    OfflineGeocoder,
    OnlineSettings,
    load_online_settings,
)
from geo.mapping import build_map
from geo.pipeline import analyse
from geo.text import document_from_text

from .nominatim_stub import NominatimStub


@pytest.fixture
def stub():
    with NominatimStub() as server:
        yield server


@pytest.fixture
def cache(tmp_path):
    cache = GeocodeCache(tmp_path / "geocode.sqlite")
    yield cache
    cache.close()


def _chain(gazetteer, stub, cache, sleeps=None, **settings):
    online = OnlineSettings(
        "nominatim",
        domain=stub.domain,
        scheme="http",
        min_delay_s=settings.pop("min_delay_s", 0.0),
        backoff_s=settings.pop("backoff_s", 0.01),
        **settings,
    )
    sleep = sleeps.append if sleeps is not None else (lambda s: None)
    return GeocoderChain(gazetteer, online, cache, sleep=sleep)


def test_offline_answers_first_and_the_service_is_not_asked(gazetteer, stub, cache):
    chain = _chain(gazetteer, stub, cache)
    result = chain.geocode("al Tanf")
    assert result.geocoder == "offline"
    assert result.name == "al Tanf garrison"
    assert stub.log == []


def test_unknown_name_goes_online_once_then_comes_from_the_cache(gazetteer, stub, cache):
    chain = _chain(gazetteer, stub, cache)
    first = chain.geocode("Umm Batinah")
    assert first.found
    assert (first.geocoder, first.cached) == ("nominatim", False)
    assert (first.lat, first.lon) == (33.1841, 35.8712)
    assert (first.kind, first.country_code) == ("town", "SY")
    again = chain.geocode("umm  batinah")  # same name, other spelling of space and case
    assert again.cached
    assert (again.lat, again.lon) == (first.lat, first.lon)
    assert len(stub.searches()) == 1
    # A new chain on the same cache file (a later run) asks nothing either.
    later = _chain(gazetteer, stub, cache)
    assert later.geocode("Umm Batinah").cached
    assert len(stub.searches()) == 1


def test_requests_carry_a_descriptive_user_agent(gazetteer, stub, cache):
    _chain(gazetteer, stub, cache).geocode("Umm Batinah")
    agent = stub.log[0][3]
    assert agent.startswith("flashpoints/")


def test_not_found_is_cached_too(gazetteer, stub, cache):
    chain = _chain(gazetteer, stub, cache)
    miss = chain.geocode("Nowhere Junction")
    assert not miss.found
    assert miss.reason == "not found by nominatim"
    assert chain.geocode("Nowhere Junction").cached
    assert len(stub.searches()) == 1


def test_cache_entries_expire(gazetteer, stub, cache):
    chain = _chain(gazetteer, stub, cache, cache_days=0.0)
    chain.geocode("Umm Batinah")
    time.sleep(0.01)
    assert not chain.geocode("Umm Batinah").cached
    assert len(stub.searches()) == 2


def test_the_rate_limit_spaces_requests(gazetteer, stub, cache):
    chain = _chain(gazetteer, stub, cache, min_delay_s=0.3)
    for name in ("Spot One", "Spot Two", "Spot Three"):
        assert chain.geocode(name).found
    times = [t for t, path, _, _ in stub.log if path == "/search"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 2
    assert min(gaps) >= 0.28


def test_nominatim_defaults_to_one_request_per_second():
    assert OnlineSettings("nominatim").delay_s == 1.0
    assert OnlineSettings("arcgis").delay_s < 1.0


def test_http_429_waits_as_long_as_retry_after_then_succeeds(gazetteer, stub, cache):
    sleeps = []
    stub.retry_after = 2
    chain = _chain(gazetteer, stub, cache, sleeps)
    result = chain.geocode("Busy Town")
    assert result.found
    assert sleeps == [2.0]
    assert len(stub.searches("Busy Town")) == 2


def test_a_long_retry_after_gives_up_on_that_name_instead_of_hanging(gazetteer, stub, cache):
    sleeps = []
    stub.retry_after = 3600
    chain = _chain(gazetteer, stub, cache, sleeps)
    result = chain.geocode("Busy Port")
    assert not result.found
    assert "429" in result.reason
    assert "3600" in result.reason
    assert sleeps == []


def test_server_errors_are_retried_with_backoff_and_not_cached(gazetteer, stub, cache):
    sleeps = []
    chain = _chain(gazetteer, stub, cache, sleeps, max_retries=2, backoff_s=0.5)
    result = chain.geocode("Broken Bridge")
    assert not result.found
    assert result.reason.startswith("service error")
    assert sleeps == [0.5, 1.0]
    assert len(stub.searches("Broken Bridge")) == 3
    assert cache.get(chain.online.cache_key, "Broken Bridge", 90) is None


def test_malformed_json_is_not_retried(gazetteer, stub, cache):
    chain = _chain(gazetteer, stub, cache)
    result = chain.geocode("Garbage Hill")
    assert not result.found
    assert result.reason.startswith("malformed answer")
    assert len(stub.searches("Garbage Hill")) == 1


def test_timeouts_are_reported(gazetteer, stub, cache):
    stub.slow_s = 1.0
    chain = _chain(gazetteer, stub, cache, timeout_s=0.2, max_retries=0)
    result = chain.geocode("Slow Valley")
    assert not result.found
    assert result.reason == "timed out after 0.2 s"


def test_an_unreachable_service_is_given_up_after_a_few_names(gazetteer, cache):
    closed = NominatimStub()  # bound, never served: connections are refused or time out
    domain = closed.domain
    closed.server_close()
    online = OnlineSettings(
        "nominatim", domain=domain, scheme="http", min_delay_s=0.0, timeout_s=1.0, backoff_s=0
    )
    chain = GeocoderChain(gazetteer, online, cache, sleep=lambda s: None)
    reasons = [chain.geocode(f"Place {n}").reason for n in range(5)]
    assert reasons[0].startswith(("service unavailable", "timed out"))
    assert chain.requests == 3 * (online.max_retries + 1)  # the last two are skipped
    assert reasons[-1].startswith("skipped: nominatim failed 3 times")


def test_reverse_offline_names_the_nearest_place_and_the_country(gazetteer):
    chain = GeocoderChain(gazetteer)
    result = chain.reverse(33.5, 38.62)
    assert result.name == "al Tanf garrison"
    assert result.country_code == "SY"
    assert 0 < result.distance_km < 2
    assert not chain.reverse(95.0, 10.0).found


def test_reverse_online_when_enabled(gazetteer, stub, cache):
    chain = _chain(gazetteer, stub, cache)
    result = chain.reverse(34.0, 38.0)
    assert (result.geocoder, result.name) == ("nominatim", "Somewhere at 34.00, 38.00")
    assert chain.reverse(34.0, 38.0).cached


def test_offline_gazetteer_is_a_geopy_geocoder(gazetteer):
    geocoder = OfflineGeocoder(gazetteer)
    # Used the way people use any geopy geocoder, rate limiter included.
    geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)
    location = geocode("Rukban")
    assert isinstance(location, Location)
    assert abs(location.latitude - 33.311) < 0.01
    assert location.raw["kind"] == "camp"
    several = geocoder.geocode("Sinjar", exactly_one=False, limit=3)
    assert 1 <= len(several) <= 3
    assert geocoder.geocode("Xyzzyville") is None
    reverse = geocoder.reverse("33.5, 38.62")
    assert reverse.address == "al Tanf garrison"


def test_analysis_places_unknown_names_online_and_lists_the_rest(gazetteer, stub, cache):
    text = (
        "Shelling hit the village of Umm Batinah on Monday. Fighters near Nowhere Junction "
        "fled toward al Tanf, officials said."
    )
    chain = _chain(gazetteer, stub, cache)
    analysis = analyse([document_from_text(text)], gazetteer=gazetteer, geocoder=chain)
    online = [m for m in analysis.mentions if m.place.id.startswith("online:")]
    assert [m.surface for m in online] == ["Umm Batinah"]
    assert online[0].sentence == "Shelling hit the village of Umm Batinah on Monday."
    assert "al Tanf garrison" in {p.name for p in analysis.places}
    assert [(u.surface, u.reason) for u in analysis.unresolved] == [
        ("Nowhere Junction", "not found by nominatim")
    ]
    html = build_map(analysis, tiles=None).get_root().render()
    assert "Names not placed" in html
    assert "Nowhere Junction" in html


def test_offline_analysis_never_asks(gazetteer, stub):
    text = "Shelling hit the village of Umm Batinah on Monday."
    analysis = analyse([document_from_text(text)], gazetteer=gazetteer)
    assert analysis.unresolved == ()
    assert stub.log == []


def test_config_file(tmp_path):
    path = tmp_path / "flashpoints.toml"
    path.write_text('[online]\nservice = "photon"\ndomain = "geo.example.org"\n')
    settings = load_online_settings(path)
    assert (settings.service, settings.domain) == ("photon", "geo.example.org")
    path.write_text('[online]\nservice = "photon"\ncolour = "red"\n')
    with pytest.raises(InputError, match="unknown \\[online\\] setting"):
        load_online_settings(path)
    path.write_text("[online\n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_online_settings(path)
    path.write_text("# nothing online\n")
    assert load_online_settings(path) is None


def test_unknown_geocoder_is_a_clear_error(gazetteer):
    with pytest.raises(InputError, match="unknown online geocoder 'nominatum'"):
        GeocoderChain(gazetteer, OnlineSettings("nominatum"))


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHPOINTS_GEOCODE_CACHE", str(tmp_path / "cli-geocode.sqlite"))
    monkeypatch.delenv("FLASHPOINTS_CONFIG", raising=False)
    return CliRunner()


def test_cli_geocode_offline_and_online(runner, stub):
    args = ["geocode", "al Tanf", "Umm Batinah", "--format", "json"]
    offline = runner.invoke(main, args)
    assert offline.exit_code == 0, offline.output
    records = json.loads(offline.stdout)["results"]
    assert [r["found"] for r in records] == [True, False]
    assert records[1]["reason"] == "not in the offline gazetteer"
    assert stub.log == []

    online = ["--online", "nominatim", "--domain", stub.domain, "--scheme", "http"]
    result = runner.invoke(main, args + online)
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)["results"]
    assert records[0]["geocoder"] == "offline"
    assert records[1]["found"]
    assert (records[1]["geocoder"], records[1]["cached"]) == ("nominatim", False)
    assert "online geocoding with nominatim" in result.stderr
    again = runner.invoke(main, args + online)
    assert json.loads(again.stdout)["results"][1]["cached"] is True
    assert len(stub.searches()) == 1


def test_cli_geocode_text_output_and_reasons(runner, stub):
    online = ["--online", "nominatim", "--domain", stub.domain, "--scheme", "http"]
    result = runner.invoke(main, ["geocode", "Garbage Hill", *online])
    assert result.exit_code == 1
    assert "Garbage Hill\tnot found\tmalformed answer" in result.stdout


def test_cli_config_file_enables_online(runner, stub, tmp_path):
    config = tmp_path / "fp.toml"
    config.write_text(
        f'[online]\nservice = "nominatim"\ndomain = "{stub.domain}"\nscheme = "http"\n'
    )
    result = runner.invoke(main, ["geocode", "Tal Hamis", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "nominatim" in result.stdout
    args = ["geocode", "Tal Hamis", "--config", str(config), "--online", "none"]
    forced = runner.invoke(main, args)
    assert forced.exit_code == 1
    assert "not in the offline gazetteer" in forced.stdout


def test_cli_bad_geocoder_options_are_one_line_errors(runner):
    for args in (
        ["geocode", "x", "--online", "nominatum"],
        ["geocode", "x", "--domain", "127.0.0.1:9"],
        ["geocode", "--reverse", "north,east"],
        ["geocode"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, args
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("flashpoints: error: ")


def test_cli_map_with_online_geocoder(runner, stub, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Shelling hit the village of Umm Batinah near al Tanf on Monday.\n")
    out = tmp_path / "map.html"
    online = ["--online", "nominatim", "--domain", stub.domain, "--scheme", "http"]
    result = runner.invoke(main, ["map", str(article), "-o", str(out), "--no-tiles", *online])
    assert result.exit_code == 0, result.output
    assert "Umm Batinah" in out.read_text()


def test_an_unopenable_geocoding_cache_is_a_one_line_error(tmp_path):
    (tmp_path / "taken").write_text("a file where the folder should be")
    with pytest.raises(InputError, match=r"cannot open the geocoding cache") as err:
        GeocodeCache(tmp_path / "taken" / "geocode.sqlite")
    assert "\n" not in str(err.value)
