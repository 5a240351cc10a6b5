"""The bundled sample briefings (written by the team) that the demo and the tests open."""

from __future__ import annotations

from pathlib import Path

from .paths import SAMPLES_DIR

__all__ = ["DEFAULT_SAMPLE", "SAMPLES_DIR", "list_samples"]

DEFAULT_SAMPLE = SAMPLES_DIR / "al-tanf-briefing.md"


def list_samples() -> list[Path]:
    """Sample files, the default first."""
    files = sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in (".txt", ".md", ".html"))
    return sorted(files, key=lambda p: p != DEFAULT_SAMPLE)
