"""Writing a report in the formats asked for: one call for the CLI and the demo."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from yibiaotong.errors import UsageError
from yibiaotong.messages import msg
from yibiaotong.report.compare import compare_reports, load_previous_report
from yibiaotong.report.figures import Report, build_report
from yibiaotong.schema import Schema
from yibiaotong.settings import Settings
from yibiaotong.storage import Store

FILE_FORMATS = ("html", "xlsx", "json", "md")
FORMATS = ("terminal", *FILE_FORMATS)


def make_report(
    store: Store, schema: Schema, settings: Settings, *, compare: Path | None = None
) -> Report:
    """The report of the workspace as it stands, compared with a previous JSON report if given."""
    report = build_report(store, schema, settings)
    if compare is not None:
        changes = compare_reports(load_previous_report(compare), report)
        report = dataclasses.replace(report, changes=changes)
    return report


def write_report(report: Report, formats: Sequence[str], out: Path) -> dict[str, Path]:
    """Write the file formats among ``formats`` into ``out``; return format → path."""
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise UsageError(
            msg("report.cli.bad_format", name="、".join(unknown), known="、".join(FORMATS))
        )
    from yibiaotong.report.render_html import render_html
    from yibiaotong.report.render_md import render_markdown
    from yibiaotong.report.render_xlsx import render_xlsx
    from yibiaotong.report.serialise import report_json_text

    out.mkdir(parents=True, exist_ok=True)
    stem = f"{msg('report.file_stem')}-{dt.date.today():%Y%m%d}"
    written: dict[str, Path] = {}
    for name in dict.fromkeys(formats):
        target = out / f"{stem}.{name}"
        if name == "html":
            target.write_text(render_html(report), encoding="utf-8")
        elif name == "md":
            target.write_text(render_markdown(report), encoding="utf-8")
        elif name == "json":
            target.write_text(report_json_text(report), encoding="utf-8")
        elif name == "xlsx":
            render_xlsx(report, target)
        else:
            continue
        written[name] = target
    return written


def write_demo_report(store: Store, schema: Schema, settings: Settings, out_dir: Path) -> Path:
    """Build the report and write its HTML and JSON into ``out_dir``; return the HTML path."""
    return write_report(make_report(store, schema, settings), ["html", "json"], out_dir)["html"]
