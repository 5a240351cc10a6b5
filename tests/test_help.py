"""The help, the README examples and the dashboard's settings say what they should."""

import re
import shlex
from pathlib import Path

import pytest
import tomllib
from click.testing import CliRunner

from geo.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command", ["geoparse", "zones", "export", "events", "geocode"])
def test_every_format_option_is_described(command):
    result = CliRunner().invoke(main, [command, "--help"])
    text = " ".join(result.output.split())
    described = re.search(r"--format \[[^\]]+\]\s+(\S.*?)(?= --|$)", text)
    assert described, text
    assert len(described.group(1)) > 15


def test_scheme_and_geoparse_inputs_are_explained():
    text = " ".join(CliRunner().invoke(main, ["geoparse", "--help"]).output.split())
    assert "--scheme [http|https] Protocol" in text
    assert "URLs" in text
    assert "- (stdin)" in text


def test_readme_examples_run_in_order_without_overwriting_by_surprise():
    """Each example writing a file that an earlier one wrote says --force."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Command line", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    written: set[str] = set()
    for line in block.splitlines():
        for command in line.split(";"):
            words = shlex.split(command, comments=True)
            if not words or words[0] != "flashpoints":
                continue
            for flag in ("-o", "--output"):
                if flag in words:
                    out = words[words.index(flag) + 1]
                    assert out not in written or "--force" in words, command
                    written.add(out)
            for word in words[1:]:
                if word.startswith("data/"):
                    assert (ROOT / word).exists(), word


def test_streamlit_watches_only_what_it_should():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"


def test_unknown_theatre_codes_are_an_error():
    result = CliRunner().invoke(main, ["geoparse", "--theatre", "SY,XX,QQ", "-"], input="Raqqa.")
    assert result.exit_code == 2
    assert "unknown country code(s) XX, QQ" in result.output
