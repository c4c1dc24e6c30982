"""Crashes and concurrency, with real processes and real signals.

* kill -9 in the middle of `ybt ingest` of the sample county: the workspace opens, holds exactly
  the files whose transaction had committed (each one whole), and a rerun completes the rest;
* two processes writing one workspace: the second is told who holds it (or waits), the
  database stays sound;
* several readers at once work while nothing writes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from yibiaotong.doctor import check_workspace
from yibiaotong.errors import WorkspaceError
from yibiaotong.ingest import collect_paths, file_sha256, ingest_paths, prepare_file
from yibiaotong.matching import HeaderMatcher
from yibiaotong.schema import load_schema
from yibiaotong.settings import load_settings
from yibiaotong.storage import Store, init_workspace

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "sample_forms" / "county"
# Committed transactions reach the write-ahead log; past this size a few files are stored.
KILL_AFTER_WAL_BYTES = 1_000_000
DEADLINE_SECONDS = 180
# Run the CLI with `ybt doctor` registered, as `python -m yibiaotong` will once it is.
RUNNER = "import sys, yibiaotong.cli.doctor_commands; from yibiaotong.cli import main; main()"


def _ybt(*args: str) -> list[str]:
    return [sys.executable, "-c", RUNNER, *args]


def _start(command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,  # its workers share its process group, to be cleaned up after
    )


def _kill_group(process: subprocess.Popen[str]) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _stored_files(database: Path) -> dict[str, tuple[int, int, int]]:
    """sha256 → (forms, data rows, observations) of every stored file."""
    with Store.open(database, read_only=True) as store:
        frame = store.frame(
            "SELECT fi.sha256, count(DISTINCT f.form_id)::INTEGER, "
            "coalesce(sum(f.data_rows), 0)::INTEGER, "
            "(SELECT count(*) FROM observations o JOIN forms g USING (form_id) "
            " WHERE g.file_id = fi.file_id)::INTEGER "
            "FROM files fi LEFT JOIN forms f USING (file_id) GROUP BY fi.sha256, fi.file_id"
        )
    return {row[0]: (row[1], row[2], row[3]) for row in frame.iter_rows()}


def test_kill_9_mid_ingest_keeps_whole_files_and_rerun_completes(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    database = workspace / "ybt.duckdb"
    wal = database.with_name(database.name + ".wal")
    started = time.monotonic()
    ingest = _start(_ybt("ingest", str(COUNTY), "-w", str(workspace), "--json"))
    while ingest.poll() is None and time.monotonic() - started < DEADLINE_SECONDS:
        if wal.exists() and wal.stat().st_size >= KILL_AFTER_WAL_BYTES:
            break
        time.sleep(0.02)
    assert ingest.poll() is None, "the ingest ended before it could be killed"
    os.kill(ingest.pid, signal.SIGKILL)
    killed_after = time.monotonic() - started
    _kill_group(ingest)
    assert ingest.returncode == -signal.SIGKILL

    # The workspace opens and holds only whole files.
    stored = _stored_files(database)
    files = collect_paths([COUNTY])
    hashes = {path: file_sha256(path) for path in files}
    assert 0 < len(stored) < len(files)
    schema = load_schema(())
    matcher = HeaderMatcher(schema, 0.85, 0.55)
    stored_paths = [path for path in files if hashes[path] in stored]
    for path in stored_paths:
        prepared = prepare_file(path, schema, matcher, ())
        whole = (
            len(prepared.forms),
            sum(len(form.layout.data_rows) for form in prepared.forms),
            sum(form.observations.height for form in prepared.forms),
        )
        assert stored[hashes[path]] == whole, path.name

    # The rerun stores the rest and leaves a sound workspace.
    rerun_started = time.monotonic()
    rerun = subprocess.run(
        _ybt("ingest", str(COUNTY), "-w", str(workspace), "--json"),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=DEADLINE_SECONDS,
    )
    rerun_seconds = time.monotonic() - rerun_started
    assert "Traceback" not in rerun.stderr
    outcomes = {Path(f["path"]): f["status"] for f in json.loads(rerun.stdout)["files"]}
    assert [p for p in files if outcomes[p] == "unchanged"] == stored_paths
    with_forms = [p for p in files if outcomes[p] in {"stored", "unchanged"}]
    # Files are stored in input order: those that made it are the first files with forms.
    assert stored_paths == with_forms[: len(stored_paths)]
    after = _stored_files(database)
    assert set(after) == {hashes[p] for p in with_forms}
    assert {sha: after[sha] for sha in stored} == stored
    report = check_workspace(load_settings({"workspace": workspace}, environ={}))
    assert report.healthy, report.checks
    print(
        f"\nkill -9 after {killed_after:.1f} s with {len(stored)}/{len(with_forms)} files stored;"
        f" rerun {rerun_seconds:.1f} s"
    )


@contextmanager
def _holding(database: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process with the workspace open for writing, for ``seconds`` at most."""
    holder = _start(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from yibiaotong.storage import Store\n"
            "with Store.open(Path(sys.argv[1])):\n"
            "    print('open', flush=True); time.sleep(float(sys.argv[2]))\n",
            str(database),
            str(seconds),
        ]
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        yield holder
    finally:
        _kill_group(holder)


