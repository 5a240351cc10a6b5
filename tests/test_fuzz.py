"""Bounded fuzzing in CI: each hostile-input reader gets a few seconds of atheris.

A crash (any exception other than a FlashpointsError, or a broken invariant) fails the
test with the input atheris saved. Longer runs: ``python benchmarks/fuzz.py TARGET``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 8  # per target; with start-up the three stay near a minute


@pytest.mark.parametrize("target", ["records", "front", "answers"])
def test_fuzz_target_survives_a_bounded_run(tmp_path, target):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "fuzz.py"),
            target,
            f"-max_total_time={SECONDS}",
            f"-artifact_prefix={tmp_path}/",
            "-print_final_stats=0",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=SECONDS * 10,
        check=False,
    )
    crashes = sorted(p.name for p in tmp_path.glob("crash-*"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert not crashes, crashes
