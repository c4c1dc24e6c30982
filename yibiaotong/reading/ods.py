"""What calamine does not tell about an .ods: grid size (checked before it expands repeats),
merged cells and hidden sheets — all from one streaming pass over content.xml.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field

from yibiaotong.model import MergedRange
from yibiaotong.reading.xmlparse import parse_stream

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_CHUNK_BYTES = 4 * 2**20
# One repeat attribute may claim a billion cells; it only counts when the cell has a value,
# and then the row/column position it reaches is what matters, so cap the arithmetic.
_MAX_REPEAT = 2**31


@dataclass
class OdsTable:
    name: str
    style: str | None
    rows: int = 0  # grid size from A1 to the farthest cell with content
    columns: int = 0
    merged: list[MergedRange] = field(default_factory=list)
    hidden: bool = False


def scan_content(archive: zipfile.ZipFile) -> list[OdsTable]:
    """Tables of the spreadsheet in document order."""
    scanner = _Scanner()
    with archive.open("content.xml") as stream:
        parse_stream(iter(lambda: stream.read(_CHUNK_BYTES), b""), scanner.start, scanner.end)
    for table in scanner.tables:
        table.hidden = table.hidden or table.style in scanner.hidden_styles
    return scanner.tables


class _Scanner:
    def __init__(self) -> None:
        self.tables: list[OdsTable] = []
        self.hidden_styles: set[str] = set()
        self._style: str | None = None
        self._row = 0
        self._row_repeat = 1
        self._column = 0
        self._cell: tuple[int, bool] | None = None  # (column repeat, has content)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self._cell is not None:
            self._cell = (self._cell[0], True)  # any child (text:p …) is content
            return
        if name == f"{_STYLE} style":
            self._style = attributes.get(f"{_STYLE} name")
        elif name == f"{_STYLE} table-properties":
            if attributes.get(f"{_TABLE} display") == "false" and self._style:
                self.hidden_styles.add(self._style)
        elif name == f"{_TABLE} table":
            self.tables.append(
                OdsTable(
                    name=attributes.get(f"{_TABLE} name", ""),
                    style=attributes.get(f"{_TABLE} style-name"),
                    hidden=attributes.get(f"{_TABLE} display") == "false",
                )
            )
            self._row = 0
        elif name == f"{_TABLE} table-row":
            self._row_repeat = _count(attributes.get(f"{_TABLE} number-rows-repeated"))
            self._column = 0
        elif name in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            self._start_cell(attributes)

    def end(self, name: str) -> None:
        if name in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            self._end_cell()
        elif self._cell is not None:
            return
        elif name == f"{_TABLE} table-row":
            self._row = min(self._row + self._row_repeat, _MAX_REPEAT)
        elif name == f"{_STYLE} style":
            self._style = None

    def _start_cell(self, attributes: dict[str, str]) -> None:
        repeat = _count(attributes.get(f"{_TABLE} number-columns-repeated"))
        has_value = f"{_OFFICE} value-type" in attributes
        self._cell = (repeat, has_value)
        rows = _count(attributes.get(f"{_TABLE} number-rows-spanned"))
        columns = _count(attributes.get(f"{_TABLE} number-columns-spanned"))
        if self.tables and (rows > 1 or columns > 1):
            self.tables[-1].merged.append(
                MergedRange(
                    self._row, self._column, self._row + rows - 1, self._column + columns - 1
                )
            )

    def _end_cell(self) -> None:
        if self._cell is None:
            return
        repeat, has_content = self._cell
        self._cell = None
        if has_content and self.tables:
            table = self.tables[-1]
            table.rows = max(table.rows, self._row + self._row_repeat)
            table.columns = max(table.columns, self._column + repeat)
        self._column = min(self._column + repeat, _MAX_REPEAT)


def _count(value: str | None) -> int:
    if value is None or not value.isdigit():
        return 1
    return max(1, min(int(value), _MAX_REPEAT))
