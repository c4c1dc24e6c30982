"""One workspace over the sample county for every report test (ingest takes ~15 s)."""

from __future__ import annotations

import pytest

from tests.conftest import COUNTY
from yibiaotong.ingest import ingest_paths
from yibiaotong.report import Report
from yibiaotong.report.output import make_report
from yibiaotong.schema import load_schema
from yibiaotong.settings import Settings, load_settings
from yibiaotong.storage import Store, init_workspace


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = init_workspace(tmp_path_factory.mktemp("report") / "ws", county="青山旗")
    settings = load_settings({"workspace": folder, "workers": 2}, environ={})
    ingest_paths([COUNTY], settings)
    return settings


@pytest.fixture(scope="session")
def report(county: Settings) -> Report:
    with Store.open(county.database, read_only=True) as store:
        return make_report(store, load_schema(), county)
