"""The public API: what ``import geo`` offers, its docstring examples, and its laziness."""

import doctest
import subprocess
import sys

import geo


def test_the_package_docstring_examples_run():
    failures, tried = doctest.testmod(geo, verbose=False)
    assert tried >= 5
    assert failures == 0


def test_every_public_name_resolves():
    for name in geo.__all__:
        assert getattr(geo, name) is not None, name
    assert callable(geo.geoparse)  # the function, not the module of the same stem


def test_geoparsing_through_the_api_loads_no_map_or_dashboard_code():
    code = (
        "import sys, geo\n"
        "geo.geoparse(geo.document_from_text('Shelling hit Kharkiv.'))\n"
        "print(sorted(m for m in ('folium', 'streamlit', 'pandas') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
