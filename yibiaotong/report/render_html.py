"""The HTML report: one self-contained file (inline CSS and SVG, no script, no network) from the
jinja2 templates in templates/report/, printable on A4."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from yibiaotong.messages import msg
from yibiaotong.report.charts import departments_chart, findings_chart
from yibiaotong.report.figures import Report
from yibiaotong.report.tables import (
    ReportTable,
    change_tables,
    department_table,
    figures_by_group,
    form_table,
    format_cell,
    format_number,
    format_value,
    ledger_table,
    quality_tables,
    unmapped_table,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Headline figures shown as large numbers at the top of the page.
HIGHLIGHTS = (
    "form_reduction_rate",
    "field_reduction_rate",
    "prefill_rate",
    "form_simplification_rate",
    "fill_reduction_rate",
    "person_house_rate",
)


@functools.cache
def environment() -> jinja2.Environment:
    """The jinja2 environment over templates/report (autoescaping on, undefined is an error)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "report"),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def shown_table(table: ReportTable) -> dict[str, Any]:
    """A table as the templates use it: title, headers, alignments and formatted cells."""
    return {
        "key": table.key,
        "title": table.title,
        "headers": [c.header for c in table.columns],
        "numeric": [c.kind in {"count", "rate", "number"} for c in table.columns],
        "rows": [
            [format_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
            for row in table.rows
        ],
    }


def template_context(report: Report) -> dict[str, Any]:
    """Everything the HTML and Markdown templates show, already formatted."""
    figures = {f.key: f for f in report.figures}
    return {
        "report": report,
        "title": report.title,
        "subtitle": msg(
            "report.subtitle",
            generated_at=report.generated_at,
            schema=f"{report.schema_name} {report.schema_version}",
        ),
        "highlights": [
            {
                "label": figures[k].label,
                "value": format_value(figures[k]),
                "formula": figures[k].formula,
            }
            for k in HIGHLIGHTS
            if k in figures
        ],
        "groups": [
            {
                "title": title,
                "figures": [
                    {
                        "label": f.label,
                        "value": format_value(f),
                        "numerator": format_number(f.numerator),
                        "denominator": format_number(f.denominator),
                        "formula": f.formula,
                        "definition": f.definition,
                    }
                    for f in figures_in_group
                ],
            }
            for title, figures_in_group in figures_by_group(report)
        ],
        "changes": report.changes,
        "change_tables": [shown_table(t) for t in change_tables(report.changes)]
        if report.changes is not None
        else [],
        "generated": [f for f in report.forms if f.generated],
        "main_tables": [shown_table(t) for t in (department_table(report), ledger_table(report))],
        "quality_tables": [shown_table(t) for t in quality_tables(report)],
        "form_table": shown_table(form_table(report)),
        "unmapped_table": shown_table(unmapped_table(report)),
        "text": {
            key: msg(f"report.section.{key}")
            for key in (
                "headline",
                "generated",
                "changes",
                "charts",
                "definitions",
                "none_generated",
            )
        },
        "column": {
            key: msg(f"report.column.{key}")
            for key in ("figure", "value", "numerator", "denominator", "formula", "definition")
        },
        "changes_text": {
            "previous": msg(
                "report.changes.previous",
                generated_at=report.changes.previous_generated_at if report.changes else "",
            ),
            "nothing": msg("report.changes.nothing"),
        },
    }


def render_html(report: Report) -> str:
    """The whole report as one self-contained HTML document."""
    context = template_context(report)
    context["charts"] = [
        Markup(chart) for chart in (departments_chart(report), findings_chart(report)) if chart
    ]
    return environment().get_template("report.html.j2").render(context)
