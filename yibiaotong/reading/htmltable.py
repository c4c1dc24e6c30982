"""HTML tables → sheets. Many government systems "export Excel" as an HTML page named .xls.

Each top-level ``<table>`` holding any text becomes a sheet; rowspan/colspan become merged
ranges with the text in the top-left cell. Values are str (HTML has no cell types), with
whitespace collapsed as a browser would and ``<br>`` kept as a line break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from yibiaotong.messages import msg
from yibiaotong.model import CellValue, MergedRange, SheetGrid
from yibiaotong.reading.excel import clip_merged
from yibiaotong.reading.grid import trim_grid
from yibiaotong.reading.limits import ReadLimits, check_cells, fail
from yibiaotong.reading.text import DecodedText, decode_text

# The HTML standard clamps spans to these values.
_MAX_COLSPAN = 1000
_MAX_ROWSPAN = 65534
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_BLOCK_TAGS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title"})


@dataclass(frozen=True)
class HtmlTables:
    sheets: tuple[SheetGrid, ...]
    encoding: str
    notes: tuple[str, ...]


def read_html_tables(path: Path, limits: ReadLimits) -> HtmlTables:
    content = path.read_bytes()
    declared = _CHARSET.search(content[:4096])
    decoded: DecodedText = decode_text(
        content, declared.group(1).decode("ascii") if declared else None
    )
    parser = _TableParser(path, limits)
    parser.feed(decoded.text)
    parser.close()
    tables = [table for table in parser.tables if table.has_text]
    if not tables:
        raise fail(path, "not_spreadsheet", what=msg("reading.what.no_table"))
    sheets = []
    for number, table in enumerate(tables, start=1):
        name = path.stem if len(tables) == 1 else msg("reading.sheet.table", number=number)
        rows = trim_grid(table.rows)
        check_cells(path, name, len(rows), len(rows[0]) if rows else 0, limits)
        width = len(rows[0]) if rows else 0
        sheets.append(
            SheetGrid(
                name=name,
                index=number - 1,
                rows=rows,
                merged=clip_merged(table.merged, len(rows), width),
            )
        )
    return HtmlTables(tuple(sheets), decoded.encoding, decoded.notes)


@dataclass
class _Table:
    rows: list[list[CellValue]] = field(default_factory=list)
    merged: list[MergedRange] = field(default_factory=list)
    has_text: bool = False
    # Columns covered by a rowspan from a row above: column → last row it covers.
    covered_until: dict[int, int] = field(default_factory=dict)


class _TableParser(HTMLParser):
    def __init__(self, path: Path, limits: ReadLimits) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self._path = path
        self._limits = limits
        self._depth = 0  # nesting of <table>; only depth-1 tables become sheets
        self._skipping = 0
        self._cells = 0
        self._row = -1
        self._column = 0
        self._text: list[str] | None = None  # text of the open cell
        self._span = 1  # colspan of the open cell

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._close_cell()
                self.tables.append(_Table())
                self._row = -1
        elif self._depth != 1:
            self._line_break(tag)
        elif tag == "tr":
            self._close_cell()
            self._row += 1
            self._column = 0
            self.tables[-1].rows.append([])
        elif tag in ("td", "th"):
            self._open_cell(dict(attrs))
        else:
            self._line_break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._line_break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "table":
            if self._depth == 1:
                self._close_cell()
            self._depth = max(0, self._depth - 1)
        elif self._depth == 1 and tag in ("td", "th", "tr"):
            self._close_cell()

    def handle_data(self, data: str) -> None:
        if self._text is not None and not self._skipping:
            self._text.append(data)

    def _line_break(self, tag: str) -> None:
        if self._text is not None and (tag == "br" or tag in _BLOCK_TAGS):
            self._text.append("\n")

    def _open_cell(self, attributes: dict[str, str | None]) -> None:
        self._close_cell()
        table = self.tables[-1]
        if self._row < 0:  # a cell before any <tr>
            self._row = 0
            table.rows.append([])
        while table.covered_until.get(self._column, -1) >= self._row:
            self._column += 1
        rowspan = _span(attributes.get("rowspan"), _MAX_ROWSPAN)
        colspan = _span(attributes.get("colspan"), _MAX_COLSPAN)
        self._count_cells(rowspan * colspan)
        row, column = self._row, self._column
        if rowspan > 1 or colspan > 1:
            table.merged.append(MergedRange(row, column, row + rowspan - 1, column + colspan - 1))
        if rowspan > 1:
            for across in range(column, column + colspan):
                table.covered_until[across] = row + rowspan - 1
        self._text = []
        self._span = colspan

    def _count_cells(self, cells: int) -> None:
        self._cells += cells
        if self._cells > self._limits.max_cells:
            raise fail(
                self._path,
                "too_many_cells",
                sheet=self._path.stem,
                cells=self._cells,
                limit=self._limits.max_cells,
            )

    def _close_cell(self) -> None:
        if self._text is None or not self.tables:
            return
        table = self.tables[-1]
        value = _cell_text("".join(self._text))
        self._text = None
        cells = table.rows[self._row]
        if len(cells) < self._column:
            cells.extend([None] * (self._column - len(cells)))
        cells.append(value)
        cells.extend([None] * (self._span - 1))
        self._column += self._span
        table.has_text = table.has_text or value is not None


def _span(value: str | None, ceiling: int) -> int:
    digits = (value or "").strip()
    if not digits.isdigit():
        return 1
    return max(1, min(int(digits), ceiling))


def _cell_text(raw: str) -> str | None:
    lines = (" ".join(line.split()) for line in raw.split("\n"))
    text = "\n".join(line for line in lines if line)
    return text or None
