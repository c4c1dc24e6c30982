"""Write planned sheets as .xlsx (xlsxwriter), .xls (xlwt) or .csv, byte-identically every run."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
import xlwt

from .model import Cell, SheetPlan, WorkbookPlan

FIXED_TIME = dt.datetime(2026, 10, 31, 9, 30, 0)


def write_workbook(plan: WorkbookPlan, root: Path) -> None:
    path = root / plan.spec.path
    path.parent.mkdir(parents=True, exist_ok=True)
    if plan.spec.kind == "xlsx":
        _write_xlsx(plan, path)
    elif plan.spec.kind == "xls":
        _write_xls(plan, path)
    else:
        _write_csv(plan, path)


# ---- xlsx ---------------------------------------------------------------------------------------
def _write_xlsx(plan: WorkbookPlan, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": False, "strings_to_numbers": False})
    book.set_properties(
        {"created": FIXED_TIME, "author": "青山旗", "company": "青山旗人民政府", "title": ""}
    )
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    boxed = {**base, "border": 1}
    formats: dict[str, Any] = {
        "title": book.add_format({**base, "bold": True, "font_size": 16, "align": "center"}),
        "subtitle": book.add_format({**base, "font_size": 11, "align": "center"}),
        "meta": book.add_format({**base, "align": "left"}),
        "header": book.add_format({**boxed, "bold": True, "align": "center", "text_wrap": True}),
        "data": book.add_format(boxed),
        "total": book.add_format({**boxed, "bold": True}),
        "footer": book.add_format({**base, "align": "left"}),
    }
    for sheet in plan.sheets:
        worksheet = book.add_worksheet(sheet.name)
        for style in sorted(set(sheet.styles.values())):
            if style.startswith("date:") and style not in formats:
                formats[style] = book.add_format({**boxed, "num_format": style[5:]})
        merged_corners = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merges}
        covered = {
            (r, c)
            for r1, c1, r2, c2 in sheet.merges
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
        }
        for (row, column), value in sorted(sheet.cells.items()):
            cell_format = formats[sheet.styles.get((row, column), "data")]
            if (row, column) in merged_corners:
                r1, c1, r2, c2 = merged_corners[(row, column)]
                worksheet.merge_range(r1, c1, r2, c2, "", cell_format)
            _xlsx_cell(worksheet, row, column, value, cell_format)
        for row, column in sorted(set(sheet.styles) - set(sheet.cells) - covered):
            worksheet.write_blank(row, column, None, formats[sheet.styles[(row, column)]])
        for column, width in sorted(sheet.widths.items()):
            worksheet.set_column(column, column, width)
        if sheet.role == "hidden":
            worksheet.hide()
    book.close()


def _xlsx_cell(worksheet: Any, row: int, column: int, value: Cell, cell_format: Any) -> None:
    if value is None:
        worksheet.write_blank(row, column, None, cell_format)
    elif isinstance(value, bool):
        worksheet.write_boolean(row, column, value, cell_format)
    elif isinstance(value, int | float):
        worksheet.write_number(row, column, value, cell_format)
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
        worksheet.write_datetime(row, column, moment, cell_format)
    else:
        worksheet.write_string(row, column, value, cell_format)


# ---- xls ----------------------------------------------------------------------------------------
def _write_xls(plan: WorkbookPlan, path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    border = "borders: left thin, right thin, top thin, bottom thin;"
    font = "font: name 宋体, height 200"
    styles: dict[str, Any] = {
        "title": xlwt.easyxf(
            "font: name 宋体, bold on, height 320; align: horiz center, vert center"
        ),
        "subtitle": xlwt.easyxf("font: name 宋体, height 220; align: horiz center"),
        "meta": xlwt.easyxf(f"{font}; align: horiz left"),
        "header": xlwt.easyxf(
            f"font: name 宋体, bold on, height 200; {border}"
            " align: horiz center, vert center, wrap on"
        ),
        "data": xlwt.easyxf(f"{font}; {border}"),
        "total": xlwt.easyxf(f"font: name 宋体, bold on, height 200; {border}"),
        "footer": xlwt.easyxf(f"{font}; align: horiz left"),
    }
    for sheet in plan.sheets:
        worksheet = book.add_sheet(sheet.name, cell_overwrite_ok=True)
        for style in sorted(set(sheet.styles.values())):
            if style.startswith("date:") and style not in styles:
                styles[style] = xlwt.easyxf(f"{font}; {border}", num_format_str=style[5:])
        merged_corners = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merges}
        for (row, column), value in sorted(sheet.cells.items()):
            style = styles[sheet.styles.get((row, column), "data")]
            written = _xls_value(value)
            if (row, column) in merged_corners:
                r1, c1, r2, c2 = merged_corners[(row, column)]
                worksheet.write_merge(r1, r2, c1, c2, written, style)
            else:
                worksheet.write(row, column, written, style)
        for column, width in sorted(sheet.widths.items()):
            worksheet.col(column).width = int(width * 300)
        if sheet.role == "hidden":
            worksheet.visibility = 1
    book.save(str(path))


def _xls_value(value: Cell) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return "" if value is None else value


# ---- csv ----------------------------------------------------------------------------------------
def _write_csv(plan: WorkbookPlan, path: Path) -> None:
    (sheet,) = plan.sheets
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in csv_rows(sheet):
        writer.writerow(row)
    path.write_bytes(buffer.getvalue().encode(plan.spec.encoding or "utf-8"))


def csv_rows(sheet: SheetPlan) -> list[list[str]]:
    """The sheet as Excel would save it: every row as wide as the used range."""
    if not sheet.cells:
        return []
    last_row = max(row for row, _ in sheet.cells)
    last_column = max(column for _, column in sheet.cells)
    return [
        [csv_text(sheet.cells.get((row, column))) for column in range(last_column + 1)]
        for row in range(last_row + 1)
    ]


def csv_text(value: Cell) -> str:
    """A cell as Excel's 'General' format shows it, which is what a saved CSV holds."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.year}/{value.month}/{value.day}"
    if isinstance(value, float):
        if value == int(value):
            return _general(value) if abs(value) >= 1e11 else str(int(value))
        return str(value)
    return str(value)


def _general(value: float) -> str:
    """Excel General for numbers of 12+ digits: 1.50999E+17 (6 significant digits)."""
    mantissa, exponent = f"{value:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E+{int(exponent):02d}"
