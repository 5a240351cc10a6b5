"""Network reads have a size cap and an overall deadline; wrong geocoder answers are refused.
Everything here runs against a local server on 127.0.0.1."""

import time

import pytest

from geo.errors import FetchError, InputError
from geo.fetch import fetch
from geo.geocode import GeocodeCache, GeocoderChain, OnlineSettings
from geo.text import document_from_url

from .hostile_server import ANSWERS, HostileServer


@pytest.fixture(scope="module")
def server():
    with HostileServer() as running:
        yield running


@pytest.fixture
def chain(gazetteer, server, tmp_path):
    online = OnlineSettings(
        "nominatim",
        domain=server.domain,
        scheme="http",
        min_delay_s=0.0,
        timeout_s=1.0,
        backoff_s=0.01,
    )
    cache = GeocodeCache(tmp_path / "geocode.sqlite")
    yield GeocoderChain(gazetteer, online, cache, sleep=lambda s: None)
    cache.close()


def test_a_dripping_server_meets_the_overall_deadline(server):
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no whole answer within 1\.5 s") as caught:
        fetch(server.url("/drip"), timeout_s=1.0, deadline_s=1.5)
    assert caught.value.kind == "deadline"
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("path", ["/flood", "/declared-huge"])
def test_answers_are_capped_in_size(server, path):
    with pytest.raises(FetchError, match="allowed") as caught:
        fetch(server.url(path), max_bytes=1_000_000)
    assert caught.value.kind == "too-large"


def test_redirects_to_another_host_only_when_allowed(server):
    with pytest.raises(FetchError, match=r"redirected to another host \(localhost:"):
        fetch(server.url("/elsewhere"), same_host=True)
    assert fetch(server.url("/moved")).url.startswith("http://localhost:")


def test_pages_have_the_article_limit_and_a_deadline(server, monkeypatch):
    assert "al Tanf" in document_from_url(server.url("/moved")).text
    monkeypatch.setenv("FLASHPOINTS_MAX_ARTICLE_MB", "0.5")
    with pytest.raises(InputError, match=r"more than the 0\.5 MB an article may be"):
        document_from_url(server.url("/page-flood"))
    started = time.monotonic()
    with pytest.raises(InputError, match=r"no whole answer within 1\.5 s"):
        document_from_url(server.url("/page-drip"), timeout_s=0.5)
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("query", [q for q in ANSWERS if q not in ("good place", "address list")])
def test_well_formed_but_wrong_answers_are_not_places(chain, query):
    result = chain.geocode_online(query)
    assert not result.found
    assert "malformed answer" in result.reason
    assert chain.cache.get(chain.online.cache_key, query, 1) is None  # never cached as a place


def test_a_good_answer_still_is_a_place_and_a_bad_detail_costs_only_the_detail(chain):
    result = chain.geocode_online("good place")
    assert (result.lat, result.lon) == (33.5, 36.3)
    odd = chain.geocode_online("address list")
    assert (odd.lat, odd.lon, odd.country_code) == (33.5, 36.3, None)


@pytest.mark.parametrize(
    ("query", "why"),
    [("drip", "no whole answer within 3 s"), ("flood", "allowed"), ("elsewhere", "another host")],
)
def test_geocoder_requests_are_bounded_and_stay_on_their_host(chain, query, why):
    started = time.monotonic()
    result = chain.geocode_online(query)
    assert not result.found
    assert why in result.reason
    assert result.reason.startswith("answer refused")
    assert time.monotonic() - started < 5.0
