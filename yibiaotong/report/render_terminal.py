"""The report on a terminal (rich): headline figures with their formulas, then the tables that
fit 80 columns. The full per-form tables are in the HTML, xlsx and Markdown reports."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from yibiaotong.messages import msg
from yibiaotong.report.figures import Report
from yibiaotong.report.tables import (
    ReportTable,
    change_tables,
    department_table,
    figures_by_group,
    format_cell,
    format_value,
    ledger_table,
    quality_tables,
    unmapped_table,
)

# How many rows the terminal shows of the long tables.
TERMINAL_ROWS = {"unmapped": 10, "conflicts_by_element": 10, "problem_forms": 5}


def render_terminal(report: Report, console: Console) -> None:
    """Print the report: readable at 80 columns, every figure beside its formula."""
    console.print(Text(report.title, style="bold"))
    console.print(
        msg(
            "report.subtitle",
            generated_at=report.generated_at,
            schema=f"{report.schema_name} {report.schema_version}",
        ),
        style="dim",
    )
    for title, figures in figures_by_group(report):
        table = Table(title=title, title_justify="left", title_style="bold", expand=False)
        table.add_column(msg("report.column.figure"), overflow="fold", min_width=10, max_width=24)
        table.add_column(msg("report.column.value"), justify="right", no_wrap=True)
        table.add_column(msg("report.column.calculation"), overflow="fold")
        for figure in figures:
            table.add_row(figure.label, format_value(figure), figure.formula)
        console.print(table)
    if report.changes is not None:
        _render_changes(report, console)
    for section in (department_table(report), ledger_table(report)):
        console.print(_rich_table(section.brief()))
    _render_generated(report, console)
    for section in quality_tables(report):
        console.print(_rich_table(section.brief(), TERMINAL_ROWS.get(section.key)))
    console.print(_rich_table(unmapped_table(report).brief(), TERMINAL_ROWS["unmapped"]))
    console.print(msg("report.section.forms_hint"), style="dim")


def _render_changes(report: Report, console: Console) -> None:
    changes = report.changes
    assert changes is not None
    console.print(Text(msg("report.section.changes"), style="bold"))
    console.print(msg("report.changes.previous", generated_at=changes.previous_generated_at))
    if changes.unchanged:
        console.print(msg("report.changes.nothing"))
        return
    if not (changes.forms_added or changes.forms_removed):
        console.print(msg("report.changes.no_form_change"))
    for table in change_tables(changes):
        console.print(_rich_table(table))


def _render_generated(report: Report, console: Console) -> None:
    generated = [f for f in report.forms if f.generated]
    console.print(Text(msg("report.section.generated"), style="bold"))
    if not generated:
        console.print(msg("report.section.none_generated"))
    for form in generated:
        console.print(f"· {form.department}：{form.title}")


def _rich_table(table: ReportTable, limit: int | None = None) -> Table:
    rows = table.rows if limit is None else table.rows[:limit]
    title = table.title
    if limit is not None and len(table.rows) > limit:
        title = f"{title}（前 {limit} 项，共 {len(table.rows)} 项）"
    shown = Table(title=title, title_justify="left", title_style="bold")
    for column in table.columns:
        numeric = column.kind in {"count", "rate", "number"}
        shown.add_column(
            column.header,
            justify="right" if numeric else "left",
            no_wrap=numeric,
            overflow="fold",
        )
    for row in rows:
        shown.add_row(*(format_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)))
    return shown
