"""`ybt report` on the sample county: figures against the manifest, every format, a browser."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import ROOT
from yibiaotong.report import Report
from yibiaotong.report.output import make_report, write_report
from yibiaotong.report.serialise import report_json_schema, report_to_json
from yibiaotong.schema import load_schema
from yibiaotong.settings import Settings
from yibiaotong.storage import Store


def _value(report: Report, key: str) -> Any:
    return report.figure(key).value


def test_form_and_ledger_figures_match_the_manifest(
    report: Report, manifest: dict[str, Any]
) -> None:
    schema = load_schema()
    forms = manifest["forms"]
    assert _value(report, "forms") == len({f["form_id"] for f in forms}) == 106
    used = {c["element"] for f in forms for c in f["columns"] if c["element"]}
    ledgers = {schema.elements[e].ledger for e in used}
    assert _value(report, "ledgers") == len(ledgers)
    rate = report.figure("form_reduction_rate")
    assert (rate.numerator, rate.denominator) == (len(ledgers), 106)
    assert rate.value == pytest.approx(1 - len(ledgers) / 106)


def test_field_and_filling_figures_match_the_manifest(
    report: Report, manifest: dict[str, Any]
) -> None:
    forms = manifest["forms"]
    data_columns = [(f, c) for f in forms for c in f["columns"] if c.get("kind") != "serial"]
    mapped = [(f, c) for f, c in data_columns if c["element"]]
    elements = {c["element"] for _, c in mapped}
    # The tool maps 98% of the manifest's columns (the rest wait for review), so C and E are
    # within a few columns of the manifest's; the formula must hold exactly.
    occurrences = _value(report, "field_occurrences")
    assert abs(occurrences - len(mapped)) <= 0.03 * len(mapped)
    assert abs(_value(report, "elements") - len(elements)) <= 0.03 * len(elements)
    field_rate = report.figure("field_reduction_rate")
    assert field_rate.value == pytest.approx(1 - _value(report, "elements") / occurrences)
    cells_before = sum(
        len(f["data_rows"]) * sum(1 for c in f["columns"] if c.get("kind") != "serial")
        for f in forms
    )
    assert abs(_value(report, "cells_before") - cells_before) <= 0.01 * cells_before
    removed = report.figure("cells_removed")
    assert removed.value == _value(report, "cells_before") - _value(report, "values_once")


def test_json_validates_and_equals_the_cli(county: Settings, report: Report) -> None:
    document = report_to_json(report)
    jsonschema.validate(document, report_json_schema())
    committed = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    assert committed == report_json_schema()
    cli = subprocess.run(
        [sys.executable, "-m", "yibiaotong", "report", "--json", "-w", str(county.workspace)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    from_cli = json.loads(cli.stdout)
    from_cli.pop("generated_at")
    document.pop("generated_at")
    assert from_cli["figures"] == json.loads(json.dumps(document["figures"]))


def test_compare_lists_what_changed(county: Settings, report: Report, tmp_path: Path) -> None:
    previous = report_to_json(report)
    previous["figures"]["forms"]["value"] = 100
    path = tmp_path / "上次.json"
    path.write_text(json.dumps(previous, ensure_ascii=False), encoding="utf-8")
    with Store.open(county.database, read_only=True) as store:
        compared = make_report(store, load_schema(), county, compare=path)
    assert compared.changes is not None
    assert "forms" in {change.key for change in compared.changes.figures}


def test_files_are_written_in_every_format(report: Report, tmp_path: Path) -> None:
    written = write_report(report, ["html", "xlsx", "json", "md", "terminal"], tmp_path)
    assert set(written) == {"html", "xlsx", "json", "md"}
    html = written["html"].read_text(encoding="utf-8")
    assert "<svg" in html
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "报表精简率" in written["md"].read_text(encoding="utf-8")


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed")
def test_html_renders_in_a_real_browser(report: Report, tmp_path: Path) -> None:
    page = write_report(report, ["html"], tmp_path)["html"]
    shot = tmp_path / "report.png"
    result = subprocess.run(
        [
            str(_chromium()),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shot.exists(), result.stderr[-2000:]
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "Error" in line], console


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_xlsx_opens_in_libreoffice(report: Report, tmp_path: Path) -> None:
    book = write_report(report, ["xlsx"], tmp_path)["xlsx"]
    out = tmp_path / "converted"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            "--convert-to",
            "csv",
            "--outdir",
            str(out),
            str(book),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    (converted,) = out.glob("*.csv")
    assert str(_value(report, "forms")) in converted.read_text(encoding="utf-8", errors="replace")


def test_demo_report_writes_html_and_json(county: Settings, tmp_path: Path) -> None:
    from yibiaotong.report.output import write_demo_report

    with Store.open(county.database, read_only=True) as store:
        page = write_demo_report(store, load_schema(), county, tmp_path)
    assert page.suffix == ".html"
    assert page.exists()
    (document,) = tmp_path.glob("*.json")
    jsonschema.validate(json.loads(document.read_text(encoding="utf-8")), report_json_schema())
