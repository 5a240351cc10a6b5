"""Shared fixtures: the real gazetteer, the bundled samples, and their analyses."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.gazetteer import open_gazetteer
from geo.pipeline import analyse
from geo.samples import DEFAULT_SAMPLE, SAMPLES_DIR
from geo.text import load_path

ROOT = Path(__file__).resolve().parent.parent
SHARED_EXAMPLE = ROOT.parent / "shared" / "examples" / "al-tanf-article.txt"


@pytest.fixture(scope="session", autouse=True)
def _private_user_files(tmp_path_factory):
    """Corrections and the geocoding cache go to a scratch folder, never the user's own."""
    scratch = tmp_path_factory.mktemp("user-files")
    patch = pytest.MonkeyPatch()
    patch.setenv("FLASHPOINTS_CORRECTIONS", str(scratch / "corrections.sqlite"))
    patch.setenv("FLASHPOINTS_GEOCODE_CACHE", str(scratch / "geocode.sqlite"))
    yield scratch
    patch.undo()


@pytest.fixture(scope="session")
def gazetteer():
    return open_gazetteer()


@pytest.fixture(scope="session")
def sample_doc():
    return load_path(DEFAULT_SAMPLE)[0]


@pytest.fixture(scope="session")
def sample_analysis(gazetteer, sample_doc):
    return analyse([sample_doc], gazetteer=gazetteer)


@pytest.fixture(scope="session")
def samples_dir():
    return SAMPLES_DIR


def place_named(analysis, name):
    """The analysis' place with this name (fails the test if absent)."""
    for place in analysis.places:
        if place.name == name:
            return place
    raise AssertionError(f"{name!r} not among {[p.name for p in analysis.places]}")


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL + PostGIS server for this run (see tests/pgcluster.py). Skipped, with the
    reason, where it is not installed; under CI (``$CI`` set) that is a failure instead."""
    import os

    from tests.pgcluster import Cluster, server_bin, why_missing

    if os.environ.get("FLASHPOINTS_TEST_PG"):
        yield None
        return
    if server_bin() is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostGIS tests: {why_missing()}")
        pytest.skip(why_missing())
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster, request):
    """A new, empty database on the test server for one test."""
    import os
    import re
    import uuid

    if pg_cluster is None:  # a server the user runs: a fresh database on it per test
        import psycopg

        base = os.environ["FLASHPOINTS_TEST_PG"]
        name = "fp_" + uuid.uuid4().hex[:12]
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return base.rsplit("/", 1)[0] + "/" + name
    stem = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40]
    return pg_cluster.create_database(f"{stem}_{uuid.uuid4().hex[:8]}")
