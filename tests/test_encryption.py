"""Encryption at rest: only with DuckDB's signed httpfs extension (secure AES-GCM), never weaker;
the key comes from YBT_WORKSPACE_KEY (or a prompt) and never shows up in a message."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from yibiaotong import storage
from yibiaotong.doctor import check_workspace
from yibiaotong.errors import WorkspaceError
from yibiaotong.ingest import ingest_paths
from yibiaotong.settings import CONFIG_NAME, DATABASE_NAME, load_settings
from yibiaotong.storage import (
    EXTENSION_FOLDER,
    KEY_ENVIRONMENT,
    Store,
    encryption_extension,
    init_workspace,
    is_encrypted,
)

ROOT = Path(__file__).resolve().parents[1]
FORM = ROOT / "sample_forms" / "county" / "民政局" / "城乡低保对象花名册.xlsx"
KEY = "青山旗-workspace-key-2024"
needs_extension = pytest.mark.skipif(
    encryption_extension() is None, reason="duckdb-extension-httpfs (the encryption extra)"
)


@pytest.fixture(autouse=True)
def _no_ambient_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENVIRONMENT, raising=False)
    monkeypatch.setattr(storage, "_key_prompt", None)


def test_refused_without_the_extension(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "encryption_extension", lambda: None)
    with pytest.raises(WorkspaceError, match="拒绝创建加密工作区"):
        init_workspace(tmp_path / "ws", encrypt=True, key=KEY)
    assert not (tmp_path / "ws").exists()  # nothing half-made


def test_a_short_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="密钥太短"):
        init_workspace(tmp_path / "ws", encrypt=True, key="123456")


@needs_extension
def test_encrypted_workspace_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENVIRONMENT, KEY)
    folder = init_workspace(tmp_path / "ws", county="青山旗", encrypt=True)
    database = folder / DATABASE_NAME
    assert is_encrypted(database)
    for path, mode in ((folder, 0o700), (database, 0o600), (folder / CONFIG_NAME, 0o600)):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
    assert stat.S_IMODE((folder / EXTENSION_FOLDER).stat().st_mode) == 0o700

    settings = load_settings({"workspace": folder, "workers": 0}, environ={})
    report = ingest_paths([FORM], settings)
    assert [f.status for f in report.files] == ["stored"]
    with Store.open(database, read_only=True) as store:
        assert store.encrypted
        names = store.frame("SELECT DISTINCT raw FROM observations WHERE element_id = 'name'")
        settings_row = store.frame(
            "SELECT current_setting('allow_unsigned_extensions') AS unsigned, "
            "current_setting('temp_file_encryption') AS temp_encrypted"
        ).row(0, named=True)
    assert settings_row == {"unsigned": False, "temp_encrypted": True}
    content = database.read_bytes()
    for name in names["raw"].to_list()[:20]:
        assert name.encode("utf-8") not in content
    assert "城乡低保对象花名册".encode() not in content

    doctor = check_workspace(settings)
    assert doctor.healthy, doctor.checks
    assert next(c for c in doctor.checks if c.check == "encryption").status == "ok"


@needs_extension
def test_without_the_right_key_nothing_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = init_workspace(tmp_path / "ws", encrypt=True, key=KEY)
    database = folder / DATABASE_NAME
    with pytest.raises(WorkspaceError, match="YBT_WORKSPACE_KEY") as missing, Store.open(database):
        pass
    monkeypatch.setenv(KEY_ENVIRONMENT, "not-the-key-at-all")
    with (
        pytest.raises(WorkspaceError, match="密钥不正确") as wrong,
        Store.open(database, read_only=True),
    ):
        pass
    for error in (missing.value, wrong.value):
        assert KEY not in str(error)
        assert "not-the-key-at-all" not in str(error)
    with Store.open(database, key=KEY) as store:
        assert store.scalar("SELECT value FROM ybt_meta WHERE key = 'schema_version'") == "1"


@needs_extension
def test_the_key_prompt_is_asked_once(tmp_path: Path) -> None:
    asked: list[bool] = []

    def prompt(_database: Path, confirm: bool) -> str:
        asked.append(confirm)
        return KEY

    storage.set_key_prompt(prompt)
    folder = init_workspace(tmp_path / "ws", encrypt=True)
    with Store.open(folder / DATABASE_NAME) as store:
        assert store.encrypted
    assert asked == [True, False]  # init asks for confirmation; opening just asks


def test_plain_workspace_is_reported_as_not_encrypted(tmp_path: Path) -> None:
    folder = init_workspace(tmp_path / "ws")
    assert not is_encrypted(folder / DATABASE_NAME)
    report = check_workspace(load_settings({"workspace": folder}, environ={}))
    encryption = next(c for c in report.checks if c.check == "encryption")
    assert encryption.status == "info"
    assert "--encrypt" in encryption.advice


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_opening_for_writing_makes_the_log_private(tmp_path: Path) -> None:
    folder = init_workspace(tmp_path / "ws")
    database = folder / DATABASE_NAME
    os.chmod(database, 0o644)
    with Store.open(database):
        pass
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
