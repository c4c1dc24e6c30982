"""`ybt doctor`: each kind of damage is found, named and explained; --repair fixes what is safe."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yibiaotong.cli import app, doctor_commands
from yibiaotong.doctor import DoctorReport, check_workspace
from yibiaotong.ingest import ingest_paths
from yibiaotong.settings import DATABASE_NAME, Settings, load_settings
from yibiaotong.storage import Store, init_workspace

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "sample_forms" / "county"
FORMS = [COUNTY / "民政局" / "城乡低保对象花名册.xlsx", COUNTY / "残联" / "困难残疾人关爱表.xls"]
BLOCK_BYTES, HEADER_BYTES = 262_144, 3 * 4096  # DuckDB's block size and file headers


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = init_workspace(tmp_path_factory.mktemp("doctor") / "ws", county="青山旗")
    ingest_paths(FORMS, _settings(folder))
    return folder


@pytest.fixture
def workspace(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(built, copy)
    return copy


def _settings(folder: Path) -> Settings:
    return load_settings({"workspace": folder, "workers": 0}, environ={})


def _check(folder: Path, *, repair: bool = False) -> DoctorReport:
    return check_workspace(_settings(folder), repair=repair)


def _status(report: DoctorReport) -> dict[str, str]:
    return {check.check: check.status for check in report.checks}


def _execute(folder: Path, sql: str) -> None:
    with Store.open(folder / DATABASE_NAME) as store:
        store.connection.execute(sql)


def test_a_sound_workspace_is_healthy(workspace: Path) -> None:
    report = _check(workspace)
    assert report.healthy
    assert _status(report) == {
        "workspace": "ok",
        "permissions": "ok",
        "encryption": "info",
        "opens": "ok",
        "schema": "ok",
        "blocks": "ok",
        "forms": "ok",
        "references": "ok",
        "audit": "skipped",
        "ledgers": "ok",
    }
    assert report.repairs == []


def test_a_half_stored_file_is_named_and_repair_removes_it(workspace: Path) -> None:
    _execute(
        workspace,
        "DELETE FROM form_rows WHERE form_id = (SELECT min(form_id) FROM forms) AND row_no % 2 = 0",
    )
    report = _check(workspace)
    forms = next(c for c in report.checks if c.check == "forms")
    assert forms.status == "error"
    assert "城乡低保对象花名册.xlsx" in forms.message
    assert "--repair" in forms.advice

    repaired = _check(workspace, repair=True)
    assert any("城乡低保对象花名册.xlsx" in r and "重新导入" in r for r in repaired.repairs)
    assert repaired.healthy, repaired.checks
    with Store.open(workspace / DATABASE_NAME, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM files") == 1
    again = ingest_paths(FORMS[:1], _settings(workspace))
    assert [f.status for f in again.files] == ["stored"]
    assert _check(workspace).healthy


def test_cells_pointing_nowhere_are_found(workspace: Path) -> None:
    _execute(workspace, "INSERT INTO observations VALUES (9999, 5, 2, NULL, 'x', 'x', NULL)")
    report = _check(workspace)
    assert _status(report)["references"] == "error"
    assert _check(workspace, repair=True).healthy
    with Store.open(workspace / DATABASE_NAME, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM observations WHERE form_id = 9999") == 0


def test_stale_ledgers_are_found_and_rebuilt(workspace: Path) -> None:
    _execute(workspace, "DELETE FROM ledger_values WHERE element_id = 'name'")
    report = _check(workspace)
    ledgers = next(c for c in report.checks if c.check == "ledgers")
    assert ledgers.status == "warning"
    assert "重算" in ledgers.message
    repaired = _check(workspace, repair=True)
    assert repaired.healthy
    assert any("已重算台账" in r for r in repaired.repairs)


def test_the_check_changes_nothing(workspace: Path) -> None:
    _execute(workspace, "DELETE FROM ledger_values WHERE element_id = 'name'")
    before = (workspace / DATABASE_NAME).read_bytes()
    _check(workspace)
    assert _status(_check(workspace))["ledgers"] == "warning"  # still stale: nothing was written
    assert len((workspace / DATABASE_NAME).read_bytes()) == len(before)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_loose_permissions_are_found_and_tightened(workspace: Path) -> None:
    os.chmod(workspace / DATABASE_NAME, 0o644)
    os.chmod(workspace, 0o755)
    report = _check(workspace)
    permissions = next(c for c in report.checks if c.check == "permissions")
    assert permissions.status == "warning"
    assert "ybt.duckdb（644）" in permissions.message
    assert _check(workspace, repair=True).healthy
    assert stat.S_IMODE((workspace / DATABASE_NAME).stat().st_mode) == 0o600
    assert stat.S_IMODE(workspace.stat().st_mode) == 0o700


def test_a_damaged_block_is_reported(workspace: Path) -> None:
    with Store.open(workspace / DATABASE_NAME, read_only=True) as store:
        block = store.scalar(
            "SELECT min(block_id) FROM pragma_storage_info('observations') WHERE block_id >= 0"
        )
    with (workspace / DATABASE_NAME).open("r+b") as stream:
        stream.seek(HEADER_BYTES + int(block) * BLOCK_BYTES + 64)
        stream.write(b"\x55" * 64)
    report = _check(workspace)
    damaged = [c for c in report.checks if c.status == "error"]
    assert [c.check for c in damaged] == ["blocks"]
    assert "已损坏" in damaged[0].message
    assert "备份" in damaged[0].advice


def test_an_edited_export_log_is_found(workspace: Path) -> None:
    audit = pytest.importorskip("yibiaotong.export.audit")
    entry = {
        "run_id": "r1",
        "department": "民政局",
        "form_key": "民政局|低保|",
        "form_title": "城乡低保对象花名册",
        "elements": ("name", "id_number"),
        "masks": {"id_number": "id_middle"},
        "row_count": 49,
        "file_format": "xlsx",
        "output_path": "out/民政局/城乡低保对象花名册.xlsx",
        "sha256": "0" * 64,
        "exported_by": "clerk",
    }
    with Store.open(workspace / DATABASE_NAME) as store:
        audit.record_exports(
            store,
            [
                audit.ExportRecord(exported_at=dt.datetime(2024, 5, n), **entry)  # type: ignore[arg-type]
                for n in (1, 2, 3)
            ],
        )
    assert _status(_check(workspace))["audit"] == "ok"
    _execute(workspace, "UPDATE export_log SET row_count = 5 WHERE entry_id = 2")
    report = _check(workspace)
    found = next(c for c in report.checks if c.check == "audit")
    assert found.status == "error"
    assert "第 2 条" in found.message


def test_not_a_workspace(tmp_path: Path) -> None:
    report = _check(tmp_path)
    assert [(c.check, c.status) for c in report.checks] == [("workspace", "error")]
    assert "ybt init" in report.checks[0].advice


def test_command_json_equals_the_library_and_exit_codes(workspace: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["doctor", "-w", str(workspace), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == doctor_commands.report_as_data(_check(workspace))

    _execute(workspace, "DELETE FROM ledger_values WHERE element_id = 'name'")
    text = runner.invoke(app, ["doctor", "-w", str(workspace)], terminal_width=200)
    assert text.exit_code == 1
    assert "台账一致性" in text.output
    assert "ybt doctor --repair" in text.output

    help_text = runner.invoke(app, ["doctor", "--help"], terminal_width=100).output
    assert "用法：" in help_text
    assert "--repair" in help_text
