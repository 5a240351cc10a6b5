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
