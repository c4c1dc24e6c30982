"""The demo: a fresh workspace over the bundled sample county, ingested and exported."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yibiaotong.errors import UsageError
from yibiaotong.messages import msg
from yibiaotong.storage import init_workspace

DEMO_MARKER = ".ybt-demo"
DEMO_COUNTY = "青山旗"


@dataclass(frozen=True, slots=True)
class DemoResult:
    workspace: Path
    county: Path
    ingest: Any  # ingest.IngestReport
    export: Any  # export.ExportSummary
    report: Any  # report.Report
    report_files: dict[str, Path]


def sample_county() -> Path:
    """The bundled sample county (present in a source checkout)."""
    county = Path(__file__).resolve().parents[1] / "sample_forms" / "county"
    if not county.is_dir():
        raise UsageError(msg("demo.no_sample"))
    return county


def fresh_workspace(folder: Path) -> Path:
    """(Re)create the demo workspace in ``folder``; never touches a folder ybt did not make."""
    folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()):
        if not (folder / DEMO_MARKER).exists():
            raise UsageError(msg("demo.not_demo_folder"), str(folder))
        shutil.rmtree(folder)
    init_workspace(folder, county=DEMO_COUNTY)
    (folder / DEMO_MARKER).write_text("ybt demo workspace\n", encoding="utf-8")
    return folder


def run_demo(folder: Path, progress: Callable[[Path], None] | None = None) -> DemoResult:
    """A fresh workspace, the sample county ingested, every form exported back, in order."""
    from yibiaotong.export import ExportOptions, export_forms
    from yibiaotong.ingest import ingest_paths
    from yibiaotong.schema import load_schema
    from yibiaotong.settings import load_settings
    from yibiaotong.storage import Store

    county = sample_county()
    workspace = fresh_workspace(folder)
    settings = load_settings({"workspace": workspace})
    ingested = ingest_paths([county], settings, progress=progress)
    schema = load_schema(settings.schema_extensions)
    from yibiaotong.report.output import make_report, write_report

    with Store.open(settings.database) as store:
        exported = export_forms(
            store, schema, settings, ExportOptions(out=workspace / msg("demo.export_folder"))
        )
        report = make_report(store, schema, settings)
    files = write_report(report, ["html", "json"], workspace / "reports")
    return DemoResult(workspace, county, ingested, exported, report, files)