def test_second_writer_is_told_who_holds_the_workspace(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    one_form = COUNTY / "民政局" / "城乡低保对象花名册.xlsx"
    with _holding(workspace / "ybt.duckdb", 60) as holder:
        second = subprocess.run(
            [sys.executable, "-m", "yibiaotong", "ingest", str(one_form), "-w", str(workspace)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
            timeout=60,
        )
    assert second.returncode == 1
    assert "Traceback" not in second.stderr
    assert "工作区正被另一个 ybt 进程使用" in second.stderr
    assert f"进程号 {holder.pid}" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    report = check_workspace(load_settings({"workspace": workspace}, environ={}))
    assert report.healthy, report.checks


def test_waiting_writer_goes_ahead_when_the_holder_is_done(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    database = workspace / "ybt.duckdb"
    with _holding(database, 2) as holder:
        started = time.monotonic()
        with Store.open(database, wait_seconds=60) as store:
            waited = time.monotonic() - started
            store.connection.execute("INSERT INTO ybt_meta VALUES ('waited', 'yes')")
        assert holder.wait(timeout=10) == 0
    assert 1 < waited < 30
    with Store.open(database, read_only=True) as store:
        assert store.scalar("SELECT value FROM ybt_meta WHERE key = 'waited'") == "yes"


def test_waiting_gives_up_after_its_time(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    database = workspace / "ybt.duckdb"
    with _holding(database, 60):
        started = time.monotonic()
        with (
            pytest.raises(WorkspaceError, match="已等待 1 秒"),
            Store.open(database, wait_seconds=1),
        ):
            pass
        assert time.monotonic() - started < 10


def test_doctor_waits_from_the_command_line(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    with _holding(workspace / "ybt.duckdb", 2):
        doctor = subprocess.run(
            _ybt("doctor", "-w", str(workspace), "--wait", "60", "--json"),
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
            timeout=90,
        )
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert json.loads(doctor.stdout)["healthy"] is True


def test_readers_work_side_by_side(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    forms = [COUNTY / "民政局" / "城乡低保对象花名册.xlsx", COUNTY / "残联"]
    first = subprocess.run(
        _ybt("ingest", *map(str, forms), "-w", str(workspace), "--json"),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert json.loads(first.stdout)["totals"]["forms"] >= 5
    readers = [
        _start(_ybt(*command, "-w", str(workspace), "--json"))
        for command in (["findings"], ["ledger"], ["conflicts"], ["ledger", "show", "person"])
    ]
    for reader in readers:
        stdout, stderr = reader.communicate(timeout=120)
        assert reader.returncode == 0, stderr
        assert "工作区正被" not in stderr
        json.loads(stdout)


def test_the_ledger_stamp_tells_when_data_changed_since_the_ledgers(tmp_path: Path) -> None:
    """What an ingest needs to notice that it was killed between storing and rebuilding."""
    workspace = init_workspace(tmp_path / "ws")
    with Store.open(workspace / "ybt.duckdb") as store:
        assert not store.ledgers_outdated()  # nothing stored, nothing to build
    ingest_paths(
        [COUNTY / "残联" / "困难残疾人关爱表.xls", COUNTY / "民政局" / "城乡低保对象花名册.xlsx"],
        load_settings({"workspace": workspace, "workers": 0}, environ={}),
    )
    with Store.open(workspace / "ybt.duckdb") as store:
        store.mark_ledgers_built()
        assert not store.ledgers_outdated()
        first = store.scalar("SELECT min(form_id) FROM forms")
        with store.transaction():
            store.delete_forms([first])
        assert store.ledgers_outdated()
        store.mark_ledgers_built()
        store.connection.execute(
            "INSERT INTO value_decisions VALUES ('P1', 'name', '张三', '民政局', 'x.xlsx', now())"
        )
        assert store.ledgers_outdated()
