"""Settings precedence: flags > YBT_* environment > workspace config > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from yibiaotong.errors import UsageError, WorkspaceError
from yibiaotong.settings import CONFIG_NAME, Settings, find_workspace, load_settings


def _workspace(tmp_path: Path, body: str) -> Path:
    (tmp_path / CONFIG_NAME).write_text(body, encoding="utf-8")
    return tmp_path


def test_defaults_without_workspace(tmp_path: Path) -> None:
    settings = load_settings({}, environ={}, cwd=tmp_path)
    assert settings.workspace is None
    assert settings.accept_score == Settings().accept_score
    with pytest.raises(WorkspaceError):
        settings.require_workspace()


def test_precedence_flag_env_config(tmp_path: Path) -> None:
    folder = _workspace(tmp_path, "[matching]\naccept_score = 0.7\nreview_score = 0.4\n")
    from_config = load_settings({}, environ={}, cwd=folder)
    assert (from_config.accept_score, from_config.review_score) == (0.7, 0.4)
    from_env = load_settings({}, environ={"YBT_ACCEPT_SCORE": "0.75"}, cwd=folder)
    assert from_env.accept_score == 0.75
    from_flag = load_settings(
        {"accept_score": 0.9}, environ={"YBT_ACCEPT_SCORE": "0.75"}, cwd=folder
    )
    assert from_flag.accept_score == 0.9


def test_workspace_found_from_subfolder_and_env(tmp_path: Path) -> None:
    folder = _workspace(tmp_path, "")
    inner = folder / "a" / "b"
    inner.mkdir(parents=True)
    assert find_workspace(inner) == folder
    other = tmp_path / "elsewhere"
    assert load_settings({}, environ={"YBT_WORKSPACE": str(other)}, cwd=inner).workspace == other


def test_bad_values_are_named(tmp_path: Path) -> None:
    folder = _workspace(tmp_path, "[matching]\naccept_score = 0.8\n")
    with pytest.raises(UsageError, match="YBT_WORKERS"):
        load_settings({}, environ={"YBT_WORKERS": "两个"}, cwd=folder)
    (folder / CONFIG_NAME).write_text("[matching\n", encoding="utf-8")
    with pytest.raises(WorkspaceError):
        load_settings({}, environ={}, cwd=folder)
