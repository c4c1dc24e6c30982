"""The xlsx report for supervisors who live in Excel/WPS: the same tables as every other format,
numbers kept as numbers (rates as percentages), and native Excel charts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from yibiaotong.messages import msg
from yibiaotong.report.charts import FORM_COLOUR, LEDGER_COLOUR, SEVERITY_COLOURS
from yibiaotong.report.figures import Report
from yibiaotong.report.tables import (
    ReportTable,
    change_tables,
    department_table,
    figures_by_group,
    form_table,
    ledger_table,
    quality_tables,
    unmapped_table,
)

# Sheet names: at most 31 characters, none of []:*?/\ (Excel's rules).
SHEET_NAMES = {
    "departments": "各部门",
    "forms": "各表单",
    "ledgers": "各台账",
    "unmapped": "未映射字段",
    "findings": "问题统计",
    "conflicts_by_element": "冲突-数据元",
    "conflicts_by_department": "冲突-部门",
    "key_validity": "关键标识",
    "problem_forms": "问题表单",
    "changed_figures": "变化-指标",
    "changed_findings": "变化-问题",
    "forms_added": "变化-新增表单",
    "forms_removed": "变化-减少表单",
}
HEADLINE_SHEET = "总览"


class _Formats:
    """The workbook's cell formats, created once."""

    def __init__(self, book: Any) -> None:
        font = {"font_name": "微软雅黑", "font_size": 10}
        self.title = book.add_format({**font, "bold": True, "font_size": 14})
        self.muted = book.add_format({**font, "font_color": "#5D6D7E"})
        self.group = book.add_format({**font, "bold": True, "font_size": 11, "bottom": 1})
        self.header = book.add_format(
            {**font, "bold": True, "bg_color": "#F4F6F7", "border": 1, "text_wrap": True}
        )
        self.text = book.add_format({**font, "border": 1, "text_wrap": True, "valign": "top"})
        self.bold = book.add_format({**font, "border": 1, "bold": True, "valign": "top"})
        self.count = book.add_format({**font, "border": 1, "num_format": "#,##0", "valign": "top"})
        self.number = book.add_format(
            {**font, "border": 1, "num_format": "#,##0.00", "valign": "top"}
        )
        self.rate = book.add_format({**font, "border": 1, "num_format": "0.0%", "valign": "top"})

    def for_kind(self, kind: str) -> Any:
        return {"count": self.count, "rate": self.rate, "number": self.number}.get(kind, self.text)


def _width(values: Sequence[Any]) -> float:
    """A column width that fits its longest text (CJK characters count double), capped."""
    longest = 0
    for value in values:
        text = "" if value is None else str(value)
        longest = max(longest, sum(2 if ord(ch) > 0x2E7F else 1 for ch in text))
    return float(min(max(longest + 2, 8), 48))


