"""Shared fixtures: the sample county and fresh workspaces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from yibiaotong.settings import Settings, load_settings
from yibiaotong.storage import init_workspace

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_forms"
COUNTY = SAMPLE / "county"


@pytest.fixture(scope="session")
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "ws", county="青山旗")


@pytest.fixture
def settings(workspace: Path) -> Settings:
    return load_settings({"workspace": workspace, "workers": 0}, environ={})
