"""The benchmark as CI's smoke check: one small county through every step, figures written.

Not a timed test: it asserts that every step ran on the same corpus and produced its figures,
never how fast they were (speed targets live in docs/performance.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_runs_at_a_small_scale(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench.py"),
            "--counties",
            "1",
            "--scale",
            "1",
            "--out",
            str(tmp_path),
            "--no-memory-check",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["files"] == 96
    assert results["forms"] == 106
    steps = {step["name"]: step for step in results["steps"]}
    bare = next(s for name, s in steps.items() if name.startswith("bare decode"))
    ingest = next(s for name, s in steps.items() if name.startswith("ybt ingest,"))
    # Both measured the same corpus, cell for cell.
    assert bare["cells"] == ingest["cells"] == results["cells"] > 80_000
    assert ingest["seconds"] > 0
    assert ingest["peak_mb"] > 0
    assert {"ybt export", "ybt report", "ybt --help"} <= steps.keys()
    ratios = results["ratios"]
    assert 0 < ratios["ingest / bare decode (cells/s)"] < 1
    assert 0 < ratios["re-ingest / ingest (seconds)"] < 1
    assert 0 < ratios["export / bare write (cells/s)"] < 2
    # The table printed for people carries the same ratios.
    assert "ingest / bare decode" in run.stdout
