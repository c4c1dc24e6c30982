"""Excel and OpenDocument workbooks (.xlsx/.xlsm, .xls, .ods) → cell grids, through calamine.

Before calamine builds a sheet, the sheet's grid size is worked out from the file itself
(sheetxml, biff, ods) so that a hostile or damaged file is refused instead of exhausting memory.
Values are what calamine returns: numbers are float (an .xls integer stored as RK arrives as
int), date-formatted cells are date/datetime/time (1900 and 1904 date systems), durations are
timedelta; empty and error cells (#DIV/0!, #N/A …) become None.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
    ZipError,
)

from yibiaotong.messages import msg
from yibiaotong.model import CellValue, MergedRange, SheetGrid
from yibiaotong.reading import biff, ods, sheetxml
from yibiaotong.reading.compound import CompoundFile
from yibiaotong.reading.grid import trim_grid
from yibiaotong.reading.limits import ReadLimits, check_cells, check_zip, fail


def read_excel(path: Path, kind: str, limits: ReadLimits) -> tuple[SheetGrid, ...]:
    """Every worksheet of an xlsx/xls/ods file, in workbook order (chart sheets skipped)."""
    # calamine reads every sheet of an xls or ods while opening it: check sizes first.
    ods_tables = _prescan(path, kind, limits)
    # from_filelike judges the format by content; from_path would trust the extension.
    with calamine_errors(path), path.open("rb") as stream:
        book = CalamineWorkbook.from_filelike(stream)
        try:
            return tuple(_read_sheets(path, book, ods_tables, limits))
        finally:
            book.close()


def _read_sheets(
    path: Path, book: CalamineWorkbook, tables: Sequence[ods.OdsTable], limits: ReadLimits
) -> Iterator[SheetGrid]:
    for index, metadata in enumerate(book.sheets_metadata):
        if metadata.typ != SheetTypeEnum.WorkSheet:
            continue
        table = tables[index] if index < len(tables) else None
        sheet = book.get_sheet_by_index(index)
        grid = _sheet_grid(path, index, metadata.name, sheet, limits, table=table)
        hidden = metadata.visible != SheetVisibleEnum.Visible or (
            table is not None and table.hidden
        )
        yield replace(grid, visible=not hidden) if hidden else grid


def _sheet_grid(
    path: Path,
    index: int,
    name: str,
    sheet: CalamineSheet,
    limits: ReadLimits,
    *,
    table: ods.OdsTable | None,
) -> SheetGrid:
    end = sheet.end
    values: list[list[CellValue]] = []
    if end is not None:
        check_cells(path, name, end[0] + 1, end[1] + 1, limits)
        values = [
            [None if value == "" else value for value in row] if "" in row else row
            for row in _rows(sheet)
        ]
    rows = trim_grid(values)
    merged: Sequence[MergedRange]
    if table is not None:
        merged = table.merged
    else:
        merged = [
            MergedRange(first[0], first[1], last[0], last[1])
            for first, last in sheet.merged_cell_ranges or ()
        ]
    return SheetGrid(
        name=name,
        index=index,
        rows=rows,
        merged=clip_merged(merged, len(rows), len(rows[0]) if rows else 0),
    )


def _rows(sheet: CalamineSheet) -> list[list[CellValue]]:
    # skip_empty_area=False starts the data at A1, so rows[i][j] is sheet row i, column j.
    return sheet.to_python(skip_empty_area=False)  # type: ignore[return-value]


def clip_merged(merged: Sequence[MergedRange], height: int, width: int) -> tuple[MergedRange, ...]:
    """Merged ranges cut to the grid; a range that is outside or shrinks to one cell goes."""
    clipped: list[MergedRange] = []
    for block in merged:
        if block.first_row >= height or block.first_column >= width:
            continue
        cut = MergedRange(
            block.first_row,
            block.first_column,
            min(block.last_row, height - 1),
            min(block.last_column, width - 1),
        )
        if (cut.first_row, cut.first_column) != (cut.last_row, cut.last_column):
            clipped.append(cut)
    return tuple(clipped)


@contextmanager
def calamine_errors(path: Path) -> Iterator[None]:
    """Turn calamine's errors, and Rust panics, into FileReadError."""
    try:
        yield
    except PasswordError as error:
        raise fail(path, "encrypted") from error
    except ZipError as error:
        raise fail(path, "corrupt", detail=msg("reading.what.damaged")) from error
    except CalamineError as error:
        raise fail(path, "malformed") from error
    except BaseException as error:
        # pyo3 turns a Rust panic into PanicException, a BaseException subclass that
        # cannot be imported by name.
        if type(error).__name__ == "PanicException":
            raise fail(path, "malformed") from error
        raise


def _prescan(path: Path, kind: str, limits: ReadLimits) -> tuple[ods.OdsTable, ...]:
    """Refuse any sheet whose grid would exceed the limits, before calamine allocates it; for
    ods, also learn merges and hidden tables (calamine reports neither)."""
    if kind == "xls":
        _prescan_xls(path, limits)
        return ()
    with zipfile.ZipFile(path) as archive:
        check_zip(path, archive, limits)
        if kind == "ods":
            tables = tuple(ods.scan_content(archive))
            for table in tables:
                check_cells(path, table.name, table.rows, table.columns, limits)
            return tables
        if sheetxml.claimed_shared_strings(archive) > limits.max_cells:
            raise fail(path, "malformed")
        for part, name in sorted(sheetxml.worksheet_parts(archive).items()):
            rows, columns = sheetxml.sheet_extent(archive, part, limits.max_cells)
            check_cells(path, name, rows, columns, limits)
    return ()


def _prescan_xls(path: Path, limits: ReadLimits) -> None:
    compound = CompoundFile.open(path)
    names = {name.lower(): name for name in compound.stream_names()}
    stream_name = names.get("workbook") or names.get("book")
    if stream_name is None:
        return
    stream = compound.read_stream(stream_name)
    if biff.is_encrypted(stream):
        raise fail(path, "encrypted")
    try:
        extents = biff.sheet_extents(stream)
    except biff.BiffError as error:
        raise fail(path, "malformed") from error
    for name, rows, columns in extents:
        check_cells(path, name, rows, columns, limits)
