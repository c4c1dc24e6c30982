"""`ybt ingest` on the generated hostile corpus (bench/hostile/make_corpus.py), as a real process.

Every bad file gets one Chinese line naming it and the reason, the good files beside them are
stored, nothing prints a traceback, and the whole run stays within a time and a memory bound
(parent and worker processes together, sampled every 50 ms).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from yibiaotong.storage import Store, init_workspace

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
# Measured on the 2-core machine: 9–15 s and a peak of about 1.35 GB (a worker stopped at its
# 1.5 GB cap by the shared-string bomb, the parent about 0.2 GB); with the default 3 GB cap the
# peak is about 2.9 GB. Without the cap that one file alone asks for 20 GB.
SECONDS_BOUND = 120
FILE_MEMORY_MB = 1536
PEAK_MB_BOUND = 2560
SAMPLE_SECONDS = 0.05


def _make_corpus() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_corpus", ROOT / "bench" / "hostile" / "make_corpus.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_corpus


def _ybt(*args: str) -> list[str]:
    return [sys.executable, "-m", "yibiaotong", *args]


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "COLUMNS": "400",
        "YBT_WORKERS": "2",
        "YBT_FILE_MEMORY_MB": str(FILE_MEMORY_MB),
        "YBT_FILE_TIMEOUT_SECONDS": "60",
    }


def _run_measured(
    command: list[str], logs: Path
) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """Run ``command``; wall time and peak resident memory of it and all its children."""
    started = time.monotonic()
    with (logs / "stdout").open("w") as stdout, (logs / "stderr").open("w") as stderr:
        process = subprocess.Popen(
            command, stdout=stdout, stderr=stderr, text=True, cwd=ROOT, env=_environment()
        )
        watched = psutil.Process(process.pid)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(watched))
            if time.monotonic() - started > 3 * SECONDS_BOUND:
                process.kill()
            time.sleep(SAMPLE_SECONDS)
    elapsed = time.monotonic() - started
    done = subprocess.CompletedProcess(
        command,
        process.returncode,
        (logs / "stdout").read_text(encoding="utf-8"),
        (logs / "stderr").read_text(encoding="utf-8", errors="replace"),
    )
    return done, elapsed, peak // 2**20


def _tree_rss(process: psutil.Process) -> int:
    try:
        family = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for member in family:
        with contextlib.suppress(psutil.Error):  # a worker that just ended
            total += member.memory_info().rss
    return int(total)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("hostile")
    expected = _make_corpus()(folder / "corpus")
    workspace = init_workspace(folder / "ws")
    run, seconds, peak_mb = _run_measured(
        _ybt("ingest", str(folder / "corpus"), "-w", str(workspace), "--json"), folder
    )
    print(f"\nhostile corpus: {len(expected)} files, {seconds:.1f} s, peak {peak_mb} MB")
    return {
        "expected": expected,
        "run": run,
        "seconds": seconds,
        "peak_mb": peak_mb,
        "workspace": workspace,
        "corpus": folder / "corpus",
    }


def test_every_file_gets_its_outcome_and_reason(hostile_run: dict[str, Any]) -> None:
    run = hostile_run["run"]
    assert run.returncode == 1, run.stderr[-3000:]  # 1: some files need attention
    assert "Traceback" not in run.stderr
    outcomes = {Path(f["path"]).name: f for f in json.loads(run.stdout)["files"]}
    expected = hostile_run["expected"]
    assert set(outcomes) == set(expected)
    for name, wanted in expected.items():
        outcome = outcomes[name]
        statuses = wanted["status"] if isinstance(wanted["status"], list) else [wanted["status"]]
        assert outcome["status"] in statuses, (name, outcome)
        if wanted["reasons"]:
            assert any(reason in outcome["message"] for reason in wanted["reasons"]), (
                name,
                outcome["message"],
            )


def test_good_files_are_stored_whole(hostile_run: dict[str, Any]) -> None:
    with Store.open(hostile_run["workspace"] / "ybt.duckdb", read_only=True) as store:
        stored = dict(
            store.frame(
                "SELECT fi.name, sum(f.data_rows)::INTEGER AS rows FROM files fi "
                "JOIN forms f USING (file_id) GROUP BY fi.name"
            ).iter_rows()
        )
    wanted = {
        name for name, outcome in hostile_run["expected"].items() if outcome["status"] == "stored"
    }
    assert wanted <= set(stored)
    assert stored["城乡低保对象花名册.xlsx"] > 40
    assert stored["困难残疾人关爱表.xls"] > 40
    assert stored["十万空格式行.xlsx"] == 3  # the 100,000 formatted rows are not data


def test_run_stays_within_time_and_memory(hostile_run: dict[str, Any]) -> None:
    assert hostile_run["seconds"] <= SECONDS_BOUND
    assert 0 < hostile_run["peak_mb"] <= PEAK_MB_BOUND


def test_terminal_names_each_bad_file_once_with_its_reason(hostile_run: dict[str, Any]) -> None:
    """The summary a clerk reads: one line "· file：reason" per file that was not stored."""
    workspace = hostile_run["workspace"]
    run = subprocess.run(
        _ybt("ingest", str(hostile_run["corpus"]), "-w", str(workspace)),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_environment(),
        timeout=SECONDS_BOUND,
        check=False,
    )
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith("· ")]
    for name, wanted in hostile_run["expected"].items():
        if not wanted["reasons"]:
            continue
        mine = [line for line in lines if line.startswith(f"· {name}：")]
        assert len(mine) == 1, (name, mine)
        assert any(reason in mine[0] for reason in wanted["reasons"]), mine[0]
