"""What a user installs is the wheel: build it, install it in a fresh virtual environment
outside the checkout, and run the CLI on the bundled sample from there."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv holding the built wheel. It sees the machine's site-packages for the
    dependencies (installing folium, streamlit and pandas again would only test pip), but
    ``flashpoints`` itself comes from the wheel, checked below."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(work / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((work / "dist").glob("flashpoints-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "flashpoints"), *args], cwd=cwd, capture_output=True, text=True
    )


def test_the_wheel_carries_its_data_and_runs_outside_the_checkout(installed, tmp_path):
    python = str(installed / "bin" / "python")
    where = subprocess.run(
        [python, "-c", "import geo, geo.paths; print(geo.__file__); print(geo.paths.DATA_DIR)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert str(installed) in where[0]
    assert str(ROOT) not in where[0]
    sample = Path(where[1]) / "samples" / "al-tanf-briefing.md"
    assert sample.is_file()

    parsed = _run(installed, "geoparse", str(sample), cwd=tmp_path)
    assert parsed.returncode == 0, parsed.stderr
    names = {m["name"] for m in json.loads(parsed.stdout)["mentions"]}
    assert "al Tanf garrison" in names

    page = tmp_path / "map.html"
    mapped = _run(installed, "map", str(sample), "-o", str(page), cwd=tmp_path)
    assert mapped.returncode == 0, mapped.stderr
    assert "al Tanf" in page.read_text()
    assert list(installed.glob("lib/python*/site-packages/geo/dashboard.py"))
    typed = list(installed.glob("lib/python*/site-packages/geo/py.typed"))
    assert typed, "the wheel ships py.typed"
