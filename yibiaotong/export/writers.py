"""Writing a generated form to disk: xlsx with xlsxwriter (imported here only), or CSV.

xlsxwriter rather than openpyxl: it writes several times faster and can stream rows
(constant_memory), so a form of 100 000 rows costs one row of memory. Streaming requires rows in
order, so every sheet here is written strictly row by row, and merged ranges are registered
directly instead of through ``merge_range``, which would pad the later rows of a multi-row header
before the current row is complete.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yibiaotong.errors import UsageError
from yibiaotong.export.sheet import NOTES_SHEET, FormSheet, SheetColumn, Value
from yibiaotong.export.styles import FORMULA_START, looks_like_formula
from yibiaotong.messages import msg
from yibiaotong.model import column_letter

FORMATS = ("xlsx", "csv")
_LIST_LIMIT = 255  # Excel's limit for a drop-down list written into the rule itself
_NUMERIC_TEXT = re.compile(r"\d+")
_SPREADSHEET_DIGITS = 11  # digit strings this long (IDs, accounts, phones) would be mangled
_ROW_POINTS = 15.0
STREAM_CELLS = 200_000  # above this many data cells a workbook is streamed (constant_memory)


def render_form(sheet: FormSheet, target: Path, file_format: str = "xlsx") -> Path:
    """Write one generated form to ``target`` (xlsx: the form and its 说明 sheet; csv: the
    form's rows under its title and header lines, UTF-8 with BOM)."""
    if file_format == "xlsx":
        return render_workbook([sheet], target)
    if file_format == "csv":
        _write_csv(sheet, target)
        return target
    raise UsageError(msg("export.bad_format", format=file_format, formats="、".join(FORMATS)))


def open_workbook(sheets: Sequence[FormSheet], target: Path) -> Any:
    """An xlsxwriter workbook for ``sheets``, in the mode their size calls for, with text kept
    as text (never turned into formulas, numbers or links)."""
    import xlsxwriter  # type: ignore[import-untyped]

    streamed = sum(len(s.rows) * len(s.columns) for s in sheets) > STREAM_CELLS
    return xlsxwriter.Workbook(
        str(target),
        {
            # Big workbooks stream row by row through temporary files; small ones are built in
            # memory, which spares the temporary files (slow on busy disks).
            "constant_memory": streamed,
            "in_memory": not streamed,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


def render_workbook(sheets: Sequence[FormSheet], target: Path) -> Path:
    """One xlsx workbook holding several forms, one sheet each (as the department's own
    workbook held them), followed by one 说明 sheet covering them all."""
    book = open_workbook(sheets, target)
    formats = _Formats(book)
    worksheets = [book.add_worksheet(name) for name in _sheet_names(sheets)]
    notes = _notes_layout(sheets)
    for worksheet, sheet, sources in zip(worksheets, sheets, notes.sources, strict=True):
        _page_setup(worksheet, sheet)
        _write_drawing(worksheet, sheet, formats)
        last_row = _write_rows(worksheet, sheet, formats)
        _add_validations(worksheet, sheet, sources)
        _write_footers(worksheet, sheet, formats, last_row + 1)
    _write_notes(book.add_worksheet(NOTES_SHEET), notes, formats)
    first = sheets[0]
    book.set_properties(
        {
            "title": first.title,
            "subject": first.form.department or "",
            "author": "ybt 一表通",
            "comments": msg("export.sheet.properties", form_key=first.form.form_key),
        }
    )
    worksheets[0].activate()
    book.close()
    return target


# -- xlsx ------------------------------------------------------------------------------------


def _sheet_names(sheets: Sequence[FormSheet]) -> list[str]:
    """The forms' own sheet names, made unique (Excel compares them case-insensitively)."""
    names: list[str] = []
    for sheet in sheets:
        name, counter = sheet.sheet_name, 1
        while name.casefold() in {n.casefold() for n in names}:
            counter += 1
            name = f"{sheet.sheet_name[:27]}({counter})"
        names.append(name)
    return names


class _Formats:
    """The cell formats of a generated workbook, created once per workbook."""

    def __init__(self, book: Any) -> None:
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        boxed = {**base, "border": 1}
        self.title = book.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.subtitle = book.add_format({**base, "bold": True, "font_size": 12, "align": "center"})
        self.meta = book.add_format({**base, "align": "left"})
        self.header = book.add_format(
            {**boxed, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"}
        )
        self.text = book.add_format({**boxed, "num_format": "@"})
        self.quoted = book.add_format({**boxed, "num_format": "@", "quote_prefix": True})
        self.number = book.add_format(boxed)
        self.date = book.add_format({**boxed, "num_format": "yyyy-mm-dd", "align": "left"})
        self.total = book.add_format({**boxed, "bold": True})
        self.footer = book.add_format({**base, "align": "left"})
        self.notes_heading = book.add_format({**base, "bold": True, "font_size": 12})
        self.notes = book.add_format({**base, "text_wrap": True, "valign": "top"})
        self.notes_quoted = book.add_format({**base, "text_wrap": True, "quote_prefix": True})


def _page_setup(worksheet: Any, sheet: FormSheet) -> None:
    first, last = sheet.columns[0].index, sheet.columns[-1].index
    for column in sheet.columns:
        worksheet.set_column(column.index, column.index, column.width)
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.fit_to_pages(1, 0)  # one page wide, as many pages long as needed
    worksheet.repeat_rows(sheet.header_first, sheet.first_data_row - 1)
    worksheet.center_horizontally()
    worksheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    worksheet.set_footer(msg("export.sheet.page_footer"))
    worksheet.freeze_panes(sheet.first_data_row, 0)
    last_data = sheet.first_data_row + max(len(sheet.rows), 1) - 1
    worksheet.autofilter(sheet.first_data_row - 1, first, last_data, last)


def _write_drawing(worksheet: Any, sheet: FormSheet, formats: _Formats) -> None:
    """Title, meta lines and the header block, row by row, with their merges."""
    for number, row in enumerate(sheet.top):
        in_header = number >= sheet.header_first
        style = formats.header if in_header else _line_format(row, number, sheet, formats)
        if in_header:
            worksheet.set_row(number, _header_height(row, sheet.columns))
        elif number == 0 or style is formats.title:
            worksheet.set_row(number, 28)
        for column, text in zip(sheet.columns, row, strict=False):
            if text:
                worksheet.write_string(number, column.index, text, style)
            elif in_header:
                worksheet.write_blank(number, column.index, None, style)
    spans = [m for m in sheet.merges if m[2] < sheet.first_data_row]
    _register_merges(worksheet, spans)


def _line_format(
    row: Sequence[str | None], number: int, sheet: FormSheet, formats: _Formats
) -> Any:
    texts = [t for t in row if t]
    if any("：" in t or ":" in t for t in texts):
        return formats.meta
    first_title = next((i for i, r in enumerate(sheet.top) if any(r)), 0)
    return formats.title if number == first_title else formats.subtitle


def _header_height(row: Sequence[str | None], columns: Sequence[SheetColumn]) -> float:
    lines = 1
    for column, text in zip(columns, row, strict=False):
        if text:
            for line in text.split("\n"):
                wide = sum(2 if ord(c) >= 0x2E80 else 1 for c in line)
                lines = max(lines, math.ceil(wide / max(column.width - 1, 1)))
            lines = max(lines, text.count("\n") + 1)
    return _ROW_POINTS * min(lines, 6) + 6


def _register_merges(worksheet: Any, spans: Sequence[Sequence[int]]) -> None:
    """Merged ranges whose cells were already written in row order (see the module note)."""
    for first_row, first_col, last_row, last_col in spans:
        if (first_row, first_col) != (last_row, last_col):
            worksheet.merge.append([first_row, first_col, last_row, last_col])


def _write_rows(worksheet: Any, sheet: FormSheet, formats: _Formats) -> int:
    """The data rows and the 合计 row; returns the last row written (0-based)."""
    row_number = sheet.first_data_row - 1
    # Runs once per data cell: the methods and formats are looked up once, outside the loop.
    write_string, write_number = worksheet.write_string, worksheet.write_number
    write_blank, write_datetime = worksheet.write_blank, worksheet.write_datetime
    text, quoted, number, date = formats.text, formats.quoted, formats.number, formats.date
    layout = [(c.index, text if c.kind == "text" else number) for c in sheet.columns]
    combine, midnight = dt.datetime.combine, dt.time()
    for values in sheet.rows:
        row_number += 1
        for (index, blank), value in zip(layout, values, strict=True):
            if value is None:
                write_blank(row_number, index, None, blank)
            elif isinstance(value, str):  # never a formula or number
                style = quoted if value.startswith(FORMULA_START) else text
                write_string(row_number, index, value, style)
            elif isinstance(value, dt.date):
                write_datetime(row_number, index, combine(value, midnight), date)
            else:
                write_number(row_number, index, value, number)
    if sheet.totals is not None:
        row_number += 1
        first, last = sheet.first_data_row, sheet.first_data_row + len(sheet.rows) - 1
        for column, value in zip(sheet.columns, sheet.totals, strict=True):
            if column.additive and sheet.rows and isinstance(value, int | float):
                letter = column_letter(column.index)
                formula = f"=SUM({letter}{first + 1}:{letter}{last + 1})"
                worksheet.write_formula(row_number, column.index, formula, formats.total, value)
            elif isinstance(value, str):
                worksheet.write_string(row_number, column.index, value, formats.total)
            elif isinstance(value, int | float):
                worksheet.write_number(row_number, column.index, value, formats.total)
            else:
                worksheet.write_blank(row_number, column.index, None, formats.total)
    return row_number


def _write_footers(worksheet: Any, sheet: FormSheet, formats: _Formats, start: int) -> None:
    spans = []
    for offset, row in enumerate(sheet.footers):
        number = start + offset
        for column, text in zip(sheet.columns, row, strict=False):
            if text:
                worksheet.write_string(number, column.index, text, formats.footer)
        if row and row[0] and not any(row[1:]) and len(sheet.columns) > 1:
            spans.append((number, sheet.columns[0].index, number, sheet.columns[-1].index))
    _register_merges(worksheet, spans)


@dataclass(frozen=True, slots=True)
class _NotesLayout:
    """The rows of the 说明 sheet, and each form's drop-down sources (lists too long for the
    rule itself are written below the notes and referred to by range)."""

    lines: tuple[tuple[str, ...], ...]
    headings: frozenset[int]
    sources: tuple[dict[int, str | list[str]], ...]  # per form: sheet column → list source


def _notes_layout(sheets: Sequence[FormSheet]) -> _NotesLayout:
    lines: list[tuple[str, ...]] = []
    headings: set[int] = set()
    for sheet in sheets:
        start = len(lines)
        headings.add(start)
        headings.update(start + i for i, line in enumerate(sheet.notes) if len(line) == 1)
        lines.extend(sheet.notes)
        lines.append(())
    sources: list[dict[int, str | list[str]]] = []
    for sheet in sheets:
        found: dict[int, str | list[str]] = {}
        for column in sheet.columns:
            if not column.choices:
                continue
            literal = all("," not in choice for choice in column.choices)
            if literal and len(",".join(column.choices)) <= _LIST_LIMIT:
                found[column.index] = list(column.choices)
                continue
            headings.add(len(lines))
            lines.append((msg("export.sheet.choices_caption", header=column.header),))
            first = len(lines) + 1  # 1-based sheet row of the first entry
            lines.extend(("", choice) for choice in column.choices)
            found[column.index] = f"='{NOTES_SHEET}'!$B${first}:$B${len(lines)}"
        sources.append(found)
    return _NotesLayout(tuple(lines), frozenset(headings), tuple(sources))


def _add_validations(worksheet: Any, sheet: FormSheet, sources: dict[int, str | list[str]]) -> None:
    if not sheet.rows:
        return
    first, last = sheet.first_data_row, sheet.first_data_row + len(sheet.rows) - 1
    for column in sheet.columns:
        source = sources.get(column.index)
        if source is None:
            continue
        worksheet.data_validation(
            first,
            column.index,
            last,
            column.index,
            {
                "validate": "list",
                "source": source,
                "ignore_blank": True,
                "error_type": "warning",  # a department may still write a value the list lacks
                "error_title": msg("export.sheet.choice_title"),
                "error_message": msg("export.sheet.choice_message"),
            },
        )


def _write_notes(worksheet: Any, notes: _NotesLayout, formats: _Formats) -> None:
    worksheet.set_column(0, 0, 16)
    worksheet.set_column(1, 1, 40)
    worksheet.set_column(2, 5, 18)
    for number, line in enumerate(notes.lines):
        for position, text in enumerate(line):
            if not text:
                continue
            style = formats.notes_heading if number in notes.headings else formats.notes
            if looks_like_formula(text):
                style = formats.notes_quoted
            worksheet.write_string(number, position, text, style)


# -- csv -------------------------------------------------------------------------------------


def _write_csv(sheet: FormSheet, target: Path) -> None:
    """UTF-8 with BOM (Excel then reads Chinese text right). Text that a spreadsheet would read
    as a formula gets a leading apostrophe; long digit strings (IDs, accounts, phones) and
    codes with leading zeros get a leading tab, so Excel keeps them as text."""
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in sheet.top:
            writer.writerow([_csv_text(text) for text in row])
        for values in sheet.rows:
            writer.writerow([_csv_value(c, v) for c, v in zip(sheet.columns, values, strict=True)])


def _kept_as_text(column: SheetColumn, value: str) -> bool:
    """Digit strings Excel would turn into numbers and mangle: long ones, leading zeros."""
    if column.kind != "text" or not _NUMERIC_TEXT.fullmatch(value):
        return False
    return len(value) >= _SPREADSHEET_DIGITS or (value.startswith("0") and len(value) > 1)


def _csv_text(text: str | None) -> str:
    if text is None:
        return ""
    return f"'{text}" if looks_like_formula(text) else text


def _csv_value(column: SheetColumn, value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if _kept_as_text(column, value):
        return f"\t{value}"
    return _csv_text(value)