def _headline_sheet(book: Any, formats: _Formats, report: Report) -> None:
    sheet = book.add_worksheet(HEADLINE_SHEET)
    sheet.write(0, 0, report.title, formats.title)
    sheet.write(
        1,
        0,
        msg(
            "report.subtitle",
            generated_at=report.generated_at,
            schema=f"{report.schema_name} {report.schema_version}",
        ),
        formats.muted,
    )
    headers = [
        msg(f"report.column.{key}")
        for key in ("figure", "value", "numerator", "denominator", "formula", "definition")
    ]
    row = 3
    for title, figures in figures_by_group(report):
        sheet.write(row, 0, title, formats.group)
        row += 1
        sheet.write_row(row, 0, headers, formats.header)
        row += 1
        for figure in figures:
            sheet.write(row, 0, figure.label, formats.bold)
            value_format = formats.rate if figure.kind == "rate" else formats.count
            _write_number(sheet, row, 1, figure.value, value_format, formats)
            for column, part in ((2, figure.numerator), (3, figure.denominator)):
                part_format = (
                    formats.count if part is None or float(part).is_integer() else formats.number
                )
                _write_number(sheet, row, column, part, part_format, formats)
            sheet.write(row, 4, figure.formula, formats.text)
            sheet.write(row, 5, figure.definition, formats.text)
            row += 1
        row += 1
    for column, width in enumerate((28, 10, 10, 10, 50, 60)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(3, 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)


def _write_number(
    sheet: Any, row: int, column: int, value: float | None, number_format: Any, formats: _Formats
) -> None:
    if value is None:
        sheet.write_string(row, column, msg("report.none"), formats.text)
    else:
        sheet.write_number(row, column, value, number_format)


def _table_sheet(book: Any, formats: _Formats, table: ReportTable, name: str) -> Any:
    """A table on its own sheet: bold header row, frozen, filterable; returns the sheet."""
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, [c.header for c in table.columns], formats.header)
    for row_index, row in enumerate(table.rows, start=1):
        for column_index, (value, column) in enumerate(zip(row, table.columns, strict=True)):
            cell_format = formats.for_kind(column.kind)
            if value is None:
                sheet.write_string(row_index, column_index, msg("report.none"), formats.text)
            elif isinstance(value, bool):
                answer = msg("report.answer_yes") if value else msg("report.answer_no")
                sheet.write_string(row_index, column_index, answer, formats.text)
            elif isinstance(value, int | float):
                sheet.write_number(row_index, column_index, value, cell_format)
            else:
                sheet.write_string(row_index, column_index, value, cell_format)
    for index, column in enumerate(table.columns):
        values = [column.header, *(row[index] for row in table.rows)]
        sheet.set_column(index, index, 12 if column.kind == "rate" else _width(values))
    sheet.freeze_panes(1, 1)
    if table.rows:
        sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    return sheet


def _departments_chart(book: Any, sheet: Any, table: ReportTable) -> None:
    """Clustered bars: forms and ledgers per department (columns B and G of the sheet)."""
    keys = [c.key for c in table.columns]
    last = len(table.rows)
    chart = book.add_chart({"type": "bar"})
    for key, colour in (("forms", FORM_COLOUR), ("ledgers", LEDGER_COLOUR)):
        column = keys.index(key)
        chart.add_series(
            {
                "name": [sheet.name, 0, column],
                "categories": [sheet.name, 1, 0, last, 0],
                "values": [sheet.name, 1, column, last, column],
                "fill": {"color": colour},
                "data_labels": {"value": True},
            }
        )
    chart.set_title({"name": msg("report.section.chart_departments")})
    chart.set_y_axis({"reverse": True})  # bar charts list categories bottom-up otherwise
    chart.set_legend({"position": "top"})
    chart.set_size({"width": 640, "height": 28 * last + 120})
    sheet.insert_chart(1, len(keys) + 1, chart)


def _findings_chart(book: Any, sheet: Any, report: Report, table: ReportTable) -> None:
    """Findings by code, each bar in its severity's colour."""
    last = len(table.rows)
    if not last:
        return
    keys = [c.key for c in table.columns]
    chart = book.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": [sheet.name, 0, keys.index("count")],
            "categories": [sheet.name, 1, keys.index("label"), last, keys.index("label")],
            "values": [sheet.name, 1, keys.index("count"), last, keys.index("count")],
            "points": [
                {"fill": {"color": SEVERITY_COLOURS.get(f.severity, "#888888")}}
                for f in report.quality.findings
            ],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": msg("report.section.chart_findings")})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 640, "height": 24 * last + 120})
    sheet.insert_chart(1, len(keys) + 1, chart)


def render_xlsx(report: Report, path: Path) -> Path:
    """Write the xlsx report to ``path``; return it."""
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.set_properties({"title": report.title, "comments": "ybt report"})
    formats = _Formats(book)
    _headline_sheet(book, formats, report)
    if report.changes is not None:
        for table in change_tables(report.changes):
            _table_sheet(book, formats, table, SHEET_NAMES[table.key])
    departments = department_table(report)
    sheet = _table_sheet(book, formats, departments, SHEET_NAMES["departments"])
    _departments_chart(book, sheet, departments)
    for table in (form_table(report), ledger_table(report), unmapped_table(report)):
        _table_sheet(book, formats, table, SHEET_NAMES[table.key])
    for table in quality_tables(report):
        sheet = _table_sheet(book, formats, table, SHEET_NAMES[table.key])
        if table.key == "findings":
            _findings_chart(book, sheet, report, table)
    book.close()
    return path
