"""Plain data passed between pipeline stages: cell addresses, findings, cell grids.

Stage-specific records (Form, Column, Decision …) live with the stage that makes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

# What a reader hands on for one cell: the value as the file stores it, never coerced.
# A number stays int/float (so an ID typed as a number is recognisable as damaged);
# a date-formatted cell arrives as date/datetime; an empty cell is None.
CellValue = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None


def column_letter(index: int) -> str:
    """Excel column letter for a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(frozen=True, slots=True)
class CellRef:
    """Where something is: file, and where it applies sheet, 1-based row and 0-based column."""

    file: str
    sheet: str | None = None
    row: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(self.sheet)
        if self.row is not None and self.column is not None:
            parts.append(f"{column_letter(self.column)}{self.row}")
        elif self.row is not None:
            parts.append(f"第{self.row}行")
        elif self.column is not None:
            parts.append(f"{column_letter(self.column)}列")
        return "!".join(parts)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found in the data: a stable code, a severity, a Chinese message, a location."""

    code: str
    severity: Severity
    message: str
    location: CellRef | None = None
    element: str | None = None
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class MergedRange:
    """A merged block of cells, 0-based and inclusive, in sheet coordinates."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int

    def contains(self, row: int, column: int) -> bool:
        return (
            self.first_row <= row <= self.last_row
            and self.first_column <= column <= self.last_column
        )


@dataclass(frozen=True, slots=True)
class SheetGrid:
    """One sheet's cells as stored. ``rows[i][j]`` is sheet row i, column j (both 0-based).

    Rows are padded to the same width. ``visible`` is False for hidden and very hidden sheets.
    """

    name: str
    index: int
    rows: list[list[CellValue]]
    merged: tuple[MergedRange, ...] = ()
    visible: bool = True

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


@dataclass(frozen=True, slots=True)
class Workbook:
    """A whole input file as cell grids. CSV files have exactly one sheet."""

    path: Path
    kind: str  # "xlsx", "xls", "ods", "csv"
    sheets: tuple[SheetGrid, ...]
    sha256: str
    encoding: str | None = None  # text files only
    notes: tuple[str, ...] = field(default=())  # reader remarks shown to the user (Chinese)
