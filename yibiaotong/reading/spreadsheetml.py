"""Excel 2003 XML ("XML 表格", SpreadsheetML) → sheets; often exported by older systems as .xls.

Parsed with expat in one streaming pass; a document declaring a DOCTYPE is refused (no entity
expansion at all). Types follow ss:Type: Number → float, DateTime → datetime (date when the
time is midnight), Boolean → bool, String → str, Error → None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from yibiaotong.model import CellValue, MergedRange, SheetGrid
from yibiaotong.reading.excel import clip_merged
from yibiaotong.reading.grid import trim_grid
from yibiaotong.reading.limits import ReadLimits, check_cells, fail
from yibiaotong.reading.xmlparse import XmlDeclarationError, XmlSyntaxError, parse_stream

_SS = "urn:schemas-microsoft-com:office:spreadsheet"
_X = "urn:schemas-microsoft-com:office:excel"
_CHUNK_BYTES = 4 * 2**20
_MAX_INDEX = 2**31


@dataclass
class _Sheet:
    name: str
    cells: dict[tuple[int, int], CellValue] = field(default_factory=dict)
    merged: list[MergedRange] = field(default_factory=list)
    rows: int = 0
    columns: int = 0
    hidden: bool = False


def read_spreadsheetml(path: Path, limits: ReadLimits) -> tuple[SheetGrid, ...]:
    builder = _Builder()
    try:
        parse_stream(_blocks(path, builder, limits), builder.start, builder.end, builder.text)
    except XmlDeclarationError as error:
        raise fail(path, "xml_declarations") from error
    except (XmlSyntaxError, ValueError) as error:  # ValueError: a number or date that is not
        raise fail(path, "malformed") from error
    return tuple(_grid(path, index, sheet, limits) for index, sheet in enumerate(builder.sheets))


def _blocks(path: Path, builder: _Builder, limits: ReadLimits) -> Iterator[bytes]:
    """The file in blocks, stopping as soon as the cells read so far pass the limit."""
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK_BYTES):
            yield block
            if builder.cell_count > limits.max_cells:
                raise fail(
                    path,
                    "too_many_cells",
                    sheet=builder.sheets[-1].name,
                    cells=builder.cell_count,
                    limit=limits.max_cells,
                )


def _grid(path: Path, index: int, sheet: _Sheet, limits: ReadLimits) -> SheetGrid:
    check_cells(path, sheet.name, sheet.rows, sheet.columns, limits)
    rows: list[list[CellValue]] = [[None] * sheet.columns for _ in range(sheet.rows)]
    for (row, column), value in sheet.cells.items():
        rows[row][column] = value
    rows = trim_grid(rows)
    width = len(rows[0]) if rows else 0
    return SheetGrid(
        name=sheet.name,
        index=index,
        rows=rows,
        merged=clip_merged(sheet.merged, len(rows), width),
        visible=not sheet.hidden,
    )


class _Builder:
    def __init__(self) -> None:
        self.sheets: list[_Sheet] = []
        self.cell_count = 0
        self._row = -1
        self._column = -1
        self._cell: tuple[int, int] | None = None
        self._type: str | None = None
        self._text: list[str] | None = None
        self._in_visible = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == f"{_SS} Worksheet":
            self.sheets.append(
                _Sheet(attributes.get(f"{_SS} Name", f"Sheet{len(self.sheets) + 1}"))
            )
            self._row = -1
        elif not self.sheets:
            return
        elif name == f"{_SS} Row":
            self._row = _index(attributes, self._row + 1)
            self._column = -1
        elif name == f"{_SS} Cell":
            self._start_cell(attributes)
        elif name == f"{_SS} Data" and self._cell is not None:
            self._type = attributes.get(f"{_SS} Type", "String")
            self._text = []
        elif name == f"{_X} Visible":
            self._in_visible = True
            self._text = []

    def end(self, name: str) -> None:
        if name == f"{_SS} Data" and self._cell is not None and self._text is not None:
            self._store("".join(self._text))
            self._text = None
        elif name == f"{_SS} Cell":
            self._cell = None
        elif name == f"{_X} Visible" and self._in_visible and self._text is not None:
            self.sheets[-1].hidden = "".join(self._text).strip() in (
                "SheetHidden",
                "SheetVeryHidden",
            )
            self._in_visible = False
            self._text = None

    def text(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _start_cell(self, attributes: dict[str, str]) -> None:
        row = max(self._row, 0)
        column = _index(attributes, self._column + 1)
        across = _count(attributes.get(f"{_SS} MergeAcross"))
        down = _count(attributes.get(f"{_SS} MergeDown"))
        sheet = self.sheets[-1]
        if across or down:
            sheet.merged.append(MergedRange(row, column, row + down, column + across))
        self._column = column + across
        self._cell = (row, column)
        self.cell_count += 1

    def _store(self, raw: str) -> None:
        assert self._cell is not None
        value = _typed(raw, self._type or "String")
        if value is None:
            return
        sheet = self.sheets[-1]
        row, column = self._cell
        sheet.cells[(row, column)] = value
        sheet.rows = max(sheet.rows, row + 1)
        sheet.columns = max(sheet.columns, column + 1)


def _index(attributes: dict[str, str], default: int) -> int:
    """ss:Index is 1-based; returns a 0-based position."""
    value = attributes.get(f"{_SS} Index", "")
    if value.isdigit() and 0 < int(value) <= _MAX_INDEX:
        return int(value) - 1
    return default


def _count(value: str | None) -> int:
    if value is None or not value.isdigit():
        return 0
    return min(int(value), _MAX_INDEX)


def _typed(raw: str, kind: str) -> CellValue:
    if kind == "Number":
        return float(raw)
    if kind == "DateTime":
        moment = dt.datetime.fromisoformat(raw.strip())
        return moment.date() if moment.time() == dt.time() else moment
    if kind == "Boolean":
        return raw.strip() not in ("0", "", "false", "FALSE")
    if kind == "Error":
        return None
    return raw if raw != "" else None
